"""``tagger train`` and ``tagger evaluate`` as real subprocesses."""

from __future__ import annotations

import json
import signal
import subprocess

from conftest import LABELS, REPO, TAGGER, read_jsonl, run_tagger, write_jsonl


def test_train_writes_a_complete_artifact_and_report(models_dir):
    current = (models_dir / "current").resolve()
    names = {p.name for p in current.iterdir()}
    assert {"model.skops", "metadata.json", "MANIFEST.sha256", "report.md", "f1.png"} <= names
    metadata = json.loads((current / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["version"] == current.name
    assert set(metadata["thresholds"]) == {t["id"] for t in metadata["themes"]}
    cv = metadata["cross_validation"]
    assert cv["scheme"] == "leave-one-document-out"
    assert cv["model"]["macro_f1"] > cv["baseline"]["macro_f1"]
    report = (current / "report.md").read_text(encoding="utf-8")
    assert f"**{cv['model']['macro_f1']:.3f}**" in report
    assert (current / "f1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_prints_the_table(model_dir):
    result = run_tagger("evaluate", "--data", LABELS, "--model", model_dir, check=True)
    assert "| `worker_station` |" in result.stdout
    assert "**macro-F1**" in result.stdout


def test_evaluate_json_matches_the_model_on_its_own_data(model_dir):
    result = run_tagger("evaluate", "--data", LABELS, "--model", model_dir, "--json", check=True)
    data = json.loads(result.stdout)
    assert data["model_version"] == model_dir.name
    assert len(data["model"]["themes"]) == 13
    # Trained on this very file, the model must fit it better than the keyword rules do.
    assert data["model"]["macro_f1"] > data["baseline"]["macro_f1"]


def test_evaluate_rejects_an_unknown_theme_at_its_line(model_dir, tmp_path):
    records = read_jsonl(LABELS)[:3]
    records[1]["labels"] = ["made_up"]
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    result = run_tagger("evaluate", "--data", path, "--model", model_dir)
    assert result.returncode == 1
    assert f"{path}:2: unknown theme id 'made_up'" in result.stderr
    assert "Traceback" not in result.stderr


def test_killed_training_leaves_current_intact(models_dir, tmp_path):
    target = tmp_path / "models"
    target.mkdir()
    (target / "v1").mkdir()
    (target / "current").symlink_to("v1")
    process = subprocess.Popen([str(TAGGER), "train", "--data", str(LABELS), "--models-dir",
                                str(target)], stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if "cross-validation" in line:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert (target / "current").resolve() == (target / "v1").resolve()
    assert {p.name for p in target.iterdir()} <= {"v1", "current"} | {
        p.name for p in target.iterdir() if p.name.startswith(".tmp-")}


def test_training_reproduces_the_shipped_model(model_dir):
    shipped = json.loads((REPO / "models" / "current" / "metadata.json").read_text(
        encoding="utf-8"))
    mine = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert mine["cross_validation"] == shipped["cross_validation"]
    assert mine["thresholds"] == shipped["thresholds"]
    assert mine["training_data"] == shipped["training_data"]
