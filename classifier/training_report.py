"""The training report: Markdown with per-theme figures beside the baseline, and a PNG chart."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .evaluation import CrossValidation, Figures  # noqa: E402

WHY = """\
Settings were chosen by leave-one-document-out macro-F1 on the seed paragraphs (five documents,
so every figure comes from a model that never saw the article it is scored on). What mattered:

- **Taxonomy knowledge in the features.** Per-theme counts of taxonomy keyword matches are a
  feature block with learned weights, and every keyword is also a weak one-word training example
  of its theme. Five articles cannot teach a vocabulary; the keywords carry it to unseen articles.
- **Pooled thresholds.** Per-theme F1-best thresholds from four training documents are noisy;
  pulling each halfway towards the threshold that is best for all themes pooled gained more than
  any feature setting.
- **Character 2-3-grams with sublinear tf** next to jieba words catch terms the dictionary lacks;
  balanced class weights keep rare themes (a handful of positives) from being ignored.
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


def f1_chart(cv: CrossValidation, path: Path) -> Path:
    ids = [t.id for t in cv.model.themes]
    fig, ax = plt.subplots(figsize=(10, 5))
    xs = range(len(ids))
    ax.bar([x - 0.2 for x in xs], [t.f1 for t in cv.model.themes], 0.4, label="model")
    ax.bar([x + 0.2 for x in xs], [t.f1 for t in cv.baseline.themes], 0.4, label="keyword baseline")
    ax.set_xticks(list(xs), ids, rotation=45, ha="right")
    ax.set_ylabel("F1 (leave-one-document-out)")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Per-theme F1: model macro {cv.model.macro_f1:.3f}, "
                 f"baseline macro {cv.baseline.macro_f1:.3f}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(directory: Path, metadata: dict, cv: CrossValidation) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    chart = f1_chart(cv, directory / "f1.png")
    thresholds = ", ".join(f"`{k}` {v:.2f}" for k, v in metadata["thresholds"].items())
    text = f"""# Training report: model {metadata['version']}

Trained {metadata['created']} on {', '.join(metadata['training_data'])}
(taxonomy version {metadata['taxonomy_version']}).

## Leave-one-document-out figures, model beside the keyword baseline

{figures_table(cv.model, cv.baseline)}

![Per-theme F1]({chart.name})

## Settings and why

`{metadata['settings']}`

{WHY}
## Thresholds

Per theme, from out-of-fold scores of the training data: {thresholds}.
"""
    path = directory / "report.md"
    path.write_text(text, encoding="utf-8")
    return path
