"""Doubtful labels, Label Studio round trips and taxonomy renames."""

from __future__ import annotations

import json

from conftest import LABELS, TAXONOMY, read_jsonl, tagger, write_jsonl

STATION_DOC = "003_daa796f06ba2c110.txt"


def _small_corpus(tmp_path, docs):
    records = [r for r in read_jsonl(LABELS) if r["doc"] in docs]
    return write_jsonl(tmp_path / "small.jsonl", records)


CITIES = ("安康", "汉中", "南宁", "西宁", "抚州")


def _tiny_corpus(tmp_path, flipped_city):
    """Five one-city articles of three clear paragraphs and a byline; one station label dropped."""
    records = []
    for n, city in enumerate(CITIES):
        doc = f"{city}.txt"
        station = ["worker_station"] if city != flipped_city else []
        records += [
            {"id": f"{city}-1", "doc": doc, "labels": station,
             "text": f"{city}市总工会新建工会驿站{n + 3}个,为环卫工人提供饮水、热饭和休息。"},
            {"id": f"{city}-2", "doc": doc, "labels": ["legal_aid"],
             "text": f"{city}市工会法律援助律师为{n + 20}名农民工讨回欠薪,开通12351维权热线。"},
            {"id": f"{city}-3", "doc": doc, "labels": ["skills_competition"],
             "text": f"{city}市举办焊工职业技能大赛,{n + 50}名选手同台竞技比武。"},
            {"id": f"{city}-4", "doc": doc, "labels": [], "text": f"本报记者 {city}报道"},
        ]
    return write_jsonl(tmp_path / "tiny.jsonl", records)


def test_a_flipped_label_tops_the_suspects(tmp_path):
    path = _tiny_corpus(tmp_path, flipped_city="南宁")
    result = tagger("data", "suspects", "--data", path, "--top", "3", "--json", check=True)
    top = json.loads(result.stdout.splitlines()[0])
    assert (top["id"], top["theme"], top["given"]) == ("南宁-1", "worker_station", False)
    assert top["score"] >= top["threshold"]
    assert top["where"] == f"{path}:9"
    assert "not labelled worker_station" in top["reason"]


def test_labelstudio_config_offers_every_theme():
    result = tagger("labelstudio", "config", check=True)
    assert result.stdout.count("<Choice ") == 13
    assert 'choice="multiple"' in result.stdout


def test_labelstudio_config_shows_chinese_names_and_stores_theme_ids():
    result = tagger("labelstudio", "config", check=True)
    assert '<Choice value="工会驿站" alias="worker_station"' in result.stdout


def _choice(labels, who=None):
    annotation = {"result": [{"from_name": "themes", "to_name": "text", "type": "choices",
                              "value": {"choices": labels}}]}
    return annotation if who is None else {**annotation, "completed_by": who}


def test_labelstudio_import_leaves_out_and_names_tasks_whose_annotators_disagree(tmp_path):
    export = tmp_path / "export.json"
    export.write_text(json.dumps([
        {"id": 7, "data": {"id": "a", "text": "建成工会驿站"},
         "annotations": [_choice(["worker_station"], 1), _choice(["legal_aid"], 2)]},
        {"id": 8, "data": {"id": "b", "text": "律师讨回欠薪"},
         "annotations": [_choice(["legal_aid"], 1), _choice(["legal_aid"], 2)]},
    ], ensure_ascii=False), encoding="utf-8")
    imported = tmp_path / "imported.jsonl"
    result = tagger("labelstudio", "import", export, "-o", imported, check=True)
    assert read_jsonl(imported) == [{"id": "b", "text": "律师讨回欠薪", "labels": ["legal_aid"]}]
    assert ("tagger: warning: task 1 (id 7): annotators disagree "
            "(1: worker_station; 2: legal_aid): left out") in result.stderr.splitlines()
    assert "and 1 whose annotators disagree" in result.stderr


