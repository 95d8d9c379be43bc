"""``tagger report``: theme counts of a ``tagger tag`` output, as a table and a bar chart."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from classifier.charts import theme_labels
from classifier.errors import DataError, Problem


@dataclass
class Counts:
    """Articles and paragraphs per theme in an output, and its records, errors and models."""

    records: int = 0
    errors: int = 0
    articles: Counter = field(default_factory=Counter)
    paragraphs: Counter = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)
    versions: Counter = field(default_factory=Counter)

    def add(self, out: dict) -> None:
        self.records += 1
        if "error" in out:
            self.errors += 1
            return
        self.versions[out["model_version"]] += 1
        for theme in out["themes"]:
            self.articles[theme["id"]] += 1
            self.names[theme["id"]] = theme["name"]
        for paragraph in out["paragraphs"]:
            self.paragraphs.update(t["id"] for t in paragraph["themes"])

    def rows(self, themes=()) -> list[tuple[str, str, int, int]]:
        """(id, name, articles, paragraphs): the given themes in order, then any others seen."""
        names = dict(themes)
        names.update((tid, name) for tid, name in self.names.items() if tid not in names)
        return [(tid, name, self.articles[tid], self.paragraphs[tid])
                for tid, name in names.items()]


def count_output(path: str | Path) -> Counts:
    """Read a JSONL output of ``tagger tag``; raises DataError listing every line it cannot use."""
    counts, problems = Counts(), []
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise DataError(Problem(str(path), None, f"cannot read: {exc.strerror}")) from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                counts.add(json.loads(line))
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(Problem(str(path), number, "not an output record of tagger tag"))
    if problems:
        raise DataError(problems)
    return counts


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(counts: Counts, themes=()) -> str:
    """The counts as aligned text (Chinese names take two columns per character)."""
    rows = counts.rows(themes)
    id_width = max([len("theme"), *(len(r[0]) for r in rows)])
    name_width = max([len("name"), *(_width(r[1]) for r in rows)])
    lines = [f"{_pad('theme', id_width)}  {_pad('name', name_width)}  articles  paragraphs"]
    lines += [f"{_pad(tid, id_width)}  {_pad(name, name_width)}  {a:>8}  {p:>10}"
              for tid, name, a, p in rows]
    versions = ", ".join(sorted(counts.versions)) or "none"
    lines.append(f"records: {counts.records}   errors: {counts.errors}   model: {versions}")
    return "\n".join(lines)


def plot(counts: Counts, path: str | Path, themes=()) -> None:
    """A horizontal bar chart of articles and paragraphs per theme, most articles on top,
    the themes by their Chinese names (ids where no CJK font is installed), written as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = sorted(counts.rows(themes), key=lambda r: (r[2], r[3]))
    labels, font = theme_labels([r[0] for r in rows], {r[0]: r[1] for r in rows})
    positions = range(len(rows))
    figure = Figure(figsize=(8, 0.4 * len(rows) + 1.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh([p + 0.2 for p in positions], [r[2] for r in rows], height=0.4, label="articles")
    axes.barh([p - 0.2 for p in positions], [r[3] for r in rows], height=0.4,
              label="paragraphs")
    axes.set_yticks(list(positions), labels, fontproperties=font)
    axes.set_xlim(left=0)
    axes.set_xlabel("count")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"themes in {counts.records} records ({counts.errors} errors)")
    axes.legend(loc="lower right")
    figure.savefig(path, format="png", dpi=100)
