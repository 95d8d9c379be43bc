"""``tagger train``: cross-validate, fit on all data, publish a new artifact, write the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from classifier.data.exchange import load_examples
from classifier.data.taxonomy import Taxonomy, load_taxonomy
from classifier.model.artifact import Artifact, library_versions, publish, sha256
from classifier.model.segmentation import get_segmenter
from classifier.training.curves import learning_curve, reliability
from classifier.training.evaluation import CrossValidation, cross_validate
from classifier.training.fitting import Corpus, TrainSettings, make_corpus, train
from classifier.training.report import write_report


@dataclass
class TrainOutcome:
    artifact: Artifact
    cv: CrossValidation
    metadata: dict


def segmenter_for(taxonomy: Taxonomy, settings: TrainSettings):
    return get_segmenter(taxonomy.dictionary_terms(), settings.features.min_word_freq)


def corpus_from_examples(examples, taxonomy: Taxonomy, settings: TrainSettings) -> Corpus:
    return make_corpus([e.text for e in examples], [e.labels for e in examples],
                       [e.group for e in examples], taxonomy, segmenter_for(taxonomy, settings))


def corpus_from_files(data_files, taxonomy: Taxonomy, settings: TrainSettings) -> Corpus:
    return corpus_from_examples(load_examples(data_files, taxonomy), taxonomy, settings)


def _metadata(version, taxonomy, settings, trained, cv, sources) -> dict:
    data_files, taxonomy_file = sources
    return {
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "themes": [{"id": t.id, "name_zh": t.name_zh, "name_en": t.name_en}
                   for t in taxonomy.themes],
        "taxonomy_version": taxonomy.version,
        "taxonomy": taxonomy.to_dict(),
        "dictionary": taxonomy.dictionary_terms(),
        "thresholds": dict(zip(taxonomy.ids, trained.thresholds.round(4).tolist(), strict=True)),
        "thresholds_array": trained.thresholds.tolist(),
        "settings": settings.to_dict(),
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
    segmenter = segmenter_for(taxonomy, settings)
    step("leave-one-document-out cross-validation")
    cv = cross_validate(corpus, taxonomy, settings, segmenter)
    step("learning curve")
    curve = learning_curve(corpus, taxonomy, settings, segmenter, cv.model.macro_f1)
    step("fitting on all data")
    # Leave-one-document-out already scored every paragraph with a model that never saw it.
    trained = train(corpus, taxonomy, settings, segmenter, oof=cv.oof_scores)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    metadata = _metadata(version, taxonomy, settings, trained, cv, (data_files, taxonomy_file))
    metadata["learning_curve"] = [{"fraction": f, "paragraphs": n, "macro_f1": round(m, 4)}
                                  for f, n, m in curve]
    metadata["reliability"] = [{"mean_score": round(s, 4), "observed": round(o, 4), "count": c}
                               for s, o, c in reliability(corpus.Y, cv.oof_scores)]
    step("writing and verifying the artifact")

    def write(target: Artifact) -> None:
        target.save(trained.estimator, metadata)
        write_report(target.path, metadata, cv)

    artifact = publish(Path(models_dir), version, write)
    return TrainOutcome(artifact, cv, metadata)
