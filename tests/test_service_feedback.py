"""POST /v1/feedback: editors' corrections kept as exchange-format records, none lost."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import LABELS, read_jsonl, write_jsonl

from service import create_app
from service.feedback import FeedbackLog

STATION = "建成工会驿站24家。"


@pytest.fixture
def app(model_dir, tmp_path):
    return create_app({"MODEL_DIR": str(model_dir), "FEEDBACK_FILE": str(tmp_path / "fb.jsonl"),
                       "MAX_TEXT_CHARS": 200})


@pytest.fixture
def client(app):
    return app.test_client()


def test_a_correction_is_stored_in_the_exchange_format(app, client, model):
    response = client.post("/v1/feedback", json={"id": "a1", "text": STATION,
                                                  "themes": ["worker_station", "worker_care"],
                                                  "editor": "王编辑"})
    assert response.status_code == 201
    [record] = read_jsonl(Path(app.config["FEEDBACK_FILE"]))
    assert record["id"] == response.get_json()["id"]
    assert (record["text"], record["labels"], record["item"], record["editor"]) == (
        STATION, ["worker_station", "worker_care"], "a1", "王编辑")
    assert record["model_version"] == model.version


@pytest.mark.parametrize("body, status, field", [
    ({"themes": []}, 400, "text"),
    ({"text": STATION}, 400, "themes"),
    ({"text": STATION, "themes": ["made_up"]}, 400, "themes"),
    ({"text": STATION, "themes": [], "editor": 3.5}, 400, "editor"),
    ({"text": STATION, "themes": [], "colour": "red"}, 400, "colour"),
    ({"text": "长" * 201, "themes": []}, 413, "text"),
    ({"text": STATION, "themes": [], "id": True}, 400, "id"),
])
def test_bad_corrections_are_refused_naming_the_field(client, body, status, field):
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"].startswith(f"{field}:")


def test_a_lone_surrogate_is_refused(client):
    response = client.post("/v1/feedback", data='{"text": "\\ud800", "themes": []}',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("text:")


def test_feedback_must_be_json(client):
    response = client.post("/v1/feedback", data="text", content_type="text/plain")
    assert response.status_code == 415


def test_fifty_concurrent_posts_yield_fifty_intact_records(app):
    def post(n):
        return app.test_client().post("/v1/feedback", json={
            "id": f"item-{n}", "text": f"第{n}段:" + "工会驿站为户外劳动者服务。" * 10,
            "themes": ["worker_station"]}).status_code

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(post, range(50))) == [201] * 50
    records = read_jsonl(Path(app.config["FEEDBACK_FILE"]))
    assert sorted(r["item"] for r in records) == sorted(f"item-{n}" for n in range(50))
    assert all(r["text"].startswith(f"第{r['item'][5:]}段:") for r in records)


def _append_many(path, worker):
    log = FeedbackLog(path)
    for n in range(25):
        log.append({"text": f"{worker}-{n}" + "x" * 5000, "labels": []})


def test_posts_from_several_processes_never_interleave(tmp_path):
    path = tmp_path / "fb.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(path, w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    records = read_jsonl(path)
    assert len(records) == 100
    assert sorted(r["text"][:6] for r in records) == sorted(
        f"{w}-{n}" + "x" * (6 - len(f"{w}-{n}")) for w in range(4) for n in range(25))


def test_training_data_takes_the_latest_label_of_a_text(tmp_path, taxonomy):
    from classifier.data.exchange import load_examples

    first = read_jsonl(LABELS)[10]
    feedback = write_jsonl(tmp_path / "fb.jsonl", [
        {"text": first["text"], "labels": ["culture_sports"]},
        {"text": first["text"], "labels": ["legal_aid"]},
    ])
    examples = load_examples([LABELS, feedback], taxonomy)
    assert len(examples) == len({r["text"].strip() for r in read_jsonl(LABELS)})
    [corrected] = [e for e in examples if e.text == first["text"]]
    assert corrected.labels == ("legal_aid",)


@pytest.mark.parametrize("body, status, field", [
    ({"text": STATION, "themes": [], "id": "i" * 201}, 413, "id"),
    ({"text": STATION, "themes": [], "id": 2**63}, 400, "id"),
    ({"text": STATION, "themes": [], "editor": "编" * 101}, 413, "editor"),
    ({"text": STATION, "themes": ["worker_station"] * 14}, 413, "themes"),
])
def test_every_field_of_a_correction_is_capped(app, client, body, status, field):
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"].startswith(f"{field}:")
    assert not Path(app.config["FEEDBACK_FILE"]).exists()


def test_the_caps_themselves_are_accepted(app, client, model):
    response = client.post("/v1/feedback", json={
        "text": STATION, "themes": model.theme_ids, "id": "i" * 200, "editor": "编" * 100})
    assert response.status_code == 201
    [record] = read_jsonl(Path(app.config["FEEDBACK_FILE"]))
    assert (len(record["item"]), len(record["editor"]), record["labels"]) == (
        200, 100, model.theme_ids)


FEEDBACK_TOKEN = "desk-7f3a"
CORRECTION = {"text": STATION, "themes": ["worker_station"]}


@pytest.fixture
def guarded(model_dir, tmp_path):
    return create_app({"MODEL_DIR": str(model_dir), "FEEDBACK_FILE": str(tmp_path / "fb.jsonl"),
                       "FEEDBACK_TOKEN": FEEDBACK_TOKEN})


@pytest.mark.parametrize("authorization, status", [
    (None, 401), ("Bearer wrong", 403), (f"Basic {FEEDBACK_TOKEN}", 401), ("Bearer ", 401)])
def test_with_a_token_set_a_correction_without_it_is_refused(guarded, authorization, status):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = guarded.test_client().post("/v1/feedback", json=CORRECTION, headers=headers)
    assert response.status_code == status
    assert not Path(guarded.config["FEEDBACK_FILE"]).exists()


def test_with_a_token_set_a_correction_with_it_is_stored(guarded):
    response = guarded.test_client().post("/v1/feedback", json=CORRECTION,
                                          headers={"Authorization": f"Bearer {FEEDBACK_TOKEN}"})
    assert response.status_code == 201
    assert len(read_jsonl(Path(guarded.config["FEEDBACK_FILE"]))) == 1


def _metric(client, series: str) -> float:
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def test_corrections_are_counted_by_outcome_in_the_metrics(guarded):
    client = guarded.test_client()
    authorized = {"Authorization": f"Bearer {FEEDBACK_TOKEN}"}
    for _ in range(2):
        client.post("/v1/feedback", json=CORRECTION, headers=authorized)
    client.post("/v1/feedback", json={"text": STATION}, headers=authorized)
    client.post("/v1/feedback", json=CORRECTION)
    counts = {outcome: _metric(client, f'tagger_feedback_total{{outcome="{outcome}"}}')
              for outcome in ("stored", "refused", "unauthorized")}
    assert counts == {"stored": 2, "refused": 1, "unauthorized": 1}
    size = Path(guarded.config["FEEDBACK_FILE"]).stat().st_size
    assert _metric(client, "tagger_feedback_bytes_total") == size
