"""POST /v1/tag, GET /v1/themes and GET /v1/model on the real app and a real model."""

from __future__ import annotations

import json
import time
from importlib.metadata import version

import pytest
from conftest import SEEDS

from classifier import settings
from service import create_app

ARTICLE = "今年以来，全市新发展货车司机会员243人。\n建成工会驿站24家。"
STATION = "建成工会驿站24家。"
# Three paragraphs on stations, one that mentions care for workers in need.
STATIONS = ("市总工会建成工会驿站24家。\n驿站配备饮水机、微波炉和充电设施，户外劳动者可以歇脚。\n"
            "驿站为环卫工人提供热水和休息场所。\n城东工会驿站设有图书角和药箱，快递员常来歇脚。\n"
            "工会还为困难职工送去慰问金。")
# Three paragraphs on joining the union, one that mentions a station (scored higher).
RIDERS = ("外卖骑手集中入会，领到了工会会员证。\n快递小哥加入工会，成为工会会员。\n"
          "货车司机入会后享受会员服务。\n建成工会驿站24家。")


@pytest.fixture(scope="module")
def app(shipped_dir):
    return create_app({"MODEL_DIR": str(shipped_dir), "ADMIN_TOKEN": None,
                       "MAX_TEXT_CHARS": 200, "MAX_ITEMS": 3, "MAX_BODY_BYTES": 2000})


@pytest.fixture
def client(app):
    return app.test_client()


def tag(client, body):
    return client.post("/v1/tag", json=body)


def test_text_gets_article_themes_and_paragraph_themes(client):
    data = tag(client, {"text": ARTICLE}).get_json()
    themes = {t["id"]: t["paragraphs"] for t in data["themes"]}
    assert themes == {"new_employment_membership": [0], "worker_station": [1]}
    assert [p["text"] for p in data["paragraphs"]] == ARTICLE.split("\n")
    assert [t["id"] for t in data["paragraphs"][1]["themes"]] == ["worker_station"]
    assert data["paragraphs"][1]["themes"][0]["name"] == "工会驿站"


def test_answer_is_what_the_model_gives_in_process(client, shipped):
    data = tag(client, {"text": ARTICLE}).get_json()
    assert data == json.loads(json.dumps(shipped.tag([ARTICLE])[0].to_dict()))
    assert data["model_version"] == shipped.version


def test_answer_is_utf8_json_with_chinese_unescaped(client):
    response = tag(client, {"text": STATION})
    assert response.mimetype == "application/json"
    assert "工会驿站".encode() in response.data


def test_items_keep_their_order_and_ids(client):
    body = {"items": [{"id": "a", "text": STATION}, {"id": 7, "text": ""}, {"text": ARTICLE}]}
    data = tag(client, body).get_json()
    assert [item["id"] for item in data["items"]] == ["a", 7, None]
    assert [len(item["themes"]) for item in data["items"]] == [1, 0, 2]
    assert data["model_version"] == data["items"][0]["model_version"]


def test_empty_items_give_empty_answer(client):
    assert tag(client, {"items": []}).get_json()["items"] == []


def test_explain_gives_terms_of_each_article_theme(client):
    data = tag(client, {"text": ARTICLE, "explain": True}).get_json()
    explanation = {t["id"]: t["explanation"] for t in data["themes"]}["worker_station"]
    assert explanation["paragraph"] == 1
    assert "驿站" in [term["term"] for term in explanation["up"]]
    assert all(term["weight"] < 0 for term in explanation["down"])


def test_no_explanation_unless_asked(client):
    data = tag(client, {"text": ARTICLE, "explain": False}).get_json()
    assert all("explanation" not in theme for theme in data["themes"])


def test_article_themes_say_which_are_main_and_which_only_mentioned(client):
    data = tag(client, {"text": STATIONS}).get_json()
    assert [(t["id"], t["main"]) for t in data["themes"]] == [
        ("worker_station", True), ("worker_care", False)]
    assert all("main" not in t for p in data["paragraphs"] for t in p["themes"])


def test_a_theme_of_one_paragraph_among_many_is_only_mentioned(client):
    themes = tag(client, {"text": RIDERS}).get_json()["themes"]
    assert [(t["id"], t["main"]) for t in themes] == [
        ("new_employment_membership", True), ("worker_station", False)]


@pytest.mark.parametrize("text", [STATION, ARTICLE, STATIONS, RIDERS])
def test_an_article_with_themes_has_a_main_one_and_mains_lead(client, text):
    flags = [t["main"] for t in tag(client, {"text": text}).get_json()["themes"]]
    assert flags and flags[0]
    assert flags == sorted(flags, reverse=True)


def test_min_score_zero_never_lowers_thresholds(client):
    plain = tag(client, {"text": ARTICLE}).get_json()
    assert tag(client, {"text": ARTICLE, "min_score": 0}).get_json() == plain
    assert tag(client, {"text": ARTICLE, "min_score": None}).get_json() == plain


def test_min_score_raises_thresholds(client):
    plain = tag(client, {"text": ARTICLE}).get_json()["themes"]
    raised = tag(client, {"text": ARTICLE, "min_score": 0.9}).get_json()["themes"]
    assert [t["id"] for t in raised] == [t["id"] for t in plain if t["score"] >= 0.9]
    assert 0 < len(raised) < len(plain)


