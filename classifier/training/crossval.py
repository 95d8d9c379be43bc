"""The one cross-validation split: folds of whole articles, so no article straddles a split."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.model_selection import GroupKFold

from classifier.errors import DataError, Problem


def article_folds(groups, folds: int = 5) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(training indices, held-out indices), each article held out exactly once; with as
    many articles as folds or fewer, one article at a time."""
    groups = np.asarray(groups, dtype=object)
    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        raise DataError(Problem("<labelled data>", None, "cross-validation needs labelled "
                                "paragraphs from at least two articles (field 'doc')"))
    yield from GroupKFold(n_splits=min(folds, n_groups)).split(groups, groups=groups)
