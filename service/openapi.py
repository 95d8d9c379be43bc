"""``GET /openapi.json``: the hand-written OpenAPI 3.0 document of the service, with its limits."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

from .feedback import MAX_EDITOR_CHARS, MAX_ID_CHARS, MAX_INT_ID
from .holder import get_holder

bp = Blueprint("openapi", __name__)

_JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _object(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _array(items: dict, **more) -> dict:
    return {"type": "array", "items": items, **more}


_STRING = {"type": "string"}
_SCORE = {"type": "number", "minimum": 0, "maximum": 1}
_ITEM_ID = {"oneOf": [_STRING, {"type": "integer"}]}
_THEME_SCORE = _object(["id", "name", "score"], id=_STRING, name=_STRING, score=_SCORE)
_TERM = _object(["term", "weight"], term=_STRING, weight={"type": "number"})
_EXPLANATION = {
    **_object(["paragraph", "threshold", "context", "up", "down"],
              paragraph={"type": "integer", "nullable": True},
              threshold={**_SCORE, "description": "The threshold applied to that paragraph, "
                                                  "raised by min_score when given."},
              up=_array(_TERM), down=_array(_TERM),
              context={"type": "number", "description": "Log-odds the article around the "
                       "paragraph and the union bodies it names add, beside the terms."}),
    "description": "With explain: true. Terms of the theme's best paragraph and their pull on "
                   "its log-odds, up and down (weights rounded to 2 decimals).",
}
_ARTICLE_THEME = {"allOf": [_THEME_SCORE, _object(
    ["paragraphs", "main"], explanation=_EXPLANATION,
    paragraphs=_array({"type": "integer", "minimum": 0},
                      description="Indices of the paragraphs that carry the theme."),
    main={"type": "boolean", "description": "One of the article's main themes (at most three), "
                                            "not only mentioned. Main themes come first."})]}
_PARAGRAPH = _object(["index", "text", "themes"], index={"type": "integer", "minimum": 0},
                     text=_STRING, themes=_array(_THEME_SCORE))
_RESULT = _object(["themes", "paragraphs", "model_version"], themes=_array(_ref("ArticleTheme")),
                  paragraphs=_array(_PARAGRAPH), model_version=_STRING)
_TAG_RESPONSE = {"oneOf": [
    _ref("Result"),
    _object(["model_version", "items"], model_version=_STRING, items=_array({"allOf": [
        _ref("Result"), _object(["id"], id={**_ITEM_ID, "nullable": True})]})),
]}
_ERROR = _object(["error"], error=_object(["code", "message"], code=_STRING, message=_STRING))
_STATUS = _object(["status"], status=_STRING, model_version=_STRING, taxonomy=_object(
    ["model", "current", "stale"], model=_STRING, current={**_STRING, "nullable": True},
    stale={"type": "boolean", "description": "The model was trained on another version of "
                                             "the taxonomy than the current one: retrain."}))

_ERRORS = {
    "BadRequest": "The body is not valid JSON, is malformed (a bad chunk) or a field is wrong; "
                  "the message names the field.",
    "BodyTimeout": "The body did not arrive within TAGGER_BODY_TIMEOUT seconds.",
    "TooLarge": "The body (with or without Content-Length), a text, the characters of all "
                "items together or the number of items is over its limit.",
    "UnsupportedMediaType": "The body is not sent as application/json.",
    "NotReady": "No model is loaded; the message says why.",
    "Unauthorized": "No bearer token was sent.",
    "Forbidden": "The bearer token is wrong.",
    "FeedbackUnauthorized": "TAGGER_FEEDBACK_TOKEN is set and no bearer token was sent.",
    "AdminDisabled": "No admin token is configured (TAGGER_ADMIN_TOKEN): admin endpoints are off.",
    "InvalidArtifact": "The model directory is missing, incomplete, tampered with or built for "
                       "other library versions, as the message says; the old model is still "
                       "served.",
    "ReloadFailed": "The model did not load for an unexpected reason (see the server log); the "
                    "old model is still served.",
}


def _tag_request(config) -> dict:
    text = {"type": "string", "maxLength": config["MAX_TEXT_CHARS"],
            "description": "An article; each non-empty line is a paragraph."}
    item = {**_object(["text"], id={**_ITEM_ID, "nullable": True}, text=text),
            "additionalProperties": False}
    return {
        "type": "object", "additionalProperties": False,
        "description": "Either text or items. All texts together hold at most "
                       f"{config['MAX_TOTAL_CHARS']} characters, half as many with explain.",
        "properties": {
            "text": text,
            "items": _array(item, maxItems=config["MAX_ITEMS"]),
            "explain": {"type": "boolean", "default": False,
                        "description": "Add the terms behind each article theme."},
            "min_score": {**_SCORE, "nullable": True,
                          "description": "Raise every theme's threshold to at least this "
                                         "score; never lowers one."}},
        "oneOf": [{"required": ["text"]}, {"required": ["items"]}],
    }


def _feedback_request(config, theme_ids) -> dict:
    theme = {"type": "string", "enum": list(theme_ids)} if theme_ids else _STRING
    themes = _array(theme, uniqueItems=True, description="Theme ids the editor says are right.")
    if theme_ids:
        themes["maxItems"] = len(theme_ids)
    item_id = {"oneOf": [{"type": "string", "maxLength": MAX_ID_CHARS},
                         {"type": "integer", "minimum": -MAX_INT_ID, "maximum": MAX_INT_ID}]}
    return {
        **_object(["text", "themes"],
                  text={"type": "string", "minLength": 1, "maxLength": config["MAX_TEXT_CHARS"],
                        "pattern": r"\S", "description": "The text the correction is about."},
                  themes=themes,
                  id={**item_id, "nullable": True,
                      "description": "The item's id in the caller's system."},
                  editor={"type": "string", "nullable": True, "maxLength": MAX_EDITOR_CHARS}),
        "additionalProperties": False,
    }


def _get(summary: str, ok: dict, *errors: tuple[str, str]) -> dict:
    responses = {"200": ok, **{status: _response(name) for status, name in errors}}
    return {"get": {"summary": summary, "responses": responses}}


def _paths() -> dict:
    not_ready = ("503", "NotReady")
    reloaded = _object(["model_version", "previous_version"], model_version=_STRING,
                       previous_version={**_STRING, "nullable": True})
    prometheus = {"description": "Prometheus text format.",
                  "content": {"text/plain": {"schema": _STRING}}}
    return {
        "/v1/tag": {"post": {
            "summary": "Themes of texts, per article and per paragraph",
            "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("TagRequest")}}},
            "responses": {
                "200": _json(_ref("TagResponse"), "A result for text; one per item, in order."),
                "400": _response("BadRequest"), "408": _response("BodyTimeout"),
                "413": _response("TooLarge"),
                "415": _response("UnsupportedMediaType"), "503": _response("NotReady")}}},
        "/v1/themes": _get("The taxonomy of the served model", _json(
            _object(["version", "themes"], version=_STRING,
                    themes=_array(_object(["id", "name_zh", "name_en", "keywords"]))),
            "Ids, names, descriptions, boundaries and keywords."), not_ready),
        "/v1/model": _get("Metadata and cross-validation figures of the served model", _json(
            _object(["version", "thresholds"]), "Version, thresholds, settings, evaluation."),
            not_ready),
        "/v1/feedback": {"post": {
            "summary": "An editor's correction of a text's themes, kept for retraining",
            "description": "Appends one record in the labelled-data exchange format to the "
                           "feedback file (TAGGER_FEEDBACK_FILE), synced to disk before the "
                           "answer; `tagger train --data FILE` learns from it. When "
                           "TAGGER_FEEDBACK_TOKEN is set, it requires that bearer token.",
            "security": [{}, {"bearer": []}],
            "requestBody": {"required": True, "content": {_JSON: {"schema": _ref(
                "FeedbackRequest")}}},
            "responses": {
                "201": _json(_object(["id", "stored"], id=_STRING, stored={"type": "boolean"}),
                             "Stored."),
                "400": _response("BadRequest"), "401": _response("FeedbackUnauthorized"),
                "403": _response("Forbidden"), "408": _response("BodyTimeout"),
                "413": _response("TooLarge"),
                "415": _response("UnsupportedMediaType"), "503": _response("NotReady")}}},
        "/v1/admin/reload": {"post": {
            "summary": "Load the model directory again (models/current by default)",
            "description": "Disabled (404) when no admin token is configured. On failure the old "
                           "model keeps serving. Requests in flight finish on the model they "
                           "started with; other gunicorn workers follow in the background.",
            "security": [{"bearer": []}],
            "responses": {"200": _json(reloaded, "Reloaded."),
                          "401": _response("Unauthorized"), "403": _response("Forbidden"),
                          "404": _response("AdminDisabled"), "409": _response("InvalidArtifact"),
                          "500": _response("ReloadFailed")}}},
        "/healthz": _get("The process is alive", _json(_STATUS, "Alive.")),
        "/readyz": _get("A model is loaded", _json(_STATUS, "Ready."), not_ready),
        "/metrics": _get("Prometheus metrics of the answering worker process", prometheus),
        "/openapi.json": _get("This document", _json({"type": "object"}, "OpenAPI 3.0.")),
        "/": _get("The page for editors", {"description": "HTML page.",
                                           "content": {"text/html": {"schema": _STRING}}}),
    }


def document(config, theme_ids=()) -> dict:
    """The OpenAPI document of an app with these limits and the served model's theme ids."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "union-tagger", "version": "1",
                 "description": "Tags Chinese trade-union news with the themes of union work. "
                                "Every error is {\"error\": {\"code\", \"message\"}}."},
        "paths": _paths(),
        "components": {
            "schemas": {"Error": _ERROR, "ArticleTheme": _ARTICLE_THEME, "Result": _RESULT,
                        "TagRequest": _tag_request(config), "TagResponse": _TAG_RESPONSE,
                        "FeedbackRequest": _feedback_request(config, theme_ids)},
            "responses": {name: _json(_ref("Error"), text) for name, text in _ERRORS.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    model = get_holder().model
    return document(current_app.config, model.theme_ids if model is not None else ())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
