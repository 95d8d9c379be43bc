"""The public API: load_model, Model.tag and Model.explain on a real trained model."""

from __future__ import annotations

import numpy as np
import pytest

import classifier
from classifier.model.text import normalize

RIDERS = "5月31日，30名外卖骑手集中入会，领到了工会会员证，有了自己的“娘家”。"
STATION = "市总工会在城区建成24个工会驿站，为环卫工人、快递员提供饮水、热饭、休息和手机充电。"
BYLINE = "本报记者 郝佳伟"


def test_public_api_is_small():
    assert set(classifier.__all__) == {"ArtifactError", "DataError", "Explanation", "Model",
                                       "Result", "TaggerError", "ThemeScore",
                                       "UnknownThemeError", "load_model"}


@pytest.mark.parametrize("text, theme", [
    (RIDERS, "new_employment_membership"),
    (STATION, "worker_station"),
    ("举办全市焊工职业技能大赛，200余名选手同台竞技。", "skills_competition"),
    ("工会法律援助律师为农民工讨回欠薪12万元。", "legal_aid"),
])
def test_tag_finds_the_theme_a_reader_sees(model, text, theme):
    assert theme in model.tag([text])[0].theme_ids


def test_page_furniture_gets_no_theme(model):
    assert model.tag([BYLINE])[0].themes == ()


def test_article_themes_are_the_union_of_paragraph_themes(model):
    result = model.tag([f"{RIDERS}\n\n{STATION}\n{BYLINE}"])[0]
    assert [p.text for p in result.paragraphs] == [RIDERS, STATION, BYLINE]
    carried = {t.id for p in result.paragraphs for t in p.themes}
    assert set(result.theme_ids) == carried
    for theme in result.themes:
        scores = [t.score for i in theme.paragraphs for t in result.paragraphs[i].themes
                  if t.id == theme.id]
        assert theme.score == max(scores)
    assert result.model_version == model.version


def test_tag_accepts_one_string_and_keeps_order(model):
    single = model.tag(STATION)
    batch = model.tag([BYLINE, STATION, ""])
    assert len(single) == 1 and len(batch) == 3
    assert batch[1] == single[0]
    assert batch[2].paragraphs == () and batch[2].themes == ()


def test_min_score_only_raises_thresholds(model):
    text = f"{RIDERS}\n{STATION}"
    plain = model.tag(text)[0]
    assert model.tag(text, min_score=0.0)[0] == plain
    strict = model.tag(text, min_score=0.999999)[0]
    assert set(strict.theme_ids) <= set(plain.theme_ids)
    assert all(t.score >= 0.999999 for t in strict.themes)


def test_scores_are_one_row_per_paragraph(model):
    scores = model.scores([RIDERS, STATION])
    assert scores.shape == (2, 13)
    assert np.all((scores > 0) & (scores < 1))


def test_explain_terms_occur_in_the_text(model):
    explanation = model.explain(f"{BYLINE}\n{RIDERS}", "new_employment_membership")
    assert explanation.paragraph == 1
    assert explanation.up, "a tagged paragraph has terms that pushed its score up"
    for term in (*explanation.up, *explanation.down):
        assert term.term in normalize(RIDERS)
    assert [t.weight for t in explanation.up] == sorted((t.weight for t in explanation.up),
                                                        reverse=True)
    assert all(t.weight > 0 for t in explanation.up) and all(t.weight < 0
                                                              for t in explanation.down)


def test_explain_names_taxonomy_keywords(model):
    terms = {t.term for t in model.explain(STATION, "worker_station").up}
    assert "工会驿站" in terms


def test_explain_unknown_theme_is_an_error(model):
    with pytest.raises(classifier.UnknownThemeError, match="no_such_theme"):
        model.explain(RIDERS, "no_such_theme")


def test_load_model_reads_the_default_location_from_the_environment(model_dir, monkeypatch):
    monkeypatch.setenv("TAGGER_MODEL_DIR", str(model_dir))
    assert classifier.load_model().version == model_dir.name


def test_shipped_model_loads_and_tags():
    model = classifier.load_model()
    assert "worker_station" in model.tag(STATION)[0].theme_ids
    assert model.metadata["cross_validation"]["model"]["macro_f1"] > (
        model.metadata["cross_validation"]["baseline"]["macro_f1"])


def test_explaining_several_themes_at_once_matches_one_by_one(model):
    text = f"{RIDERS}\n{STATION}"
    themes = ["worker_station", "new_employment_membership", "legal_aid"]
    assert model.explain_themes(text, themes) == [model.explain(text, t) for t in themes]
    assert model.explain_themes("", themes)[0].paragraph is None


def test_tokens_segmented_elsewhere_give_the_same_result(model):
    from classifier.model.segmentation import segment_paragraphs

    texts = [f"{RIDERS}\n{BYLINE}", STATION, ""]
    segmented = segment_paragraphs(texts, model.segmenter)
    assert len(segmented) == 3
    assert model.tag(texts, segmented=segmented) == model.tag(texts)
    with pytest.raises(ValueError, match="2 segmented paragraphs for 3 paragraphs"):
        model.tag(texts, segmented=segmented[:2])


def test_main_themes_come_first_then_by_score():
    from classifier.model.results import ThemeScore
    from classifier.model.tagger import _by_main_then_score

    mentioned = ThemeScore("worker_care", "帮扶关爱", 0.99, (3,), main=False)
    main = ThemeScore("worker_station", "工会驿站", 0.6, (0, 1, 2), main=True)
    other = ThemeScore("legal_aid", "法律援助与维权", 0.7, (4,), main=True)
    assert sorted([mentioned, main, other], key=_by_main_then_score) == [other, main, mentioned]


def test_main_themes_are_the_few_near_the_heaviest():
    from classifier.model.tagger import main_themes

    scores = np.array([[0.9, 0.1, 0.8, 0.0], [0.9, 0.0, 0.0, 0.6], [0.9, 0.0, 0.0, 0.0]])
    # Weights 2.7, 0.1, 0.8, 0.6: only the first reaches half of the heaviest.
    assert main_themes(scores, [0, 1, 2, 3]) == {0}
    assert main_themes(scores, [2, 3]) == {2, 3}
    assert main_themes(scores, []) == set()
