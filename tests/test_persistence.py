"""Artifacts: checksums, library versions, trusted types, and atomic publishing."""

from __future__ import annotations

import json
import shutil

import pytest

from classifier import ArtifactError, load_model
from classifier.model.artifact import MANIFEST_FILE, Artifact, publish, sha256


@pytest.fixture
def copy(model_dir, tmp_path):
    return shutil.copytree(model_dir, tmp_path / "artifact")


def test_a_copied_artifact_loads(copy):
    assert load_model(copy).version == copy.parent.name or load_model(copy).version


def test_tampered_model_file_is_refused(copy):
    data = bytearray((copy / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.skops").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="model.skops does not match its checksum"):
        load_model(copy)


def test_truncated_model_file_is_refused(copy):
    path = copy / "model.skops"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ArtifactError, match="tampered with or truncated"):
        load_model(copy)


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ArtifactError, match="no such model directory"):
        load_model(tmp_path / "nowhere")


def _rewrite_manifest(artifact: Artifact) -> None:
    lines = [f"{sha256(p)}  {p.name}\n" for p in (artifact.model, artifact.metadata)]
    artifact.manifest.write_text("".join(lines), encoding="utf-8")


def test_other_library_versions_are_refused(copy):
    artifact = Artifact(copy)
    metadata = json.loads(artifact.metadata.read_text(encoding="utf-8"))
    metadata["libraries"]["scikit-learn"] = "0.1.0"
    artifact.metadata.write_text(json.dumps(metadata), encoding="utf-8")
    _rewrite_manifest(artifact)
    with pytest.raises(ArtifactError, match="built with scikit-learn 0.1.0"):
        load_model(copy)


class Untrusted:
    """Stands for any type an attacker could smuggle into a model file."""

    def __init__(self):
        self.payload = "x"


def test_untrusted_type_in_the_model_file_is_refused(copy, model):
    artifact = Artifact(copy)
    metadata = json.loads(artifact.metadata.read_text(encoding="utf-8"))
    artifact.save({**model.estimator, "extra": Untrusted()}, metadata)
    with pytest.raises(ArtifactError, match="untrusted types.*Untrusted"):
        load_model(copy)


def test_failed_publish_leaves_current_untouched(models_dir):
    before = (models_dir / "current").resolve()
    versions = sorted(p.name for p in models_dir.iterdir())

    def interrupted(target):
        (target.path / "model.skops").write_bytes(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(models_dir, "never", interrupted)
    assert (models_dir / "current").resolve() == before
    assert sorted(p.name for p in models_dir.iterdir()) == versions


def test_publish_switches_current_only_to_an_artifact_that_loads(models_dir, model):
    before = (models_dir / "current").resolve()
    with pytest.raises(ArtifactError):
        publish(models_dir, "broken", lambda target: target.path.joinpath(MANIFEST_FILE)
                .write_text("0  model.skops\n"))
    assert (models_dir / "current").resolve() == before
    assert not (models_dir / "broken").exists()
