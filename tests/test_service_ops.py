"""Liveness, readiness, Prometheus metrics and request ids."""

from __future__ import annotations

import re

import pytest
from conftest import TAXONOMY

from service import create_app

STATION = "建成工会驿站24家。"


@pytest.fixture
def app(model_dir):
    return create_app({"MODEL_DIR": str(model_dir), "ADMIN_TOKEN": None})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def unready(tmp_path):
    return create_app({"MODEL_DIR": str(tmp_path / "missing"), "ADMIN_TOKEN": None}).test_client()


def metric(client, line_start: str) -> float | None:
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_gives_the_model_version(client, model):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "model_version": model.version,
                                   "taxonomy": {"model": "1", "current": "1", "stale": False}}


def test_readyz_reports_a_model_of_an_older_taxonomy_as_stale(model_dir, tmp_path):
    newer = tmp_path / "taxonomy.toml"
    newer.write_text(TAXONOMY.read_text(encoding="utf-8").replace('version = "1"',
                                                                  'version = "2"', 1),
                     encoding="utf-8")
    app = create_app({"MODEL_DIR": str(model_dir), "TAXONOMY": str(newer)})
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["taxonomy"] == {"model": "1", "current": "2", "stale": True}


def test_app_without_a_model_starts_alive_but_not_ready(unready, tmp_path):
    assert unready.get("/healthz").status_code == 200
    response = unready.get("/readyz")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "not_ready"
    assert str(tmp_path / "missing") in error["message"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/v1/tag", {"text": STATION}), ("get", "/v1/themes", None),
    ("get", "/v1/model", None),
])
def test_api_without_a_model_is_503(unready, method, path, body):
    response = getattr(unready, method)(path, json=body)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "not_ready"


def test_metrics_count_requests_by_endpoint_and_status(client):
    client.post("/v1/tag", json={"text": STATION})
    client.post("/v1/tag", json={"text": 5})
    client.get("/nowhere")
    assert metric(client, 'tagger_http_requests_total{endpoint="/v1/tag",method="POST",'
                          'status="200"}') == 1
    assert metric(client, 'tagger_http_requests_total{endpoint="/v1/tag",method="POST",'
                          'status="400"}') == 1
    assert metric(client, 'tagger_http_requests_total{endpoint="unmatched",method="GET",'
                          'status="404"}') == 1


def test_metrics_lump_unknown_methods_together(client):
    for method in ("BREW", "WHEN"):
        client.open("/v1/tag", method=method)
    assert metric(client, 'tagger_http_requests_total{endpoint="unmatched",method="other",'
                          'status="405"}') == 2


def test_metrics_time_requests(client):
    client.post("/v1/tag", json={"text": STATION})
    count = 'tagger_http_request_duration_seconds_count{endpoint="/v1/tag"}'
    assert metric(client, count) == 1
    assert metric(client, 'tagger_http_request_duration_seconds_sum{endpoint="/v1/tag"}') > 0


def test_metrics_count_themes_tagged(client):
    client.post("/v1/tag", json={"items": [{"text": STATION}, {"text": STATION}, {"text": ""}]})
    assert metric(client, 'tagger_themes_tagged_total{theme="worker_station"}') == 2
    assert metric(client, "tagger_texts_tagged_total") == 3


def test_metrics_give_the_model_version(client, model):
    assert metric(client, f'tagger_model_info{{version="{model.version}"}}') == 1
    assert metric(client, "tagger_model_ready") == 1


def test_metrics_say_when_no_model_is_loaded(unready):
    assert metric(unready, "tagger_model_ready") == 0
    assert "tagger_model_info" not in unready.get("/metrics").get_data(as_text=True)


def test_each_app_counts_on_its_own(model_dir, client):
    client.get("/healthz")
    other = create_app({"MODEL_DIR": str(model_dir)}).test_client()
    line = 'tagger_http_requests_total{endpoint="/healthz",method="GET",status="200"}'
    assert metric(client, line) == 1
    assert metric(other, line) is None


def test_request_id_from_the_client_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "newsroom-42.a"})
    assert response.headers["X-Request-ID"] == "newsroom-42.a"


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 129, "编号", "a;b"])
def test_missing_or_unsafe_request_id_is_replaced(client, given):
    headers = {} if given is None else {"X-Request-ID": given}
    response = client.get("/healthz", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_errors_carry_a_request_id_too(client):
    response = client.get("/nowhere", headers={"X-Request-ID": "abc"})
    assert (response.status_code, response.headers["X-Request-ID"]) == (404, "abc")
