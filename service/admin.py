"""Admin endpoints behind a bearer token; absent (404) when no token is configured."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

from .auth import require_bearer
from .errors import APIError
from .holder import LoadFailure, get_holder

bp = Blueprint("admin", __name__, url_prefix="/v1/admin")


def _authorize() -> None:
    token = current_app.config.get("ADMIN_TOKEN")
    if not token:
        raise APIError(404, "admin_disabled",
                       "admin endpoints are disabled; set TAGGER_ADMIN_TOKEN to enable them")
    require_bearer(token, "admin")


@bp.post("/reload")
def reload():
    _authorize()
    holder = get_holder()
    previous = holder.model.version if holder.model is not None else None
    try:
        model = holder.reload()
    except LoadFailure as exc:
        serving = f"still serving model {previous}" if previous else "no model is served"
        if exc.artifact:  # the operator's to fix: the request conflicts with what is on disk
            raise APIError(409, "invalid_artifact", f"{exc.reason}; {serving}") from exc
        raise APIError(500, "reload_failed", f"{exc.reason}; {serving}") from exc
    current_app.logger.info("reloaded model %s (was %s)", model.version, previous)
    return {"model_version": model.version, "previous_version": previous}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
