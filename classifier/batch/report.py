"""``tagger report``: theme counts of a ``tagger tag`` output, overall or by period and any
field of its records, as a table, a CSV and a chart."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from classifier.charts import cjk_font, theme_labels
from classifier.errors import DataError, Problem

UNKNOWN = "unknown"
PERIODS = ("month", "quarter", "year")
# A year, then optionally a month: 2024-03-15, 2024/3/5, 2024年3月15日, 2024-03, 2024.
_DATE = re.compile(r"\s*(\d{4})(?:[-/.年](\d{1,2})(?!\d))?")


def period_of(value, period: str) -> str:
    """The month (2024-03), quarter (2024-Q1) or year (2024) of a date, or "unknown"."""
    found = _DATE.match(str(value)) if value not in (None, "") else None
    month = int(found[2]) if found and found[2] else None
    if not found or (month is None and period != "year") or not 1 <= (month or 1) <= 12:
        return UNKNOWN
    year = found[1]
    return {"year": year, "quarter": f"{year}-Q{((month or 1) - 1) // 3 + 1}",
            "month": f"{year}-{month or 1:02d}"}[period]


@dataclass(frozen=True)
class Grouping:
    """The fields of output records to count by; ``period`` groups the first one as dates."""

    by: tuple[str, ...] = ()
    period: str | None = None

    def key(self, out: dict) -> tuple[str, ...]:
        values = []
        for number, name in enumerate(self.by):
            value = out.get(name)
            if number == 0 and self.period:
                values.append(period_of(value, self.period))
            else:
                text = "" if value is None else str(value).strip()
                values.append(text or UNKNOWN)
        return tuple(values)


@dataclass
class Counts:
    """Articles and paragraphs per theme in an output, and its records, errors and models."""

    records: int = 0
    errors: int = 0
    articles: Counter = field(default_factory=Counter)
    paragraphs: Counter = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)
    versions: Counter = field(default_factory=Counter)
    grouping: Grouping = field(default_factory=Grouping)
    groups: dict[tuple, Counter] = field(default_factory=dict)
    documents: Counter = field(default_factory=Counter)

    def add(self, out: dict) -> None:
        self.records += 1
        if "error" in out:
            self.errors += 1
            return
        self.versions[out["model_version"]] += 1
        key = self.grouping.key(out)
        self.documents[key] += 1
        group = self.groups.setdefault(key, Counter())
        for theme in out["themes"]:
            self.articles[theme["id"]] += 1
            self.names[theme["id"]] = theme["name"]
            group[theme["id"]] += 1
        for paragraph in out["paragraphs"]:
            self.paragraphs.update(t["id"] for t in paragraph["themes"])

    def rows(self, themes=()) -> list[tuple[str, str, int, int]]:
        """(id, name, articles, paragraphs): the given themes in order, then any others seen."""
        names = dict(themes)
        names.update((tid, name) for tid, name in self.names.items() if tid not in names)
        return [(tid, name, self.articles[tid], self.paragraphs[tid])
                for tid, name in names.items()]


def count_output(path: str | Path, grouping: Grouping = Grouping()) -> Counts:
    """Read a JSONL output of ``tagger tag``; raises DataError listing every line it cannot use."""
    counts, problems = Counts(grouping=grouping), []
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


def _order(value: str) -> tuple[bool, str]:
    return value == UNKNOWN, value


def group_keys(counts: Counts) -> list[tuple[str, ...]]:
    """The groups seen, in order of their values (periods in time order), "unknown" last."""
    return sorted(counts.documents, key=lambda key: [_order(v) for v in key])


def _by_total(counts: Counts, themes=()) -> list[tuple[str, str, int]]:
    """(id, name, articles) of every theme, most articles first."""
    return sorted(((tid, name, a) for tid, name, a, _ in counts.rows(themes)),
                  key=lambda r: -r[2])


def _line(name: str, first: int, cells, widths) -> str:
    right = (" " * (w - _width(str(c))) + str(c) for c, w in zip(cells, widths, strict=True))
    return "  ".join([_pad(name, first), *right])


def group_table(counts: Counts, themes=()) -> str:
    """Articles per theme (rows, most first) and group (columns), with totals."""
    keys = group_keys(counts)
    heads = [" ".join(key) for key in keys] + ["total"]
    rows = [(name, [counts.groups[key][tid] for key in keys] + [total])
            for tid, name, total in _by_total(counts, themes)]
    rows.append(("articles", [counts.documents[key] for key in keys]
                 + [sum(counts.documents.values())]))
    first = max([_width("theme"), *(_width(name) for name, _ in rows)])
    widths = [max(_width(head), 4) for head in heads]
    lines = [_line("theme", first, heads, widths)]
    lines += [_line(name, first, cells, widths) for name, cells in rows]
    lines.append(f"records: {counts.records}   errors: {counts.errors}   by: "
                 f"{', '.join(counts.grouping.by)}" + (f" ({counts.grouping.period})"
                                                       if counts.grouping.period else ""))
    return "\n".join(lines)


def write_csv(counts: Counts, path: str | Path, themes=()) -> None:
    """One row per group and theme: the group's values, the theme's id and Chinese name, its
    articles and the group's articles; UTF-8 with a byte-order mark, so Excel reads Chinese."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*counts.grouping.by, "theme", "name", "articles", "documents"])
        for key in group_keys(counts):
            for tid, name, _ in _by_total(counts, themes):
                writer.writerow([*key, tid, name, counts.groups[key][tid],
                                 counts.documents[key]])


