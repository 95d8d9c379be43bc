"""The page for editors at ``/``: paste an article, see its themes and why."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

bp = Blueprint("page", __name__)

# The page loads nothing but its own script and style sheet, and talks only to this server.
_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
           "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@bp.get("/")
def index():
    html = render_template("index.html", max_chars=current_app.config["MAX_TEXT_CHARS"])
    return html, 200, {"Content-Security-Policy": _POLICY, "X-Content-Type-Options": "nosniff"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
