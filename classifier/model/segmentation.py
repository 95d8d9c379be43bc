"""Word segmentation: jieba's dictionary and algorithm (no HMM), with the domain terms added.

Two implementations cut alike. rjieba (jieba-rs, compiled) is the one used; jieba (pure
Python) is the reference, and the fallback where rjieba cannot be installed. They agree token
for token because both get the domain terms with the same explicit frequencies and both count
the dictionary's total as the sum of its distinct words (jieba itself double-counts re-added
words). A test holds the two equal on every labelled paragraph.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

from classifier.errors import ArtifactError
from classifier.model.text import normalize, split_paragraphs

log = logging.getLogger(__name__)

COMPILED = "rjieba"
REFERENCE = "jieba"
IMPLEMENTATIONS = (COMPILED, REFERENCE)
_WORD = re.compile(r"\w")
_LOCK = threading.Lock()
_CACHE: dict[tuple, Segmenter] = {}


def installed(implementation: str) -> str | None:
    """The installed version of an implementation, or None when it is not installed."""
    try:
        return version(implementation) if find_spec(implementation) is not None else None
    except (ImportError, ValueError, PackageNotFoundError):
        return None


def _dictionary() -> Path:
    """jieba's main dictionary, the one rjieba carries a copy of."""
    import jieba

    return Path(jieba.__file__).with_name("dict.txt")


class _Reference:
    """jieba's Tokenizer over its whole dictionary, kept to jieba-rs's way of counting the total."""

    def __init__(self):
        import jieba

        self._tokenizer = jieba.Tokenizer()
        with open(_dictionary(), "rb") as handle:
            # Read directly: jieba would go through a marshal cache in the system temp dir.
            freq, _ = self._tokenizer.gen_pfdict(handle)
        self._tokenizer.FREQ, self._tokenizer.total = freq, sum(freq.values())
        self._tokenizer.initialized = True

    def add(self, word: str, freq: int) -> None:
        old = self._tokenizer.FREQ.get(word, 0)
        self._tokenizer.add_word(word, freq)
        self._tokenizer.total -= old

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, HMM=False)


class _Compiled:
    """rjieba's Jieba with its built-in copy of jieba's dictionary."""

    def __init__(self):
        import rjieba

        self._jieba = rjieba.Jieba()

    def add(self, word: str, freq: int) -> None:
        self._jieba.add_word(word, freq, None)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, False)


def _cutter(implementation: str):
    return _Compiled() if implementation == COMPILED else _Reference()


def main_frequencies() -> dict[str, int]:
    """jieba's dictionary as word → frequency; the last line wins, as in both implementations."""
    data = _dictionary().read_bytes().decode("utf-8")
    return {word: int(freq) for word, freq, *_ in map(str.split, data.splitlines())}


def term_frequencies(terms, implementation: str = COMPILED) -> dict[str, int]:
    """Frequencies that keep each domain term whole where jieba would have split it.

    A term gets just more than the product of its parts' probabilities (jieba's
    ``suggest_freq``), in two passes over the sorted terms so that terms built of other terms
    see them. Computed once at training and stored with the model.
    """
    freqs = main_frequencies()
    total = sum(freqs.values())
    cutter = _cutter(implementation)
    chosen: dict[str, int] = {}
    for _ in range(2):
        for term in sorted(set(terms)):
            split = math.prod(freqs.get(part, 1) / total for part in cutter.cut(term))
            freq = max(int(split * total) + 1, freqs.get(term, 1))
            total += freq - freqs.get(term, 0)
            freqs[term] = chosen[term] = freq
            cutter.add(term, freq)
    return chosen


