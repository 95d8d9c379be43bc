"""``tagger train``: cross-validate, fit on all data, publish a new artifact, write the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from classifier.data.exchange import load_examples
from classifier.data.taxonomy import Taxonomy, load_taxonomy
from classifier.model.artifact import Artifact, library_versions, publish, sha256
from classifier.model.context import Context
from classifier.model.linear import LinearModel
from classifier.model.segmentation import get_segmenter
from classifier.model.tagger import Model
from classifier.training import context
from classifier.training.curves import learning_curve
from classifier.training.evaluation import (
    CrossValidation,
    cross_validate,
    reliability,
    tuned_thresholds,
)
from classifier.training.fitting import (
    Corpus,
    TrainSettings,
    fit_linear,
    make_corpus,
    with_keywords,
)
from classifier.training.report import write_report


@dataclass
class TrainOutcome:
    artifact: Artifact
    cv: CrossValidation
    metadata: dict


def segmenter_for(taxonomy: Taxonomy):
    """The segmenter that keeps the taxonomy's terms whole, its term frequencies computed."""
    return get_segmenter(taxonomy.dictionary_terms())


def corpus_from_examples(examples, taxonomy: Taxonomy, settings: TrainSettings) -> Corpus:
    return make_corpus([e.text for e in examples], [e.labels for e in examples],
                       [e.group for e in examples], taxonomy, segmenter_for(taxonomy),
                       kinds=[e.kind for e in examples])


def fit_model(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings, segmenter,
              cv: CrossValidation) -> tuple[LinearModel, Context]:
    """The paragraph model and gate fitted on all data; the heads and thresholds fitted on
    cross-validation's out-of-fold evidence, which is what new text looks like to them."""
    linear = fit_linear(with_keywords(corpus, taxonomy, segmenter, settings), taxonomy, settings)
    gate = context.fit_gate(linear, corpus, settings)
    heads = context.fit_heads(cv.evidence, corpus.Y, settings)
    thresholds = tuned_thresholds(corpus.Y, cv.probabilities, cv.probabilities_alone,
                                  ~cv.evidence.alone(), settings)
    return linear, context.context(taxonomy.union_bodies, gate, heads, thresholds)


def corpus_from_files(data_files, taxonomy: Taxonomy, settings: TrainSettings) -> Corpus:
    return corpus_from_examples(load_examples(data_files, taxonomy), taxonomy, settings)


def _metadata(version, taxonomy, settings, cv, sources) -> dict:
    data_files, taxonomy_file = sources
    return {
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "taxonomy_version": taxonomy.version,
        # The feature settings are the model's own; these are how it was fitted.
        "settings": {k: v for k, v in settings.to_dict().items() if k != "features"},
        # By file name: the checkout's location is no business of the artifact.
        "training_data": {Path(p).name: sha256(Path(p)) for p in data_files},
        "taxonomy_sha256": sha256(Path(taxonomy_file)),
        "cross_validation": cv.to_dict(),
        "libraries": library_versions(),
    }


def retrain(data_files, taxonomy_file, models_dir, settings: TrainSettings | None = None,
            progress=None) -> TrainOutcome:
    """Train on all data and switch ``models_dir/current`` to the result once it loads."""
    settings = settings or TrainSettings()
    step = progress or (lambda message: None)
    taxonomy = load_taxonomy(taxonomy_file)
    step("reading and segmenting the labelled data")
    corpus = corpus_from_files(data_files, taxonomy, settings)
    segmenter = segmenter_for(taxonomy)
    step("cross-validation by article")
    cv = cross_validate(corpus, taxonomy, settings, segmenter)
    step("learning curve")
    curve = learning_curve(corpus, taxonomy, settings, segmenter)
    step("fitting on all data")
    linear, fitted_context = fit_model(corpus, taxonomy, settings, segmenter, cv)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    metadata = _metadata(version, taxonomy, settings, cv, (data_files, taxonomy_file))
    metadata["learning_curve"] = [{"fraction": f, "paragraphs": n, "macro_f1": round(m, 4)}
                                  for f, n, m in curve]
    metadata["reliability"] = [{"mean_score": round(s, 4), "observed": round(o, 4), "count": c}
                               for s, o, c in reliability(corpus.Y, cv.probabilities)]
    step("writing and verifying the artifact")
    model = Model(linear, fitted_context, taxonomy, segmenter, metadata)

    def write(target: Artifact) -> None:
        model.save(target)
        write_report(target.path, metadata, cv, model)

    artifact = publish(Path(models_dir), version, write, Model.from_artifact)
    return TrainOutcome(artifact, cv, metadata)
