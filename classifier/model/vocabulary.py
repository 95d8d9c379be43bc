"""Vocabulary lookups: which terms of a fitted vocabulary occur in new text, found in C.

The matrices equal scikit-learn's ``TfidfVectorizer.transform`` of the vectorizers they were
fitted as (tests hold them equal), computed with dicts and numpy: tagging never imports
scikit-learn, and a call on a few paragraphs builds no scipy matrix at all.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from operator import add

import ahocorasick
import numpy as np

# The tokens a word vocabulary is fitted on: those with a letter or digit. Segmented text keeps
# punctuation tokens too; split on white space and looked up, they are in no vocabulary.
WORD_TOKEN = r"(?u)\S*\w\S*"
_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's character analyzer
# Up to this many rows, a product is cheaper without building a scipy matrix.
_FEW_ROWS = 16
# Up to this many characters of text, counting terms in Python beats numpy's fixed costs.
_FEW_CHARACTERS = 2000


class WordVocabulary:
    """Space-separated tokens looked up in a term-to-column dict."""

    def __init__(self, terms):
        self.terms = np.asarray(terms, dtype=str)
        self._index = {term: i for i, term in enumerate(self.terms.tolist())}

    def __len__(self) -> int:
        return len(self.terms)

    def columns(self, document: str) -> list[int]:
        """The column of every in-vocabulary token, repeats included."""
        # str.split() splits where the pattern \S+ does, several times faster.
        return [c for c in map(self._index.get, document.split()) if c is not None]

    def find(self, documents: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every in-vocabulary token, repeats included."""
        columns = [self.columns(doc) for doc in documents]
        lengths = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
        rows = np.repeat(np.arange(len(columns), dtype=np.int64), lengths)
        flat = np.fromiter(chain.from_iterable(columns), dtype=np.int64, count=lengths.sum())
        return rows, flat


class CharVocabulary:
    """Character n-grams (n <= 3): a dict of the n-grams for a few paragraphs, and for a
    batch, integer codes looked up among the vocabulary's sorted codes.

    An n-gram's code packs its code points (21 bits each) and a bit for its length, so the
    n-grams of a whole batch are made and looked up in numpy rather than one by one.
    """

    def __init__(self, terms, ngram_range: tuple[int, int]):
        if ngram_range[1] > 3:
            raise ValueError(f"character n-grams up to 3, not {ngram_range[1]}")
        self.terms = np.asarray(terms, dtype=str)
        self.ngram_range = tuple(ngram_range)
        self._index = {term: i for i, term in enumerate(self.terms.tolist())}

    @functools.cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes in order, their columns), made on the first batch: a call on a few
        paragraphs never needs them."""
        codes = self._codes(self.terms)
        order = np.argsort(codes)
        return codes[order], order

    def _columns_of(self, codes: np.ndarray) -> np.ndarray:
        """Each code's column, or -1. Searched once per distinct code, in order: a batch
        repeats its n-grams, and sorted searches stay in the cache."""
        known, columns = self._sorted
        if not len(known):
            return np.full(len(codes), -1, dtype=np.int64)
        distinct, where = np.unique(codes, return_inverse=True)
        at = np.minimum(np.searchsorted(known, distinct), len(known) - 1)
        return np.where(known[at] == distinct, columns[at], -1)[where]

    def __len__(self) -> int:
        return len(self.terms)

    @staticmethod
    def _codes(terms: np.ndarray) -> np.ndarray:
        """Each term's code, as ``find`` makes them from text."""
        terms = terms.astype("<U3")
        points = terms.view(np.uint32).reshape(-1, 3).astype(np.uint64)
        lengths = np.char.str_len(terms)
        codes = np.zeros(len(terms), dtype=np.uint64)
        for k in range(3):
            codes = np.where(k < lengths, (codes << np.uint64(21)) | points[:, k], codes)
        return codes | (np.uint64(1) << (np.uint64(60) + lengths.astype(np.uint64)))

    def columns(self, document: str) -> list[int]:
        """The column of every in-vocabulary n-gram, repeats included."""
        text = _WHITE_SPACES.sub(" ", document)
        low, high = self.ngram_range
        found: list[int | None] = []
        grams = list(text)
        for n in range(1, high + 1):
            if n > 1:  # each n-gram is an (n-1)-gram and the character after it
                grams = list(map(add, grams, text[n - 1:]))
            if n >= low:
                found.extend(map(self._index.get, grams))
        return [c for c in found if c is not None]

    def find(self, documents: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every in-vocabulary n-gram, repeats included."""
        texts = [_WHITE_SPACES.sub(" ", doc) for doc in documents]
        points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"),
                               dtype=np.uint32).astype(np.uint64)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        rows, columns = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            starts = len(points) - n + 1
            if starts <= 0:
                continue
            code = points[:starts].copy()
            for k in range(1, n):
                code = (code << np.uint64(21)) | points[k:k + starts]
            code |= np.uint64(1 << (60 + n))
            found = self._columns_of(code)
            hit = (found >= 0) & (doc[:starts] == doc[n - 1:n - 1 + starts])
            rows.append(doc[:starts][hit])
            columns.append(found[hit])
        return np.concatenate(rows), np.concatenate(columns)


@dataclass(frozen=True)
class Cells:
    """The non-zero cells of a matrix in row-major order, columns sorted within a row (only
    ``weigh`` also takes them block by block, as it needs no order).

    What the feature blocks pass along instead of scipy matrices: a tagging call reads a few
    rows, and building a scipy matrix costs more than the arithmetic on them.
    """

    rows: np.ndarray     # int64
    columns: np.ndarray  # int64
    values: np.ndarray   # float64
    shape: tuple[int, int]

    def tocsr(self):
        """As a scipy CSR matrix (imported here: tagging a few paragraphs never needs it)."""
        import scipy.sparse as sp

        indptr = np.searchsorted(self.rows, np.arange(self.shape[0] + 1))
        matrix = sp.csr_matrix((self.values, self.columns.astype(np.int32), indptr),
                               shape=self.shape)
        matrix.has_sorted_indices = True
        return matrix

    def __matmul__(self, other) -> np.ndarray:
        """The product with a dense vector or matrix, equal to the bit to scipy's (each output
        cell sums its products one after the other, in column order)."""
        other = np.asarray(other)
        n = self.shape[0]
        if other.ndim == 1:
            return np.bincount(self.rows, weights=self.values * other[self.columns],
                               minlength=n)
        if n > _FEW_ROWS:
            return np.asarray(self.tocsr() @ other)
        width = other.shape[1]
        bins = (self.rows[:, None] * width + np.arange(width)).ravel()
        products = (self.values[:, None] * other[self.columns]).ravel()
        return np.bincount(bins, weights=products, minlength=n * width).reshape(n, width)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one row."""
        start, end = np.searchsorted(self.rows, [i, i + 1])
        return self.columns[start:end], self.values[start:end]

    def grouped(self, group_of: np.ndarray, n_groups: int) -> Cells:
        """Rows summed into groups (``group_of`` gives each row's group), such as articles."""
        n_columns = self.shape[1]
        keys = group_of[self.rows] * n_columns + self.columns
        cells, where = np.unique(keys, return_inverse=True)
        values = np.bincount(where, weights=self.values, minlength=len(cells))
        return Cells(cells // n_columns, cells % n_columns, values.astype(np.float64),
                     (n_groups, n_columns))


