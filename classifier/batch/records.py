"""Batch records: articles read from JSONL, CSV, text files, directories or stdin, each read
with a bound so that no input, however large or endless, is held in memory whole."""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from classifier import settings
from classifier.batch import encoding as _encoding
from classifier.batch import html as _html
from classifier.batch import jsonl
from classifier.data import schema
from classifier.errors import Problem, TaggerError

STDIN = "-"
# Suffixes a directory is searched for; a file named on the command line of another suffix is text.
SUFFIXES = {".jsonl": "jsonl", ".csv": "csv", ".txt": "txt", ".html": "html", ".htm": "html"}
# Articles are longer than the csv module's default field limit of 128 KiB.
_CSV_FIELD_LIMIT = 64 * 1024 * 1024
# A record is read up to this many bytes per character its text may have: room for JSON's
# \uXXXX escapes (six bytes for one character) and the record's other fields.
BYTES_PER_CHAR = 8
_SKIP_CHUNK = 1024 * 1024


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
    meta: dict = field(default_factory=dict)  # the other fields of its object or row
    encoding: str = _encoding.UTF8

    @property
    def problem(self) -> Problem | None:
        return None if self.error is None else Problem(self.path, self.line, self.error)


@dataclass(frozen=True)
class _Reading:
    """How records are read: the names of their fields and the longest text one may have."""

    fields: Fields
    max_chars: int
    encoding: str | None = None  # forced, or else detected file by file
    deferred: bool = False  # JSONL lines left unparsed, as Line

    def not_decodable(self, detail: str = "") -> str:
        return f"not {_encoding.label(self.encoding or _encoding.UTF8)}{detail}"

    @property
    def max_bytes(self) -> int:
        return BYTES_PER_CHAR * self.max_chars

    def too_long(self, what: str) -> str:
        return (f"{what} over {self.max_bytes} bytes, more than a record of {self.max_chars} "
                "characters takes (TAGGER_MAX_RECORD_CHARS); skipped")


class Line:
    """A JSONL line read but not parsed: parsed (``parsed``) where it is tagged, so that the
    process that reads the input only moves its bytes. Pickled as its four fields."""

    __slots__ = ("raw", "path", "number", "how")

    def __init__(self, raw: bytes, path: str, number: int, how: _Reading):
        self.raw, self.path, self.number, self.how = raw, path, number, how

    def __reduce__(self):
        return Line, (self.raw, self.path, self.number, self.how)

    @property
    def size(self) -> int:
        return len(self.raw)

    def record(self) -> Record:
        record = _jsonl_record(self.raw, self.path, self.number, self.how)
        encoding = self.how.encoding or _encoding.UTF8
        return record if encoding == _encoding.UTF8 else replace(record, encoding=encoding)


def parsed(item: Record | Line) -> Record:
    """The record of an item of ``read_records``: a Line parsed, a Record as it is."""
    return item.record() if isinstance(item, Line) else item


def expected_records(sources: list[str], kind: str | None = None) -> int | None:
    """About how many records the sources hold, for a progress bar's total and ETA: lines of
    JSONL, rows of CSV, one per other file, counted without parsing. None with standard input,
    which is read once."""
    total = 0
    for source in map(str, sources):
        if source == STDIN:
            return None
        if os.path.isdir(source):
            found = [(os.path.join(root, name), SUFFIXES[Path(name).suffix.lower()])
                     for root, _, names in os.walk(source) for name in names
                     if Path(name).suffix.lower() in SUFFIXES]
        else:
            found = [(source, kind or SUFFIXES.get(Path(source).suffix.lower(), "txt"))]
        total += sum(_expected_in(path, found_kind) for path, found_kind in found
                     if os.path.isfile(path))
    return total