class Segmenter:
    """jieba segmentation with the domain terms kept whole; safe to share between threads."""

    def __init__(self, terms: dict[str, int], implementation: str = COMPILED):
        if implementation not in IMPLEMENTATIONS:
            raise ValueError(f"unknown segmenter {implementation!r}; "
                             f"one of {', '.join(IMPLEMENTATIONS)}")
        self.terms = dict(sorted(terms.items()))
        self.implementation = implementation
        cutter = _cutter(implementation)
        for term, freq in self.terms.items():
            cutter.add(term, freq)
        # After the additions only reads happen, so concurrent cuts need no lock.
        self._cut = cutter.cut

    @property
    def key(self) -> tuple:
        """What makes two segmenters cut alike: the domain terms and their frequencies."""
        return tuple(self.terms.items())

    def spec(self) -> dict:
        """What a model artifact records of the segmenter it was trained with."""
        return {"implementation": self.implementation,
                "version": version(self.implementation),
                "dictionary": f"jieba {version(REFERENCE)}", "hmm": False,
                "terms": self.terms}

    def tokens(self, text: str) -> list[str]:
        """Word tokens of normalised text: the tokens with a letter or digit."""
        # isalnum() first: it is true of almost every token and much cheaper than the pattern.
        return [t for t in self._cut(text) if t.isalnum() or _WORD.search(t)]

    def segment(self, text: str) -> str:
        """Every token joined by single spaces: the form the word features split on.

        Punctuation tokens stay in (dropping them costs more than cutting): the word
        vocabulary only ever holds tokens with a letter or digit, so they count for nothing.
        """
        return " ".join(self._cut(text))


def _shared(terms: dict[str, int], implementation: str) -> Segmenter:
    key = (implementation, *sorted(terms.items()))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = Segmenter(terms, implementation)
        return _CACHE[key]


def get_segmenter(terms=(), implementation: str | None = None) -> Segmenter:
    """The process-wide segmenter for a list of domain terms, built on first use.

    The compiled implementation when it is installed, else the reference (with a warning).
    """
    implementation = implementation or _usable(COMPILED, None)
    key = ("terms", implementation, *sorted(set(terms)))
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is None:
        cached = _shared(term_frequencies(terms, implementation), implementation)
        with _LOCK:
            _CACHE[key] = cached
    return cached


def _usable(implementation: str, recorded: str | None) -> str:
    """The implementation to cut with for one a model records (or for training, when None)."""
    if installed(implementation) is not None:
        return implementation
    if implementation == COMPILED:
        log.warning("%s is not installed: segmenting with %s, which cuts alike but about ten "
                    "times slower", COMPILED, REFERENCE)
        return REFERENCE
    raise ArtifactError(recorded or "segmenter", f"{implementation} is not installed")


def segmenter_from_spec(spec: dict, where) -> Segmenter:
    """The segmenter a model was trained with; refuses one that would cut differently."""
    implementation = spec.get("implementation")
    if implementation not in IMPLEMENTATIONS:
        raise ArtifactError(where, f"trained with segmenter {implementation!r}; "
                            f"{', '.join(IMPLEMENTATIONS)} are known here")
    if spec.get("dictionary") != f"jieba {installed(REFERENCE)}":
        raise ArtifactError(where, f"trained with the dictionary of {spec.get('dictionary')}, "
                            f"but jieba {installed(REFERENCE)} is installed; retrain with "
                            "`tagger train`")
    chosen = _usable(implementation, where)
    if chosen == implementation and spec.get("version") != installed(implementation):
        raise ArtifactError(where, f"trained with {implementation} {spec.get('version')}, but "
                            f"{implementation} {installed(implementation)} is installed; "
                            "retrain with `tagger train`")
    terms = spec.get("terms")
    if not isinstance(terms, dict) or not all(
            isinstance(t, str) and isinstance(f, int) and f > 0 for t, f in terms.items()):
        raise ArtifactError(where, "the segmenter's terms are not a mapping of words to "
                            "positive frequencies")
    return _shared(terms, chosen)


def segment_paragraphs(texts, segmenter: Segmenter) -> list[str]:
    """Every paragraph of the texts, in order, as ``Model.tag(segmented=...)`` takes them."""
    return [segmenter.segment(normalize(p)) for t in texts for p in split_paragraphs(t)]
