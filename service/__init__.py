"""The HTTP service: the tagger's JSON API, a page for editors, and operations endpoints."""

from __future__ import annotations

from flask import Flask

from .config import load as load_config

__all__ = ["create_app"]


def _configure_logging(app: Flask) -> None:
    app.logger.setLevel(app.config["LOG_LEVEL"].upper())


def create_app(config=None) -> Flask:
    """Build the service around the model of ``MODEL_DIR``.

    The app starts even when the model does not load: it then answers ``/readyz`` and the API
    with 503 and the reason, until an admin reload succeeds.

    Parameters
    ----------
    config : mapping, optional
        Settings by name (any of ``classifier.settings.SETTINGS``: ``MODEL_DIR``,
        ``ADMIN_TOKEN``, ``FEEDBACK_TOKEN``, the request limits such as ``MAX_TOTAL_CHARS``
        and ``MAX_BODY_BYTES``, ...) and Flask's own keys. They override the ``TAGGER_*``
        environment, which overrides the defaults of ``classifier.settings``.

    Returns
    -------
    flask.Flask
        The WSGI app, with the model holder in ``app.extensions["model_holder"]``.
    """
    # Imported here, not above: `tagger serve` sets up prometheus_client's multiprocess mode
    # before anything imports it, and importing service.serve runs this module first.
    from . import admin, api, batching, errors, feedback, holder, json_provider, openapi, ops, page

    app = Flask(__name__)
    app.config.update(load_config(config))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    json_provider.init_app(app)
    _configure_logging(app)
    errors.init_app(app)
    holder.init_app(app)
    batching.init_app(app)
    ops.init_app(app)
    api.init_app(app)
    feedback.init_app(app)
    admin.init_app(app)
    openapi.init_app(app)
    page.init_app(app)
    return app
