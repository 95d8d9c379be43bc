"""POST /v1/admin/reload: the token, failed reloads, and reloads under traffic."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from conftest import point

from service import create_app

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STATION = "建成工会驿站24家。"


@pytest.fixture
def broken(tmp_path, model_dir) -> Path:
    directory = tmp_path / "broken"
    shutil.copytree(model_dir, directory)
    with open(directory / "model.npz", "r+b") as handle:
        handle.truncate(100)
    return directory


@pytest.fixture
def app(current):
    return create_app({"MODEL_DIR": str(current), "ADMIN_TOKEN": TOKEN})


@pytest.fixture
def client(app):
    return app.test_client()


def test_reload_without_a_configured_token_is_404(current):
    client = create_app({"MODEL_DIR": str(current), "ADMIN_TOKEN": None}).test_client()
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "admin_disabled"


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer  ", f"Basic {TOKEN}"])
def test_reload_without_a_bearer_token_is_401(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/v1/admin/reload", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["wrong", TOKEN + "x", TOKEN[:-1], "密码"])
def test_reload_with_a_wrong_token_is_403(client, token):
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_reload_with_the_token_loads_the_model_again(app, client, model):
    before = app.extensions["model_holder"].model
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json() == {"model_version": model.version,
                                   "previous_version": model.version}
    assert app.extensions["model_holder"].model is not before


def test_reload_with_get_is_405(client):
    assert client.get("/v1/admin/reload", headers=AUTH).status_code == 405


def test_failed_reload_keeps_serving_the_old_model(client, current, broken, model):
    point(current, broken)
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_artifact"
    assert "model.npz" in error["message"]
    assert error["message"].endswith(f"still serving model {model.version}")
    assert client.get("/readyz").status_code == 200
    tagged = client.post("/v1/tag", json={"text": STATION}).get_json()
    assert tagged["themes"][0]["id"] == "worker_station"


def _flip_last_byte(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))


@pytest.mark.parametrize("damage, said", [
    (lambda d: (d / "model.npz").write_bytes(b""), "model.npz"),
    (lambda d: _flip_last_byte(d / "model.npz"), "model.npz"),
    (lambda d: (d / "metadata.json").write_text("{"), "metadata.json"),
    (lambda d: shutil.rmtree(d), "no such model directory"),
])
def test_a_broken_artifact_is_a_409_that_says_what_is_wrong(client, current, broken, model,
                                                           damage, said):
    damage(broken)
    point(current, broken)
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_artifact"
    assert error["message"].startswith(f"{current}: ") and said in error["message"]
    assert "Error" not in error["message"]  # a sentence, not an exception's name


def test_reload_makes_an_app_without_a_model_ready(tmp_path, model_dir):
    link = tmp_path / "later"
    client = create_app({"MODEL_DIR": str(link), "ADMIN_TOKEN": TOKEN}).test_client()
    assert client.get("/readyz").status_code == 503
    link.symlink_to(model_dir)
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json()["previous_version"] is None
    assert client.get("/readyz").status_code == 200


def _hammer(app, stop: threading.Event, statuses: list) -> None:
    client = app.test_client()
    while not stop.is_set():
        statuses.append(client.post("/v1/tag", json={"text": STATION}).status_code)


def test_requests_during_reloads_all_succeed(app, client, current, broken, model_dir):
    stop, statuses = threading.Event(), []
    threads = [threading.Thread(target=_hammer, args=(app, stop, statuses)) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        while len(statuses) < 12:
            stop.wait(0.01)
        outcomes = []
        for target in (model_dir, broken, model_dir, model_dir, broken, model_dir):
            point(current, target)
            outcomes.append(client.post("/v1/admin/reload", headers=AUTH).status_code)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert outcomes == [200, 409, 200, 200, 409, 200]
    assert len(statuses) > 6 and set(statuses) == {200}
