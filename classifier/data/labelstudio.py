"""Label Studio's JSON task format: export paragraphs to label, import the annotations back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from classifier.data.taxonomy import Taxonomy
from classifier.errors import DataError, Problem

FROM_NAME = "themes"
TO_NAME = "text"


def labeling_config(taxonomy: Taxonomy) -> str:
    """The project's labelling interface: the text and one multiple-choice box per theme,
    shown by its Chinese name; the ``alias`` (the theme id) is what annotations store."""
    choices = "\n".join(f'    <Choice value="{escape(t.name_zh)}" alias="{t.id}" hint="{t.id}"/>'
                        for t in taxonomy.themes)
    return (f'<View>\n  <Text name="{TO_NAME}" value="$text"/>\n'
            f'  <Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="multiple">\n'
            f"{choices}\n  </Choices>\n</View>\n")


def _choices(themes: list[str]) -> list[dict]:
    return [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices",
             "value": {"choices": list(themes)}}]


def to_tasks(records: list[dict], model_version: str | None = None) -> list[dict]:
    """Exchange-format records as tasks; suggested themes go in as predictions, never as labels."""
    tasks = []
    for record in records:
        task = {"data": {k: v for k, v in record.items() if k not in ("labels", "suggested")}}
        suggested = record.get("suggested")
        if suggested:
            themes = [s["id"] if isinstance(s, dict) else s for s in suggested
                      if not isinstance(s, dict) or s.get("predicted", True)]
            task["predictions"] = [{"model_version": record.get("model_version")
                                    or model_version or "", "score": confidence(suggested),
                                    "result": _choices(themes)}]
        if record.get("labels"):
            task["annotations"] = [{"result": _choices(record["labels"])}]
        tasks.append(task)
    return tasks


def confidence(suggested: list) -> float | None:
    """How sure the model is of its whole answer: its least sure theme decision (the score
    of a predicted theme, one minus the score of one left out), or None without scores."""
    sure = [s["score"] if s.get("predicted", True) else 1 - s["score"]
            for s in suggested if isinstance(s, dict) and isinstance(s.get("score"), float)]
    return round(min(sure), 4) if sure else None


@dataclass
class Imported:
    """The labelled records, the tasks nobody annotated, and the tasks whose annotators
    disagree (left out, as "task N (id X): who chose what" lines)."""

    records: list[dict]
    unannotated: int
    disagreements: list[str] = field(default_factory=list)


def _annotator(annotation: dict, number: int):
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return who if who is not None else f"annotation {number}"


def _chosen(annotation: dict, names: dict[str, str]) -> list[str]:
    return [names.get(c, c) for r in annotation.get("result", [])
            if r.get("from_name") == FROM_NAME for c in r.get("value", {}).get("choices", [])]


def _annotation_labels(task: dict, names: dict[str, str]) -> dict:
    """Each annotator's labels (their latest annotation), theme names read as ids."""
    latest: dict = {}
    done = [(n, a) for n, a in enumerate(task.get("annotations") or [], 1)
            if not a.get("was_cancelled")]
    for number, annotation in sorted(done, key=lambda item: item[1].get("updated_at")
                                     or item[1].get("created_at") or ""):
        latest[_annotator(annotation, number)] = _chosen(annotation, names)
    return latest


def _disagreement(number: int, task: dict, by_annotator: dict) -> str:
    chosen = "; ".join(f"{who}: {', '.join(labels) or 'no theme'}"
                       for who, labels in by_annotator.items())
    return f"task {number} (id {task.get('id', 'none')}): annotators disagree ({chosen})"


def from_export(path: Path, taxonomy: Taxonomy) -> Imported:
    """Records in the exchange format from a Label Studio JSON export: each annotator's latest
    annotation counts, and a task whose annotators disagree is left out and reported."""
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(Problem(str(path), getattr(exc, "lineno", None),
                                f"not a Label Studio JSON export: {exc}")) from exc
    if not isinstance(tasks, list):
        raise DataError(Problem(str(path), None, "expected a JSON list of tasks"))
    names = {t.name_zh: t.id for t in taxonomy.themes}
    records, problems, unannotated, disagreements = [], [], 0, []
    for number, task in enumerate(tasks, 1):
        data = task.get("data", {}) if isinstance(task, dict) else {}
        if not isinstance(data.get("text"), str):
            problems.append(Problem(str(path), None, f"task #{number}: no data.text"))
            continue
        by_annotator = _annotation_labels(task, names)
        if not by_annotator:
            unannotated += 1
            continue
        if len({frozenset(labels) for labels in by_annotator.values()}) > 1:
            disagreements.append(_disagreement(number, task, by_annotator))
            continue
        labels = next(iter(by_annotator.values()))
        unknown = [x for x in labels if x not in taxonomy.ids]
        if unknown:
            problems.append(Problem(str(path), None, f"task #{number}: unknown theme id(s) "
                                    f"{', '.join(map(repr, unknown))}"))
            continue
        records.append({**data, "labels": labels})
    if problems:
        raise DataError(problems)
    return Imported(records, unannotated, disagreements)
