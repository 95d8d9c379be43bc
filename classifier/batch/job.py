"""The batch tagging job: records in, output lines out in input order, locally or on Dask."""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from classifier.batch.destination import check_output, destination
from classifier.batch.output import Written, output_format, output_record
from classifier.batch.pools import Ahead, in_order, make_pool
from classifier.batch.records import Line, Record, parsed
from classifier.errors import DataError, TaggerError

# A batch ends at BATCH_SIZE records or BATCH_BYTES of input, whichever comes first: large
# enough that what each batch costs besides its records (a round trip to a worker, the model's
# per-call work) is small beside them, for one-paragraph records as for long articles.
BATCH_SIZE = 1024
BATCH_BYTES = 256 * 1024
EXPLAIN_TOP = 5
_LOCK = threading.Lock()
# The model of this process (a worker's, or the command's own with --jobs 1): loaded on first
# use and kept, so that each process loads it once however many batches it tags.
_LOADED: dict = {}


@dataclass(frozen=True)
class Job:
    """What every batch is tagged with; sent along with each batch to the worker that tags it."""

    model_dir: str
    format: str = "jsonl"
    explain: bool = False
    min_score: float | None = None


@dataclass(frozen=True)
class ModelInfo:
    """Which model a worker loaded: its version, and its theme ids with their Chinese names."""

    version: str
    themes: tuple[tuple[str, str], ...]

    @property
    def theme_ids(self) -> list[str]:
        return [tid for tid, _ in self.themes]


@dataclass(frozen=True)
class Segmented:
    """A batch's paragraphs segmented ahead of tagging, and by which segmenter."""

    segmenter: tuple
    paragraphs: list[str]


@dataclass(frozen=True)
class Chunk:
    """A tagged batch: its output lines, as the bytes to write, and what the summary counts."""

    data: bytes
    records: int
    version: str
    errors: int
    paragraphs: int
    themes: Counter


def _model(model_dir: str):
    with _LOCK:
        if _LOADED.get("dir") != model_dir:
            from classifier.model.tagger import load_model

            _LOADED.clear()
            _LOADED.update(dir=model_dir, model=load_model(model_dir))
        return _LOADED["model"]


def describe(model_dir: str) -> ModelInfo:
    """Load the model into this process and say which it is."""
    model = _model(model_dir)
    return ModelInfo(model.version, tuple((t.id, t.name_zh) for t in model.taxonomy.themes))


def segmenter(job: Job):
    """The model's segmenter, from its verified metadata only: a fraction of a full load."""
    return _segmenter_of(job.model_dir)


@functools.lru_cache(maxsize=4)
def _segmenter_of(model_dir: str):
    # Verified once per process and model: every batch segmented ahead asks for it.
    from classifier.model.artifact import Artifact
    from classifier.model.segmentation import segmenter_from_spec

    artifact = Artifact(Path(model_dir))
    return segmenter_from_spec(artifact.verify()["segmenter"], artifact.path)


def segment_batch(items: list[Record | Line], job: Job) -> Segmented:
    """The model-free part of tagging a batch: its readable records' paragraphs, segmented."""
    from classifier.model.segmentation import segment_paragraphs

    cutter = segmenter(job)
    records = map(parsed, items)
    return Segmented(cutter.key, segment_paragraphs(
        [r.text for r in records if r.error is None], cutter))


def tag_batch(items: list[Record | Line], job: Job, segmented: Segmented | None = None) -> Chunk:
    """Parse, tag and write out a batch where it runs (a worker, with --jobs N), so that the
    command's own process only moves bytes: one call of the model for the batch's readable
    records, and every record's output line."""
    model = _model(job.model_dir)
    records = [parsed(item) for item in items]
    readable = [r for r in records if r.error is None]
    early = (segmented.paragraphs if segmented is not None
             and segmented.segmenter == model.segmenter.key else None)
    results = iter(model.tag([r.text for r in readable], min_score=job.min_score,
                             segmented=early))
    fmt = output_format(job.format, model.theme_ids, job.explain)
    lines, themes, paragraphs = [], Counter(), 0
    for record in records:
        if record.error is not None:
            lines.append(fmt.line(output_record(record)))
            continue
        result = next(results)
        explanations = ([e.to_dict() for e in model.explain_themes(
            record.text, result.theme_ids, EXPLAIN_TOP, job.min_score)]
            if job.explain else None)
        lines.append(fmt.line(output_record(record, result.to_dict(), explanations),
                              record.text))
        themes.update(result.theme_ids)
        paragraphs += len(result.paragraphs)
    return Chunk(b"".join(lines), len(records), model.version, len(records) - len(readable),
                 paragraphs, themes)


def _batches(items: Iterator[Record | Line], size: int) -> Iterator[list[Record | Line]]:
    """Batches of at most ``size`` items and about BATCH_BYTES of input."""
    batch, used = [], 0
    for item in items:
        batch.append(item)
        used += item.size if isinstance(item, Line) else 3 * len(item.text or "")
        if len(batch) >= size or used >= BATCH_BYTES:
            yield batch
            batch, used = [], 0
    if batch:
        yield batch


