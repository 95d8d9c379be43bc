"""The labelled-data checker behind ``tagger data check``: collects every problem, then reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from classifier.data.exchange import Example, read_examples
from classifier.data.taxonomy import Taxonomy
from classifier.errors import Problem
from classifier.model.text import numbered_paragraphs


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
    for name in sorted(set(seeds) - labelled_docs):
        problems.append(Problem(str(seeds[name]), None, "seed has no labelled paragraphs"))
    return problems


def check_data(files, taxonomy: Taxonomy, seeds_dir: Path | None) -> CheckResult:
    """Check labelled files against a taxonomy (and the seeds, when given); never raises on data."""
    examples, problems = [], []
    for path in files:
        found_examples, found = read_examples(path, taxonomy)
        examples += found_examples
        problems += found
    problems += _duplicate_problems(examples)
    if seeds_dir is not None:
        problems += _seed_problems(examples, Path(seeds_dir))
    return CheckResult(problems, examples, taxonomy)


def summary_rows(result: CheckResult) -> list[tuple[str, str, int]]:
    """Rows of the clean-run summary: (theme id, Chinese name, positives)."""
    positives = result.positives()
    return [(t.id, t.name_zh, positives[t.id]) for t in result.taxonomy.themes]
