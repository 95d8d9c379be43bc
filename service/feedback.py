"""Editors' corrections: ``POST /v1/feedback`` appends one exchange-format record per post."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Flask, current_app, request

from .errors import APIError
from .holder import get_holder
from .validation import read_json, string_field

bp = Blueprint("feedback", __name__, url_prefix="/v1")
_FIELDS = ("id", "text", "themes", "editor")


class FeedbackLog:
    """An append-only JSONL file shared by threads and gunicorn workers.

    Each record is one ``write`` of a whole line to a file opened with ``O_APPEND`` under an
    exclusive ``flock``, then ``fsync``: concurrent posts never interleave, and an answered post
    is on disk.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)


def _bad(field: str, message: str) -> APIError:
    return APIError(400, "invalid_field", f"{field}: {message}")


def _checked(body, known: list[str], max_chars: int) -> dict:
    if not isinstance(body, dict):
        raise _bad("body", "expected a JSON object")
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise _bad(unknown[0], f"unknown field; expected {', '.join(_FIELDS)}")
    if "text" not in body:
        raise _bad("text", "required: the text the correction is about (the service keeps no "
                   "texts, so an id alone cannot be resolved)")
    if not string_field(body["text"], "text", max_chars).strip():
        raise _bad("text", "is empty")
    themes = body.get("themes")
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        raise _bad("themes", "required: the list of theme ids the editor says are right")
    for theme in themes:
        if theme not in known:
            raise _bad("themes", f"unknown theme id {theme!r}")
    item = body.get("id")
    if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
        string_field(item, "id")
    if body.get("editor") is not None:
        string_field(body["editor"], "editor")
    return body


@bp.post("/feedback")
def feedback():
    model = get_holder().current()
    body = _checked(read_json(request), model.theme_ids, current_app.config["MAX_TEXT_CHARS"])
    item = body.get("id")
    record = {
        "id": f"feedback-{uuid.uuid4().hex}",
        "doc": f"feedback:{item}" if item is not None else "feedback",
        "item": item,
        "text": body["text"].strip(),
        "labels": list(dict.fromkeys(body["themes"])),
        "editor": body.get("editor"),
        "model_version": model.version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    current_app.extensions["feedback_log"].append(record)
    return {"id": record["id"], "stored": True}, 201


def init_app(app: Flask) -> None:
    app.extensions["feedback_log"] = FeedbackLog(app.config["FEEDBACK_FILE"])
    app.register_blueprint(bp)
