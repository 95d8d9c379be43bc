"""Word segmentation with jieba and the domain dictionary, loaded once per process."""

from __future__ import annotations

import io
import re
import threading
from importlib.metadata import version
from pathlib import Path

import jieba

from classifier.errors import ArtifactError
from classifier.model.text import normalize, split_paragraphs

_WORD = re.compile(r"\w")
_LOCK = threading.Lock()
_CACHE: dict[tuple, Segmenter] = {}
NAME = "jieba"


def _main_dictionary(min_freq: int) -> io.BytesIO:
    """jieba's dictionary without its rarest words: a third of the size, three times faster to load.

    Rare words (frequency below ``min_freq``) are mostly names and idioms; segmented into their
    parts they still reach the model through the character n-grams. Filtered in memory: nothing
    is written outside the project.
    """
    with open(Path(jieba.__file__).with_name("dict.txt"), "rb") as handle:
        kept = [line for line in handle if int(line.split()[1]) >= min_freq]
    return io.BytesIO(b"".join(kept))


class Segmenter:
    """A jieba tokenizer that keeps every dictionary term whole; safe to share between threads."""

    def __init__(self, terms=(), min_freq: int = 5):
        self.terms = tuple(sorted(set(terms)))
        self.min_freq = min_freq
        self._jieba = jieba.Tokenizer()
        # jieba would read its dictionary through a marshal cache in the system temp dir.
        self._jieba.FREQ, self._jieba.total = self._jieba.gen_pfdict(_main_dictionary(min_freq))
        self._jieba.initialized = True
        for term in self.terms:
            self._jieba.add_word(term)
        # After the additions only reads happen, so concurrent cut() calls need no lock.
        for term in self.terms:
            self._jieba.suggest_freq(term, tune=True)

    @property
    def key(self) -> tuple:
        """What makes two segmenters cut alike: the jieba dictionary and the domain terms."""
        return (self.min_freq, self.terms)

    def spec(self) -> dict:
        """What a model artifact records of the segmenter it was trained with."""
        return {"name": NAME, "version": version("jieba"), "min_word_freq": self.min_freq,
                "terms": list(self.terms)}

    def tokens(self, text: str) -> list[str]:
        """Word tokens of normalised text; punctuation and spaces dropped."""
        return [t for t in self._jieba.lcut(text, HMM=False) if _WORD.search(t)]

    def segment(self, text: str) -> str:
        """Tokens joined by single spaces: the form the word features split on."""
        return " ".join(self.tokens(text))


def get_segmenter(terms=(), min_freq: int = 5) -> Segmenter:
    """The process-wide segmenter for a dictionary, built on first use under a lock."""
    key = (min_freq, *sorted(set(terms)))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = Segmenter(key[1:], min_freq)
        return _CACHE[key]


def segmenter_from_spec(spec: dict, where) -> Segmenter:
    """The segmenter a model was trained with; refuses one that would cut differently."""
    if spec.get("name") != NAME:
        raise ArtifactError(where, f"trained with segmenter {spec.get('name')!r}; "
                            f"only {NAME!r} is available here")
    installed = version("jieba")
    if spec.get("version") != installed:
        raise ArtifactError(where, f"trained with jieba {spec.get('version')}, but jieba "
                            f"{installed} is installed; retrain with `tagger train`")
    return get_segmenter(spec["terms"], spec["min_word_freq"])


def segment_paragraphs(texts, segmenter: Segmenter) -> list[str]:
    """Every paragraph of the texts, in order, as ``Model.tag(segmented=...)`` takes them."""
    return [segmenter.segment(normalize(p)) for t in texts for p in split_paragraphs(t)]
