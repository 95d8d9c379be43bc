"""Leave-one-document-out evaluation: thresholds come from training folds only."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LABELS

from classifier.training.baseline import keyword_predictions
from classifier.training.evaluation import cross_validate, figures
from classifier.training.fitting import TrainSettings, train
from classifier.training.pipeline import corpus_from_files, segmenter_for


@pytest.fixture(scope="module")
def corpus(taxonomy):
    return corpus_from_files([LABELS], taxonomy, TrainSettings())


@pytest.fixture(scope="module")
def honest(corpus, taxonomy):
    return cross_validate(corpus, taxonomy, TrainSettings(), segmenter_for(taxonomy,
                                                                           TrainSettings()))


@pytest.fixture(scope="module")
def leaky(corpus, taxonomy):
    return cross_validate(corpus, taxonomy, TrainSettings(), segmenter_for(
        taxonomy, TrainSettings()), _thresholds_from="test")


def test_the_shipped_figures_are_the_honest_ones(honest, model):
    assert honest.model.macro_f1 == pytest.approx(
        model.metadata["cross_validation"]["model"]["macro_f1"])


def test_tuning_on_the_held_out_document_would_inflate_the_figures(honest, leaky):
    assert leaky.model.macro_f1 > honest.model.macro_f1
    assert not np.allclose(leaky.fold_thresholds, honest.fold_thresholds)


def test_fold_thresholds_come_from_the_training_documents_alone(corpus, taxonomy, honest):
    groups = sorted(set(corpus.groups))
    held_out = np.flatnonzero(corpus.groups == groups[0])
    rest = np.flatnonzero(corpus.groups != groups[0])
    alone = train(corpus.subset(rest), taxonomy, TrainSettings(),
                  segmenter_for(taxonomy, TrainSettings()))
    assert np.allclose(honest.fold_thresholds[0], alone.thresholds)
    assert len(held_out) > 0


def test_every_document_is_held_out_exactly_once(corpus):
    assert len(set(corpus.groups)) == 5
    assert sorted(set(corpus.groups)) == sorted({f"{g}" for g in corpus.groups})


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
