"""``tagger evaluate``: a model's figures on any labelled file, beside the keyword baseline."""

from __future__ import annotations

from classifier.data.exchange import read_examples
from classifier.errors import DataError, Problem
from classifier.model.tagger import Model
from classifier.training.baseline import keyword_predictions
from classifier.training.evaluation import Figures, figures
from classifier.training.fitting import label_matrix


def stale_reason(model: Model, taxonomy_version: str | None) -> str | None:
    if taxonomy_version is None or taxonomy_version == model.taxonomy.version:
        return None
    return (f"model {model.version} was trained on taxonomy version {model.taxonomy.version}, "
            f"the data uses version {taxonomy_version}: retrain")


def evaluate_file(model: Model, path, taxonomy_version: str | None = None
                  ) -> tuple[Figures, Figures, str | None]:
    """(model figures, baseline figures, staleness warning) on one exchange-format file."""
    examples, problems = read_examples(path, model.taxonomy)
    if problems:
        raise DataError(problems)
    if not examples:
        raise DataError(Problem(str(path), None, "no labelled examples"))
    texts = [e.text for e in examples]
    Y = label_matrix([e.labels for e in examples], model.taxonomy)
    predicted = (model.scores(texts) >= model.thresholds).astype(int)
    baseline = keyword_predictions(texts, model.taxonomy)
    ids = model.theme_ids
    return figures(Y, predicted, ids), figures(Y, baseline, ids), stale_reason(model,
                                                                             taxonomy_version)