def _expected_in(path: str, kind: str) -> int:
    if kind not in ("jsonl", "csv"):
        return 1
    with open(path, "rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if kind == "csv" and lines else lines


def read_records(sources: Iterable[str], fields: Fields = Fields(), kind: str | None = None,
                 max_chars: int | None = None, encoding: str | None = None,
                 deferred: bool = False) -> Iterator[Record | Line]:
    """Records of every source in order: files, directories (recursively, sorted), ``-`` for stdin.

    ``kind`` (``jsonl``, ``csv``, ``txt`` or ``html``) overrides the suffix of named files and
    stdin, which is otherwise read as JSONL; files in directories are always known by their
    suffix. A web page is read for its article: text, title and date (``classifier.batch.html``).
    A text longer than ``max_chars`` (default: the setting ``MAX_RECORD_CHARS``) is an error
    record, and so is a line, row or file over ``BYTES_PER_CHAR`` bytes a character, which is
    skipped unread; reading goes on after either. Each source is read in ``encoding`` if
    given, else in the one it starts with a byte-order mark of, UTF-8, or a detected one.
    With ``deferred``, the lines of JSONL that are not over the bound come as ``Line``, to be
    parsed elsewhere.
    """
    forced = None if encoding is None else _encoding.checked(encoding)
    return _records(sources, _Reading(fields, _max_chars(max_chars), forced, deferred), kind)


def _max_chars(given: int | None) -> int:
    try:
        value = settings.get("MAX_RECORD_CHARS") if given is None else given
    except ValueError:
        value = 0
    if value < 1:
        raise TaggerError("TAGGER_MAX_RECORD_CHARS must be a whole number of at least 1")
    return value


def _records(sources: Iterable[str], how: _Reading, kind: str | None) -> Iterator[Record]:
    for source in map(str, sources):
        if source == STDIN:
            yield from _read(sys.stdin.buffer, "<stdin>", kind or "jsonl", how)
        elif os.path.isdir(source):
            yield from _read_directory(source, how)
        else:
            yield from _read_file(source, kind or SUFFIXES.get(Path(source).suffix.lower(),
                                                                "txt"), how)


def _read_directory(directory: str, how: _Reading) -> Iterator[Record]:
    """Regular files in path order, subdirectories included; symbolic links to directories
    are not followed (they could loop), and FIFOs or devices are not read (they could block
    or never end)."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        yield Record(directory, None, error=f"cannot read: {exc.strerror}")
        return
    for entry in entries:
        kind = SUFFIXES.get(Path(entry.name).suffix.lower())
        if entry.is_dir(follow_symlinks=False):
            yield from _read_directory(entry.path, how)
        elif kind is not None and not entry.is_file():
            yield Record(entry.path, None, error="not a regular file (a FIFO, a device or a "
                         "broken link); skipped")
        elif kind is not None:
            yield from _read_file(entry.path, kind, how)


def _read_file(path: str, kind: str, how: _Reading) -> Iterator[Record]:
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield Record(path, None, error=f"cannot read: {exc.strerror}")
        return
    with handle:
        yield from _read(handle, path, kind, how)


def _read(handle, path: str, kind: str, how: _Reading) -> Iterator[Record]:
    with _encoding.opened(handle, how.encoding) as (stream, name):
        how = replace(how, encoding=name)
        try:
            for record in _decoded(stream, path, kind, how):
                # A Line says its encoding (in ``how``) when it is parsed.
                yield (record if name == _encoding.UTF8 or isinstance(record, Line)
                       else replace(record, encoding=name))
        except UnicodeError as exc:  # not a decoding error of some bytes: of the whole stream
            yield Record(path, None, error=how.not_decodable(f": {exc}"), encoding=name)


def _decoded(handle, path: str, kind: str, how: _Reading) -> Iterator[Record]:
    if kind in ("txt", "html"):
        yield _text_file(handle, path, how, kind)
    elif kind == "csv":
        yield from _csv_rows(_CsvLines(handle, how.max_bytes), path, how)
    else:
        yield from _jsonl_records(handle, path, how)


@dataclass(frozen=True)
class _Skipped:
    """A line over the bound, read past but not kept: only how many quote characters it had."""

    quotes: int


def _lines(handle, limit: int) -> Iterator[bytes | _Skipped]:
    """The lines of a binary handle, each read with a bound: a line over ``limit`` bytes is
    skipped to its end."""
    while line := handle.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            quotes = line.count(b'"')
            while (rest := handle.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
                quotes += rest.count(b'"')
            yield _Skipped(quotes + rest.count(b'"'))
        else:
            yield line


def _text_file(handle, path: str, how: _Reading, kind: str) -> Record:
    """A text file as one record, or a web page's article (its title and date as fields)."""
    data = handle.read(how.max_bytes + 1)
    if len(data) > how.max_bytes:
        return Record(path, None, path, error=how.too_long("file"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Record(path, line, path, error=how.not_decodable(f": {exc.reason}"))
    page = _html.article(text) if kind == "html" and text.strip() else _html.Article(text, {})
    if not page.text.strip():
        return Record(path, None, path, error="no article text in the page" if text.strip()
                      else "empty file")
    problem = schema.text_problem(page.text, "text", how.max_chars)
    if problem is not None:
        return Record(path, None, path, error=str(problem), meta=page.fields)
    return Record(path, None, path, page.text, meta=page.fields)


def _jsonl_records(handle, path: str, how: _Reading) -> Iterator[Record]:
    for number, raw in enumerate(_lines(handle, how.max_bytes), 1):
        if isinstance(raw, _Skipped):
            yield Record(path, number, error=how.too_long("line"))
            continue
        if not raw.strip():
            continue
        yield Line(raw, path, number, how) if how.deferred else _jsonl_record(raw, path,
                                                                              number, how)


def _jsonl_record(raw: bytes, path: str, number: int, how: _Reading) -> Record:
    try:
        data = jsonl.loads(raw)
    except UnicodeDecodeError as exc:
        return Record(path, number,
                      error=how.not_decodable(f": {exc.reason} at byte {exc.start + 1}"))
    except json.JSONDecodeError as exc:
        return Record(path, number, error=f"invalid JSON: {exc.msg} (column {exc.colno})")
    return _checked(data, how, path, number)


class _TooLong(Exception):
    """A CSV row over the bound, skipped; reading goes on after it."""


class _CsvLines:
    """Text lines for the csv module, split as ``newline=""`` splits them, with a bound on the
    bytes of one row: a row that reaches over it is skipped to its end (where its quotes
    close) and raises ``_TooLong``. Undecodable bytes become lone surrogates, so that only
    the rows holding them are errors."""

    def __init__(self, handle, limit: int):
        self._raw = _lines(handle, limit)
        self._pending: list[str] = []
        self.limit = limit
        self.number = 0  # lines given or skipped so far
        self.start_row()

    def start_row(self) -> None:
        self._row_bytes, self._quoted = 0, False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if not self._pending:
            raw = next(self._raw)
            if isinstance(raw, _Skipped) or self._row_bytes + len(raw) > self.limit:
                self._skip_row(raw)
                raise _TooLong
            self._row_bytes += len(raw)
            if self.number == 0:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            # A lone \r ends a line too (old Mac files), as in the universal newlines mode.
            parts = re.split(r"(?<=\r)(?!\n)", raw.decode("utf-8", "surrogateescape"))
            self._pending = [part for part in parts if part][::-1]
        self.number += 1
        line = self._pending.pop()
        self._quoted ^= bool(line.count('"') % 2)
        return line

    def _skip_row(self, raw: bytes | _Skipped) -> None:
        """Read past the rest of the row: to the end of the line where its quotes close."""
        quoted = self._quoted
        while raw is not None:
            self.number += 1
            quoted ^= bool((raw.quotes if isinstance(raw, _Skipped) else raw.count(b'"')) % 2)
            raw = next(self._raw, None) if quoted else None


def _allow_long_fields() -> None:
    """Raise the csv module's field limit, which is the process's, and never lower it."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)


def _csv_rows(lines: _CsvLines, path: str, how: _Reading) -> Iterator[Record]:
    _allow_long_fields()
    reader = csv.reader(lines, strict=True)
    header = None
    while True:
        start = lines.number + 1
        lines.start_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _TooLong:
            yield Record(path, start, error=how.too_long("row"))
        except csv.Error as exc:
            yield Record(path, start, error=f"invalid CSV: {exc}")
        else:
            if header is None:
                header = row
            elif row:
                yield _csv_row(header, row, how, (path, start))


def _csv_row(header: list[str], row: list[str], how: _Reading, where) -> Record:
    path, line = where
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:
        return Record(path, line, error=how.not_decodable())
    if len(row) != len(header):
        return Record(path, line, error=f"{len(row)} fields where the header has {len(header)}")
    data = {name: value for name, value in zip(header, row, strict=True) if value != ""}
    return _checked(data, how, path, line)


def _checked(data, how: _Reading, path: str, line: int) -> Record:
    """A record from its object by the record schema: an id is required, as every output
    record must be told from the others."""
    problem = schema.record_problem(data)
    if problem is not None:
        return Record(path, line, error=str(problem))
    rid, text = data.get(how.fields.id), data.get(how.fields.text)
    problem = schema.id_problem(rid, how.fields.id, required=True)
    if problem is not None:
        return Record(path, line, error=str(problem))
    problem = schema.text_problem(text, how.fields.text, how.max_chars)
    meta = {k: v for k, v in data.items() if k not in (how.fields.id, how.fields.text)}
    if problem is not None:
        return Record(path, line, rid, error=str(problem), meta=meta)
    return Record(path, line, rid, text, meta=meta)
