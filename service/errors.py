"""One JSON error shape for every failure: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException


class APIError(Exception):
    """A failure to report to the client, raised as data and rendered by one handler."""

    def __init__(self, status: int, code: str, message: str, headers=None):
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        super().__init__(f"{status} {code}: {message}")


def error_response(status: int, code: str, message: str, headers=None):
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _allowed(exc: HTTPException) -> str:
    return dict(exc.get_headers()).get("Allow", "")


# Flask's own errors, as codes and messages that say what to change.
_HTTP_ERRORS = {
    404: ("not_found", lambda exc: f"no such endpoint: {request.path}"),
    405: ("method_not_allowed",
          lambda exc: f"{request.method} is not allowed on {request.path}; "
                      f"allowed: {_allowed(exc)}"),
    413: ("body_too_large",
          lambda exc: "request body is over the limit of "
                      f"{current_app.config['MAX_BODY_BYTES']} bytes"),
    415: ("unsupported_media_type", lambda exc: "send the body as application/json"),
}


def _http_error(exc: HTTPException):
    code, message = _HTTP_ERRORS.get(exc.code, (None, None))
    if code is None:
        code = exc.name.lower().replace(" ", "_").replace("'", "")
        message = exc.description or exc.name
    else:
        message = message(exc)
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_response(exc.code or 500, code, message, headers)


def _api_error(exc: APIError):
    return error_response(exc.status, exc.code, exc.message, exc.headers)


def _unexpected(exc: Exception):
    current_app.logger.exception("unhandled error on %s %s (request %s)", request.method,
                                 request.path, g.get("request_id", "-"))
    return error_response(500, "internal_error", "internal error; see the server log")


def init_app(app: Flask) -> None:
    app.register_error_handler(APIError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
