"""union-tagger: tags Chinese trade-union news with the themes of union work it reports."""

from __future__ import annotations

import importlib

# Public names and the modules that hold them; imported on first use so that light commands
# (``tagger data check``) do not pay for scikit-learn.
_EXPORTS = {
    "ArtifactError": "errors", "DataError": "errors", "TaggerError": "errors",
    "UnknownThemeError": "errors", "Model": "model.tagger", "load_model": "model.tagger",
    "Result": "model.results", "ThemeScore": "model.results",
    "Explanation": "model.results",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'classifier' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__():
    return __all__
