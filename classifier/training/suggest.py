"""``tagger suggest``: the unlabelled paragraphs whose labels would teach the model most."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.errors import DataError, Problem
from classifier.model.tagger import Model
from classifier.model.text import normalize, split_paragraphs

MIN_CHARS = 12
NEAR_DUPLICATE = 0.8
# How much one more pick of the same theme or source lowers a candidate's priority.
SPREAD_PENALTY = 0.15


@dataclass(frozen=True)
class Candidate:
    article: str
    para: int
    text: str
    source: str
    normalized: str


def candidates(records, exclude_texts=frozenset()) -> tuple[list[Candidate], int]:
    """Distinct, non-trivial paragraphs of readable records; also the count of unreadable ones."""
    found, seen, errors = [], set(exclude_texts), 0
    for record in records:
        if record.error is not None or not record.text:
            errors += 1
            continue
        for para, text in enumerate(split_paragraphs(record.text)):
            key = normalize(text)
            if len(key) >= MIN_CHARS and key not in seen:
                seen.add(key)
                found.append(Candidate(str(record.id if record.id is not None else record.path),
                                       para, text, record.path, key))
    return found, errors


def uncertainty(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """1 at a theme's threshold, falling to 0 at a score of 0 or 1."""
    span = np.where(scores >= thresholds, 1 - thresholds, thresholds)
    return 1 - np.abs(scores - thresholds) / np.maximum(span, 1e-9)


def _pick(value, theme_of, sources, vectors, top: int) -> list[int]:
    picked: list[int] = []
    sources = np.asarray(sources, dtype=object)
    # Picks so far of each candidate's theme and of its source.
    penalty = np.zeros(len(value))
    alive = np.ones(len(value), dtype=bool)
    while len(picked) < top and alive.any():
        priority = np.where(alive, value - SPREAD_PENALTY * penalty, -np.inf)
        best = int(np.argmax(priority))
        picked.append(best)
        penalty += (theme_of == theme_of[best]).astype(int) + (sources == sources[best])
        similar = (vectors @ vectors[best].T).toarray().ravel() >= NEAR_DUPLICATE
        alive &= ~similar
        alive[best] = False
    return picked


def suggest(model: Model, records, top: int, exclude_texts=frozenset()):
    """(suggested records in the exchange format, unreadable input records)."""
    found, errors = candidates(records, exclude_texts)
    if not found:
        return [], errors
    scores = model.scores([c.text for c in found])
    doubt = uncertainty(scores, model.thresholds)
    theme_of = doubt.argmax(axis=1)
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(2, 3)).fit_transform(
        [c.normalized for c in found])
    picked = _pick(doubt.max(axis=1), theme_of, [c.source for c in found], vectors, top)
    return [_task(found[i], scores[i], model, int(theme_of[i])) for i in picked], errors


def _task(candidate: Candidate, scores: np.ndarray, model: Model, doubtful: int) -> dict:
    order = np.argsort(-scores)
    suggested = [{"id": model.theme_ids[j], "score": round(float(scores[j]), 4),
                  "predicted": bool(scores[j] >= model.thresholds[j])}
                 for j in order if scores[j] >= 0.05 or j == doubtful]
    return {"id": f"{candidate.article}#{candidate.para}", "doc": candidate.article,
            "para": candidate.para, "source": candidate.source, "text": candidate.text,
            "labels": [], "suggested": suggested, "doubtful_theme": model.theme_ids[doubtful],
            "model_version": model.version}


def labelled_texts(paths) -> frozenset[str]:
    """The normalised paragraph texts of labelled JSONL files, with or without an ``id``;
    raises DataError naming each line that has no text."""
    texts, problems = set(), []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(Problem(str(path), None, f"cannot read: {exc}")) from None
        for number, line in enumerate(lines, 1):
            try:
                text = json.loads(line)["text"] if line.strip() else ""
            except (ValueError, KeyError, TypeError):
                text = None
            if not isinstance(text, str):
                problems.append(Problem(str(path), number, "no 'text' to exclude"))
            elif text.strip():
                texts.add(normalize(text))
    if problems:
        raise DataError(problems)
    return frozenset(texts)
