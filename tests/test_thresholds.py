"""Per-theme thresholds: F1-best cuts placed between scores, optionally pooled."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.training.thresholds import DEFAULT, best_threshold, tune_thresholds


def test_best_threshold_separates_positives_midway():
    assert best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.3, 0.6, 0.9])) == (
        pytest.approx(0.45))


def test_best_threshold_trades_recall_for_precision_by_f1():
    # At 0.25: 3 of 3 positives, 1 false positive (F1 6/7); at 0.6: 2 of 3, none false (F1 4/5).
    y = np.array([0, 1, 0, 1, 1])
    s = np.array([0.2, 0.3, 0.5, 0.7, 0.9])
    assert best_threshold(y, s) == pytest.approx(0.25)


@pytest.mark.parametrize("y", [np.zeros(3), np.ones(3)])
def test_without_both_classes_the_default_is_kept(y):
    assert best_threshold(y, np.array([0.2, 0.5, 0.8])) == DEFAULT


def test_pooling_pulls_each_theme_towards_the_pooled_cut():
    Y = np.array([[0, 0], [1, 0], [1, 1]])
    S = np.array([[0.1, 0.2], [0.3, 0.4], [0.9, 0.8]])
    own = tune_thresholds(Y, S)
    pooled = tune_thresholds(Y, S, pooled_weight=1.0)
    half = tune_thresholds(Y, S, pooled_weight=0.5)
    assert own.tolist() == pytest.approx([0.2, 0.6])
    assert np.allclose(pooled, pooled[0])
    assert half == pytest.approx((own + pooled) / 2)