def _font_for(text: str):
    """A font with glyphs for the group values (place names may be Chinese), or the default."""
    from matplotlib.font_manager import FontProperties

    path = cjk_font(text)
    return FontProperties(fname=path) if path else None


def plot_groups(counts: Counts, path: str | Path, themes=()) -> None:
    """Articles per theme along the first --by field (lines over periods, else bars, places
    by most articles), one panel per value of a second field, written as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    keys = group_keys(counts)
    xs = list(dict.fromkeys(key[0] for key in keys))
    if not counts.grouping.period:
        xs.sort(key=lambda x: -sum(counts.documents[k] for k in keys if k[0] == x))
    panels = sorted({key[1:] for key in keys},
                    key=lambda p: -sum(counts.documents[k] for k in keys if k[1:] == p))
    shown = [r for r in _by_total(counts, themes) if r[2]] or _by_total(counts, themes)[:1]
    labels, font = theme_labels([r[0] for r in shown], {r[0]: r[1] for r in shown})
    place_font = _font_for("".join(xs) + "".join(" ".join(p) for p in panels))
    figure = Figure(figsize=(9, 3.5 * len(panels) + 1), layout="constrained")
    FigureCanvasAgg(figure)
    for number, panel in enumerate(panels):
        axes = figure.add_subplot(len(panels), 1, number + 1)
        width = 0.8 / len(shown)
        for index, ((tid, _, _), label) in enumerate(zip(shown, labels, strict=True)):
            ys = [counts.groups.get((x, *panel), Counter())[tid] for x in xs]
            if counts.grouping.period:
                axes.plot(range(len(xs)), ys, marker="o", label=label)
            else:
                axes.bar([i - 0.4 + width * (index + 0.5) for i in range(len(xs))], ys,
                         width=width, label=label)
        axes.set_xticks(range(len(xs)), xs, fontproperties=place_font)
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("articles")
        axes.set_title(" ".join(panel) or f"themes by {counts.grouping.by[0]}",
                       fontproperties=place_font)
        axes.legend(prop=font, loc="upper left", bbox_to_anchor=(1, 1))
    figure.savefig(path, format="png", dpi=100)


def write_totals_csv(counts: Counts, path: str | Path, themes=()) -> None:
    """The overall table as CSV: theme, name, articles, paragraphs, most articles first."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["theme", "name", "articles", "paragraphs"])
        writer.writerows(sorted(counts.rows(themes), key=lambda r: -r[2]))
