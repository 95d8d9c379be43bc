"""Model artifacts: a directory with the estimator, its metadata and a checksum manifest."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.errors import ArtifactError

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "MANIFEST.sha256"
# Everything an estimator may hold beyond what skops trusts by default: nothing of ours.
TRUSTED_TYPES = ("scipy.sparse._csr.csr_matrix",)
VECTORIZERS = ("word", "char", "keywords")
# Libraries whose version must match between training and loading (major.minor).
PINNED_LIBRARIES = ("scikit-learn", "numpy", "scipy")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in (*PINNED_LIBRARIES, "skops", "jieba")}


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _pack(estimator: dict) -> dict:
    """Vocabularies as arrays: skops stores a dict entry by entry, which loads ten times slower."""
    packed = dict(estimator)
    for name in VECTORIZERS:
        vectorizer = copy.copy(estimator[name])
        vocabulary = vectorizer.__dict__.pop("vocabulary_", None)
        if vocabulary is not None:
            terms = np.empty(len(vocabulary), dtype=object)
            for term, index in vocabulary.items():
                terms[index] = term
            packed[f"{name}_terms"] = terms.astype(str)
        packed[name] = vectorizer
    return packed


def _unpack(packed: dict) -> dict:
    estimator = dict(packed)
    for name in VECTORIZERS:
        terms = estimator.pop(f"{name}_terms", None)
        if terms is not None:
            estimator[name].vocabulary_ = {str(t): i for i, t in enumerate(terms)}
    return estimator


@dataclass(frozen=True)
class Artifact:
    """A model directory on disk with named paths."""

    path: Path

    @property
    def model(self) -> Path:
        return self.path / MODEL_FILE

    @property
    def metadata(self) -> Path:
        return self.path / METADATA_FILE

    @property
    def manifest(self) -> Path:
        return self.path / MANIFEST_FILE

    def save(self, estimator: dict, metadata: dict) -> Artifact:
        import skops.io as sio  # imports all of scikit-learn: only when an artifact is written

        self.path.mkdir(parents=True, exist_ok=True)
        sio.dump(_pack(estimator), self.model)
        self.metadata.write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")
        lines = [f"{sha256(p)}  {p.name}\n" for p in (self.model, self.metadata)]
        self.manifest.write_text("".join(lines), encoding="utf-8")
        return self

    def verify(self) -> dict:
        """Checksums and library versions; returns the metadata when all is well."""
        if not self.path.is_dir():
            raise ArtifactError(self.path, "no such model directory; train one with `tagger train`")
        if not self.manifest.is_file():
            raise ArtifactError(self.path, f"not a model artifact: no {MANIFEST_FILE}")
        for line in self.manifest.read_text(encoding="utf-8").splitlines():
            expected, _, name = line.partition("  ")
            target = self.path / name
            if not target.is_file():
                raise ArtifactError(self.path, f"{name} is missing")
            if sha256(target) != expected:
                raise ArtifactError(self.path, f"{name} does not match its checksum "
                                    "(tampered with or truncated)")
        metadata = json.loads(self.metadata.read_text(encoding="utf-8"))
        installed = library_versions()
        for name in PINNED_LIBRARIES:
            built = metadata.get("libraries", {}).get(name, "?")
            if _minor(built) != _minor(installed[name]):
                raise ArtifactError(self.path, f"built with {name} {built}, but {name} "
                                    f"{installed[name]} is installed; retrain with `tagger train`")
        return metadata

    def load(self) -> tuple[dict, dict]:
        """Verify, refuse untrusted types, then deserialise: (estimator, metadata)."""
        import skops.io as sio  # imports all of scikit-learn: only when an artifact is read
        from skops.io.exceptions import UntrustedTypesFoundException

        metadata = self.verify()
        try:
            return _unpack(sio.load(self.model, trusted=list(TRUSTED_TYPES))), metadata
        except UntrustedTypesFoundException as exc:
            raise ArtifactError(self.path, f"{MODEL_FILE} holds untrusted types: {exc}") from exc


def publish(models_dir: Path, version: str, write) -> Artifact:
    """Write a new version beside the others and switch ``current`` to it only once it loads.

    ``write(artifact)`` fills a temporary directory; an exception or a kill at any point
    leaves ``current`` pointing at the previous version.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=models_dir))
    staging.chmod(0o755)
    try:
        write(Artifact(staging))
        Artifact(staging).load()
        final = models_dir / version
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = models_dir / f".tmp-current-{version}"
    link.symlink_to(version)
    os.replace(link, models_dir / "current")
    return Artifact(final)
