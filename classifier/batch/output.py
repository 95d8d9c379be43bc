"""Batch output: one record per input record, as JSONL or CSV, and reading it back to resume."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from classifier.batch import jsonl
from classifier.batch.encoding import UTF8
from classifier.batch.records import Record

# Fields of an output record that an input record's own fields of the same name do not replace.
_OWN = frozenset({"id", "error", "path", "line", "themes", "paragraphs", "model_version",
                  "text_hash", "explanations", "encoding"})
# Between the Chinese names of an article's themes in a CSV cell.
THEME_SEPARATOR = "、"


def text_hash(text: str) -> str:
    """A short fingerprint of a text, so that ``--resume`` can tell a changed text under an
    unchanged id."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def output_record(record: Record, result: dict | None = None, explanations=None) -> dict:
    """The output object of a record: its id, its other input fields, the encoding it was read
    in where that was not UTF-8, and its tagging result and the hash of its text, or its error
    and location."""
    given = {k: v for k, v in record.meta.items() if k not in _OWN}
    if record.encoding != UTF8:
        given["encoding"] = record.encoding
    if record.error is not None:
        return {"id": record.id, **given, "error": str(record.problem), "path": record.path,
                "line": record.line}
    out = {"id": record.id, **given, **result, "text_hash": text_hash(record.text)}
    if explanations is not None:
        out["explanations"] = explanations
    return out


@dataclass(frozen=True)
class Written:
    """What a later run needs to know of an output record to reuse it (``--resume``)."""

    id: str | None
    error: bool
    model_version: str | None
    explained: bool
    themes: tuple[str, ...]
    text_hash: str | None = None

    def matches(self, record: Record, version: str, explain: bool) -> bool:
        """Whether this is the output the record would get now: same id and text, same model
        and options."""
        if self.id != (None if record.id is None else str(record.id)):
            return False
        if self.error or record.error is not None:
            return self.error and record.error is not None
        return (self.model_version == version and self.explained == explain
                and self.text_hash == text_hash(record.text))


class JsonlFormat:
    """One compact JSON object per line, as ``output_record`` makes it."""

    header = b""

    def line(self, out: dict, text: str | None = None) -> bytes:
        return jsonl.dumps_line(out)

    def written(self, handle) -> Iterator[tuple[Written, int]]:
        """Records of an output file with the offset where each ends; stops at a broken line."""
        offset = 0
        for raw in handle:
            written = self._written(raw) if raw.endswith(b"\n") else None
            if written is None:
                return
            offset += len(raw)
            yield written, offset

    @staticmethod
    def _written(raw: bytes) -> Written | None:
        try:
            out = jsonl.loads(raw)
            rid = out.get("id")
            return Written(None if rid is None else str(rid), "error" in out,
                           out.get("model_version"), "explanations" in out,
                           tuple(t["id"] for t in out.get("themes", ())), out.get("text_hash"))
        except (ValueError, AttributeError, TypeError, KeyError):
            return None


class CsvFormat:
    """One row per article: its id, title and text, model version, error, the Chinese names of
    its themes, a score column per theme (empty when the article lacks it), with explanations a
    column of top terms per theme, the encoding it was read in where that was not UTF-8, and
    the hash of its text."""

    def __init__(self, theme_ids, explain: bool = False):
        self.theme_ids = list(theme_ids)
        self.explain = explain
        terms = [f"{t}_terms" for t in self.theme_ids] if explain else []
        columns = ["id", "title", "text", "model_version", "error", "themes", *self.theme_ids,
                   *terms, "encoding", "text_hash"]
        self.width = len(columns)
        self.header = self._row(columns).encode()

    @staticmethod
    def _row(cells) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        return buffer.getvalue()

    def line(self, out: dict, text: str | None = None) -> bytes:
        themes = out.get("themes", ())
        scores = {t["id"]: t["score"] for t in themes}
        cells = [out["id"], out.get("title"), text, out.get("model_version"), out.get("error"),
                 THEME_SEPARATOR.join(t["name"] for t in themes),
                 *(scores.get(t) for t in self.theme_ids)]
        if self.explain:
            terms = {e["theme"]: " ".join(t["term"] for t in e["up"])
                     for e in out.get("explanations", ())}
            cells += [terms.get(t) for t in self.theme_ids]
        return self._row([*cells, out.get("encoding"), out.get("text_hash")]).encode()

    def written(self, handle) -> Iterator[tuple[Written, int]]:
        """Rows of an output file with the offset where each ends; nothing if the header differs."""
        ends = []

        def lines():
            for raw in handle:
                if not raw.endswith(b"\n"):
                    return
                ends.append((ends[-1] if ends else 0) + len(raw))
                yield raw.decode("utf-8", "surrogateescape")

        rows = csv.reader(lines(), strict=True)
        try:
            if self._row(next(rows, [])).encode() != self.header:
                return
            for row in rows:
                written = self._written(row)
                if written is None:
                    return
                yield written, ends[-1]
        except csv.Error:
            return

    def _written(self, row: list[str]) -> Written | None:
        if len(row) != self.width:
            return None
        scores = row[6:6 + len(self.theme_ids)]
        themes = tuple(t for t, s in zip(self.theme_ids, scores, strict=False) if s)
        return Written(row[0] or None, bool(row[4]), row[3] or None, self.explain, themes,
                       row[-1] or None)


def output_format(name: str, theme_ids, explain: bool = False) -> JsonlFormat | CsvFormat:
    return CsvFormat(theme_ids, explain) if name == "csv" else JsonlFormat()
