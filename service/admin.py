"""Admin endpoints behind a bearer token; absent (404) when no token is configured."""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, current_app, request

from .errors import APIError
from .holder import LoadFailure, get_holder

bp = Blueprint("admin", __name__, url_prefix="/v1/admin")


def _authorize() -> None:
    token = current_app.config.get("ADMIN_TOKEN")
    if not token:
        raise APIError(404, "admin_disabled",
                       "admin endpoints are disabled; set TAGGER_ADMIN_TOKEN to enable them")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise APIError(401, "unauthorized", "send Authorization: Bearer <admin token>",
                       {"WWW-Authenticate": 'Bearer realm="tagger admin"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise APIError(403, "forbidden", "the admin token is wrong")


@bp.post("/reload")
def reload():
    _authorize()
    holder = get_holder()
    previous = holder.model.version if holder.model is not None else None
    try:
        model = holder.reload()
    except LoadFailure as exc:
        serving = f"still serving model {previous}" if previous else "no model is served"
        raise APIError(500, "reload_failed", f"{exc}; {serving}") from exc
    current_app.logger.info("reloaded model %s (was %s)", model.version, previous)
    return {"model_version": model.version, "previous_version": previous}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
