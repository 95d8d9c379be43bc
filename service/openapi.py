"""``GET /openapi.json``: the hand-written OpenAPI 3.0 document of the service, with its limits."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

bp = Blueprint("openapi", __name__)

_JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _error(description: str) -> dict:
    return {"$ref": f"#/components/responses/{description}"}


_ERRORS = {
    "BadRequest": "The body is not valid JSON or a field is wrong; the message names the field.",
    "TooLarge": "The body, a text or the number of items is over its limit.",
    "UnsupportedMediaType": "The body is not sent as application/json.",
    "NotReady": "No model is loaded; the message says why.",
    "Unauthorized": "No bearer token was sent.",
    "Forbidden": "The bearer token is wrong.",
    "AdminDisabled": "No admin token is configured (TAGGER_ADMIN_TOKEN): admin endpoints are off.",
    "ReloadFailed": "The model did not load; the old model is still served.",
}


def _schemas(config) -> dict:
    text = {"type": "string", "maxLength": config["MAX_TEXT_CHARS"],
            "description": "An article; each non-empty line is a paragraph."}
    number = {"type": "number", "minimum": 0, "maximum": 1}
    theme_score = {"type": "object", "required": ["id", "name", "score"],
                   "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                  "score": number}}
    term = {"type": "object", "required": ["term", "weight"],
            "properties": {"term": {"type": "string"}, "weight": {"type": "number"}}}
    explanation = {
        "type": "object", "required": ["paragraph", "threshold", "up", "down"],
        "description": "Terms of the theme's best paragraph and their pull on its log-odds.",
        "properties": {"paragraph": {"type": "integer", "nullable": True}, "threshold": number,
                       "up": {"type": "array", "items": term},
                       "down": {"type": "array", "items": term}}}
    carried_by = {"type": "array", "items": {"type": "integer", "minimum": 0},
                  "description": "Indices of the paragraphs that carry the theme."}
    article_theme = {"allOf": [theme_score, {
        "type": "object", "required": ["paragraphs"],
        "properties": {"paragraphs": carried_by,
                       "explanation": {**explanation, "description": "With explain: true."}}}]}
    result = {"type": "object", "required": ["themes", "paragraphs", "model_version"],
              "properties": {
                  "themes": {"type": "array", "items": _ref("ArticleTheme")},
                  "paragraphs": {"type": "array", "items": {
                      "type": "object", "required": ["index", "text", "themes"],
                      "properties": {"index": {"type": "integer", "minimum": 0},
                                     "text": {"type": "string"},
                                     "themes": {"type": "array", "items": theme_score}}}},
                  "model_version": {"type": "string"}}}
    item_id = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
        "ArticleTheme": article_theme,
        "Result": result,
        "TagRequest": {
            "type": "object", "additionalProperties": False,
            "description": "Give either text or items.",
            "properties": {
                "text": text,
                "items": {"type": "array", "maxItems": config["MAX_ITEMS"], "items": {
                    "type": "object", "required": ["text"], "additionalProperties": False,
                    "properties": {"id": item_id, "text": text}}},
                "explain": {"type": "boolean", "default": False,
                            "description": "Add the top terms behind each article theme."},
                "min_score": {**number, "nullable": True,
                              "description": "Raise every theme's threshold to at least this "
                                             "score; never lowers one."}},
            "oneOf": [{"required": ["text"]}, {"required": ["items"]}]},
        "TagResponse": {"oneOf": [
            _ref("Result"),
            {"type": "object", "required": ["model_version", "items"], "properties": {
                "model_version": {"type": "string"},
                "items": {"type": "array", "items": {"allOf": [
                    _ref("Result"),
                    {"type": "object", "required": ["id"],
                     "properties": {"id": {**item_id, "nullable": True}}}]}}}}]},
    }


def _paths() -> dict:
    errors = {"400": _error("BadRequest"), "413": _error("TooLarge"),
              "415": _error("UnsupportedMediaType"), "503": _error("NotReady")}
    status = {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string"}, "model_version": {"type": "string"}}}
    return {
        "/v1/tag": {"post": {
            "summary": "Themes of texts, per article and per paragraph",
            "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("TagRequest")}}},
            "responses": {"200": _json(_ref("TagResponse"), "A result for text; a result per "
                                       "item, in order, for items."), **errors}}},
        "/v1/themes": {"get": {
            "summary": "The taxonomy of the served model",
            "responses": {"200": _json({"type": "object", "required": ["version", "themes"],
                                        "properties": {"version": {"type": "string"},
                                                       "themes": {"type": "array", "items": {
                                                           "type": "object",
                                                           "required": ["id", "name_zh"]}}}},
                                       "Theme ids, names, descriptions, boundaries, keywords."),
                          "503": errors["503"]}}},
        "/v1/model": {"get": {
            "summary": "Metadata and cross-validation figures of the served model",
            "responses": {"200": _json({"type": "object", "required": ["version"]},
                                       "Version, thresholds, settings, evaluation, libraries."),
                          "503": errors["503"]}}},
        "/v1/admin/reload": {"post": {
            "summary": "Load the model directory again (models/current by default)",
            "description": "Disabled (404) when no admin token is configured. On failure the "
                           "old model keeps serving. Requests in flight finish on the model "
                           "they started with; other gunicorn workers follow in the background.",
            "security": [{"bearer": []}],
            "responses": {"200": _json({"type": "object", "required": [
                "model_version", "previous_version"], "properties": {
                "model_version": {"type": "string"},
                "previous_version": {"type": "string", "nullable": True}}}, "Reloaded."),
                "401": _error("Unauthorized"), "403": _error("Forbidden"),
                "404": _error("AdminDisabled"), "500": _error("ReloadFailed")}}},
        "/healthz": {"get": {"summary": "The process is alive",
                             "responses": {"200": _json(status, "Alive.")}}},
        "/readyz": {"get": {"summary": "A model is loaded",
                            "responses": {"200": _json(status, "Ready."),
                                          "503": errors["503"]}}},
        "/metrics": {"get": {"summary": "Prometheus metrics of the answering process",
                             "responses": {"200": {"description": "Prometheus text format.",
                                                   "content": {"text/plain": {"schema": {
                                                       "type": "string"}}}}}}},
        "/openapi.json": {"get": {"summary": "This document",
                                  "responses": {"200": _json({"type": "object"}, "OpenAPI 3.0.")}}},
        "/": {"get": {"summary": "The page for editors",
                      "responses": {"200": {"description": "HTML page.", "content": {
                          "text/html": {"schema": {"type": "string"}}}}}}},
    }


def document(config) -> dict:
    """The OpenAPI document for an app with these limits."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "union-tagger", "version": "1",
                 "description": "Tags Chinese trade-union news with the themes of union work. "
                                "Every error is {\"error\": {\"code\", \"message\"}}."},
        "paths": _paths(),
        "components": {
            "schemas": _schemas(config),
            "responses": {name: _json(_ref("Error"), text) for name, text in _ERRORS.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return document(current_app.config)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
