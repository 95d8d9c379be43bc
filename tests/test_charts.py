"""Charts a person reads show the themes' Chinese names in a font that has their glyphs."""

from __future__ import annotations

from matplotlib.ft2font import FT2Font

from classifier.charts import cjk_font, theme_labels


def test_an_installed_font_has_every_character_of_the_theme_names(taxonomy):
    names = "".join(t.name_zh for t in taxonomy.themes)
    path = cjk_font(names)
    assert path is not None, "no CJK font: make test installs fonts-noto-cjk"
    font = FT2Font(path)
    assert all(font.get_char_index(ord(char)) for char in names)


def test_theme_labels_are_the_chinese_names_in_that_font(taxonomy):
    names = {t.id: t.name_zh for t in taxonomy.themes}
    labels, font = theme_labels(["worker_station", "legal_aid"], names)
    assert labels == ["工会驿站", "法律援助与维权"]
    assert font.get_file() == cjk_font("工会驿站法律援助与维权")


def test_a_character_no_font_has_makes_the_labels_fall_back_to_ids():
    labels, font = theme_labels(["x"], {"x": "\U000f0000"})  # a private-use code point
    assert (labels, font) == (["x"], None)
