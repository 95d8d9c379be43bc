"""Label Studio's JSON task format: export paragraphs to label, import the annotations back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from classifier.data.taxonomy import Taxonomy
from classifier.errors import DataError, Problem

FROM_NAME = "themes"
TO_NAME = "text"


def labeling_config(taxonomy: Taxonomy) -> str:
    """The project's labelling interface: the text and one multiple-choice box per theme."""
    choices = "\n".join(f'    <Choice value="{t.id}" hint="{t.name_zh}"/>' for t in taxonomy.themes)
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
            task["predictions"] = [{"model_version": model_version or "",
                                    "result": _choices(themes)}]
        if record.get("labels"):
            task["annotations"] = [{"result": _choices(record["labels"])}]
        tasks.append(task)
    return tasks


@dataclass
class Imported:
    records: list[dict]
    unannotated: int


def _annotation_labels(task: dict) -> list[str] | None:
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not done:
        return None
    latest = max(done, key=lambda a: a.get("updated_at") or a.get("created_at") or "")
    return [c for r in latest.get("result", []) if r.get("from_name") == FROM_NAME
            for c in r.get("value", {}).get("choices", [])]


def from_export(path: Path, taxonomy: Taxonomy) -> Imported:
    """Records in the exchange format from a Label Studio JSON export (latest annotation wins)."""
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(Problem(str(path), getattr(exc, "lineno", None),
                                f"not a Label Studio JSON export: {exc}")) from exc
    if not isinstance(tasks, list):
        raise DataError(Problem(str(path), None, "expected a JSON list of tasks"))
    records, problems, unannotated = [], [], 0
    for number, task in enumerate(tasks, 1):
        data = task.get("data", {}) if isinstance(task, dict) else {}
        if not isinstance(data.get("text"), str):
            problems.append(Problem(str(path), None, f"task #{number}: no data.text"))
            continue
        labels = _annotation_labels(task)
        if labels is None:
            unannotated += 1
            continue
        unknown = [x for x in labels if x not in taxonomy.ids]
        if unknown:
            problems.append(Problem(str(path), None, f"task #{number}: unknown theme id(s) "
                                    f"{', '.join(map(repr, unknown))}"))
            continue
        records.append({**data, "labels": labels})
    if problems:
        raise DataError(problems)
    return Imported(records, unannotated)
