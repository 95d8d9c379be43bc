"""What tagging returns: themes per paragraph and per article, and explanations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ThemeScore:
    id: str
    name: str
    score: float
    # Indices of the paragraphs that carry the theme (article level only).
    paragraphs: tuple[int, ...] = ()
    # One of the article's main themes, not only mentioned (article level only).
    main: bool = False


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str
    themes: tuple[ThemeScore, ...]


@dataclass(frozen=True)
class Result:
    """Themes of one article and of each of its paragraphs."""

    themes: tuple[ThemeScore, ...]
    paragraphs: tuple[Paragraph, ...]
    model_version: str

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @property
    def main_theme_ids(self) -> list[str]:
        return [t.id for t in self.themes if t.main]

    def to_dict(self) -> dict:
        """Plain data for JSON; built field by field, several times faster than ``asdict``."""
        return {"themes": [{"id": t.id, "name": t.name, "score": t.score,
                            "paragraphs": list(t.paragraphs), "main": t.main}
                           for t in self.themes],
                "paragraphs": [{"index": p.index, "text": p.text,
                                "themes": [{"id": t.id, "name": t.name, "score": t.score}
                                           for t in p.themes]}
                               for p in self.paragraphs],
                "model_version": self.model_version}


@dataclass(frozen=True)
class Term:
    term: str
    weight: float


@dataclass(frozen=True)
class Explanation:
    """Why a text got (or missed) a theme: the terms of its best paragraph and their pull."""

    theme: str
    name: str
    score: float
    threshold: float
    paragraph: int | None
    up: tuple[Term, ...] = field(default=())
    down: tuple[Term, ...] = field(default=())
    # Log-odds the article context and the union bodies named add, beside the terms.
    context: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)