def counts(vocabulary, documents: list[str]) -> Cells:
    """Term counts per document (rows) and vocabulary column.

    A few short documents are counted in Python (``vocabulary.columns``); numpy's fixed costs
    would be most of the work. Longer inputs go through ``vocabulary.find`` in numpy.
    """
    n_columns = len(vocabulary)
    if sum(map(len, documents)) <= _FEW_CHARACTERS:
        rows, columns, values = [], [], []
        for row, document in enumerate(documents):
            counted = Counter(vocabulary.columns(document))
            found = sorted(counted)
            rows += [row] * len(found)
            columns += found
            values += map(counted.__getitem__, found)
        return Cells(np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64),
                     np.array(values, dtype=np.float64), (len(documents), n_columns))
    rows, columns = vocabulary.find(documents)
    cells, found = np.unique(rows * n_columns + columns, return_counts=True)
    return Cells(cells // n_columns, cells % n_columns, found.astype(np.float64),
                 (len(documents), n_columns))


def weigh(found: Cells, idf: np.ndarray, sublinear_tf: bool,
          blocks: np.ndarray | None = None, n_blocks: int = 1) -> Cells:
    """TF-IDF rows of unit length from term counts, in scikit-learn's order of operations, so
    the numbers are the same to the last bit.

    With ``blocks`` (each cell's block, of ``n_blocks``), each block of a row is made unit
    length on its own: several vectorizers' matrices side by side, weighed in one pass.
    """
    values = found.values.astype(np.float64)  # a copy
    if sublinear_tf:
        np.log(values, values)
        values += 1.0
    values *= idf[found.columns]
    bins = found.rows if blocks is None else found.rows * n_blocks + blocks
    # bincount adds in order, as scikit-learn's row-normalising loop does.
    norms = np.sqrt(np.bincount(bins, weights=values * values,
                                minlength=found.shape[0] * n_blocks))
    norms[norms == 0.0] = 1.0
    values /= norms[bins]
    return Cells(found.rows, found.columns, values, found.shape)


class KeywordScanner:
    """Every keyword that occurs in a text, overlapping ones and ones inside others included:
    one pass of an Aho-Corasick automaton over the text."""

    def __init__(self, keywords):
        self.index = {keyword: i for i, keyword in enumerate(keywords)}
        self._automaton = ahocorasick.Automaton()
        for keyword, i in self.index.items():
            self._automaton.add_word(keyword, i)
        self._automaton.make_automaton()

    def find(self, text: str) -> set[int]:
        """Indices of the keywords found in ``text``."""
        if not self.index:
            return set()
        return {i for _, i in self._automaton.iter(text)}

    def occurs(self, text: str) -> bool:
        """Whether any keyword occurs in ``text``: the first match ends the scan."""
        return bool(self.index) and next(self._automaton.iter(text), None) is not None