@pytest.mark.parametrize(("body", "field"), [
    ([], "body"),
    ("text", "body"),
    ({}, "text"),
    ({"text": "a", "items": []}, "text"),
    ({"text": 5}, "text"),
    ({"text": None}, "text"),
    ({"items": "a"}, "items"),
    ({"items": [5]}, "items[0]"),
    ({"items": [{"text": "a"}, {"id": "b"}]}, "items[1].text"),
    ({"items": [{"text": "a", "id": True}]}, "items[0].id"),
    ({"items": [{"text": "a", "id": 1.5}]}, "items[0].id"),
    ({"items": [{"text": "a", "lang": "zh"}]}, "items[0].lang"),
    ({"text": "a", "explain": "yes"}, "explain"),
    ({"text": "a", "min_score": 1.5}, "min_score"),
    ({"text": "a", "min_score": -0.1}, "min_score"),
    ({"text": "a", "min_score": True}, "min_score"),
    ({"text": "a", "min_score": "0.5"}, "min_score"),
    ({"text": "a", "mode": "fast"}, "mode"),
])
def test_bad_field_is_400_naming_the_field(client, body, field):
    response = tag(client, body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_field"
    assert error["message"].startswith(f"{field}: ")


def test_lone_surrogate_is_400_naming_the_field(client):
    response = client.post("/v1/tag", data='{"text": "\\ud800"}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("text: ")


@pytest.mark.parametrize("raw", [b"", b"{", b'{"text": NaN}', b'{"text": "\xff"}', b"[" * 1500])
def test_body_that_is_not_json_is_400(client, raw):
    response = client.post("/v1/tag", data=raw, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json"
    assert error["message"].startswith("body: not valid JSON")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_not_sent_as_json_is_415(client, content_type):
    response = client.post("/v1/tag", data=json.dumps({"text": "a"}), content_type=content_type)
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_json_with_charset_is_accepted(client):
    response = client.post("/v1/tag", data=json.dumps({"text": STATION}),
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_body_over_the_limit_is_413(client):
    response = tag(client, {"text": "工" * 700})
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "body_too_large", "message": "request body is over the limit of 2000 bytes"}


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "a" * 201}, "text"),
    ({"items": [{"text": "a"}, {"text": "a" * 201}]}, "items[1].text"),
])
def test_text_over_the_limit_is_413(client, body, field):
    response = tag(client, body)
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "text_too_long", "message": f"{field}: 201 characters; the limit is 200"}


def test_too_many_items_is_413(client):
    response = tag(client, {"items": [{"text": "a"}] * 4})
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "too_many_items", "message": "items: 4 items; the limit is 3"}


def test_limits_themselves_are_accepted(client):
    assert tag(client, {"text": "a" * 200}).status_code == 200
    assert tag(client, {"items": [{"text": "a"}] * 3}).status_code == 200


def test_themes_are_the_taxonomy_of_the_model(client, shipped):
    data = client.get("/v1/themes").get_json()
    assert [t["id"] for t in data["themes"]] == shipped.theme_ids
    assert data["version"] == shipped.taxonomy.version
    assert {"name_zh", "name_en", "description", "boundary", "keywords"} <= set(data["themes"][0])


def test_model_gives_metadata_and_evaluation_but_no_paths(client, shipped):
    data = client.get("/v1/model").get_json()
    assert data["version"] == shipped.version
    assert data["tagger_version"] == version("union-tagger")
    assert data["thresholds"] == shipped.theme_thresholds()
    assert [t["id"] for t in data["themes"]] == shipped.theme_ids
    assert data["cross_validation"]["model"]["macro_f1"] > 0
    assert "training_data" not in data and "dictionary" not in data


def test_unknown_path_is_404_json(client):
    response = client.get("/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"] == {"code": "not_found",
                                            "message": "no such endpoint: /v1/nothing"}


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("get", "/v1/tag", "POST"), ("put", "/v1/tag", "POST"), ("post", "/v1/themes", "GET"),
    ("delete", "/v1/model", "GET"), ("post", "/healthz", "GET"),
])
def test_wrong_method_is_405_json(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert allowed in response.headers["Allow"]


@pytest.fixture(scope="module")
def bounded(model_dir):
    return create_app({"MODEL_DIR": str(model_dir), "MAX_TEXT_CHARS": 200,
                       "MAX_TOTAL_CHARS": 400}).test_client()


@pytest.mark.parametrize(("body", "message"), [
    ({"items": [{"text": "a" * 150}] * 3}, "items: 450 characters in all; the limit is 400"),
    ({"items": [{"text": "a" * 150}] * 2, "explain": True},
     "items: 300 characters in all; the limit with explain is 200"),
])
def test_characters_of_all_items_over_the_limit_is_413(bounded, body, message):
    response = tag(bounded, body)
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "too_many_chars", "message": message}


def test_characters_of_all_items_at_the_limit_are_accepted(bounded):
    assert tag(bounded, {"items": [{"text": "a" * 200}] * 2}).status_code == 200
    assert tag(bounded, {"items": [{"text": "a" * 100}] * 2, "explain": True}).status_code == 200


def _seed_texts(count: int, size: int) -> list[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    return [(text * (count * size // len(text) + 2))[n * size:(n + 1) * size]
            for n in range(count)]


def test_the_largest_request_allowed_by_default_costs_about_a_second_of_cpu(model_dir):
    client = create_app({"MODEL_DIR": str(model_dir)}).test_client()
    limit = settings.get("MAX_TOTAL_CHARS", {}) // 2  # with explain, the costlier request
    items = [{"text": text} for text in _seed_texts(50, limit // 50)]
    tag(client, {"text": STATION, "explain": True})  # warm: first call sets up the segmenter
    started = time.process_time()
    response = tag(client, {"items": items, "explain": True})
    assert response.status_code == 200
    assert time.process_time() - started < 2.5
    items[0]["text"] += "a"
    assert tag(client, {"items": items, "explain": True}).status_code == 413