def test_labelstudio_import_reads_chinese_names_as_theme_ids(tmp_path):
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"data": {"text": "建成工会驿站"},
                                   "annotations": [_choice(["工会驿站"])]}],
                                 ensure_ascii=False), encoding="utf-8")
    result = tagger("labelstudio", "import", export, check=True)
    assert json.loads(result.stdout)["labels"] == ["worker_station"]


def _annotate(tasks):
    """What a Label Studio annotator does: one annotation per task, the second one cancelled."""
    for number, task in enumerate(tasks):
        task["id"] = number + 1
        labels = task.pop("annotations")[0]["result"][0]["value"]["choices"] if (
            "annotations" in task) else []
        task["annotations"] = [{"was_cancelled": number == 1, "created_at": "2026-01-01",
                                "result": [{"from_name": "themes", "to_name": "text",
                                            "type": "choices", "value": {"choices": labels}}]}]
    return tasks


def test_labelstudio_export_import_train_round_trip(tmp_path):
    source = _small_corpus(tmp_path, docs=(STATION_DOC, "001_86f1adba2de0a87b.txt"))
    tasks_file = tmp_path / "tasks.json"
    tagger("labelstudio", "export", source, "-o", tasks_file, check=True)
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    assert tasks[0]["data"]["text"] == read_jsonl(source)[0]["text"]
    assert "labels" not in tasks[0]["data"]
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(_annotate(tasks), ensure_ascii=False), encoding="utf-8")

    imported = tmp_path / "imported.jsonl"
    result = tagger("labelstudio", "import", exported, "-o", imported, check=True)
    assert "skipped 1 without annotation" in result.stderr
    original = read_jsonl(source)
    back = read_jsonl(imported)
    assert back == [r for i, r in enumerate(original) if i != 1]

    models = tmp_path / "models"
    tagger("train", "--data", imported, "--models-dir", models, check=True)
    assert (models / "current" / "model.npz").is_file()


def test_suggestions_become_predictions_not_annotations(tmp_path):
    source = write_jsonl(tmp_path / "tasks.jsonl", [
        {"id": "a", "text": "建成工会驿站", "labels": [],
         "suggested": [{"id": "worker_station", "score": 0.9}]}])
    result = tagger("labelstudio", "export", source, check=True)
    task = json.loads(result.stdout)[0]
    assert "annotations" not in task
    assert task["predictions"][0]["result"][0]["value"]["choices"] == ["worker_station"]


def test_predictions_carry_the_model_version_and_the_least_sure_decision(tmp_path):
    source = write_jsonl(tmp_path / "tasks.jsonl", [
        {"id": "a", "text": "建成工会驿站", "labels": [], "model_version": "20260101-1",
         "suggested": [{"id": "worker_station", "score": 0.9, "predicted": True},
                       {"id": "legal_aid", "score": 0.3, "predicted": False}]}])
    prediction = json.loads(tagger("labelstudio", "export", source, check=True).stdout)[0][
        "predictions"][0]
    assert prediction["model_version"] == "20260101-1"
    assert prediction["score"] == 0.7


def _renamed_taxonomy(tmp_path):
    text = TAXONOMY.read_text(encoding="utf-8")
    text = text.replace('id = "worker_station"', 'id = "outdoor_worker_station"')
    text = text.replace('version = "1"', 'version = "2"', 1)
    text += '\n[renames]\nworker_station = "outdoor_worker_station"\n'
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_renaming_a_theme_keeps_old_labels_usable(tmp_path):
    from classifier.data.exchange import load_examples
    from classifier.data.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(_renamed_taxonomy(tmp_path))
    assert taxonomy.version == "2" and "worker_station" not in taxonomy.ids
    examples = load_examples([LABELS], taxonomy)
    old = [r for r in read_jsonl(LABELS) if "worker_station" in r["labels"]]
    renamed = [e for e in examples if "outdoor_worker_station" in e.labels]
    assert len(renamed) == len(old) > 0
    assert not any("worker_station" in e.labels for e in examples)


