"""Cross-validation over whole articles: every score from models that never saw the article."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LABELS

from classifier.errors import DataError
from classifier.training.baseline import keyword_predictions
from classifier.training.crossval import article_folds
from classifier.training.evaluation import (
    calibration_error,
    cross_validate,
    figures,
    tuned_thresholds,
)
from classifier.training.fitting import TrainSettings
from classifier.training.pipeline import corpus_from_files, segmenter_for


@pytest.fixture(scope="module")
def corpus(taxonomy):
    return corpus_from_files([LABELS], taxonomy, TrainSettings())


@pytest.fixture(scope="module")
def honest(corpus, taxonomy):
    return cross_validate(corpus, taxonomy, TrainSettings(), segmenter_for(taxonomy))


def test_the_trained_models_figures_are_the_honest_ones(honest, model):
    figures_of = model.metadata["cross_validation"]
    assert honest.model.macro_f1 == pytest.approx(figures_of["model"]["macro_f1"])
    assert honest.baseline.macro_f1 == pytest.approx(figures_of["baseline"]["macro_f1"])


def test_tuning_on_the_held_out_articles_would_inflate_the_figures(corpus, taxonomy, honest):
    in_article = ~honest.evidence.alone()
    leaky = tuned_thresholds(corpus.Y, honest.probabilities, honest.probabilities_alone,
                             in_article, TrainSettings())  # sees the held-out labels
    inflated = figures(corpus.Y, honest.probabilities >= leaky[0], taxonomy.ids)
    assert inflated.macro_f1 > honest.model.macro_f1
    assert not np.allclose(leaky[0], honest.fold_thresholds[:, 0])


def test_fold_thresholds_come_from_the_other_folds_alone(corpus, taxonomy, honest):
    folds = list(article_folds(corpus.groups))
    train_idx, _ = folds[0]
    in_article = ~honest.evidence.alone()
    expected = tuned_thresholds(corpus.Y[train_idx], honest.probabilities[train_idx],
                                honest.probabilities_alone[train_idx], in_article[train_idx],
                                TrainSettings())
    assert np.allclose(honest.fold_thresholds[0], expected)


def test_every_document_is_held_out_exactly_once(corpus):
    held_out = []
    for train_idx, test_idx in article_folds(corpus.groups):
        assert len(set(corpus.groups[test_idx])) == 1
        assert not set(corpus.groups[train_idx]) & set(corpus.groups[test_idx])
        held_out.append(corpus.groups[test_idx][0])
    assert sorted(held_out) == sorted(set(corpus.groups))
    assert len(held_out) == 5


def test_folds_hold_out_whole_articles_when_there_are_more_articles_than_folds():
    groups = np.array(["a", "a", "b", "c", "c", "c", "d", "e", "f", "g"], dtype=object)
    seen = []
    for train_idx, test_idx in article_folds(groups, folds=3):
        assert not set(groups[train_idx]) & set(groups[test_idx])
        seen += list(test_idx)
    assert sorted(seen) == list(range(len(groups)))


def test_cross_validation_needs_two_articles():
    with pytest.raises(DataError, match="at least two articles"):
        list(article_folds(["a.txt", "a.txt"]))


def test_calibration_error_by_eye():
    Y = np.array([[1], [0], [1], [0]])
    assert calibration_error(Y, np.array([[1.0], [0.0], [1.0], [0.0]])) == 0.0
    # Every score 0.5 in one bin whose labels are half true: perfectly calibrated.
    assert calibration_error(Y, np.full((4, 1), 0.5)) == 0.0
    # Scores of 0.9 for labels that are never there: off by 0.9.
    assert calibration_error(np.zeros((4, 1)), np.full((4, 1), 0.9)) == pytest.approx(0.9)


def test_figures_by_eye():
    Y = np.array([[1, 0], [1, 0], [0, 0], [0, 1]])
    P = np.array([[1, 0], [0, 0], [1, 0], [0, 1]])
    result = figures(Y, P, ["a", "b"])
    a, b = result.themes
    assert (a.precision, a.recall, a.f1, a.support) == (0.5, 0.5, 0.5, 2)
    assert (b.precision, b.recall, b.f1, b.support) == (1.0, 1.0, 1.0, 1)
    assert result.macro_f1 == 0.75
    assert result.micro_f1 == pytest.approx(2 * 2 / (3 + 3))


def test_keyword_baseline_matches_substrings_after_normalisation(taxonomy):
    predicted = keyword_predictions(["新建ＸＸ工会驿站", "本报记者"], taxonomy)
    station = taxonomy.ids.index("worker_station")
    assert predicted[0, station] == 1
    assert predicted[1].sum() == 0
