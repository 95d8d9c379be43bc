"""Batch records: articles read from JSONL, CSV, text files, directories or stdin; output lines."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from classifier.errors import Problem

STDIN = "-"
# Suffixes a directory is searched for; a file named on the command line of another suffix is text.
_SUFFIXES = {".jsonl": "jsonl", ".csv": "csv", ".txt": "txt"}
# Articles are longer than the csv module's default field limit of 128 KiB.
_CSV_FIELD_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Fields:
    """Names of the id and text fields of JSONL objects and CSV columns."""

    id: str = "id"
    text: str = "text"


@dataclass(frozen=True)
class Record:
    """One article to tag, or why it could not be read, with where it came from."""

    path: str
    line: int | None
    id: str | int | None = None
    text: str | None = None
    error: str | None = None

    @property
    def problem(self) -> Problem | None:
        return None if self.error is None else Problem(self.path, self.line, self.error)


def read_records(sources: Iterable[str], fields: Fields = Fields(),
                 kind: str | None = None) -> Iterator[Record]:
    """Records of every source in order: files, directories (recursively, sorted), ``-`` for stdin.

    ``kind`` (``jsonl``, ``csv`` or ``txt``) overrides the suffix of named files and stdin,
    which is otherwise read as JSONL; files in directories are always known by their suffix.
    """
    for source in map(str, sources):
        if source == STDIN:
            yield from _read(sys.stdin.buffer, "<stdin>", kind or "jsonl", fields)
        elif os.path.isdir(source):
            yield from _read_directory(source, fields)
        else:
            yield from _read_file(source, kind or _SUFFIXES.get(Path(source).suffix.lower(),
                                                                "txt"), fields)


def _read_directory(directory: str, fields: Fields) -> Iterator[Record]:
    """Files in path order, subdirectories included; symbolic links to directories are not
    followed (they could loop)."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        yield Record(directory, None, error=f"cannot read: {exc.strerror}")
        return
    for entry in entries:
        kind = _SUFFIXES.get(Path(entry.name).suffix.lower())
        if entry.is_dir(follow_symlinks=False):
            yield from _read_directory(entry.path, fields)
        elif kind is not None:
            yield from _read_file(entry.path, kind, fields)


def _read_file(path: str, kind: str, fields: Fields) -> Iterator[Record]:
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield Record(path, None, error=f"cannot read: {exc.strerror}")
        return
    with handle:
        yield from _read(handle, path, kind, fields)


def _read(handle, path: str, kind: str, fields: Fields) -> Iterator[Record]:
    if kind == "txt":
        yield _text_file(handle.read(), path)
    elif kind == "csv":
        yield from _csv_records(handle, path, fields)
    else:
        yield from _jsonl_records(handle, path, fields)


def _text_file(data: bytes, path: str) -> Record:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Record(path, line, path, error=f"not UTF-8: {exc.reason}")
    if not text.strip():
        return Record(path, None, path, error="empty file")
    return Record(path, None, path, text)


def _jsonl_records(handle, path: str, fields: Fields) -> Iterator[Record]:
    for number, raw in enumerate(handle, 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw.decode("utf-8-sig").rstrip())
        except UnicodeDecodeError as exc:
            yield Record(path, number, error=f"not UTF-8: {exc.reason} at byte {exc.start + 1}")
        except json.JSONDecodeError as exc:
            yield Record(path, number, error=f"invalid JSON: {exc.msg} (column {exc.colno})")
        else:
            yield _checked(data, fields, path, number)


def _csv_records(handle, path: str, fields: Fields) -> Iterator[Record]:
    # Undecodable bytes become lone surrogates, so that only the rows holding them are errors.
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _csv_rows(text, path, fields)
    finally:
        text.detach()  # the handle belongs to the caller (stdin, or a file it closes)


def _csv_rows(text, path: str, fields: Fields) -> Iterator[Record]:
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(text, strict=True)
    header, start = None, 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(path, start, error=f"invalid CSV: {exc}")
        else:
            if header is None:
                header = row
            elif row:
                yield _csv_row(header, row, fields, (path, start))
        start = reader.line_num + 1


