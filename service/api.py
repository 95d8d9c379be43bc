"""The versioned JSON API: tag texts, list the themes, describe the model."""

from __future__ import annotations

import math

from flask import Blueprint, Flask, current_app, request

import classifier

from . import ops
from .batching import get_batcher
from .holder import get_holder
from .validation import TagRequest, read_json, tag_request

bp = Blueprint("api", __name__, url_prefix="/v1")

# What GET /v1/model tells of the metadata: not the training files' paths or the dictionary.
_MODEL_FIELDS = ("version", "created", "taxonomy_version", "features", "settings",
                 "cross_validation", "libraries")


def _explanation(explanation) -> dict:
    data = explanation.to_dict()
    return {key: data[key] for key in ("paragraph", "threshold", "context", "up", "down")}


def _tagged(model, tag: TagRequest) -> list[dict]:
    texts = [item.text for item in tag.items]
    results = get_batcher().tag(model, texts, tag.min_score)
    ops.count_themes(results)
    tagged = []
    for item, result in zip(tag.items, results, strict=True):
        data = result.to_dict()
        if tag.explain:
            explanations = model.explain_themes(item.text, result.theme_ids,
                                                min_score=tag.min_score)
            for theme, explanation in zip(data["themes"], explanations, strict=True):
                theme["explanation"] = _explanation(explanation)
        tagged.append(data if tag.single else {"id": item.id, **data})
    return tagged


@bp.post("/tag")
def tag():
    body = tag_request(read_json(request), current_app.config)
    model = get_holder().current()
    tagged = _tagged(model, body)
    if body.single:
        return tagged[0]
    return {"model_version": model.version, "items": tagged}


@bp.get("/themes")
def themes():
    taxonomy = get_holder().current().taxonomy.to_dict()
    return {"version": taxonomy["version"], "themes": taxonomy["themes"]}


def _finite(value):
    """Metadata with NaN and infinities as null: JSON has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


@bp.get("/model")
def model():
    served = get_holder().current()
    described = {key: served.metadata.get(key) for key in _MODEL_FIELDS}
    described["themes"] = [{"id": t.id, "name_zh": t.name_zh, "name_en": t.name_en}
                           for t in served.taxonomy.themes]
    described["thresholds"] = served.theme_thresholds()
    described["tagger_version"] = classifier.__version__
    return _finite(described)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
