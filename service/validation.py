"""Request bodies checked field by field: 400 names the field, 413 names the limit."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Request, current_app
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import get_input_stream

from classifier.data.schema import FieldProblem, id_problem, text_problem

from .errors import APIError

_TAG_FIELDS = ("text", "items", "explain", "min_score")
_ITEM_FIELDS = ("id", "text")
# The error code of a field over a cap, by what the cap counts.
_LIMIT_CODES = {"characters": "text_too_long", "theme ids": "too_many_themes"}


@dataclass(frozen=True)
class Item:
    id: str | int | None
    text: str


@dataclass(frozen=True)
class TagRequest:
    """A valid ``POST /v1/tag`` body; ``single`` when it gave one ``text`` rather than items."""

    items: tuple[Item, ...]
    single: bool
    explain: bool = False
    min_score: float | None = None


def _bad(field: str, message: str) -> APIError:
    return APIError(400, "invalid_field", f"{field}: {message}")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _body(request: Request, limit: int) -> bytes:
    """The body, with or without Content-Length (chunked); 413 over ``limit`` bytes."""
    # One byte over the limit is read, so that a body over it is refused rather than cut short.
    stream = get_input_stream(request.environ, max_content_length=limit + 1)
    try:
        data = stream.read(limit + 1)
    except (HTTPException, APIError):
        raise
    except Exception as exc:  # each server reports a malformed body its own way
        raise APIError(400, "malformed_body", f"body: could not be read: {exc}") from None
    if len(data) > limit:
        raise APIError(413, "body_too_large", f"request body is over the limit of {limit} bytes")
    return data


def read_json(request: Request):
    """The parsed body: 415 unless it is sent as JSON, 400 unless it parses, 413 over the limit."""
    if not request.is_json:
        raise APIError(415, "unsupported_media_type",
                       f"send the body as application/json, not {request.mimetype or 'nothing'}")
    data = _body(request, current_app.config["MAX_BODY_BYTES"])
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise APIError(400, "invalid_json", f"body: not valid JSON: {exc}") from None


def raise_for(problem: FieldProblem | None) -> None:
    """A problem the record schema found, as the service reports it: 413 when a field is over
    a cap, else 400; either way the message starts with the field's name."""
    if problem is None:
        return
    if problem.over_limit:
        raise APIError(413, _LIMIT_CODES[problem.unit], f"{problem.field}: {problem.size} "
                       f"{problem.unit}; the limit is {problem.limit}")
    raise _bad(problem.field, problem.message)


def _object(value, field: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise _bad(field, "expected a JSON object")
    for key in value:
        if key not in allowed:
            name = f"{field}.{key}" if field != "body" else key
            raise _bad(name, f"unknown field; expected {', '.join(allowed)}")
    return value


def _text(value, field: str, max_chars: int) -> str:
    # An empty text is tagged with no themes, as Model.tag tags it.
    raise_for(text_problem(value, field, max_chars, empty=True))
    return value


def _item(value, index: int, max_chars: int) -> Item:
    field = f"items[{index}]"
    value = _object(value, field, _ITEM_FIELDS)
    raise_for(id_problem(value.get("id"), f"{field}.id"))
    return Item(value.get("id"), _text(value.get("text"), f"{field}.text", max_chars))


def _items(value, config) -> tuple[Item, ...]:
    if not isinstance(value, list):
        raise _bad("items", "expected an array of {\"id\", \"text\"} objects")
    if len(value) > config["MAX_ITEMS"]:
        raise APIError(413, "too_many_items",
                       f"items: {len(value)} items; the limit is {config['MAX_ITEMS']}")
    return tuple(_item(v, i, config["MAX_TEXT_CHARS"]) for i, v in enumerate(value))


def _min_score(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _bad("min_score", "expected a number from 0 to 1")
    return float(value)


def tag_request(body, config) -> TagRequest:
    """Check a ``POST /v1/tag`` body against the request limits of ``config``."""
    body = _object(body, "body", _TAG_FIELDS)
    if ("text" in body) == ("items" in body):
        raise _bad("text", "give either text or items, not both and not neither")
    explain = body.get("explain", False)
    if not isinstance(explain, bool):
        raise _bad("explain", "expected true or false")
    min_score = _min_score(body.get("min_score"))
    if "text" in body:
        items = (Item(None, _text(body["text"], "text", config["MAX_TEXT_CHARS"])),)
    else:
        items = _items(body["items"], config)
    _check_total(items, "text" if "text" in body else "items", explain,
                 config["MAX_TOTAL_CHARS"])
    return TagRequest(items, "text" in body, explain, min_score)


def total_chars_limit(limit: int, explain: bool) -> int:
    """Characters one request may hold: explanations cost about as much again as tagging."""
    return limit // 2 if explain else limit


def _check_total(items: tuple[Item, ...], field: str, explain: bool, limit: int) -> None:
    """Bound the work of one request, whatever its items and their lengths."""
    total, allowed = sum(len(item.text) for item in items), total_chars_limit(limit, explain)
    if total > allowed:
        with_explain = " with explain" if explain else ""
        raise APIError(413, "too_many_chars", f"{field}: {total} characters in all; the limit"
                       f"{with_explain} is {allowed}")
