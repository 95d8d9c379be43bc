"""The one record schema: what a record's ``id``, ``text``, ``labels`` and ``kind`` may hold.

Labelled data, batch input, ``/v1/tag`` items and feedback are checked here. A problem comes
back as data, the field and what is wrong with it, and each caller reports it its own way: as
``path:line``, as an error record, or as a 400 or 413 that names the field.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

MAX_ID_CHARS = 200
MAX_INT_ID = 2**63 - 1  # a signed 64-bit integer, what a database key holds
MAX_EDITOR_CHARS = 100
KINDS = ("union", "general")


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field, to follow its name (``text: ...``); ``size`` and
    ``limit`` are set when it is over a cap. As a sentence of its own, it is ``field 'text'
    ...``, unless it says otherwise."""

    field: str
    message: str
    size: int | None = None
    limit: int | None = None
    unit: str = "characters"
    sentence: str | None = None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None

    def __str__(self) -> str:
        if self.sentence is not None:
            return self.sentence
        return f"field {self.field!r} {self.message}" if self.field else f"record {self.message}"


def _over(field: str, size: int, limit: int, unit: str = "characters") -> FieldProblem:
    return FieldProblem(field, f"has {size} {unit}; the limit is {limit}", size, limit, unit)


def record_problem(value) -> FieldProblem | None:
    """A record is a JSON object; its fields are checked by the functions below."""
    return None if isinstance(value, dict) else FieldProblem("", "is not a JSON object")


def string_problem(value, field: str, limit: int | None = None) -> FieldProblem | None:
    """A string of Unicode characters (no lone surrogate), at most ``limit`` of them."""
    if not isinstance(value, str):
        return FieldProblem(field, "is not a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return FieldProblem(field, "holds a lone surrogate (a \\ud800-style escape), which is "
                            "no character")
    if limit is not None and len(value) > limit:
        return _over(field, len(value), limit)
    return None


def id_problem(value, field: str = "id", required: bool = False) -> FieldProblem | None:
    """An id: a string of at most MAX_ID_CHARS or a 64-bit integer; a boolean is neither.
    An empty string is no id, and so is ``None``: fine unless ``required``."""
    if value is None or value == "":
        return FieldProblem(field, "missing or not a string or integer") if required else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return FieldProblem(field, ("missing or not" if required else "is not")
                            + " a string or integer")
    if isinstance(value, int):
        if abs(value) > MAX_INT_ID:
            return FieldProblem(field, f"is an integer beyond ±{MAX_INT_ID}")
        return None
    return string_problem(value, field, MAX_ID_CHARS)


def text_problem(value, field: str = "text", limit: int | None = None,
                 empty: bool = False) -> FieldProblem | None:
    """A text: a string that is not blank (unless ``empty`` is allowed), at most ``limit``
    characters."""
    if not isinstance(value, str) or not (empty or value.strip()):
        return FieldProblem(field, "missing or not a " + ("string" if empty
                                                          else "non-empty string"))
    return string_problem(value, field, limit)


def labels_problems(value, known: Collection[str], field: str = "labels",
                    limit: int | None = None) -> list[FieldProblem]:
    """Theme ids: a list of ``known`` ids without repeats, at most ``limit`` of them (by
    default as many as are known)."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        return [FieldProblem(field, "missing or not a list of strings")]
    limit = len(known) if limit is None else limit
    if len(value) > limit:
        return [_over(field, len(value), limit, "theme ids")]
    problems = [FieldProblem(field, f"unknown theme id {x!r}",
                             sentence=f"unknown theme id {x!r} in {field!r}")
                for x in value if x not in known]
    if len(set(value)) != len(value):
        problems.append(FieldProblem(field, "repeats a theme id"))
    return problems


def kind_problem(value, field: str = "kind") -> FieldProblem | None:
    """An article's kind: whether it reports union work."""
    return None if value in KINDS else FieldProblem(field, f"must be one of {', '.join(KINDS)}")


def labelled_problems(record, known: Collection[str],
                      max_chars: int | None = None) -> list[FieldProblem]:
    """Every problem of a labelled record (exchange format): ``text`` and ``labels``
    required; ``id`` and ``kind`` checked when present; other fields carried as they are."""
    problem = record_problem(record)
    if problem is not None:
        return [problem]
    found = [text_problem(record.get("text"), "text", max_chars),
             *labels_problems(record.get("labels"), known),
             kind_problem(record["kind"]) if "kind" in record else None,
             id_problem(record.get("id"))]
    return [p for p in found if p is not None]
