"""The theme taxonomy: ids, names, descriptions and keywords, read from TOML."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from classifier.errors import DataError, Problem

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = {"id": str, "name_zh": str, "name_en": str, "description": str,
             "boundary": str, "keywords": list}


@dataclass(frozen=True)
class Theme:
    id: str
    name_zh: str
    name_en: str
    description: str
    boundary: str
    keywords: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "name_zh": self.name_zh, "name_en": self.name_en,
                "description": self.description, "boundary": self.boundary,
                "keywords": list(self.keywords)}


@dataclass(frozen=True)
class Taxonomy:
    version: str
    themes: tuple[Theme, ...]
    domain_terms: tuple[str, ...] = ()
    # Terms that name a union body or a union-run place: the evidence that work is union work.
    union_bodies: tuple[str, ...] = ()
    # Old theme id -> new id (a rename) or "" (a retired theme); applied to old labels.
    renames: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def __getitem__(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def dictionary_terms(self) -> list[str]:
        """Words the segmenter must keep whole: every keyword and domain term."""
        terms = ({kw for t in self.themes for kw in t.keywords} | set(self.domain_terms)
                 | set(self.union_bodies))
        return sorted(terms)

    def map_labels(self, labels: list[str]) -> list[str]:
        """Labels of an older taxonomy version, with renamed themes renamed and retired dropped."""
        mapped = (self.renames.get(label, label) for label in labels)
        return list(dict.fromkeys(label for label in mapped if label))

    def to_dict(self) -> dict:
        return {"version": self.version, "themes": [t.to_dict() for t in self.themes],
                "domain_terms": list(self.domain_terms), "union_bodies": list(self.union_bodies),
                "renames": dict(self.renames)}

    @classmethod
    def from_dict(cls, data: dict) -> Taxonomy:
        themes = tuple(Theme(**{**t, "keywords": tuple(t["keywords"])}) for t in data["themes"])
        return cls(str(data["version"]), themes, tuple(data.get("domain_terms", ())),
                   tuple(data.get("union_bodies", ())), dict(data.get("renames", {})))


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def _theme_problems(path: str, text: str, index: int, raw: dict) -> list[Problem]:
    line = _line_of(text, f'"{raw.get("id")}"') if "id" in raw else None
    problems = []
    for name, kind in _REQUIRED.items():
        if not isinstance(raw.get(name), kind):
            problems.append(Problem(path, line, f"theme #{index + 1}: field {name!r} "
                                    f"missing or not a {kind.__name__}"))
    if isinstance(raw.get("id"), str) and not _ID.match(raw["id"]):
        problems.append(Problem(path, line, f"theme id {raw['id']!r} is not snake_case"))
    if isinstance(raw.get("keywords"), list) and not all(
            isinstance(k, str) and k.strip() for k in raw["keywords"]):
        problems.append(Problem(path, line, f"theme {raw.get('id')!r}: keywords must be "
                                "non-empty strings"))
    return problems


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and validate a taxonomy file; raises DataError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise DataError(Problem(str(path), None, f"cannot read taxonomy: {exc.strerror}")) from exc
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise DataError(Problem(str(path), line, f"invalid TOML: {exc}")) from exc
    problems = []
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        problems.append(Problem(str(path), None, "no [[themes]] tables"))
        raw_themes = []
    for index, raw in enumerate(raw_themes):
        problems += _theme_problems(str(path), text, index, raw)
    ids = [t.get("id") for t in raw_themes]
    for dup in sorted({i for i in ids if ids.count(i) > 1 and isinstance(i, str)}):
        problems.append(Problem(str(path), _line_of(text, f'"{dup}"'),
                                f"duplicate theme id {dup!r}"))
    renames = data.get("renames", {})
    for old, new in renames.items():
        if new and new not in ids:
            problems.append(Problem(str(path), _line_of(text, old),
                                    f"rename {old!r} -> {new!r}: target is not a theme"))
    if problems:
        raise DataError(problems)
    return Taxonomy.from_dict({"version": data.get("version", "1"), "themes": [
        {k: t[k] for k in _REQUIRED} for t in raw_themes],
        "domain_terms": data.get("domain_terms", []),
        "union_bodies": data.get("union_bodies", []), "renames": renames})
