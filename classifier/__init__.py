"""union-tagger: tags Chinese trade-union news with the themes of union work it reports."""

from importlib.metadata import PackageNotFoundError, version

from classifier.errors import ArtifactError, DataError, TaggerError, UnknownThemeError
from classifier.model.results import Explanation, Result, ThemeScore
from classifier.model.tagger import Model, load_model

try:
    __version__ = version("union-tagger")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "unknown"

__all__ = ["ArtifactError", "DataError", "Explanation", "Model", "Result", "TaggerError",
           "ThemeScore", "UnknownThemeError", "load_model"]
