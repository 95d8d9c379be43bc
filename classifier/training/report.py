"""The training report: Markdown with per-theme figures beside the baseline, and a PNG chart."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from classifier.charts import theme_labels
from classifier.training.evaluation import CrossValidation, Figures

WHY = """\
Settings were chosen by cross-validation over whole articles, every figure from models that
never saw the article they score. What mattered:

- **Union work, read in its article.** The themes are themes of union work: a union-work gate
  (a logistic regression over the same features, learnt from whole articles marked union or
  general news) scores the article and the paragraph, and the taxonomy's union-body terms
  (工会, 总工会, 职工之家 ...) are looked for in both. Two small heads weigh the paragraph
  model's score with that evidence: one for a paragraph inside an article, one for a text of
  one paragraph, which is its own context. Without them, general news full of theme words
  (parcel-chain 驿站, school sports, a justice bureau's legal aid) was tagged a quarter of the
  time.
- **Calibrated scores.** The heads are unweighted logistic regressions fitted on out-of-fold
  scores, so a score is a probability; the reliability plot and the calibration error show it.
- **Taxonomy knowledge in the features.** Per-theme counts of taxonomy keyword matches are a
  feature block with learned weights, and every keyword is also a weak one-word training example
  of its theme.
- **Character 2-3-grams with sublinear tf** next to jieba words catch terms the dictionary lacks;
  balanced class weights in the paragraph model keep rare themes from being ignored.
"""


def figures_table(model: Figures, baseline: Figures | None = None) -> str:
    head = "| theme | P | R | F1 | support |"
    rule = "|---|---:|---:|---:|---:|"
    if baseline is not None:
        head += " baseline P | baseline R | baseline F1 |"
        rule += "---:|---:|---:|"
    rows = [head, rule]
    for j, t in enumerate(model.themes):
        row = f"| `{t.id}` | {t.precision:.2f} | {t.recall:.2f} | {t.f1:.2f} | {t.support} |"
        if baseline is not None:
            b = baseline.themes[j]
            row += f" {b.precision:.2f} | {b.recall:.2f} | {b.f1:.2f} |"
        rows.append(row)
    for name, label in (("macro_f1", "macro-F1"), ("micro_f1", "micro-F1")):
        row = f"| **{label}** | | | **{getattr(model, name):.3f}** | |"
        if baseline is not None:
            row += f" | | **{getattr(baseline, name):.3f}** |"
        rows.append(row)
    return "\n".join(rows)


def f1_chart(cv: CrossValidation, path: Path, names: dict[str, str]) -> Path:
    """Per-theme F1 of model and baseline, themes by the model's F1, highest first."""
    order = sorted(range(len(cv.model.themes)), key=lambda j: -cv.model.themes[j].f1)
    labels, font = theme_labels([cv.model.themes[j].id for j in order], names)
    fig = Figure(figsize=(10, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = range(len(order))
    ax.bar([x - 0.2 for x in xs], [cv.model.themes[j].f1 for j in order], 0.4, label="model")
    ax.bar([x + 0.2 for x in xs], [cv.baseline.themes[j].f1 for j in order], 0.4,
           label="keyword baseline")
    ax.set_xticks(list(xs), labels, rotation=45, ha="right", fontproperties=font)
    ax.set_ylabel("F1 (cross-validation by article)")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Per-theme F1: model macro {cv.model.macro_f1:.3f}, "
                 f"baseline macro {cv.baseline.macro_f1:.3f}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def curve_chart(points: list[dict], path: Path) -> Path:
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([p["paragraphs"] for p in points], [p["macro_f1"] for p in points], marker="o")
    ax.set_ylim(0, 1.0)
    for p in points:
        ax.annotate(f"{p['fraction']:.0%}", (p["paragraphs"], p["macro_f1"]),
                    textcoords="offset points", xytext=(0, 6), ha="center")
    ax.set_xlabel("training paragraphs per fold")
    ax.set_ylabel("macro-F1 (cross-validation by article)")
    ax.set_title("Learning curve")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def reliability_chart(rows: list[dict], path: Path) -> Path:
    fig = Figure(figsize=(5, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly reliable")
    ax.scatter([r["mean_score"] for r in rows], [r["observed"] for r in rows],
               s=[20 + r["count"] / 5 for r in rows], label="score bins (size: count)")
    ax.set_xlabel("out-of-fold score (bin mean)")
    ax.set_ylabel("observed frequency of the label")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Reliability of scores, all themes")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def _spread_table(fold_thresholds, ids) -> str:
    rows = ["| theme | min | max | std |", "|---|---:|---:|---:|"]
    for j, tid in enumerate(ids):
        col = fold_thresholds[:, j]
        rows.append(f"| `{tid}` | {col.min():.2f} | {col.max():.2f} | {col.std():.3f} |")
    return "\n".join(rows)


def _curve_table(points: list[dict]) -> str:
    rows = ["| share of training paragraphs | paragraphs per fold | macro-F1 |", "|---:|---:|---:|"]
    rows += [f"| {p['fraction']:.0%} | {p['paragraphs']} | {p['macro_f1']:.3f} |" for p in points]
    return "\n".join(rows)


def _settings_table(settings: dict, features: dict) -> str:
    rows = ["| setting | value |", "|---|---|"]
    rows += [f"| `{name}` | {value} |" for name, value in {**features, **settings}.items()]
    return "\n".join(rows)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def headline_table(cv: CrossValidation) -> str:
    """The figures a reader asks for first, each beside what it is compared with."""
    rows = ["| figure | value | compared with |", "|---|---:|---|"]
    rows.append(f"| macro-F1, union articles, paragraphs read in their articles | "
                f"**{cv.model.macro_f1:.3f}** | keyword baseline {cv.baseline.macro_f1:.3f} |")
    rows.append(f"| macro-F1, the same paragraphs each sent alone | {cv.alone.macro_f1:.3f} | |")
    if cv.seeds is not None:
        rows.append(f"| macro-F1, the {cv.counts['seed_articles']} seed articles | "
                    f"{cv.seeds[0].macro_f1:.3f} | keyword baseline {cv.seeds[1].macro_f1:.3f} |")
    rows.append(f"| non-union paragraphs given a theme, in their articles | "
                f"{_share(cv.general_tagged)} | target ≤ 2% |")
    rows.append(f"| non-union paragraphs given a theme, each sent alone | "
                f"{_share(cv.general_tagged_alone)} | |")
    rows.append(f"| expected calibration error | {cv.calibration_error:.3f} | target ≤ 0.05 |")
    return "\n".join(rows)


def write_report(directory: Path, metadata: dict, cv: CrossValidation, model) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    chart = f1_chart(cv, directory / "f1.png", {t.id: t.name_zh for t in model.taxonomy.themes})
    curve = curve_chart(metadata["learning_curve"], directory / "learning_curve.png")
    calibration = reliability_chart(metadata["reliability"], directory / "reliability.png")
    ids = [t.id for t in cv.model.themes]
    counts = cv.counts
    thresholds = "\n".join(
        ["| theme | in an article | alone |", "|---|---:|---:|"]
        + [f"| `{tid}` | {v['in_article']:.2f} | {v['alone']:.2f} |"
           for tid, v in model.theme_thresholds().items()])
    text = f"""# Training report: model {metadata['version']}

Trained {metadata['created']} on {', '.join(metadata['training_data'])}
(taxonomy version {metadata['taxonomy_version']}): {counts['paragraphs']} paragraphs of
{counts['articles']} articles ({counts['union_articles']} union, {counts['general_articles']}
general news), cross-validated in {counts['folds']} folds of whole articles.

## Headline figures

{headline_table(cv)}

## Per theme: union articles, paragraphs read in their articles, beside the keyword baseline

{figures_table(cv.model, cv.baseline)}

![Per-theme F1]({chart.name})

## Is more labelling worth it?

Macro-F1 of the paragraph model on union articles, with each training fold cut to a share of
its paragraphs (the held-out articles stay whole). A curve still rising at 100% says more
labels will pay.

{_curve_table(metadata["learning_curve"])}

![Learning curve]({curve.name})

Spread of each theme's in-article threshold across the {counts['folds']} folds (a wide spread
means the threshold rests on few examples):

{_spread_table(cv.fold_thresholds[:, 0], ids)}

## Calibration

Out-of-fold probabilities against how often the label is really there; expected calibration
error {cv.calibration_error:.3f}.

![Reliability]({calibration.name})

## Settings and why

{_settings_table(metadata['settings'], metadata.get('features', model.linear.features
                                                    .settings.to_dict()))}

{WHY}
## Thresholds

Per theme, F1-best on out-of-fold probabilities of the training data:

{thresholds}
"""
    path = directory / "report.md"
    path.write_text(text, encoding="utf-8")
    return path
