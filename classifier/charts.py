"""What every chart a person reads shares: theme names in Chinese, in a font that has them."""

from __future__ import annotations

import functools
import logging

log = logging.getLogger(__name__)

# File names of CJK fonts: Debian's fonts-noto-cjk (the Makefile installs it) and common others.
# Fonts are found on disk, not in matplotlib's cache, which may predate the font's install.
CJK_FILES = ("NotoSansCJK", "NotoSerifCJK", "SourceHanSans", "wqy-zenhei", "wqy-microhei",
             "DroidSansFallback")


@functools.lru_cache(maxsize=8)
def cjk_font(text: str) -> str | None:
    """Path of an installed font with a glyph for every character of ``text``, or None."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    found = sorted(path for path in set(font_manager.findSystemFonts(fontext="ttf")
                                        + font_manager.findSystemFonts(fontext="otf"))
                   if any(name.lower() in path.lower() for name in CJK_FILES))
    for path in sorted(found, key=lambda p: ("Regular" not in p, "Sans" not in p, p)):
        font = FT2Font(path)
        if all(font.get_char_index(ord(char)) for char in set(text) if not char.isspace()):
            return path
    return None


def theme_labels(ids, names: dict[str, str]) -> tuple[list[str], object]:
    """Tick labels for themes and the font to draw them in: the Chinese names when a CJK font
    is installed, else the ids (never boxes in place of characters)."""
    from matplotlib.font_manager import FontProperties

    wanted = [names.get(i, i) for i in ids]
    path = cjk_font("".join(wanted))
    if path is None:
        log.warning("no CJK font installed (apt-get install fonts-noto-cjk): charts show "
                    "theme ids instead of Chinese names")
        return list(ids), None
    return wanted, FontProperties(fname=path)
