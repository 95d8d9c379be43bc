"""Vocabulary lookups: which terms of a fitted vocabulary occur in new text, found in C.

The matrices equal scikit-learn's ``TfidfVectorizer.transform`` of the vectorizers they were
fitted as (tests hold them equal), computed with numpy alone: tagging never imports
scikit-learn, and no out-of-vocabulary n-gram costs a Python exception.
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
import scipy.sparse as sp

_TOKENS = re.compile(r"(?u)\S+")
_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's character analyzer


class WordVocabulary:
    """Space-separated tokens looked up in a term-to-column dict."""

    def __init__(self, terms):
        self.terms = np.asarray(terms, dtype=str)
        self._index = {term: i for i, term in enumerate(self.terms.tolist())}

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, documents: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every in-vocabulary token, repeats included."""
        lookup = self._index.get
        columns = [[c for c in map(lookup, _TOKENS.findall(doc)) if c is not None]
                   for doc in documents]
        lengths = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
        rows = np.repeat(np.arange(len(columns), dtype=np.int64), lengths)
        flat = np.fromiter(chain.from_iterable(columns), dtype=np.int64, count=lengths.sum())
        return rows, flat


class CharVocabulary:
    """Character n-grams (n <= 3) as sorted integer codes.

    An n-gram's code packs its code points (21 bits each) and a bit for its length, so the
    n-grams of a whole batch are made and looked up in numpy rather than one by one.
    """

    def __init__(self, terms, ngram_range: tuple[int, int]):
        if ngram_range[1] > 3:
            raise ValueError(f"character n-grams up to 3, not {ngram_range[1]}")
        self.terms = np.asarray(terms, dtype=str)
        self.ngram_range = tuple(ngram_range)
        codes = np.array([self._code(term) for term in self.terms.tolist()], dtype=np.uint64)
        order = np.argsort(codes)
        self._codes = codes[order]
        self._columns = order.astype(np.int64)

    def __len__(self) -> int:
        return len(self.terms)

    @staticmethod
    def _code(term: str) -> int:
        code = 0
        for char in term:
            code = (code << 21) | ord(char)
        return code | (1 << (60 + len(term)))

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
            if starts <= 0 or not len(self._codes):
                continue
            code = points[:starts].copy()
            for k in range(1, n):
                code = (code << np.uint64(21)) | points[k:k + starts]
            code |= np.uint64(1 << (60 + n))
            at = np.minimum(np.searchsorted(self._codes, code), len(self._codes) - 1)
            hit = (self._codes[at] == code) & (doc[:starts] == doc[n - 1:n - 1 + starts])
            rows.append(doc[:starts][hit])
            columns.append(self._columns[at[hit]])
        return np.concatenate(rows), np.concatenate(columns)


def counts(vocabulary, documents: list[str]) -> sp.csr_matrix:
    """Term counts per document (rows) and vocabulary column, indices sorted."""
    rows, columns = vocabulary.find(documents)
    n_columns = len(vocabulary)
    cells, counted = np.unique(rows * n_columns + columns, return_counts=True)
    indptr = np.searchsorted(cells // n_columns, np.arange(len(documents) + 1))
    return sp.csr_matrix((counted.astype(np.float64), (cells % n_columns).astype(np.int32),
                          indptr), shape=(len(documents), n_columns))


def weigh(matrix: sp.csr_matrix, idf: np.ndarray, sublinear_tf: bool) -> sp.csr_matrix:
    """TF-IDF rows of unit length from term counts, in scikit-learn's order of operations, so
    the numbers are the same to the last bit."""
    matrix = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    matrix.sort_indices()
    if sublinear_tf:
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
    matrix.data *= idf[matrix.indices]
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    # bincount adds in order, as scikit-learn's row-normalising loop does.
    norms = np.sqrt(np.bincount(rows, weights=matrix.data * matrix.data,
                                minlength=matrix.shape[0]))
    norms[norms == 0.0] = 1.0
    matrix.data /= norms[rows]
    return matrix


class KeywordScanner:
    """Every keyword that occurs in a text, overlapping ones and ones inside others included.

    Only positions holding a keyword's first character are tried (one C-level scan finds
    them), and there only the lengths of the keywords that start with that character.
    """

    def __init__(self, keywords):
        self.index = {keyword: i for i, keyword in enumerate(keywords)}
        lengths: dict[str, set[int]] = {}
        for keyword in self.index:
            lengths.setdefault(keyword[0], set()).add(len(keyword))
        self._lengths = {char: sorted(found) for char, found in lengths.items()}
        # With no keywords, a pattern that matches nowhere.
        self._starts = re.compile("[" + "".join(map(re.escape, sorted(lengths))) + "]"
                                  if lengths else "(?!)")

    def find(self, text: str) -> set[int]:
        """Indices of the keywords found in ``text``."""
        found = set()
        for match in self._starts.finditer(text):
            start = match.start()
            for length in self._lengths[match.group()]:
                index = self.index.get(text[start:start + length])
                if index is not None:
                    found.add(index)
        return found

    def presence(self, texts: list[str]) -> sp.csr_matrix:
        """Text-by-keyword matrix, 1 where the keyword occurs."""
        found = [sorted(self.find(text)) for text in texts]
        indptr = np.cumsum([0, *map(len, found)])
        columns = np.fromiter(chain.from_iterable(found), dtype=np.int32, count=indptr[-1])
        return sp.csr_matrix((np.ones(len(columns)), columns, indptr),
                             shape=(len(texts), len(self.index)))
