"""union-tagger: tags Chinese trade-union news with the themes of union work it reports."""

from classifier.errors import ArtifactError, DataError, TaggerError, UnknownThemeError
from classifier.model.results import Explanation, Result, ThemeScore
from classifier.model.tagger import Model, load_model

__all__ = ["ArtifactError", "DataError", "Explanation", "Model", "Result", "TaggerError",
           "ThemeScore", "UnknownThemeError", "load_model"]