def _csv_row(header: list[str], row: list[str], fields: Fields, where) -> Record:
    path, line = where
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:
        return Record(path, line, error="not UTF-8")
    if len(row) != len(header):
        return Record(path, line, error=f"{len(row)} fields where the header has {len(header)}")
    data = {name: value for name, value in zip(header, row, strict=True) if value != ""}
    return _checked(data, fields, path, line)


def _checked(data, fields: Fields, path: str, line: int) -> Record:
    if not isinstance(data, dict):
        return Record(path, line, error="record is not a JSON object")
    rid, text = data.get(fields.id), data.get(fields.text)
    if not isinstance(rid, str | int) or isinstance(rid, bool) or rid == "":
        return Record(path, line, error=f"field {fields.id!r} missing or not a string or integer")
    if not isinstance(text, str) or not text.strip():
        return Record(path, line, rid,
                      error=f"field {fields.text!r} missing or not a non-empty string")
    for name, value in ((fields.id, rid), (fields.text, text)):
        if isinstance(value, str) and not _encodable(value):
            return Record(path, line, rid if name == fields.text else None,
                          error=f"field {name!r} holds a lone surrogate (a \\ud800-style "
                                "escape), which is no character")
    return Record(path, line, rid, text)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def output_record(record: Record, result: dict | None = None, explanations=None) -> dict:
    """The output object of a record: its id and tagging result, or its error and location."""
    if record.error is not None:
        return {"id": record.id, "error": str(record.problem), "path": record.path,
                "line": record.line}
    out = {"id": record.id, **result}
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

    def matches(self, record: Record, version: str, explain: bool) -> bool:
        """Whether this is the output the record would get now: same id, same model and options."""
        if self.id != (None if record.id is None else str(record.id)):
            return False
        if self.error or record.error is not None:
            return self.error and record.error is not None
        return self.model_version == version and self.explained == explain


class JsonlFormat:
    """One JSON object per line, as ``output_record`` makes it."""

    header = ""

    def line(self, out: dict) -> str:
        return json.dumps(out, ensure_ascii=False) + "\n"

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
            out = json.loads(raw)
            rid = out.get("id")
            return Written(None if rid is None else str(rid), "error" in out,
                           out.get("model_version"), "explanations" in out,
                           tuple(t["id"] for t in out.get("themes", ())))
        except (ValueError, AttributeError, TypeError, KeyError):
            return None


class CsvFormat:
    """One row per article: id, model version, error, a score column per theme (empty when
    the article lacks it) and, with explanations, a column of top terms per theme."""

    def __init__(self, theme_ids, explain: bool = False):
        self.theme_ids = list(theme_ids)
        self.explain = explain
        terms = [f"{t}_terms" for t in self.theme_ids] if explain else []
        columns = ["id", "model_version", "error", *self.theme_ids, *terms]
        self.width = len(columns)
        self.header = self._row(columns)

    @staticmethod
    def _row(cells) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        return buffer.getvalue()

    def line(self, out: dict) -> str:
        scores = {t["id"]: t["score"] for t in out.get("themes", ())}
        cells = [out["id"], out.get("model_version"), out.get("error"),
                 *(scores.get(t) for t in self.theme_ids)]
        if self.explain:
            terms = {e["theme"]: " ".join(t["term"] for t in e["up"])
                     for e in out.get("explanations", ())}
            cells += [terms.get(t) for t in self.theme_ids]
        return self._row(cells)

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
            if self._row(next(rows, [])) != self.header:
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
        scores = row[3:3 + len(self.theme_ids)]
        themes = tuple(t for t, s in zip(self.theme_ids, scores, strict=False) if s)
        return Written(row[0] or None, bool(row[2]), row[1] or None, self.explain, themes)


def output_format(name: str, theme_ids, explain: bool = False) -> JsonlFormat | CsvFormat:
    return CsvFormat(theme_ids, explain) if name == "csv" else JsonlFormat()
