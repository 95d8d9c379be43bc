"""The labelled-data exchange format: JSONL with ``text`` and ``labels``, other fields kept."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from classifier.data.taxonomy import Taxonomy
from classifier.errors import DataError, Problem


@dataclass(frozen=True)
class Example:
    """One labelled paragraph and where it came from."""

    text: str
    labels: tuple[str, ...]
    source: str
    line: int
    fields: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def group(self) -> str:
        """The document an example belongs to, so that no document straddles a CV split."""
        return str(self.fields.get("doc") or self.fields.get("source") or self.source)


def _record_problems(record, known: set[str], where: tuple[str, int]) -> list[Problem]:
    path, line = where
    if not isinstance(record, dict):
        return [Problem(path, line, "record is not a JSON object")]
    problems = []
    if not isinstance(record.get("text"), str) or not record["text"].strip():
        problems.append(Problem(path, line, "field 'text' missing or not a non-empty string"))
    labels = record.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        problems.append(Problem(path, line, "field 'labels' missing or not a list of strings"))
    else:
        for label in labels:
            if label not in known:
                problems.append(Problem(path, line, f"unknown theme id {label!r} in 'labels'"))
        if len(set(labels)) != len(labels):
            problems.append(Problem(path, line, "field 'labels' repeats a theme id"))
    if "id" in record and not isinstance(record["id"], str | int):
        problems.append(Problem(path, line, "field 'id' is not a string"))
    return problems


def read_examples(path: str | Path, taxonomy: Taxonomy) -> tuple[list[Example], list[Problem]]:
    """Parse one exchange-format file; returns the good examples and every problem found."""
    path = str(path)
    known = set(taxonomy.ids) | set(taxonomy.renames)
    examples, problems = [], []
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        return [], [Problem(path, None, f"cannot read: {exc.strerror}")]
    with handle:
        try:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as exc:
                    problems.append(Problem(path, number, f"invalid JSON: {exc.msg}"))
                    continue
                found = _record_problems(record, known, (path, number))
                problems += found
                if not found:
                    labels = tuple(taxonomy.map_labels(record["labels"]))
                    examples.append(Example(record["text"], labels, path, number, record))
        except UnicodeDecodeError as exc:
            problems.append(Problem(path, None, f"not UTF-8: {exc.reason} at byte {exc.start}"))
    return examples, problems


def load_examples(paths, taxonomy: Taxonomy) -> list[Example]:
    """Read training files in order; a later record with the same text replaces an earlier one."""
    latest: dict[str, Example] = {}
    problems = []
    for path in paths:
        examples, found = read_examples(path, taxonomy)
        problems += found
        for example in examples:
            latest.pop(example.text.strip(), None)
            latest[example.text.strip()] = example
    if problems:
        raise DataError(problems)
    if not latest:
        raise DataError(Problem(", ".join(map(str, paths)), None, "no labelled examples"))
    return list(latest.values())
