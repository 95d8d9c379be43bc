"""The labelled-data checker behind ``tagger data check``: collects every problem, then reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifier.data.exchange import Example, read_examples
from classifier.data.taxonomy import Taxonomy
from classifier.errors import Problem
from classifier.model.text import numbered_paragraphs

SHINGLE = 3
# Shorter lines (bylines, dates, headings) repeat across any newspaper's articles.
NEAR_DUPLICATE_MIN_CHARS = 15
NEAR_DUPLICATE_JACCARD = 0.6


@dataclass
class CheckResult:
    problems: list[Problem]
    examples: list[Example]
    taxonomy: Taxonomy

    @property
    def ok(self) -> bool:
        return not self.problems

    def positives(self) -> Counter:
        return Counter(label for ex in self.examples for label in ex.labels)


def _duplicate_problems(examples: list[Example]) -> list[Problem]:
    problems, ids, texts = [], {}, {}
    for ex in examples:
        rid = ex.fields.get("id")
        if rid is not None:
            if rid in ids:
                first = ids[rid]
                problems.append(Problem(ex.source, ex.line, f"duplicate id {rid!r} "
                                        f"(first at {first.source}:{first.line})"))
            else:
                ids[rid] = ex
        key = ex.text.strip()
        first = texts.setdefault(key, ex)
        if first is not ex and set(first.labels) != set(ex.labels):
            problems.append(Problem(ex.source, ex.line, "same text as "
                                    f"{first.source}:{first.line} with different labels"))
    return problems


def _seed_problems(examples: list[Example], seeds_dir: Path) -> list[Problem]:
    """Every paragraph of every seed present exactly once, with its exact text."""
    seeds = {p.name: p for p in sorted(seeds_dir.glob("*.txt"))}
    derived = [ex for ex in examples if ex.fields.get("doc") in seeds]
    problems, seen = [], Counter()
    expected = {}
    for name, path in seeds.items():
        paragraphs = numbered_paragraphs(path.read_text(encoding="utf-8"))
        for para, (line, text) in enumerate(paragraphs, 1):
            expected[(name, para)] = (line, text)
    for ex in derived:
        key = (ex.fields["doc"], ex.fields.get("para"))
        if key not in expected:
            problems.append(Problem(ex.source, ex.line, f"{key[0]} has no paragraph {key[1]!r}"))
            continue
        seen[key] += 1
        if seen[key] == 2:
            problems.append(Problem(ex.source, ex.line, f"{key[0]} paragraph {key[1]} repeated"))
        if ex.text != expected[key][1]:
            problems.append(Problem(ex.source, ex.line, f"text differs from {key[0]} "
                                    f"paragraph {key[1]} (seed line {expected[key][0]})"))
    labelled_docs = {ex.fields["doc"] for ex in derived}
    for (name, para), (line, _) in expected.items():
        if name in labelled_docs and not seen[(name, para)]:
            problems.append(Problem(str(seeds[name]), line, f"paragraph {para} missing "
                                    "from the labelled data"))
    if labelled_docs:  # files of other articles need not carry the seeds
        for name in sorted(set(seeds) - labelled_docs):
            problems.append(Problem(str(seeds[name]), None, "seed has no labelled paragraphs"))
    return problems


def _shingles(text: str) -> set[str]:
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def _near_duplicate_problems(examples: list[Example]) -> list[Problem]:
    """Paragraphs of different articles sharing most of their character 3-grams: a corpus
    grown from templates teaches the model the template. The seeds are real pages, whose
    site furniture repeats, and are exempt among themselves."""
    long = [ex for ex in examples if len(ex.text.strip()) >= NEAR_DUPLICATE_MIN_CHARS]
    index: dict[str, int] = {}
    rows, cols = [], []
    for row, ex in enumerate(long):
        for gram in _shingles(ex.text.strip()):
            rows.append(row)
            cols.append(index.setdefault(gram, len(index)))
    if not rows:
        return []
    X = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(long), len(index)))
    sizes = np.asarray(X.sum(axis=1)).ravel()
    shared = sp.triu(X @ X.T, k=1).tocoo()
    jaccard = shared.data / (sizes[shared.row] + sizes[shared.col] - shared.data)
    problems = []
    for i, j, value in zip(shared.row, shared.col, jaccard, strict=True):
        first, second = long[i], long[j]
        real = first.fields.get("source") == second.fields.get("source") == "seed"
        if value >= NEAR_DUPLICATE_JACCARD and first.group != second.group and not real:
            problems.append(Problem(second.source, second.line, "near-duplicate of "
                                    f"{first.source}:{first.line} in another article "
                                    f"({value:.0%} of character 3-grams shared)"))
    return sorted(problems, key=lambda p: (p.path, p.line or 0))


def check_data(files, taxonomy: Taxonomy, seeds_dir: Path | None) -> CheckResult:
    """Check labelled files against a taxonomy (and the seeds, when given); never raises on data."""
    examples, problems = [], []
    for path in files:
        found_examples, found = read_examples(path, taxonomy)
        examples += found_examples
        problems += found
    problems += _duplicate_problems(examples)
    problems += _near_duplicate_problems(examples)
    if seeds_dir is not None:
        problems += _seed_problems(examples, Path(seeds_dir))
    return CheckResult(problems, examples, taxonomy)


def summary_rows(result: CheckResult) -> list[tuple[str, str, int, int]]:
    """Rows of the clean-run summary: (theme id, Chinese name, positives, their articles)."""
    positives = result.positives()
    articles: dict[str, set] = {t: set() for t in result.taxonomy.ids}
    for ex in result.examples:
        for label in ex.labels:
            articles[label].add(ex.group)
    return [(t.id, t.name_zh, positives[t.id], len(articles[t.id]))
            for t in result.taxonomy.themes]


def article_counts(result: CheckResult) -> dict[str, int]:
    """Articles by kind: union, general, and unknown (no ``kind`` given)."""
    kinds = {ex.group: ex.kind or "unknown" for ex in result.examples}
    return {kind: sum(1 for k in kinds.values() if k == kind)
            for kind in ("union", "general", "unknown")}