def test_renamed_taxonomy_checks_clean(tmp_path):
    result = tagger("data", "check", "--taxonomy", _renamed_taxonomy(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "outdoor_worker_station" in result.stdout


def test_retiring_a_theme_drops_its_labels(tmp_path, taxonomy):
    from classifier.data.taxonomy import Taxonomy

    retired = Taxonomy(taxonomy.version, taxonomy.themes, renames={"old_theme": ""})
    assert retired.map_labels(["old_theme", "legal_aid"]) == ["legal_aid"]


def test_evaluate_reports_a_model_of_another_taxonomy_version_as_stale(tmp_path, model_dir):
    result = tagger("evaluate", "--data", LABELS, "--model", model_dir, "--taxonomy",
                    _renamed_taxonomy(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    assert "taxonomy version 1, the data uses version 2" in json.loads(result.stdout)[
        "stale_taxonomy"]


def _articles(tmp_path):
    base = [r["text"] for r in read_jsonl(LABELS) if len(r["text"]) > 40][:40]
    near = base[0].replace("总工会", "总 工会", 1) + "。"
    articles = [{"id": f"a{i}", "text": "\n".join(base[i * 10:(i + 1) * 10])} for i in range(4)]
    articles.append({"id": "dup", "text": f"{near}\n{base[0]}"})
    articles.append({"id": "broken"})
    return write_jsonl(tmp_path / "articles.jsonl", articles), base[0], near


def test_suggest_skips_near_duplicates_and_leaves_labels_empty(tmp_path, model_dir):
    from difflib import SequenceMatcher

    source, original, near = _articles(tmp_path)
    out = tmp_path / "tasks.jsonl"
    result = tagger("suggest", source, "--top", "40", "-o", out, "--model", model_dir,
                    "--keep-labelled", check=True)
    assert "1 unreadable input record(s) skipped" in result.stderr
    tasks = read_jsonl(out)
    texts = [t["text"] for t in tasks]
    assert not (original in texts and near in texts)
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert SequenceMatcher(None, a, b).ratio() < 0.9, (a, b)
    assert all(t["labels"] == [] for t in tasks)
    assert all(t["suggested"] and {"id", "score", "predicted"} <= set(t["suggested"][0])
               for t in tasks)
    assert tagger("data", "check", out, "--seeds", tmp_path).returncode == 0


def test_suggest_starts_with_a_doubtful_paragraph_and_spreads_themes(tmp_path, model_dir):
    source, _, _ = _articles(tmp_path)
    out = tmp_path / "tasks.jsonl"
    tagger("suggest", source, "--top", "5", "-o", out, "--model", model_dir, "--keep-labelled",
           check=True)
    tasks = read_jsonl(out)
    first = {s["id"]: s["score"] for s in tasks[0]["suggested"]}
    assert 0.05 < first[tasks[0]["doubtful_theme"]] < 0.95
    assert len({t["doubtful_theme"] for t in tasks}) >= 3


def test_suggest_excludes_labelled_texts(tmp_path, model_dir):
    source, _, _ = _articles(tmp_path)
    result = tagger("suggest", source, "--top", "100", "--exclude", LABELS,
                    "--model", model_dir, check=True)
    _, _, near = _articles(tmp_path)
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == [near]


def test_suggest_leaves_out_labelled_paragraphs_by_default(tmp_path, model_dir):
    source, _, near = _articles(tmp_path)
    result = tagger("suggest", source, "--top", "100", "--model", model_dir, check=True)
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == [near]


def test_suggest_excludes_by_text_a_labelled_file_without_ids(tmp_path, model_dir):
    source, original, near = _articles(tmp_path)
    labelled = write_jsonl(tmp_path / "no-ids.jsonl", [{"text": original, "labels": []}])
    result = tagger("suggest", source, "--top", "100", "--exclude", labelled,
                    "--model", model_dir, check=True)
    texts = [json.loads(line)["text"] for line in result.stdout.splitlines()]
    assert original not in texts
    assert near in texts
