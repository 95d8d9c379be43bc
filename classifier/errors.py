"""Exceptions of the tagger; each builds its message from data so callers can print it as is."""

from __future__ import annotations

from dataclasses import dataclass


class TaggerError(Exception):
    """Base of every error the tagger reports to a user instead of a traceback."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as ``path:line``."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class DataError(TaggerError):
    """Input data (labels, taxonomy, batch input) is malformed; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Rebuilt from its data, so that it crosses process boundaries (joblib, Dask) intact.
        return type(self), (self.problems,)


class ArtifactError(TaggerError):
    """A model artifact is missing, tampered with, truncated or built by other library versions."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):
        return type(self), (self.path, self.reason)


class UnknownThemeError(TaggerError, KeyError):
    """A theme id that the model's taxonomy does not know."""

    def __init__(self, theme: str, known: list[str]):
        self.theme = theme
        self.known = list(known)
        super().__init__(f"unknown theme {theme!r}; known themes: {', '.join(known)}")

    def __reduce__(self):
        return type(self), (self.theme, self.known)

    def __str__(self) -> str:
        return self.args[0]