def _stop_at_errors(items) -> Iterator[Record]:
    """Records parsed here, to stop at the first unreadable one before any later is tagged."""
    for record in map(parsed, items):
        if record.error is not None:
            raise DataError(record.problem)
        yield record


@dataclass
class Summary:
    """What a run did: records written (reused from an earlier output or not), errors, themes."""

    names: tuple[tuple[str, str], ...] = ()
    records: int = 0
    errors: int = 0
    reused: int = 0
    paragraphs: int = 0
    themes: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    def add(self, chunk: Chunk) -> None:
        self.records += chunk.records
        self.errors += chunk.errors
        self.paragraphs += chunk.paragraphs
        self.themes.update(chunk.themes)

    def add_written(self, written: Written) -> None:
        self.records += 1
        self.reused += 1
        self.errors += written.error
        self.themes.update(written.themes)

    def __str__(self) -> str:
        seconds = max(self.elapsed, 1e-9)
        lines = [f"records: {self.records}   errors: {self.errors}   reused: {self.reused}   "
                 f"paragraphs tagged: {self.paragraphs}",
                 f"elapsed: {self.elapsed:.1f} s   "
                 f"{(self.records - self.reused) / seconds:.1f} records/s   "
                 f"{self.paragraphs / seconds:.1f} paragraphs/s",
                 "articles per theme:"]
        lines += [f"  {tid:<28} {self.themes[tid]:>7}  {name}" for tid, name in self.names]
        return "\n".join(lines)


def _reuse(handle, records: Iterator[Record | Line], fmt, current: tuple[str, bool],
           summary: Summary) -> tuple[Iterator[Record | Line], int]:
    """Keep an earlier output's records while they match the input's, in order; the rest is
    left to tag. Returns the records left and where the kept ones end in the file."""
    offset = 0
    for written, end in fmt.written(handle):
        record = next(records, None)
        if record is None:
            break
        record = parsed(record)
        if not written.matches(record, *current):
            records = itertools.chain([record], records)
            break
        offset = end
        summary.add_written(written)
    handle.seek(offset)
    handle.truncate()
    return records, offset


def run(records, job: Job, output: Path | None = None, *, resume: bool = False,
        strict: bool = False, jobs: int = 1, dask: str | None = None,
        batch_size: int = BATCH_SIZE, progress=None, fork: bool | None = None,
        inputs: Iterable[str] = ()) -> Summary:
    """Tag every record and write one output line per record, in input order.

    ``inputs`` are the paths the records come from, which ``output`` must not be; it is
    checked before any work. ``fork`` chooses how ``jobs`` > 1 start: forked after the model
    loads (the default on Linux) or as loky workers that each load it.
    """
    _check(output, resume, jobs, dask, batch_size)
    check_output(output, inputs)
    started = time.perf_counter()
    records = _stop_at_errors(records) if strict else iter(records)
    pool = make_pool(jobs, dask, fork)
    try:
        summary = _write(pool, records, job, output, resume, batch_size, progress or _ignore)
    finally:
        pool.close()
    summary.elapsed = time.perf_counter() - started
    return summary


def _check(output, resume: bool, jobs: int, dask: str | None, batch_size: int) -> None:
    if resume and output is None:
        raise TaggerError("--resume needs an output file (-o FILE)")
    if dask and jobs != 1:
        raise TaggerError("--jobs and --dask exclude each other: Dask workers are the jobs")
    if jobs < 1 or batch_size < 1:
        raise TaggerError("--jobs and --batch-size must be at least 1")


def _ignore(count: int) -> None:
    pass


def _write(pool, records, job: Job, output, resume, batch_size, progress) -> Summary:
    # Resuming matches records against the model's earlier output first: nothing to do ahead.
    ahead = None if resume else Ahead(functools.partial(segment_batch, job=job),
                                      _batches(records, batch_size),
                                      functools.partial(segmenter, job))
    info = pool.warm(describe, job.model_dir, ahead=ahead)
    summary = Summary(info.themes)
    fmt = output_format(job.format, info.theme_ids, job.explain)
    with destination(output, resume) as handle:
        offset = 0
        if resume:
            records, offset = _reuse(handle, records, fmt, (info.version, job.explain), summary)
        if offset == 0:
            handle.write(fmt.header)
        progress(summary.records)
        calls = itertools.chain(
            ((batch, job, early) for batch, early in (ahead.done if ahead else ())),
            ((batch, job) for batch in (ahead.tasks if ahead else _batches(records, batch_size))))
        for chunk in in_order(pool, tag_batch, calls):
            if chunk.version != info.version:
                raise TaggerError(f"workers found different models at {job.model_dir}: "
                                  f"{info.version} and {chunk.version}")
            handle.write(chunk.data)
            handle.flush()
            summary.add(chunk)
            progress(chunk.records)
    return summary
