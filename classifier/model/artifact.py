"""Model artifacts: a directory of numpy arrays, metadata, reports and a checksum manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.errors import ArtifactError

ARRAYS_FILE = "model.npz"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "MANIFEST.sha256"
FORMAT = 3
# Libraries whose version must match between training and loading (major.minor).
PINNED_LIBRARIES = ("numpy", "scipy")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in (*PINNED_LIBRARIES, "scikit-learn", "jieba")}


def _minor(version: str) -> str:
    return ".".join(str(version).split(".")[:2])


def resolved(path: Path) -> Path:
    """A model directory's real path; a symlink loop is an ArtifactError, not a traceback."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError) as exc:
        raise ArtifactError(path, f"cannot resolve the path: {exc}") from exc


@dataclass(frozen=True)
class Artifact:
    """A model directory on disk with named paths.

    ``model.npz`` holds plain numpy arrays only and is read with pickling off, so loading
    trusts no code from the file; ``MANIFEST.sha256`` lists every other file of the directory.
    """

    path: Path

    @property
    def arrays(self) -> Path:
        return self.path / ARRAYS_FILE

    @property
    def metadata(self) -> Path:
        return self.path / METADATA_FILE

    @property
    def manifest(self) -> Path:
        return self.path / MANIFEST_FILE

    def write(self, arrays: dict[str, np.ndarray], metadata: dict) -> Artifact:
        self.path.mkdir(parents=True, exist_ok=True)
        # Uncompressed: a third faster to load, which every cold start pays.
        np.savez(self.arrays, **arrays)
        self.metadata.write_text(json.dumps({**metadata, "format": FORMAT}, ensure_ascii=False,
                                            indent=2) + "\n", encoding="utf-8")
        return self

    def seal(self) -> Artifact:
        """Write the manifest over every file now in the directory."""
        files = sorted(p for p in self.path.iterdir() if p.name != MANIFEST_FILE)
        self.manifest.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in files),
                                 encoding="utf-8")
        return self

    def _fail(self, reason: str) -> ArtifactError:
        return ArtifactError(self.path, reason)

    def _manifest(self) -> dict[str, str]:
        try:
            lines = self.manifest.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise self._fail(f"{MANIFEST_FILE} is not UTF-8 text") from exc
        entries = {}
        for number, line in enumerate(lines, 1):
            digest, sep, name = line.partition("  ")
            if not sep or len(digest) != 64 or not name or "/" in name:
                raise self._fail(f"{MANIFEST_FILE}:{number}: not '<sha256>  <file name>'")
            entries[name] = digest
        return entries

    def verify(self) -> dict:
        """Checksums of exactly the directory's files, format and library versions; returns
        the metadata when all is well."""
        try:
            if not self.path.is_dir():
                raise self._fail("no such model directory; train one with `tagger train`")
            if not self.manifest.is_file():
                raise self._fail(f"not a model artifact: no {MANIFEST_FILE}")
            entries = self._manifest()
            present = {p.name for p in self.path.iterdir() if p.name != MANIFEST_FILE}
        except OSError as exc:
            raise self._fail(f"cannot read: {exc.strerror}") from exc
        required = [name for name in (ARRAYS_FILE, METADATA_FILE) if name not in entries]
        for name in required + sorted(present - entries.keys()):
            raise self._fail(f"{name} is not listed in {MANIFEST_FILE}")
        for name in sorted(entries.keys() - present):
            raise self._fail(f"{name} is not in the directory")
        for name, expected in entries.items():
            if sha256(self.path / name) != expected:
                raise self._fail(f"{name} does not match its checksum (tampered with or "
                                 "truncated)")
        return self._checked_metadata()

    def _checked_metadata(self) -> dict:
        try:
            metadata = json.loads(self.metadata.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self._fail(f"{METADATA_FILE} is not JSON: {exc}") from exc
        if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
            raise self._fail(f"{METADATA_FILE} is not of artifact format {FORMAT}; "
                             "retrain with `tagger train`")
        libraries = metadata.get("libraries")
        if not isinstance(libraries, dict):
            raise self._fail(f"{METADATA_FILE}: 'libraries' is not a mapping")
        installed = library_versions()
        for name in PINNED_LIBRARIES:
            built = libraries.get(name, "?")
            if _minor(built) != _minor(installed[name]):
                raise self._fail(f"built with {name} {built}, but {name} {installed[name]} is "
                                 "installed; retrain with `tagger train`")
        return metadata

    def load(self) -> tuple[dict[str, np.ndarray], dict]:
        """Verify, then read the arrays with pickling off: (arrays, metadata)."""
        metadata = self.verify()
        try:
            with open(self.arrays, "rb") as handle, np.load(handle, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}, metadata
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise self._fail(f"{ARRAYS_FILE} cannot be read: {exc}") from exc


def clean_staging(models_dir: Path) -> None:
    """Remove what killed training runs left behind."""
    for stale in models_dir.glob(".tmp-*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def publish(models_dir: Path, version: str, write, check) -> Artifact:
    """Write a new version beside the others and switch ``current`` to it only once it loads.

    ``write(artifact)`` fills a temporary directory and ``check(artifact)`` loads it; an
    exception or a kill at any point leaves ``current`` pointing at the previous version.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    clean_staging(models_dir)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=models_dir))
    staging.chmod(0o755)
    try:
        write(Artifact(staging))
        Artifact(staging).seal()
        check(Artifact(staging))
        final = models_dir / version
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = models_dir / f".tmp-current-{version}"
    link.symlink_to(version)
    os.replace(link, models_dir / "current")
    return Artifact(final)
