"""The app's JSON answers: UTF-8 with Chinese as it is, the same values as Flask's own provider."""

from __future__ import annotations

import dataclasses
import datetime
import json
import uuid

import numpy as np
import pytest
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from service import create_app

STATION = "建成工会驿站24家。"


@pytest.fixture(scope="module")
def app(shipped_dir):
    return create_app({"MODEL_DIR": str(shipped_dir), "ADMIN_TOKEN": None})


@pytest.fixture
def client(app):
    return app.test_client()


@dataclasses.dataclass
class _Point:
    x: int
    label: str


def test_tag_answer_is_utf8_json_with_chinese_unescaped(client):
    response = client.post("/v1/tag", json={"text": STATION})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "工会驿站".encode() in response.data and b"\\u" not in response.data
    assert response.data.endswith(b"}\n")
    assert json.loads(response.data.decode("utf-8"))["paragraphs"][0]["text"] == STATION


def test_error_is_json_naming_a_chinese_field_as_it_is(client):
    response = client.post("/v1/tag", json={"text": "a", "文本": "b"})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert "文本: unknown field".encode() in response.data
    assert response.get_json()["error"]["code"] == "invalid_field"


def test_a_field_named_by_a_lone_surrogate_is_400_not_500(client):
    response = client.post("/v1/tag", data='{"\\udc80": 1}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("\udc80: unknown field")


def test_answers_keep_the_order_of_keys(app):
    assert list(json.loads(app.json.dumps({"b": 1, "a": 2}))) == ["b", "a"]


@pytest.mark.parametrize("value", [
    {"b": [1, 2.5, None, True], "a": "工会"},
    {1: "integer key", "k": (1, 2)},
    2 ** 70,
    np.float64(0.25),
    datetime.date(2024, 3, 15),
    datetime.datetime(2024, 3, 15, 9, 30, tzinfo=datetime.UTC),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    _Point(3, "驿站"),
    Markup("<b>工会</b>"),
    "\ud800",
])
def test_values_read_back_as_flasks_own_provider_writes_them(app, value):
    flasks = DefaultJSONProvider(app)  # as the app had it before: UTF-8, keys in order
    flasks.ensure_ascii, flasks.sort_keys = False, False
    assert json.loads(app.json.dumps(value)) == json.loads(flasks.dumps(value))
