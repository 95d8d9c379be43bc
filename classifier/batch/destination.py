"""Where a batch run writes: checked before any work, written to ``OUTPUT.part`` and renamed."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from classifier.batch.records import STDIN, SUFFIXES
from classifier.errors import TaggerError


def part_of(output: Path) -> Path:
    return output.with_name(output.name + ".part")


def check_output(output: Path | None, inputs: Iterable[str] = ()) -> None:
    """Refuse an output the run could not or should not write: a directory, a FIFO, device or
    symbolic link (which renaming the finished output over it would replace), a file in a
    folder that does not exist, or one of the run's inputs."""
    if output is None:
        return
    for path in (output, part_of(output)):
        _check_target(path)
    if not output.parent.is_dir():
        raise TaggerError(f"cannot write {output}: no directory {output.parent}")
    for source in map(str, inputs):
        if _reads(source, output):
            raise TaggerError(f"cannot write {output}: it is an input of this run, which "
                              "tagging would overwrite; choose another output")


def _check_target(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise TaggerError(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISLNK(mode):
        raise TaggerError(f"cannot write {path}: it is a symbolic link; name the file itself")
    if stat.S_ISDIR(mode):
        raise TaggerError(f"cannot write {path}: it is a directory; name a file")
    if not stat.S_ISREG(mode):
        raise TaggerError(f"cannot write {path}: it is not a regular file (a FIFO, a device "
                          "or a socket)")


def _reads(source: str, output: Path) -> bool:
    """Whether reading ``source`` reads ``output``: it is that file, or a directory whose
    reading finds it."""
    if source == STDIN or not output.exists():
        return False
    if os.path.isdir(source):
        return (output.suffix.lower() in SUFFIXES
                and Path(source).resolve() in output.resolve().parents)
    try:
        return os.path.samefile(source, output)
    except OSError:
        return False


@contextmanager
def destination(output: Path | None, resume: bool):
    """A binary handle: stdout, or ``OUTPUT.part``, renamed to OUTPUT once the run completes.

    A run that stops early (killed, ``--strict``, an error) leaves OUTPUT as it was and
    ``OUTPUT.part`` for ``--resume``; a lock keeps a second run from writing the same file.
    """
    if output is None:
        yield sys.stdout.buffer
        return
    part = part_of(output)
    try:
        if resume and output.exists() and not part.exists():
            shutil.copyfile(output, part)
        handle = os.fdopen(os.open(part, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644), "r+b")
    except OSError as exc:
        raise TaggerError(f"cannot write {part}: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TaggerError(f"{part} is being written by another run") from None
        if not resume:
            handle.truncate()
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        os.replace(part, output)
