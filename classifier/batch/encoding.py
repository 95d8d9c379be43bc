"""Encodings of batch input: UTF-8, one a byte-order mark names, one forced, or one detected,
read as UTF-8 bytes so that the bounded readers of records work on any of them."""

from __future__ import annotations

import codecs
import contextlib
import io
import re

from classifier.errors import TaggerError

UTF8 = "utf-8"
# Enough of a file to tell its encoding, and little enough to hold whatever the file is.
SAMPLE_BYTES = 64 * 1024
# Chinese text is only in a Chinese encoding, and only a guess that decodes to Chinese is
# trusted: any other guess (cp1252, UTF-16 without a byte-order mark) for bytes that are not
# UTF-8 means a broken file, which stays an error record.
_CHINESE = {"gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950"}
_HAN = re.compile("[\u4e00-\u9fff]")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_UNDECODABLE = "tagger-undecodable"


def _mark_undecodable(exc: UnicodeDecodeError) -> tuple[str, int]:
    """A lone surrogate for bytes the encoding cannot decode: no UTF-8 decoding accepts it,
    so only the record holding it becomes an error."""
    return "\udcff", exc.end


codecs.register_error(_UNDECODABLE, _mark_undecodable)


def checked(name: str) -> str:
    """The codec name of an encoding given by the user (``--encoding``)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise TaggerError(f"unknown encoding: {name}") from None


def label(name: str) -> str:
    """How an encoding is named in error messages: ``UTF-8``, ``GB18030``."""
    return name.upper()


def detect(sample: bytes) -> str:
    """The encoding of a file from its first bytes: UTF-8 where they decode as UTF-8."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder(UTF8)().decode(sample)
        return UTF8
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None or codecs.lookup(best.encoding).name not in _CHINESE:
        return UTF8
    return codecs.lookup(best.encoding).name if _HAN.search(str(best)) else UTF8


@contextlib.contextmanager
def opened(handle, forced: str | None = None):
    """A binary handle read as UTF-8 bytes, and the encoding it was read in; the handle stays
    its opener's to close."""
    sample = b"" if forced else handle.read(SAMPLE_BYTES)
    name = forced or detect(sample)
    stream = handle
    if sample and handle.seekable():
        handle.seek(-len(sample), io.SEEK_CUR)
    elif sample:
        stream = io.BufferedReader(_Replay(sample, handle))
    if name == UTF8:
        yield stream, name
        return
    text = io.TextIOWrapper(stream, encoding=name, errors=_UNDECODABLE, newline="")
    try:
        yield _Transcoded(text), name
    finally:
        text.detach()


class _Replay(io.RawIOBase):
    """The bytes already read from a handle, then the rest of it: stdin cannot seek back."""

    def __init__(self, first: bytes, rest):
        self._first, self._rest = first, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._first:
            data, self._first = self._first[:len(buffer)], self._first[len(buffer):]
        else:
            data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class _Transcoded:
    """A text stream as UTF-8 bytes, by line or by size in characters."""

    def __init__(self, text):
        self._text = text

    def readline(self, size: int = -1) -> bytes:
        return self._text.readline(size).encode(UTF8, "surrogatepass")

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode(UTF8, "surrogatepass")
