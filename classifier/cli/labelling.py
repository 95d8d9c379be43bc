"""The labelling-loop subcommands of ``tagger``: data suspects, suggest and labelstudio."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from classifier import settings
from classifier.errors import TaggerError


def _suspects(args) -> int:
    from classifier.data.exchange import load_examples
    from classifier.data.taxonomy import load_taxonomy
    from classifier.training.fitting import TrainSettings
    from classifier.training.pipeline import corpus_from_examples, segmenter_for
    from classifier.training.suspects import find_suspects

    taxonomy, train_settings = load_taxonomy(args.taxonomy), TrainSettings()
    examples = load_examples(args.data or settings.default_data(), taxonomy)
    corpus = corpus_from_examples(examples, taxonomy, train_settings)
    found = find_suspects(examples, corpus, taxonomy, train_settings,
                          segmenter_for(taxonomy), args.top)
    for suspect in found:
        if args.json:
            print(json.dumps(suspect.to_dict(), ensure_ascii=False))
        else:
            print(f"{suspect.where}: {suspect.id}: {suspect.reason}\n    {suspect.text[:80]}")
    return 0


def _add_suspects(data) -> None:
    suspects = data.add_parser("suspects", help="labels the model doubts, most doubtful first",
                               description="Out-of-fold scores (leave one document out) "
                               "against the given labels, per paragraph and theme.")
    suspects.add_argument("--data", type=Path, action="append", help="labelled JSONL "
                          "(repeatable; default: the shipped labels)")
    suspects.add_argument("--taxonomy", type=Path, default=settings.default_taxonomy())
    suspects.add_argument("--top", type=int, default=20)
    suspects.add_argument("--json", action="store_true", help="one JSON object per line")
    suspects.set_defaults(func=_suspects)


def _labelstudio(args) -> int:
    from classifier.data.labelstudio import from_export, labeling_config, to_tasks
    from classifier.data.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(args.taxonomy)
    if args.action != "config" and args.file is None:
        raise TaggerError(f"labelstudio {args.action} needs a FILE")
    if args.action == "config":
        print(labeling_config(taxonomy), end="")
    elif args.action == "export":
        records = [json.loads(line) for line in args.file.read_text(encoding="utf-8")
                   .splitlines() if line.strip()]
        _write(args.output, json.dumps(to_tasks(records), ensure_ascii=False, indent=1) + "\n")
    else:
        imported = from_export(args.file, taxonomy)
        _write(args.output, "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                    for r in imported.records))
        for disagreement in imported.disagreements:
            print(f"tagger: warning: {disagreement}: left out", file=sys.stderr)
        print(f"imported {len(imported.records)} labelled task(s), skipped "
              f"{imported.unannotated} without annotation and {len(imported.disagreements)} "
              "whose annotators disagree", file=sys.stderr)
    return 0


def _write(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def _add_labelstudio(commands) -> None:
    ls = commands.add_parser("labelstudio", help="exchange tasks with Label Studio",
                             description="config: the labelling interface; export: exchange-"
                             "format JSONL (e.g. from tagger suggest) to Label Studio tasks, "
                             "suggestions as predictions; import: a Label Studio JSON export "
                             "to exchange-format JSONL for tagger train.")
    ls.add_argument("action", choices=("config", "export", "import"))
    ls.add_argument("file", type=Path, nargs="?", help="input of export/import")
    ls.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    ls.add_argument("--taxonomy", type=Path, default=settings.default_taxonomy())
    ls.set_defaults(func=_labelstudio)


def _suggest(args) -> int:
    from classifier.batch.records import Fields, read_records
    from classifier.model.tagger import load_model
    from classifier.training.suggest import labelled_texts, suggest

    model = load_model(args.model)
    labelled = [] if args.keep_labelled else (args.exclude or settings.default_data())
    exclude = labelled_texts(labelled)
    records = read_records(args.inputs, Fields(args.id_field, args.text_field), args.input_format)
    tasks, errors = suggest(model, records, args.top, exclude)
    _write(args.output, "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks))
    print(f"suggested {len(tasks)} paragraph(s); {errors} unreadable input record(s) skipped",
          file=sys.stderr)
    return 0


def _add_suggest(commands) -> None:
    sg = commands.add_parser("suggest", help="pick the paragraphs most worth labelling next",
                             description="Paragraphs the model is least sure of, spread over "
                             "themes and sources, near-duplicates removed; written in the "
                             "exchange format with empty labels and the model's scores in "
                             "'suggested'.")
    sg.add_argument("inputs", nargs="+", metavar="INPUT", help="as for tagger tag")
    sg.add_argument("--top", type=int, default=50, help="how many paragraphs")
    sg.add_argument("-o", "--output", type=Path, help="output JSONL (default: stdout)")
    sg.add_argument("--exclude", action="append", type=Path, metavar="FILE",
                    help="labelled JSONL (an 'id' is not needed) whose paragraphs to leave out "
                    "(repeatable; default: every labelled file, labels/*.jsonl)")
    sg.add_argument("--keep-labelled", action="store_true",
                    help="leave no labelled paragraph out")
    sg.add_argument("--model", type=Path, default=None, help="artifact directory")
    sg.add_argument("--input-format", choices=("jsonl", "csv", "txt", "html"))
    sg.add_argument("--id-field", default="id")
    sg.add_argument("--text-field", default="text")
    sg.set_defaults(func=_suggest)


def add_data_commands(data) -> None:
    _add_suspects(data)


def add_commands(commands) -> None:
    _add_suggest(commands)
    _add_labelstudio(commands)
