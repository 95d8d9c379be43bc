"""The labelled-data exchange format: JSONL with ``text`` and ``labels``, other fields kept."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from classifier import settings
from classifier.data.schema import KINDS, labelled_problems
from classifier.data.taxonomy import Taxonomy
from classifier.errors import DataError, Problem

log = logging.getLogger(__name__)


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
        """The article an example belongs to (its ``doc``), or the record itself when it is
        a text of its own; no article straddles a cross-validation split."""
        return str(self.fields.get("doc") or f"{self.source}:{self.line}")

    @property
    def kind(self) -> str:
        """Its article's ``kind``: "union" (reports union work), "general", or "" unknown."""
        kind = self.fields.get("kind")
        return kind if kind in KINDS else ""


def read_examples(path: str | Path, taxonomy: Taxonomy) -> tuple[list[Example], list[Problem]]:
    """Parse one exchange-format file; returns the good examples and every problem found."""
    path = str(path)
    known = set(taxonomy.ids) | set(taxonomy.renames)
    # Corrections from the service are labelled data too, and have its cap on a text.
    max_chars = settings.get("MAX_TEXT_CHARS")
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
                found = [Problem(path, number, str(p))
                         for p in labelled_problems(record, known, max_chars)]
                problems += found
                if not found:
                    labels = tuple(taxonomy.map_labels(record["labels"]))
                    examples.append(Example(record["text"], labels, path, number, record))
        except UnicodeDecodeError as exc:
            problems.append(Problem(path, None, f"not UTF-8: {exc.reason} at byte {exc.start}"))
    return examples, problems


def _warn_of_repeats(example: Example, same_text: Example | None, ids: dict) -> None:
    where = f"{example.source}:{example.line}"
    if same_text is not None and set(same_text.labels) != set(example.labels):
        log.warning("%s: same text as %s:%d with other labels; the later one, %s, wins",
                    where, same_text.source, same_text.line, where)
    rid = example.fields.get("id")
    if rid is not None:
        if rid in ids:
            log.warning("%s: id %r repeats %s; both records are kept", where, rid, ids[rid])
        ids.setdefault(rid, where)


def load_examples(paths, taxonomy: Taxonomy) -> list[Example]:
    """Read training files in order; a later record with the same text replaces an earlier one,
    with a warning when their labels differ; a repeated id is warned about too."""
    latest: dict[str, Example] = {}
    ids: dict = {}
    problems = []
    for path in paths:
        examples, found = read_examples(path, taxonomy)
        problems += found
        for example in examples:
            _warn_of_repeats(example, latest.get(example.text.strip()), ids)
            # Replaced in place: an article's paragraphs stay together and in order.
            latest[example.text.strip()] = example
    if problems:
        raise DataError(problems)
    if not latest:
        raise DataError(Problem(", ".join(map(str, paths)), None, "no labelled examples"))
    return list(latest.values())
