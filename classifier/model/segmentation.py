"""Word segmentation with jieba and the domain dictionary, loaded once per process."""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path

import jieba

from classifier.model.text import normalize, split_paragraphs

_WORD = re.compile(r"\w")
_LOCK = threading.Lock()
_CACHE: dict[tuple, Segmenter] = {}


def _main_dictionary(min_freq: int) -> str:
    """jieba's dictionary without its rarest words: a third of the size, three times faster to load.

    Rare words (frequency below ``min_freq``) are mostly names and idioms; segmented into their
    parts they still reach the model through the character n-grams.
    """
    source = Path(jieba.__file__).with_name("dict.txt")
    if min_freq <= 1:
        return str(source)
    target = Path(tempfile.gettempdir()) / f"union-tagger-jieba-{jieba.__version__}-f{min_freq}.txt"
    if not target.exists():
        with open(source, encoding="utf-8") as handle:
            kept = [line for line in handle if int(line.split()[1]) >= min_freq]
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_text("".join(kept), encoding="utf-8")
        os.replace(partial, target)
    return str(target)


class Segmenter:
    """A jieba tokenizer that keeps every dictionary term whole; safe to share between threads."""

    def __init__(self, terms=(), min_freq: int = 5):
        self.terms = tuple(sorted(set(terms)))
        self.min_freq = min_freq
        self._jieba = jieba.Tokenizer(_main_dictionary(min_freq))
        self._jieba.initialize()
        for term in self.terms:
            self._jieba.add_word(term)
        # After the additions only reads happen, so concurrent cut() calls need no lock.
        for term in self.terms:
            self._jieba.suggest_freq(term, tune=True)

    @property
    def key(self) -> tuple:
        """What makes two segmenters cut alike: the jieba dictionary and the domain terms."""
        return (self.min_freq, self.terms)

    def tokens(self, text: str) -> list[str]:
        """Word tokens of normalised text; punctuation and spaces dropped."""
        return [t for t in self._jieba.lcut(text, HMM=False) if _WORD.search(t)]

    def segment(self, text: str) -> str:
        """Tokens joined by single spaces: the form the word vectorizer splits on."""
        return " ".join(self.tokens(text))


def get_segmenter(terms=(), min_freq: int = 5) -> Segmenter:
    """The process-wide segmenter for a dictionary, built on first use under a lock."""
    key = (min_freq, *sorted(set(terms)))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = Segmenter(key[1:], min_freq)
        return _CACHE[key]


def segmenter_of(metadata: dict) -> Segmenter:
    """The segmenter of a model, from its metadata alone: it needs no scikit-learn."""
    return get_segmenter(metadata["dictionary"],
                         metadata["settings"]["features"]["min_word_freq"])


def segment_paragraphs(texts, segmenter: Segmenter) -> list[str]:
    """Every paragraph of the texts, in order, as ``Model.tag(segmented=...)`` takes them."""
    return [segmenter.segment(normalize(p)) for t in texts for p in split_paragraphs(t)]
