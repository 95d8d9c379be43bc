"""``tagger evaluate``: a model's figures on any labelled file, beside the keyword baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier.data.exchange import read_examples
from classifier.errors import DataError, Problem
from classifier.model.tagger import Model
from classifier.training.baseline import keyword_predictions
from classifier.training.evaluation import Figures, figures, tagged_share
from classifier.training.fitting import label_matrix


@dataclass
class Evaluation:
    """A model on a labelled file: union articles' paragraphs beside the keyword baseline,
    and how many paragraphs of general news got a theme."""

    model: Figures
    baseline: Figures
    general_tagged: float | None
    stale: str | None

    def to_dict(self) -> dict:
        return {"model": self.model.to_dict(), "baseline": self.baseline.to_dict(),
                "general_tagged": self.general_tagged, "stale_taxonomy": self.stale}


def evaluate_file(model: Model, path, taxonomy_version: str | None = None) -> Evaluation:
    """Every paragraph read in its article (field ``doc``), as ``tag`` reads it."""
    examples, problems = read_examples(path, model.taxonomy)
    if problems:
        raise DataError(problems)
    if not examples:
        raise DataError(Problem(str(path), None, "no labelled examples"))
    texts = [e.text for e in examples]
    groups = [e.group for e in examples]
    article_of = np.unique(groups, return_inverse=True)[1]
    Y = label_matrix([e.labels for e in examples], model.taxonomy)
    scores, cutoffs = model.scores_and_cutoffs(texts, article_of)
    predicted = (scores >= cutoffs).astype(int)
    baseline = keyword_predictions(texts, model.taxonomy)
    kinds = np.array([e.kind for e in examples], dtype=object)
    union = kinds != "general"
    general = (kinds == "general") & (Y.sum(axis=1) == 0)
    ids = model.theme_ids
    return Evaluation(figures(Y[union], predicted[union], ids),
                      figures(Y[union], baseline[union], ids),
                      tagged_share(predicted.astype(bool), general),
                      model.stale_reason(taxonomy_version))
