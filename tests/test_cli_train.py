"""``tagger train`` and ``tagger evaluate``; a training run killed as a real process."""

from __future__ import annotations

import json
import signal
import subprocess

import numpy as np
from conftest import LABELS, REPO, TAGGER, read_jsonl, tagger, write_jsonl

from classifier import load_model
from classifier.model.artifact import sha256

TAXONOMY_IDS = ["new_employment_membership", "grassroots_union_building", "skills_competition",
                "skills_training", "model_workers_craftsmen", "industrial_worker_reform",
                "worker_station", "legal_aid", "worker_care", "employment_services",
                "collective_bargaining", "culture_sports", "ideological_guidance"]


def test_train_writes_a_complete_artifact_and_report(models_dir):
    current = (models_dir / "current").resolve()
    names = {p.name for p in current.iterdir()}
    assert {"model.npz", "metadata.json", "MANIFEST.sha256", "report.md", "f1.png"} <= names
    listed = {line.split("  ")[1] for line in (current / "MANIFEST.sha256").read_text(
        encoding="utf-8").splitlines()}
    assert listed == names - {"MANIFEST.sha256"}
    metadata = json.loads((current / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["version"] == current.name
    assert [t["id"] for t in metadata["taxonomy"]["themes"]] == TAXONOMY_IDS
    cv = metadata["cross_validation"]
    assert cv["scheme"] == "5-fold cross-validation by article"
    assert (cv["articles"], cv["folds"]) == (5, 5)
    report = (current / "report.md").read_text(encoding="utf-8")
    assert f"**{cv['model']['macro_f1']:.3f}** | keyword baseline " \
           f"{cv['baseline']['macro_f1']:.3f}" in report
    assert "5 articles (5 union, 0\ngeneral news), cross-validated in 5 folds" in report
    assert (current / "f1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_says_when_the_model_is_no_better_than_the_keyword_baseline(training_run):
    # Five seed articles are too few for the model to beat the keyword rules.
    cv = json.loads((training_run[0] / "current" / "metadata.json").read_text(
        encoding="utf-8"))["cross_validation"]
    warned = "is not better than the keyword baseline" in training_run[1].stderr
    assert warned == (cv["model"]["macro_f1"] <= cv["baseline"]["macro_f1"])
    assert f"keyword baseline {cv['baseline']['macro_f1']:.3f}" in training_run[1].stdout


def test_evaluate_prints_the_table(model_dir):
    result = tagger("evaluate", "--data", LABELS, "--model", model_dir, check=True)
    assert "| `worker_station` |" in result.stdout
    assert "**macro-F1**" in result.stdout


def test_evaluate_json_matches_the_model_on_its_own_data(model_dir):
    result = tagger("evaluate", "--data", LABELS, "--model", model_dir, "--json", check=True)
    data = json.loads(result.stdout)
    assert data["model_version"] == model_dir.name
    assert len(data["model"]["themes"]) == 13
    # Trained on this very file, the model must fit it better than the keyword rules do.
    assert data["model"]["macro_f1"] > data["baseline"]["macro_f1"]


def test_evaluate_rejects_an_unknown_theme_at_its_line(model_dir, tmp_path):
    records = read_jsonl(LABELS)[:3]
    records[1]["labels"] = ["made_up"]
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    result = tagger("evaluate", "--data", path, "--model", model_dir)
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


def test_training_is_reproducible(model_dir, tmp_path):
    tagger("train", "--data", LABELS, "--models-dir", tmp_path, check=True)
    again, first = load_model(tmp_path / "current"), load_model(model_dir)
    assert again.version != first.version
    for part in ("linear", "context"):
        ours, theirs = getattr(again, part).to_arrays(), getattr(first, part).to_arrays()
        assert all(np.array_equal(ours[name], theirs[name]) for name in ours)
    mine = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert again.metadata["cross_validation"] == mine["cross_validation"]


def test_the_shipped_model_meets_its_targets_in_cross_validation_by_article():
    cv = json.loads((REPO / "models" / "current" / "metadata.json").read_text(
        encoding="utf-8"))["cross_validation"]
    assert cv["union_articles"] >= 120 and cv["general_articles"] >= 60
    assert cv["model"]["macro_f1"] >= cv["baseline"]["macro_f1"] + 0.05
    assert cv["general_tagged"] <= 0.02
    assert cv["calibration_error"] <= 0.05
    assert cv["seeds"]["model"]["macro_f1"] > 0  # reported on their own line


def test_the_shipped_model_is_trained_on_every_labelled_file_as_it_is_now():
    shipped = json.loads((REPO / "models" / "current" / "metadata.json").read_text(
        encoding="utf-8"))
    files = sorted(LABELS.parent.glob("*.jsonl"))
    assert shipped["training_data"] == {p.name: sha256(p) for p in files}
    assert shipped["taxonomy_sha256"] == sha256(LABELS.parent / "taxonomy.toml")
