"""The trained tagger: paragraphs in, themes with scores and reasons out."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from classifier import settings
from classifier.data.taxonomy import Taxonomy
from classifier.errors import ArtifactError, UnknownThemeError
from classifier.model.artifact import Artifact, resolved
from classifier.model.context import Context, read
from classifier.model.features import FeatureSettings, prepare
from classifier.model.linear import LinearModel
from classifier.model.results import Explanation, Paragraph, Result, Term, ThemeScore
from classifier.model.segmentation import Segmenter, segmenter_from_spec
from classifier.model.text import split_paragraphs

# Main themes: at most this many, each with at least this share of the top theme's weight.
MAIN_THEMES_MAX = 3
MAIN_THEME_SHARE = 0.5
# A term shown in an explanation is letters and digits only: no punctuation fragments (驿站，).
_READABLE = re.compile(r"\w+")


class Model:
    """A loaded model: the paragraph model, the article context, the taxonomy and segmenter.

    Thread-safe for tagging once constructed. Building one needs no scikit-learn.
    """

    def __init__(self, linear: LinearModel, context: Context, taxonomy: Taxonomy,
                 segmenter: Segmenter, metadata: dict, path: Path | None = None):
        self.linear = linear
        self.context = context
        self.taxonomy = taxonomy
        self.segmenter = segmenter
        self.metadata = metadata
        self.path = path
        self.version = metadata["version"]
        self._names = {t.id: t.name_zh for t in taxonomy.themes}
        self._ids = tuple(taxonomy.ids)  # looked up per theme found: made once
        self._feature_names = None

    @classmethod
    def from_artifact(cls, artifact: Artifact) -> Model:
        """Verify and load an artifact directory; every inconsistency is an ArtifactError."""
        arrays, metadata = artifact.load()
        try:
            taxonomy = Taxonomy.from_dict(metadata["taxonomy"])
            settings = FeatureSettings.from_dict(metadata["features"])
            segmenter = segmenter_from_spec(metadata["segmenter"], artifact.path)
            missing = set(LinearModel.ARRAYS + Context.ARRAYS) - set(arrays)
            if missing:
                raise ValueError(f"missing arrays: {', '.join(sorted(missing))}")
            linear = LinearModel.from_arrays(arrays, settings, len(taxonomy.ids))
            context = Context.from_arrays(arrays, linear.features.n_features, len(taxonomy.ids))
            str(metadata["version"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(artifact.path, f"inconsistent artifact: {exc}") from exc
        return cls(linear, context, taxonomy, segmenter, metadata, resolved(artifact.path))

    def save(self, artifact: Artifact) -> Artifact:
        """Write the model's arrays and metadata into an artifact directory."""
        metadata = {**self.metadata, "taxonomy": self.taxonomy.to_dict(),
                    "features": self.linear.features.settings.to_dict(),
                    "segmenter": self.segmenter.spec()}
        return artifact.write({**self.linear.to_arrays(), **self.context.to_arrays()}, metadata)

    @property
    def theme_ids(self) -> list[str]:
        return list(self._ids)

    @property
    def thresholds(self) -> np.ndarray:
        """Each theme's threshold for a paragraph inside an article."""
        return self.context.thresholds_[0]

    def theme_thresholds(self) -> dict[str, dict[str, float]]:
        """Each theme's thresholds, in articles and for a text of one paragraph, rounded."""
        rows = self.context.thresholds_.round(4).tolist()
        return {tid: {"in_article": rows[0][j], "alone": rows[1][j]}
                for j, tid in enumerate(self.theme_ids)}

    def evidence(self, paragraphs: list[str], article_of, segmented=None):
        """Everything the heads read of these paragraphs, and their feature matrix."""
        prepared = prepare(paragraphs, self.segmenter, segmented)
        evidence, X = read(self.linear, self.context.gate, self.context.names_union, prepared,
                           article_of)
        return evidence, X, prepared

    def scores(self, paragraphs: list[str], segmented: list[str] | None = None,
               article_of=None) -> np.ndarray:
        """Probability per paragraph and theme; by default each paragraph is a text of its own,
        ``article_of`` gives each paragraph's article index otherwise."""
        if not paragraphs:
            return np.zeros((0, len(self.theme_ids)))
        article_of = np.arange(len(paragraphs)) if article_of is None else article_of
        return self.context.probabilities(self.evidence(paragraphs, article_of, segmented)[0])

    def stale_reason(self, taxonomy_version: str | None) -> str | None:
        """Why the model does not fit a taxonomy version, or None when it does (or is unknown)."""
        if taxonomy_version is None or taxonomy_version == self.taxonomy.version:
            return None
        return (f"model {self.version} was trained on taxonomy version {self.taxonomy.version},"
                f" the data uses version {taxonomy_version}: retrain")

    def scores_and_cutoffs(self, paragraphs: list[str], article_of) -> tuple[np.ndarray,
                                                                             np.ndarray]:
        """Probabilities and the thresholds that apply, per paragraph and theme, for
        paragraphs grouped into articles by ``article_of``."""
        evidence = self.evidence(paragraphs, article_of)[0]
        return self.context.probabilities(evidence), self.context.cutoffs(evidence)

    def tag(self, texts, min_score: float | None = None, *,
            segmented: list[str] | None = None) -> list[Result]:
        """Tag articles: themes per paragraph, and the article's main and mentioned themes.

        A paragraph is read with its article around it: the themes are themes of union work,
        so an article that reports none gives its paragraphs none, and a paragraph of a union
        article keeps its theme without naming the union again. A text of one paragraph is
        its own context.

        Parameters
        ----------
        texts : str or iterable of str
            Articles; each is split into paragraphs at line breaks.
        min_score : float, optional
            Raise every theme's threshold to at least this score (never lowers it).
        segmented : list of str, optional
            Every paragraph of the texts in order, segmented by
            ``segmentation.segment_paragraphs`` with this model's segmenter elsewhere.

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
        paragraphs = [p for part in split for p in part]
        if not paragraphs:
            return [Result((), (), self.version) for _ in split]
        article_of = np.repeat(np.arange(len(split)), [len(part) for part in split])
        evidence = self.evidence(paragraphs, article_of, segmented)[0]
        scores = self.context.probabilities(evidence)
        cutoffs = self.context.cutoffs(evidence)
        if min_score is not None:
            cutoffs = np.maximum(cutoffs, min_score)
        hits = _hits(scores, cutoffs)
        results, start = [], 0
        for part in split:
            end = start + len(part)
            results.append(self._result(part, hits[start:end], scores[start:end]))
            start = end
        return results

    def _theme(self, j: int, score: float, paragraphs=(), main: bool = False) -> ThemeScore:
        tid = self._ids[j]
        return ThemeScore(tid, self._names[tid], round(score, 4), tuple(paragraphs), main)

    def _result(self, paragraphs: list[str], hits: list[list[tuple[int, float]]],
                scores: np.ndarray) -> Result:
        para_results, best, carriers = [], {}, {}
        for i, (text, found) in enumerate(zip(paragraphs, hits, strict=True)):
            if not found:
                para_results.append(Paragraph(i, text, ()))
                continue
            themes = sorted((self._theme(j, score) for j, score in found), key=_by_score)
            para_results.append(Paragraph(i, text, tuple(themes)))
            for j, score in found:
                carriers.setdefault(j, []).append(i)
                best[j] = max(score, best.get(j, score))
        main = main_themes(scores, sorted(carriers))
        themes = sorted((self._theme(j, best[j], carriers[j], j in main) for j in carriers),
                        key=_by_main_then_score)
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
            The score and threshold, the paragraph index, the pull of the article context,
            and terms with their weights (contribution to the theme's log-odds); every term
            occurs in the normalised text.
        """
        return self.explain_themes(text, [theme], top)[0]

    def explain_themes(self, text: str, themes, top: int = 10,
                       min_score: float | None = None) -> list[Explanation]:
        """``explain`` for several themes of one text, which is featurised only once."""
        for theme in themes:
            if theme not in self.theme_ids:
                raise UnknownThemeError(theme, self.theme_ids)
        paragraphs = split_paragraphs(text)
        if not paragraphs:
            return [Explanation(t, self._names[t], 0.0, self._threshold(
                self.thresholds[self.theme_ids.index(t)], min_score), None) for t in themes]
        evidence, X, prepared = self.evidence(paragraphs, np.zeros(len(paragraphs), int))
        scores = self.context.probabilities(evidence)
        cutoffs = self.context.cutoffs(evidence)
        return [self._explanation(evidence, X, scores, cutoffs, prepared,
                                  self.theme_ids.index(t), top, min_score) for t in themes]

    @staticmethod
    def _threshold(cutoff: float, min_score: float | None) -> float:
        return round(float(cutoff if min_score is None else max(cutoff, min_score)), 4)

    def _explanation(self, evidence, X, scores, cutoffs, prepared, j: int, top: int,
                     min_score) -> Explanation:
        best = int(np.argmax(scores[:, j]))
        slope, context = self.context.explain_weights(evidence, best, j)
        weights = self._term_weights(*X.row(best), j, prepared.normalized[best])
        ranked = sorted(((t, w * slope) for t, w in weights.items()), key=lambda kv: -kv[1])
        up = tuple(Term(t, round(float(w), 2)) for t, w in ranked[:top] if round(w, 2) > 0)
        down = tuple(Term(t, round(float(w), 2)) for t, w in reversed(ranked[-top:])
                     if round(w, 2) < 0)
        theme = self.theme_ids[j]
        return Explanation(theme, self._names[theme], round(float(scores[best, j]), 4),
                           self._threshold(cutoffs[best, j], min_score), best, up, down,
                           round(context, 2))

    def _term_weights(self, columns, values, j: int, normalized: str) -> dict[str, float]:
        if self._feature_names is None:
            self._feature_names = self.linear.features.names(self.theme_ids)
        weights: dict[str, float] = {}
        contributions = values * self.linear.coef_[columns, j]
        for index, value in zip(columns.tolist(), contributions.tolist(), strict=True):
            name = self._feature_names[index]
            if name.startswith("keywords:"):
                matched = [k for k in self.taxonomy[name[9:]].keywords if k in normalized]
                for keyword in matched:
                    weights[keyword] = weights.get(keyword, 0.0) + value / len(matched)
            elif _READABLE.fullmatch(name):
                weights[name] = weights.get(name, 0.0) + float(value)
        return weights


def main_themes(scores: np.ndarray, found) -> set[int]:
    """An article's main themes among those found: the few whose expected number of
    paragraphs (the sum of their probabilities) comes near the largest."""
    if len(found) <= 1:
        return set(found)
    mass = scores[:, found].sum(axis=0).tolist()
    order = sorted(range(len(found)), key=lambda k: -mass[k])[:MAIN_THEMES_MAX]  # stable
    return {found[k] for k in order if mass[k] >= MAIN_THEME_SHARE * mass[order[0]]}


def _by_main_then_score(theme: ThemeScore) -> tuple[bool, float]:
    return (not theme.main, -theme.score)


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
    return Model.from_artifact(Artifact(directory))
