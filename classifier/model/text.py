"""Text normalisation and paragraph splitting: the first steps of the pipeline."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation to half-width) and single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def split_paragraphs(text: str) -> list[str]:
    """An article's paragraphs: its non-empty lines, stripped, as the labelled data defines them."""
    return [line for _, line in numbered_paragraphs(text)]


def numbered_paragraphs(text: str) -> list[tuple[int, str]]:
    """Paragraphs with their 1-based line numbers in ``text``."""
    lines = text.splitlines()
    return [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
