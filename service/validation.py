"""Request bodies checked field by field: 400 names the field, 413 names the limit."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Request

from .errors import APIError

_TAG_FIELDS = ("text", "items", "explain", "min_score")
_ITEM_FIELDS = ("id", "text")


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


def read_json(request: Request):
    """The parsed body: 415 unless it is sent as JSON, 400 unless it parses, 413 over the limit."""
    if not request.is_json:
        raise APIError(415, "unsupported_media_type",
                       f"send the body as application/json, not {request.mimetype or 'nothing'}")
    data = request.get_data(cache=False)
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise APIError(400, "invalid_json", f"body: not valid JSON: {exc}") from None


def string_field(value, field: str, limit: int | None = None) -> str:
    if not isinstance(value, str):
        raise _bad(field, "expected a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad(field, "holds a lone surrogate; send valid Unicode") from None
    if limit is not None and len(value) > limit:
        raise APIError(413, "text_too_long",
                       f"{field}: {len(value)} characters; the limit is {limit}")
    return value


def _object(value, field: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise _bad(field, "expected a JSON object")
    for key in value:
        if key not in allowed:
            name = f"{field}.{key}" if field != "body" else key
            raise _bad(name, f"unknown field; expected {', '.join(allowed)}")
    return value


def _item(value, index: int, max_chars: int) -> Item:
    field = f"items[{index}]"
    value = _object(value, field, _ITEM_FIELDS)
    if "text" not in value:
        raise _bad(f"{field}.text", "required")
    item_id = value.get("id")
    if item_id is not None and (isinstance(item_id, bool) or not isinstance(item_id, str | int)):
        raise _bad(f"{field}.id", "expected a string or an integer")
    if isinstance(item_id, str):
        string_field(item_id, f"{field}.id")
    return Item(item_id, string_field(value["text"], f"{field}.text", max_chars))


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
        items = (Item(None, string_field(body["text"], "text", config["MAX_TEXT_CHARS"])),)
    else:
        items = _items(body["items"], config)
    return TagRequest(items, "text" in body, explain, min_score)
