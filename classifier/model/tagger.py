"""The trained tagger: paragraphs in, themes with scores and reasons out."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifier import settings
from classifier.data.taxonomy import Taxonomy
from classifier.errors import UnknownThemeError
from classifier.model import features
from classifier.model.artifact import Artifact
from classifier.model.results import Explanation, Paragraph, Result, Term, ThemeScore
from classifier.model.segmentation import segmenter_of
from classifier.model.text import split_paragraphs
from classifier.training.fitting import TrainSettings, predict_scores, scores_of


class Model:
    """A loaded model artifact; thread-safe for tagging once constructed."""

    def __init__(self, estimator: dict, metadata: dict, path: Path | None = None):
        self.estimator = estimator
        self.metadata = metadata
        self.path = path
        self.version = metadata["version"]
        self.taxonomy = Taxonomy.from_dict(metadata["taxonomy"])
        self.settings = TrainSettings.from_dict(metadata["settings"])
        self.thresholds = np.asarray(metadata["thresholds_array"], dtype=float)
        self.segmenter = segmenter_of(metadata)
        self._names = {t.id: t.name_zh for t in self.taxonomy.themes}
        self._feature_names = None

    @property
    def theme_ids(self) -> list[str]:
        return self.taxonomy.ids

    def scores(self, paragraphs: list[str], segmented: list[str] | None = None) -> np.ndarray:
        """Score matrix (paragraph x theme), all themes in one sparse product."""
        if not paragraphs:
            return np.zeros((0, len(self.theme_ids)))
        prepared = features.prepare(paragraphs, self.segmenter, segmented)
        return predict_scores(self.estimator, prepared, self.settings)

    def _cutoffs(self, min_score: float | None) -> np.ndarray:
        return self.thresholds if min_score is None else np.maximum(self.thresholds, min_score)

    def tag(self, texts, min_score: float | None = None, *,
            segmented: list[str] | None = None) -> list[Result]:
        """Tag articles: themes per paragraph and per article.

        Parameters
        ----------
        texts : str or iterable of str
            Articles; each is split into paragraphs at line breaks.
        min_score : float, optional
            Raise every theme's threshold to at least this score (never lowers it).
        segmented : list of str, optional
            Every paragraph of the texts in order, segmented by ``segment.segment_paragraphs`` with
            this model's segmenter elsewhere (in another process, ahead of time).

        Returns
        -------
        list of Result
            One per text, in order.

        Examples
        --------
        >>> model = load_model()
        >>> result = model.tag(["外卖骑手集中入会，领到了工会会员证。"])[0]
        >>> "new_employment_membership" in result.theme_ids
        True
        """
        texts = [texts] if isinstance(texts, str) else list(texts)
        split = [split_paragraphs(t) for t in texts]
        hits = _hits(self.scores([p for paragraphs in split for p in paragraphs], segmented),
                     self._cutoffs(min_score))
        results, start = [], 0
        for paragraphs in split:
            results.append(self._result(paragraphs, hits[start:start + len(paragraphs)]))
            start += len(paragraphs)
        return results

    def _theme(self, j: int, score: float, paragraphs=()) -> ThemeScore:
        tid = self.theme_ids[j]
        return ThemeScore(tid, self._names[tid], round(score, 4), tuple(paragraphs))

    def _result(self, paragraphs: list[str], hits: list[list[tuple[int, float]]]) -> Result:
        para_results, best, carriers = [], {}, {}
        for i, (text, found) in enumerate(zip(paragraphs, hits, strict=True)):
            themes = sorted((self._theme(j, score) for j, score in found), key=_by_score)
            para_results.append(Paragraph(i, text, tuple(themes)))
            for j, score in found:
                carriers.setdefault(j, []).append(i)
                best[j] = max(score, best.get(j, score))
        themes = sorted((self._theme(j, best[j], carriers[j]) for j in sorted(carriers)),
                        key=_by_score)
        return Result(tuple(themes), tuple(para_results), self.version)

    def explain(self, text: str, theme: str, top: int = 10) -> Explanation:
        """Terms that pushed a theme's score up or down in the text's best paragraph.

        Parameters
        ----------
        text : str
            An article or paragraph.
        theme : str
            A theme id of the model's taxonomy.
        top : int
            How many terms to give in each direction.

        Returns
        -------
        Explanation
            The score and threshold, the paragraph index, and terms with their weights
            (contribution to the theme's log-odds); every term occurs in the normalised text.
        """
        return self.explain_themes(text, [theme], top)[0]

    def explain_themes(self, text: str, themes, top: int = 10) -> list[Explanation]:
        """``explain`` for several themes of one text, which is featurised only once."""
        for theme in themes:
            if theme not in self.theme_ids:
                raise UnknownThemeError(theme, self.theme_ids)
        paragraphs = split_paragraphs(text)
        if not paragraphs:
            return [Explanation(t, self._names[t], 0.0, float(self.thresholds[self.theme_ids
                                                                             .index(t)]), None)
                    for t in themes]
        prepared = features.prepare(paragraphs, self.segmenter)
        X = features.transform(self.estimator, prepared, self.settings.features)
        scores = scores_of(self.estimator, X)
        return [self._explanation(X, scores, prepared, self.theme_ids.index(t), top)
                for t in themes]

    def _explanation(self, X, scores, prepared, j: int, top: int) -> Explanation:
        best = int(np.argmax(scores[:, j]))
        weights = self._term_weights(X[best], j, prepared.normalized[best])
        ranked = sorted(weights.items(), key=lambda kv: -kv[1])
        up = tuple(Term(t, round(float(w), 4)) for t, w in ranked[:top] if w > 0)
        down = tuple(Term(t, round(float(w), 4)) for t, w in reversed(ranked[-top:]) if w < 0)
        theme = self.theme_ids[j]
        return Explanation(theme, self._names[theme], round(float(scores[best, j]), 4),
                           float(self.thresholds[j]), best, up, down)

    def _term_weights(self, row, j: int, normalized: str) -> dict[str, float]:
        if self._feature_names is None:
            self._feature_names = features.feature_names(self.estimator, self.taxonomy)
        weights: dict[str, float] = {}
        contributions = row.data * self.estimator["coef"][row.indices, j]
        for index, value in zip(row.indices, contributions, strict=True):
            name = self._feature_names[index]
            if name.startswith("keywords:"):
                matched = [k for k in self.taxonomy[name[9:]].keywords if k in normalized]
                for keyword in matched:
                    weights[keyword] = weights.get(keyword, 0.0) + value / len(matched)
            elif name.strip():
                weights[name] = weights.get(name, 0.0) + float(value)
        return weights


def _by_score(theme: ThemeScore) -> float:
    return -theme.score


def _hits(scores: np.ndarray, cutoffs: np.ndarray) -> list[list[tuple[int, float]]]:
    """Per paragraph, its themes at or above their cutoffs: (theme index, score), index order."""
    rows, cols = np.nonzero(scores >= cutoffs)
    hits: list[list[tuple[int, float]]] = [[] for _ in range(len(scores))]
    for i, j, score in zip(rows.tolist(), cols.tolist(), scores[rows, cols].tolist(),
                           strict=True):
        hits[i].append((j, score))
    return hits


def load_model(path: str | Path | None = None) -> Model:
    """Load a model artifact, verifying its checksums, library versions and types.

    Parameters
    ----------
    path : str or Path, optional
        An artifact directory; by default ``TAGGER_MODEL_DIR`` or ``models/current``.

    Returns
    -------
    Model

    Raises
    ------
    ArtifactError
        The directory is missing, tampered with, truncated, or built by other library versions.
    """
    directory = Path(path) if path is not None else settings.default_model_dir()
    estimator, metadata = Artifact(directory).load()
    return Model(estimator, metadata, directory.resolve())
