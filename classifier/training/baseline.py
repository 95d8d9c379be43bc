"""The keyword baseline: a theme fires when any of its taxonomy keywords occurs in the text."""

from __future__ import annotations

import numpy as np

from classifier.data.taxonomy import Taxonomy
from classifier.model.text import normalize


def keyword_predictions(texts, taxonomy: Taxonomy) -> np.ndarray:
    """0/1 matrix (paragraph x theme) of keyword substring matches on normalised text."""
    keywords = [[normalize(k) for k in theme.keywords] for theme in taxonomy.themes]
    normalized = [normalize(t) for t in texts]
    return np.array([[int(any(k in text for k in kws)) for kws in keywords]
                     for text in normalized], dtype=np.int8).reshape(len(texts), len(keywords))
