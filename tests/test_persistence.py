"""Artifacts: checksums of exactly their files, versions, plain arrays, atomic publishing."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from classifier import ArtifactError, load_model
from classifier.model.artifact import MANIFEST_FILE, Artifact, publish

TEXTS = ["今年以来,全市新建工会驿站24家。", "外卖骑手集中入会。", "今天天气很好。"]


@pytest.fixture
def copy(model_dir, tmp_path):
    return shutil.copytree(model_dir, tmp_path / "artifact")


def _edit_metadata(copy, change) -> None:
    artifact = Artifact(copy)
    metadata = json.loads(artifact.metadata.read_text(encoding="utf-8"))
    change(metadata)
    artifact.metadata.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    artifact.seal()


def _edit_arrays(copy, change) -> None:
    artifact = Artifact(copy)
    with np.load(artifact.arrays) as stored:
        arrays = {name: stored[name] for name in stored.files}
    change(arrays)
    np.savez_compressed(artifact.arrays, **arrays)
    artifact.seal()


def test_a_copied_artifact_loads_as_the_same_model(copy, model):
    loaded = load_model(copy)
    assert loaded.version == model.version
    assert np.array_equal(loaded.scores(TEXTS), model.scores(TEXTS))


def test_tampered_arrays_are_refused(copy):
    data = bytearray((copy / "model.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.npz").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="model.npz does not match its checksum"):
        load_model(copy)


def test_truncated_arrays_are_refused(copy):
    path = copy / "model.npz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ArtifactError, match="tampered with or truncated"):
        load_model(copy)


def test_truncated_arrays_with_a_matching_manifest_are_a_clean_error(copy):
    path = copy / "model.npz"
    path.write_bytes(path.read_bytes()[:1000])
    Artifact(copy).seal()
    with pytest.raises(ArtifactError, match="model.npz cannot be read"):
        load_model(copy)


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ArtifactError, match="no such model directory"):
        load_model(tmp_path / "nowhere")


@pytest.mark.parametrize("manifest, message", [
    ("", "model.npz is not listed in MANIFEST.sha256"),
    (None, "report.md is not listed"),  # one entry dropped
    ("extra", "ghost.bin is not in the directory"),
    (b"\xff\xfe\x00binary", "MANIFEST.sha256 is not UTF-8"),
    ("garbage line\n", "MANIFEST.sha256:1: not '<sha256>  <file name>'"),
])
def test_a_manifest_must_list_exactly_the_artifacts_files(copy, manifest, message):
    path = copy / MANIFEST_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if manifest is None:
        path.write_text("".join(x for x in lines if not x.endswith("report.md\n")),
                        encoding="utf-8")
    elif manifest == "extra":
        path.write_text("".join(lines) + f"{'0' * 64}  ghost.bin\n", encoding="utf-8")
    elif isinstance(manifest, bytes):
        path.write_bytes(manifest)
    else:
        path.write_text(manifest, encoding="utf-8")
    with pytest.raises(ArtifactError, match=message):
        load_model(copy)


def test_an_unlisted_file_in_the_directory_is_refused(copy):
    (copy / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ArtifactError, match="notes.txt is not listed"):
        load_model(copy)


def test_other_library_versions_are_refused(copy):
    _edit_metadata(copy, lambda m: m["libraries"].update(numpy="0.1.0"))
    with pytest.raises(ArtifactError, match="built with numpy 0.1.0"):
        load_model(copy)


def test_another_segmenter_version_is_refused(copy):
    _edit_metadata(copy, lambda m: m["segmenter"].update(version="0.1"))
    with pytest.raises(ArtifactError, match="trained with rjieba 0.1"):
        load_model(copy)


@pytest.mark.parametrize("change, message", [
    ({"implementation": "pkuseg"}, "trained with segmenter 'pkuseg'"),
    ({"dictionary": "jieba 0.1"}, "dictionary of jieba 0.1"),
    ({"terms": ["工会驿站"]}, "terms are not a mapping"),
    ({"terms": {"工会驿站": 0}}, "terms are not a mapping"),
])
def test_a_segmenter_that_would_cut_otherwise_is_refused(copy, change, message):
    _edit_metadata(copy, lambda m: m["segmenter"].update(change))
    with pytest.raises(ArtifactError, match=message):
        load_model(copy)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.pop("version"), "inconsistent artifact: 'version'"),
    (lambda m: m.update(libraries=["numpy"]), "'libraries' is not a mapping"),
    (lambda m: m.update(format=1), "not of artifact format"),
])
def test_malformed_metadata_is_a_clean_error(copy, change, message):
    _edit_metadata(copy, change)
    with pytest.raises(ArtifactError, match=message):
        load_model(copy)


def test_metadata_that_is_not_json_is_a_clean_error(copy):
    (copy / "metadata.json").write_text("{not json", encoding="utf-8")
    Artifact(copy).seal()
    with pytest.raises(ArtifactError, match="metadata.json is not JSON"):
        load_model(copy)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(thresholds=a["thresholds"][:-1]), "thresholds has shape"),
    (lambda a: a.update(coef=a["coef"][:-1]), "coef has shape"),
    (lambda a: a["thresholds"].__setitem__(0, 0.0), "strictly between 0 and 1"),
    (lambda a: a.pop("word_idf"), "missing arrays: word_idf"),
])
def test_arrays_that_do_not_fit_together_are_refused(copy, change, message):
    _edit_arrays(copy, change)
    with pytest.raises(ArtifactError, match=message):
        load_model(copy)


def test_a_pickled_object_in_the_arrays_is_refused(copy):
    _edit_arrays(copy, lambda a: a.update(extra=np.array([object()], dtype=object)))
    with pytest.raises(ArtifactError, match="cannot be read"):
        load_model(copy)


def test_failed_publish_leaves_current_untouched(models_dir):
    before = (models_dir / "current").resolve()
    versions = sorted(p.name for p in models_dir.iterdir())

    def interrupted(target):
        (target.path / "model.npz").write_bytes(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(models_dir, "never", interrupted, load_model)
    assert (models_dir / "current").resolve() == before
    assert sorted(p.name for p in models_dir.iterdir()) == versions


def test_publish_switches_current_only_to_an_artifact_that_loads(models_dir, model):
    before = (models_dir / "current").resolve()
    with pytest.raises(ArtifactError):
        publish(models_dir, "broken", lambda target: target.path.joinpath("model.npz")
                .write_bytes(b"0"), lambda artifact: load_model(artifact.path))
    assert (models_dir / "current").resolve() == before
    assert not (models_dir / "broken").exists()


def test_staging_left_by_a_killed_run_is_cleaned_by_the_next(models_dir, model):
    stale = models_dir / ".tmp-killed"
    stale.mkdir()
    (stale / "model.npz").write_bytes(b"partial")
    with pytest.raises(ArtifactError):
        publish(models_dir, "broken", lambda target: None, lambda artifact: load_model(
            artifact.path))
    assert not stale.exists()


def test_a_model_path_that_loops_is_a_clean_error(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(ArtifactError, match="no such model directory|cannot resolve"):
        load_model(loop)
