"""``tagger data suspects``: labels the model doubts, by out-of-fold scores per document."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier.data.exchange import Example
from classifier.data.taxonomy import Taxonomy
from classifier.training.evaluation import cross_validate, tuned_thresholds
from classifier.training.fitting import Corpus, TrainSettings


@dataclass(frozen=True)
class Suspect:
    id: str
    where: str
    text: str
    theme: str
    given: bool
    score: float
    threshold: float
    # Surprise of the given label under the out-of-fold score, in nats (log loss).
    surprise: float

    @property
    def reason(self) -> str:
        if self.given:
            return f"labelled {self.theme} but scored {self.score:.2f} < {self.threshold:.2f}"
        return f"not labelled {self.theme} but scored {self.score:.2f} >= {self.threshold:.2f}"

    def to_dict(self) -> dict:
        return {**vars(self), "reason": self.reason}


def find_suspects(examples: list[Example], corpus: Corpus, taxonomy: Taxonomy,
                  settings: TrainSettings, segmenter, top: int = 20) -> list[Suspect]:
    """Paragraph-theme pairs whose out-of-fold score contradicts the label, worst first."""
    cv = cross_validate(corpus, taxonomy, settings, segmenter)
    scores = cv.probabilities
    cut = tuned_thresholds(corpus.Y, scores, cv.probabilities_alone, ~cv.evidence.alone(),
                           settings)
    thresholds = cut[cv.evidence.alone().astype(int)]  # as Context.cutoffs picks them
    clipped = np.clip(scores, 1e-6, 1 - 1e-6)
    surprise = np.where(corpus.Y == 1, -np.log(clipped), -np.log(1 - clipped))
    disagree = (corpus.Y == 1) != (scores >= thresholds)
    found = []
    for i, j in zip(*np.nonzero(disagree), strict=True):
        ex = examples[i]
        found.append(Suspect(str(ex.fields.get("id", f"{ex.source}:{ex.line}")),
                             f"{ex.source}:{ex.line}", ex.text, taxonomy.ids[j],
                             bool(corpus.Y[i, j]), round(float(scores[i, j]), 4),
                             round(float(thresholds[i, j]), 4), round(float(surprise[i, j]), 4)))
    found.sort(key=lambda s: -s.surprise)
    return found[:top]
