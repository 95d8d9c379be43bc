"""The service's configuration: the settings table's defaults, then ``TAGGER_*``, then a mapping."""

from __future__ import annotations

import os

from classifier import settings

# Settings that must be positive whole numbers: the request limits and timeouts.
_LIMITS = ("MAX_TEXT_CHARS", "MAX_ITEMS", "MAX_BODY_BYTES", "MAX_TOTAL_CHARS", "HEADER_TIMEOUT",
           "BODY_TIMEOUT")


def _convert(setting: settings.Setting, value, source: str):
    if value is None and setting.default is None:
        return None
    if setting.kind is str:
        return str(value)  # paths given as Path objects, for instance
    try:
        converted = setting.kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"{source}: expected {setting.kind.__name__}, got {value!r}") from None
    if setting.name in _LIMITS and converted < 1:
        raise ValueError(f"{source}: must be at least 1, got {value!r}")
    return converted


def load(config=None, environ=None) -> dict:
    """Every setting by name, plus any other keys of ``config`` (Flask's own, for instance)."""
    environ = os.environ if environ is None else environ
    config = dict(config or {})
    values = {}
    for setting in settings.SETTINGS:
        if setting.name in config:
            value, source = config.pop(setting.name), setting.name
        else:
            value, source = environ.get(setting.env) or setting.default, setting.env
        values[setting.name] = _convert(setting, value, source)
    values["MODEL_DIR"] = str(values["MODEL_DIR"] or settings.default_model_dir(environ))
    return {**values, **config}
