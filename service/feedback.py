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

from classifier.data import schema

from . import ops
from .auth import require_bearer
from .errors import APIError
from .holder import get_holder
from .validation import raise_for, read_json

bp = Blueprint("feedback", __name__, url_prefix="/v1")
_FIELDS = ("id", "text", "themes", "editor")
# The caps of a correction's fields (the text's is MAX_TEXT_CHARS), which the OpenAPI document
# describes: the record schema's, since the file feeds training.
MAX_ID_CHARS, MAX_INT_ID, MAX_EDITOR_CHARS = (schema.MAX_ID_CHARS, schema.MAX_INT_ID,
                                              schema.MAX_EDITOR_CHARS)


class FeedbackLog:
    """An append-only JSONL file shared by threads and gunicorn workers.

    Each record is one ``write`` of a whole line to a file opened with ``O_APPEND`` under an
    exclusive ``flock``, then ``fsync``: concurrent posts never interleave, and an answered post
    is on disk.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict) -> int:
        """Append the record; the bytes written."""
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
        return len(line)


def _bad(field: str, message: str) -> APIError:
    return APIError(400, "invalid_field", f"{field}: {message}")


def _checked(body, known: list[str], max_chars: int) -> dict:
    """The correction, its fields checked by the record schema in the order of the form."""
    if not isinstance(body, dict):
        raise _bad("body", "expected a JSON object")
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise _bad(unknown[0], f"unknown field; expected {', '.join(_FIELDS)}")
    raise_for(schema.text_problem(body.get("text"), "text", max_chars))
    for problem in schema.labels_problems(body.get("themes"), known, "themes")[:1]:
        raise_for(problem)
    raise_for(schema.id_problem(body.get("id")))
    editor = body.get("editor")
    if editor is not None:
        raise_for(schema.string_problem(editor, "editor", MAX_EDITOR_CHARS))
    return {"text": body["text"].strip(), "themes": body["themes"], "id": body.get("id"),
            "editor": editor}


def _authorize() -> None:
    token = current_app.config.get("FEEDBACK_TOKEN")
    if token:
        require_bearer(token, "feedback")


def _record(body: dict, model) -> dict:
    item = body["id"]
    return {
        "id": f"feedback-{uuid.uuid4().hex}",
        "doc": f"feedback:{item}" if item is not None else "feedback",
        "item": item,
        "text": body["text"],
        "labels": body["themes"],
        "editor": body["editor"],
        "model_version": model.version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@bp.post("/feedback")
def feedback():
    counted = ops.get_metrics().feedback
    try:
        _authorize()
        model = get_holder().current()
        body = _checked(read_json(request), model.theme_ids,
                        current_app.config["MAX_TEXT_CHARS"])
    except APIError as exc:
        counted.labels(_OUTCOMES.get(exc.status, "refused")).inc()
        raise
    record = _record(body, model)
    size = current_app.extensions["feedback_log"].append(record)
    counted.labels("stored").inc()
    ops.get_metrics().feedback_bytes.inc(size)
    return {"id": record["id"], "stored": True}, 201


# How a refused correction is counted in tagger_feedback_total, by status.
_OUTCOMES = {401: "unauthorized", 403: "unauthorized", 503: "not_ready"}


def init_app(app: Flask) -> None:
    app.extensions["feedback_log"] = FeedbackLog(app.config["FEEDBACK_FILE"])
    app.register_blueprint(bp)
