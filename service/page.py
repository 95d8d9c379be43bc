"""The page for editors at ``/``: paste an article, see its themes and why."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from .validation import total_chars_limit

bp = Blueprint("page", __name__)

# The page loads nothing but its own script and style sheet, and talks only to this server.
_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
           "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@bp.get("/")
def index():
    config = current_app.config
    # The page asks for explanations, which halve the characters a request may hold.
    max_chars = min(config["MAX_TEXT_CHARS"], total_chars_limit(config["MAX_TOTAL_CHARS"], True))
    html = render_template("index.html", max_chars=max_chars,
                           feedback_token=bool(config["FEEDBACK_TOKEN"]))
    return html, 200, {"Content-Security-Policy": _POLICY, "X-Content-Type-Options": "nosniff"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
