"""``tagger data check`` on the shipped labels and on broken files it must reject."""

from __future__ import annotations

import json

import pytest
from conftest import LABELS, SEEDS, TAXONOMY, read_jsonl, tagger, write_jsonl

THEMES = ["new_employment_membership", "grassroots_union_building", "skills_competition",
          "skills_training", "model_workers_craftsmen", "industrial_worker_reform",
          "worker_station", "legal_aid", "worker_care", "employment_services",
          "collective_bargaining", "culture_sports", "ideological_guidance"]


def test_shipped_labels_pass_with_a_summary_of_every_theme():
    result = tagger("data", "check")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-2:] for line in result.stdout.splitlines()[2:]}
    assert list(rows) == THEMES
    # Every theme: at least 40 positive paragraphs from at least 15 articles.
    assert all(int(count) >= 40 and int(docs) >= 15 for count, docs in rows.values())
    records = [r for path in sorted(LABELS.parent.glob("*.jsonl")) for r in read_jsonl(path)]
    assert f"paragraphs: {len(records)} " in result.stdout
    union = {r["doc"] for r in records if r["kind"] == "union"}
    general = {r["doc"] for r in records if r["kind"] == "general"}
    assert f"({len(union)} union, {len(general)} general, 0 unknown)" in result.stdout


def test_every_seed_paragraph_is_labelled_once_in_order():
    records = read_jsonl(LABELS)
    for seed in sorted(SEEDS.glob("*.txt")):
        lines = [x.strip() for x in seed.read_text(encoding="utf-8").splitlines() if x.strip()]
        mine = [r for r in records if r["doc"] == seed.name]
        assert [r["text"] for r in mine] == lines
        assert [r["para"] for r in mine] == list(range(1, len(lines) + 1))
        assert [r["id"] for r in mine] == [f"{seed.stem}-{n}" for n in range(1, len(lines) + 1)]


def _broken(tmp_path, edit):
    records = read_jsonl(LABELS)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines = edit(records, lines)
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _unknown_label(records, lines):
    lines[4] = json.dumps({**records[4], "labels": ["no_such_theme"]}, ensure_ascii=False)
    return lines


def _altered_text(records, lines):
    lines[9] = json.dumps({**records[9], "text": records[9]["text"] + "。"}, ensure_ascii=False)
    return lines


def _bad_json(records, lines):
    lines[2] = lines[2][:-1]
    return lines


def _duplicate_id(records, lines):
    lines[7] = json.dumps({**records[7], "id": records[6]["id"]}, ensure_ascii=False)
    return lines


@pytest.mark.parametrize("edit, line, message", [
    (_unknown_label, 5, "unknown theme id 'no_such_theme'"),
    (_altered_text, 10, "text differs from"),
    (_bad_json, 3, "invalid JSON"),
    (_duplicate_id, 8, "duplicate id"),
])
def test_broken_file_is_rejected_at_its_line(tmp_path, edit, line, message):
    path = _broken(tmp_path, edit)
    result = tagger("data", "check", path)
    assert result.returncode == 1
    assert any(x.startswith(f"{path}:{line}: ") and message in x
               for x in result.stderr.splitlines()), result.stderr


def test_missing_seed_paragraph_is_reported_at_the_seed_line(tmp_path):
    records = read_jsonl(LABELS)
    gone = records[20]
    path = write_jsonl(tmp_path / "short.jsonl", [r for r in records if r is not gone])
    seed = SEEDS / gone["doc"]
    seed_lines = seed.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(seed_lines, 1) if text.strip() == gone["text"])
    result = tagger("data", "check", path)
    assert result.returncode == 1
    assert f"{seed}:{line}: paragraph {gone['para']} missing" in result.stderr


def test_all_problems_are_reported_in_one_run(tmp_path):
    path = _broken(tmp_path, lambda r, lines: _bad_json(r, _unknown_label(r, lines)))
    result = tagger("data", "check", path)
    assert f"{path}:3: " in result.stderr and f"{path}:5: " in result.stderr


def test_conflicting_duplicate_texts_are_reported(tmp_path, taxonomy):
    from classifier.data.checks import check_data

    path = write_jsonl(tmp_path / "dup.jsonl", [
        {"text": "职工书屋开放", "labels": ["culture_sports"]},
        {"text": "职工书屋开放", "labels": []},
    ])
    result = check_data([path], taxonomy, seeds_dir=None)
    assert [str(p) for p in result.problems] == [
        f"{path}:2: same text as {path}:1 with different labels"]


def test_missing_required_fields_are_named(tmp_path, taxonomy):
    from classifier.data.checks import check_data

    path = write_jsonl(tmp_path / "fields.jsonl", [{"labels": []}, {"text": "x", "labels": "a"}])
    messages = [str(p) for p in check_data([path], taxonomy, seeds_dir=None).problems]
    assert f"{path}:1: field 'text' missing or not a non-empty string" in messages
    assert f"{path}:2: field 'labels' missing or not a list of strings" in messages


def test_taxonomy_ids_are_the_public_ones(taxonomy):
    assert taxonomy.ids == THEMES
    assert all(len(t.keywords) >= 10 for t in taxonomy.themes)


def test_invalid_taxonomy_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "taxonomy.toml"
    text = TAXONOMY.read_text(encoding="utf-8").replace('name_en = "', 'name_en = ', 1)
    bad.write_text(text, encoding="utf-8")
    result = tagger("data", "check", "--taxonomy", bad)
    assert result.returncode == 1
    assert f"tagger: error: {bad}:" in result.stderr and "invalid TOML" in result.stderr
