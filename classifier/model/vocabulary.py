"""Vocabulary lookups: which terms of a fitted vectorizer occur in new text, found quickly.

scikit-learn's ``transform`` looks every term up in a ``try``/``except KeyError`` loop, and most
character n-grams of a text it has not seen are out of vocabulary: each costs an exception.
These functions give the same matrices (tests hold them equal) with the lookups done in C.
"""

from __future__ import annotations

import functools
import re
import weakref
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer


def counts(vectorizer, documents: list[str]) -> sp.csr_matrix:
    """``CountVectorizer.transform`` of a fitted vectorizer: term counts, indices sorted."""
    if _CharCodes.fits(vectorizer) and all(isinstance(doc, str) for doc in documents):
        rows, columns = _char_codes(vectorizer).find(documents)
    else:
        rows, columns = _find_terms(vectorizer, documents)
    matrix = _count_matrix(rows, columns, len(documents), len(vectorizer.vocabulary_))
    if vectorizer.binary:
        matrix.data[:] = 1
    return matrix.astype(vectorizer.dtype, copy=False)


def tfidf(vectorizer, documents: list[str]) -> sp.csr_matrix:
    """``TfidfVectorizer.transform`` of a fitted vectorizer: the same weighting of the counts."""
    matrix = counts(vectorizer, documents)
    weighting = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                 smooth_idf=vectorizer.smooth_idf,
                                 sublinear_tf=vectorizer.sublinear_tf)
    if vectorizer.use_idf:
        weighting.idf_ = vectorizer.idf_
    else:
        weighting.fit(matrix)  # nothing to learn without idf; marks it fitted
    return sp.csr_matrix(weighting.transform(matrix, copy=False))


def _find_terms(vectorizer, documents) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of every in-vocabulary term the vectorizer's analyzer yields."""
    analyze, lookup = vectorizer.build_analyzer(), vectorizer.vocabulary_.get
    columns = [list(map(lookup, analyze(doc), repeat(-1))) for doc in documents]
    lengths = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
    rows = np.repeat(np.arange(len(columns), dtype=np.int64), lengths)
    flat = np.fromiter(chain.from_iterable(columns), dtype=np.int64, count=lengths.sum())
    known = flat >= 0
    return rows[known], flat[known]


def _count_matrix(rows, columns, n_rows: int, n_columns: int) -> sp.csr_matrix:
    cells, counted = np.unique(rows * n_columns + columns, return_counts=True)
    indptr = np.searchsorted(cells // n_columns, np.arange(n_rows + 1))
    return sp.csr_matrix((counted.astype(np.float64), (cells % n_columns).astype(np.int32),
                          indptr), shape=(n_rows, n_columns))


class _CharCodes:
    """A character n-gram vocabulary (n <= 3) as sorted integer codes.

    An n-gram's code packs its code points (21 bits each) and a bit for its length, so the
    n-grams of a whole batch are made and looked up in numpy rather than one by one.
    """

    _WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's character analyzer

    @classmethod
    def fits(cls, vectorizer) -> bool:
        """Whether the vectorizer reads plain text into character n-grams of up to 3."""
        return (vectorizer.analyzer == "char" and vectorizer.input == "content"
                and vectorizer.ngram_range[1] <= 3 and not vectorizer.lowercase
                and vectorizer.preprocessor is None and vectorizer.strip_accents is None
                and vectorizer.vocabulary is None)

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]):
        self.vocabulary, self.ngram_range = vocabulary, ngram_range
        codes = np.array([self._code(term) for term in vocabulary], dtype=np.uint64)
        order = np.argsort(codes)
        self._codes = codes[order]
        self._columns = np.fromiter(vocabulary.values(), dtype=np.int64)[order]

    @staticmethod
    def _code(term: str) -> int:
        code = 0
        for char in term:
            code = (code << 21) | ord(char)
        return code | (1 << (60 + len(term)))

    def find(self, documents) -> tuple[np.ndarray, np.ndarray]:
        texts = [self._WHITE_SPACES.sub(" ", doc) for doc in documents]
        points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"),
                               dtype=np.uint32)
        points = points.astype(np.uint64)
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


_CHAR_CODES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _char_codes(vectorizer) -> _CharCodes:
    """The codes of a vectorizer's vocabulary, made once (again if it is refitted)."""
    codes = _CHAR_CODES.get(vectorizer)
    if (codes is None or codes.vocabulary is not vectorizer.vocabulary_
            or codes.ngram_range != tuple(vectorizer.ngram_range)):
        codes = _CharCodes(vectorizer.vocabulary_, tuple(vectorizer.ngram_range))
        _CHAR_CODES[vectorizer] = codes
    return codes


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
        self._starts = re.compile("[" + "".join(map(re.escape, sorted(lengths))) + "]")

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


@functools.lru_cache(maxsize=16)
def keyword_scanner(keywords: tuple[str, ...]) -> KeywordScanner:
    """The scanner of a keyword vocabulary, built once per process."""
    return KeywordScanner(keywords)
