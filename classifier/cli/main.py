# PYTHON_ARGCOMPLETE_OK
"""The ``tagger`` command: thin argument handling around pure functions in their own modules."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import contextmanager
from pathlib import Path

import argcomplete

import classifier
from classifier import settings
from classifier.batch.job import BATCH_BYTES, BATCH_SIZE
from classifier.cli import labelling as cli_labelling
from classifier.errors import TaggerError

log = logging.getLogger("classifier")
# The exit status of `tagger tag` when it wrote every record but some of them are errors.
RECORD_ERRORS_STATUS = 3


def _progress(**options):
    """A progress bar on stderr, shown only on a terminal."""
    from tqdm import tqdm

    # No monitor thread: tqdm starts one with the first bar, even a hidden one, and never stops
    # it; it would outlive the command, and `tag --jobs` forks workers while a bar is shown.
    tqdm.monitor_interval = 0
    return tqdm(disable=None, file=sys.stderr, **options)


def _data_check(args) -> int:
    from classifier.data.checks import article_counts, check_data, summary_rows
    from classifier.data.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(args.taxonomy)
    result = check_data(args.files or settings.default_data(), taxonomy, args.seeds)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not result.ok:
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return 1
    labelled = sum(1 for ex in result.examples if ex.labels)
    articles = article_counts(result)
    print(f"paragraphs: {len(result.examples)}   labelled (>= 1 theme): {labelled}   "
          f"articles: {sum(articles.values())} ({articles['union']} union, "
          f"{articles['general']} general, {articles['unknown']} unknown)   "
          f"taxonomy version: {taxonomy.version}")
    print(f"{'theme':<28} {'name':<16} positives articles")
    for tid, name, count, docs in summary_rows(result):
        print(f"{tid:<28} {name:<16} {count:>9} {docs:>8}")
    return 0


def _train(args) -> int:
    from classifier.training.pipeline import retrain

    steps = _progress(total=5, desc="train")

    def progress(message: str) -> None:
        steps.set_postfix_str(message)
        steps.update(1)
        log.info("%s", message)

    outcome = retrain(args.data or settings.default_data(), args.taxonomy, args.models_dir,
                      progress=progress)
    steps.close()
    cv = outcome.cv
    print(f"model {outcome.metadata['version']} -> {outcome.artifact.path}")
    print(f"cross-validation by article, union articles' macro-F1: model {cv.model.macro_f1:.3f}, "
          f"keyword baseline {cv.baseline.macro_f1:.3f}")
    if cv.general_tagged is not None:
        print(f"general-news paragraphs given a theme: {cv.general_tagged:.1%}")
    print(f"report: {outcome.artifact.path / 'report.md'}")
    if cv.model.macro_f1 <= cv.baseline.macro_f1:
        print(f"tagger: warning: the new model ({cv.model.macro_f1:.3f}) is not better than the "
              f"keyword baseline ({cv.baseline.macro_f1:.3f}) in its own cross-validation; "
              "it was published all the same: label more articles or check the data",
              file=sys.stderr)
    return 0


def _evaluate(args) -> int:
    from classifier.data.taxonomy import load_taxonomy
    from classifier.model.tagger import load_model
    from classifier.training.evaluate import evaluate_file
    from classifier.training.report import figures_table

    model = load_model(args.model)
    version = load_taxonomy(args.taxonomy).version if args.taxonomy else None
    found = evaluate_file(model, args.data, version)
    if args.json:
        print(json.dumps({"model_version": model.version, "data": str(args.data),
                          **found.to_dict()}, ensure_ascii=False, indent=2))
    else:
        print(f"model {model.version} on {args.data}")
        print(figures_table(found.model, found.baseline))
        if found.general_tagged is not None:
            print(f"general-news paragraphs given a theme: {found.general_tagged:.1%}")
    if found.stale:
        print(f"warning: {found.stale}", file=sys.stderr)
    return 0


def _serve(args) -> int:
    from service.serve import run  # the one place classifier reaches into service

    return run(args.host, args.port, args.workers, args.model)


def _tag(args) -> int:
    from classifier.batch.job import Job, run
    from classifier.batch.records import Fields, expected_records, read_records
    from classifier.model.artifact import resolved

    model_dir = resolved(args.model or settings.default_model_dir())
    job = Job(str(model_dir), args.format, args.explain, args.min_score)
    fields = Fields(args.id_field, args.text_field)
    # JSONL lines are parsed where they are tagged: in the workers, with --jobs N.
    records = read_records(args.inputs, fields, args.input_format, encoding=args.encoding,
                           deferred=True)
    total = expected_records(args.inputs, args.input_format)
    # The first batch comes back once the model has loaded: until then the bar says so.
    with _progress(desc="loading model", unit=" records", total=total) as bar:
        def progress(count: int) -> None:
            bar.set_description("tag", refresh=False)
            bar.update(count)

        summary = run(records, job, args.output, resume=args.resume, strict=args.strict,
                      jobs=args.jobs, dask=args.dask, batch_size=args.batch_size,
                      progress=progress, inputs=args.inputs)
    print(summary, file=sys.stderr)
    return RECORD_ERRORS_STATUS if summary.errors else 0


def _add_tag(commands) -> None:
    tag = commands.add_parser("tag", help="tag articles in files, directories or stdin",
                              description="One output record per input record, in input "
                              "order; unreadable records become records with an 'error', and "
                              f"the exit status is then {RECORD_ERRORS_STATUS} (1 for an error "
                              "that stops the run, 0 when every record was tagged).")
    tag.add_argument("inputs", nargs="+", metavar="INPUT", help="a .jsonl, .csv, .txt or "
                     ".html/.htm file (other names are text; a web page is read for its "
                     "article), a directory (its files of those suffixes), "
                     "or - for stdin (JSONL unless --input-format)")
    tag.add_argument("-o", "--output", type=Path, help="output file (default: stdout); written "
                     "to OUTPUT.part and renamed to OUTPUT when complete, so a run that stops "
                     "early leaves OUTPUT as it was and OUTPUT.part for --resume; a directory, "
                     "FIFO, symbolic link or input file is refused before any work")
    tag.add_argument("--resume", action="store_true", help="continue an earlier run on the "
                     "same input: copy the records of OUTPUT.part (left by a run that stopped) "
                     "or else of OUTPUT while they match the input record by record (same id and "
                     "text, model and --explain), then tag from the first that differs; the result "
                     "is the complete output in input order, renamed to OUTPUT when complete")
    tag.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                     help="csv: a row per article, a score column per theme")
    tag.add_argument("--input-format", choices=("jsonl", "csv", "txt", "html"),
                     help="how to read stdin and named files, whatever their suffix")
    tag.add_argument("--encoding", metavar="NAME", help="read every input in this encoding "
                     "(gb18030, utf-16 ...) instead of detecting each file's")
    tag.add_argument("--id-field", default="id", help="JSONL field or CSV column of the id")
    tag.add_argument("--text-field", default="text", help="JSONL field or CSV column of the text")
    tag.add_argument("--model", type=Path, default=None, help="artifact directory")
    tag.add_argument("--min-score", type=float, help="raise every theme's threshold to this")
    tag.add_argument("--explain", action="store_true", help="add the top terms of each theme")
    tag.add_argument("--strict", action="store_true",
                     help="stop at the first unreadable record, with exit status 1")
    tag.add_argument("--jobs", type=int, default=1, help="local worker processes")
    tag.add_argument("--dask", metavar="ADDRESS", help="tag on the Dask cluster whose "
                     "scheduler is at ADDRESS (tcp://host:port); the model directory must "
                     "be readable at the same path on every worker")
    tag.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                     help=f"records per batch at most (default {BATCH_SIZE}); a batch also "
                     f"ends at {BATCH_BYTES // 1024} KiB of input")
    tag.set_defaults(func=_tag)


def _report(args) -> int:
    from classifier.batch import report
    from classifier.data.taxonomy import load_taxonomy

    if args.period and not args.by:
        raise TaggerError("--period groups the first --by field: give --by date")
    if len(args.by or ()) > 2:
        raise TaggerError("report counts by at most two fields (--by date --by region)")
    counts = report.count_output(args.file, report.Grouping(tuple(args.by or ()), args.period))
    themes = [(t.id, t.name_zh) for t in load_taxonomy(args.taxonomy).themes]
    print(report.group_table(counts, themes) if args.by else report.table(counts, themes))
    if args.csv:
        (report.write_csv if args.by else report.write_totals_csv)(counts, args.csv, themes)
        print(f"table: {args.csv}")
    if args.plot:
        (report.plot_groups if args.by else report.plot)(counts, args.plot, themes)
        print(f"chart: {args.plot}")
    return 0


def _add_report(commands) -> None:
    report = commands.add_parser("report", help="theme counts of a tag output, and a chart")
    report.add_argument("file", type=Path, help="JSONL output of tagger tag")
    report.add_argument("--by", action="append", metavar="FIELD", help="count articles by "
                        "this field of the output records (repeatable, at most twice: "
                        "--by date --by region); articles without it count as 'unknown'")
    report.add_argument("--period", choices=("month", "quarter", "year"), help="group the "
                        "first --by field as dates (2024-03-15, 2024/3/15, 2024年3月15日) "
                        "by month, quarter or year; a date that does not parse is 'unknown'")
    report.add_argument("--plot", type=Path, help="write a PNG chart here")
    report.add_argument("--csv", type=Path, help="write the table as CSV (UTF-8) here")
    report.add_argument("--taxonomy", type=Path, default=settings.default_taxonomy(),
                        help="themes to list even when no article has them")
    report.set_defaults(func=_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tagger", description="Tag Chinese trade-union news "
                                     "with the themes of union work it reports.")
    parser.add_argument("--log-level", default=settings.get("LOG_LEVEL"))
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {classifier.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser("data", help="check labelled data").add_subparsers(
        dest="data_command", required=True, metavar="ACTION")
    check = data.add_parser("check", help="verify labelled files against the taxonomy and seeds")
    check.add_argument("files", nargs="*", type=Path, help="exchange-format JSONL files")
    check.add_argument("--taxonomy", type=Path, default=settings.default_taxonomy())
    check.add_argument("--seeds", type=Path, default=settings.default_seeds_dir(),
                       help="seed documents whose paragraphs must all be labelled")
    check.set_defaults(func=_data_check)
    cli_labelling.add_data_commands(data)

    train = commands.add_parser("train", help="train a model and make it current")
    train.add_argument("--data", type=Path, action="append",
                       help="labelled JSONL (repeatable; later files win on equal text)")
    train.add_argument("--taxonomy", type=Path, default=settings.default_taxonomy())
    train.add_argument("--models-dir", type=Path, default=settings.default_models_dir())
    train.set_defaults(func=_train)

    evaluate = commands.add_parser("evaluate", help="figures of a model on a labelled file")
    evaluate.add_argument("--data", type=Path, required=True)
    evaluate.add_argument("--model", type=Path, default=None, help="artifact directory")
    evaluate.add_argument("--json", action="store_true", help="machine-readable output")
    evaluate.add_argument("--taxonomy", type=Path, help="the current taxonomy: warn when the "
                          "model was trained on another version of it")
    evaluate.set_defaults(func=_evaluate)

    serve = commands.add_parser("serve", help="serve the HTTP API with gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--model", type=Path, default=None, help="artifact directory")
    serve.set_defaults(func=_serve)
    _add_tag(commands)
    _add_report(commands)
    cli_labelling.add_commands(commands)
    return parser


@contextmanager
def _logging_to_stderr(level: str):
    """Log to this command's stderr while it runs; the process's logging is then as it was,
    for a caller that runs ``main`` again (tests do, in one process)."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(level.upper())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(previous)


def main(argv=None) -> int:
    """Run one command; returns its exit status (argparse exits with 2 on a usage error)."""
    parser = build_parser()
    # Under shell completion (argcomplete's environment variables) this prints the candidates
    # and exits; otherwise it returns at once.
    argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    with _logging_to_stderr(args.log_level):
        return _run(args)


def _run(args) -> int:
    try:
        return args.func(args)
    except TaggerError as exc:
        print(f"tagger: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tagger: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`tagger ... | head`); nothing left to say to it.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
