"""Throughput of the batch CLI: ``tagger tag`` with --jobs 1 and --jobs 2 on two record shapes.

The same 20,000 paragraphs are tagged as 20,000 one-paragraph JSONL records and as 2,000
articles of ten paragraphs. Wall time of the whole command, as a user sees it: start-up and
model loading included. Raw jieba segmentation of the same paragraphs (``jieba.lcut(text,
HMM=False)``, after ``jieba.initialize()``) is measured in the same run, between the runs of
the command, so that the ratios to it hold on a noisy machine. Each configuration runs
``repeat`` times, the configurations alternating, and the median counts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "labels"
TAGGER = Path(sys.executable).with_name("tagger")
PARAGRAPHS_PER_ARTICLE = 10
SHAPES = ("paragraphs", "articles")
# Targets of issue 13: --jobs 1 on one-paragraph records against raw jieba, and --jobs 2
# against --jobs 1 on both shapes.
TARGET_JIEBA_RATIO = 2.0
TARGET_SPEEDUP = 1.7
# One-minute load average above which other processes share the cores with the runs.
QUIET_LOAD = 0.5


def paragraphs(n: int) -> list[str]:
    """``n`` paragraphs of the labelled files, each varied by a number as in a real report (a
    date, a count): new n-grams, the same themes, none an exact repeat."""
    seeds = [json.loads(line)["text"] for path in sorted(LABELS.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [_varied(seeds[i % len(seeds)], i) for i in range(n)]


def _varied(text: str, i: int) -> str:
    return f"{text}（{i % 97 + 1}日，{i}）" if i % 2 else f"{i % 89 + 2}月，{text}（{i}）"


def write_inputs(directory: Path, texts: list[str]) -> dict[str, tuple[Path, int]]:
    """The two shapes of the same paragraphs: JSONL files and their record counts."""
    articles = ["\n".join(texts[i:i + PARAGRAPHS_PER_ARTICLE])
                for i in range(0, len(texts), PARAGRAPHS_PER_ARTICLE)]
    inputs = {}
    for shape, records in (("paragraphs", texts), ("articles", articles)):
        path = directory / f"{shape}.jsonl"
        path.write_text("".join(json.dumps({"id": f"{shape}-{i}", "text": text},
                                           ensure_ascii=False) + "\n"
                                for i, text in enumerate(records)), encoding="utf-8")
        inputs[shape] = (path, len(records))
    return inputs


def _timed_run(source: Path, output: Path, model_dir, jobs: int,
               tagger: Path = TAGGER) -> tuple[float, float]:
    """Wall time and CPU time (the command and its workers) of one ``tagger tag`` run."""
    command = [str(tagger), "tag", str(source), "-o", str(output), "--jobs", str(jobs)]
    if model_dir is not None:
        command += ["--model", str(model_dir)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _jieba_seconds(texts: list[str]) -> float:
    import jieba

    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text, HMM=False)
    return time.perf_counter() - start


def _fixed_cost(source: Path, tmp: Path, model_dir, tagger: Path) -> float:
    """Wall time of a one-record run: interpreter start, imports and model load."""
    single = tmp / "one.jsonl"
    with open(source, encoding="utf-8") as handle:
        single.write_text(handle.readline(), encoding="utf-8")
    return _timed_run(single, tmp / "one-out.jsonl", model_dir, 1, tagger)[0]


def run(model_dir=None, n_paragraphs: int = 20_000, repeat: int = 3, tagger: Path = TAGGER) -> dict:
    """Figures of ``tagger tag`` on both shapes with one and two local processes, beside raw
    jieba on the same paragraphs; ``lines`` is their printable summary. ``tagger`` is the
    command to run (another build's, to compare)."""
    import jieba

    jieba.setLogLevel(30)
    jieba.initialize()
    load_before = os.getloadavg()[0]
    texts = paragraphs(n_paragraphs)
    runs = {(shape, jobs): [] for shape in SHAPES for jobs in (1, 2)}
    jieba_runs = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = write_inputs(tmp, texts)
        for _ in range(repeat):
            jieba_runs.append(_jieba_seconds(texts))
            for shape, jobs in runs:
                runs[shape, jobs].append(_timed_run(inputs[shape][0], tmp / f"{shape}-{jobs}.out",
                                                    model_dir, jobs, tagger))
        identical = {shape: (tmp / f"{shape}-1.out").read_bytes()
                     == (tmp / f"{shape}-2.out").read_bytes() for shape in SHAPES}
        fixed = _fixed_cost(inputs["paragraphs"][0], tmp, model_dir, tagger)
    jieba_rate = len(texts) / statistics.median(jieba_runs)
    figures = {"paragraph_count": len(texts), "jieba_paragraphs_per_s": round(jieba_rate, 1),
               "fixed_s": round(fixed, 2), "cores": os.cpu_count(),
               "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
    for shape in SHAPES:
        records = inputs[shape][1]
        figures[shape] = {"records": records, "identical_output": identical[shape]}
        for jobs in (1, 2):
            seconds = statistics.median(wall for wall, _ in runs[shape, jobs])
            figures[shape][f"jobs{jobs}"] = {
                "seconds": round(seconds, 2),
                "runs": [round(wall, 2) for wall, _ in runs[shape, jobs]],
                "cpu_s": round(statistics.median(cpu for _, cpu in runs[shape, jobs]), 2),
                "records_per_s": round(records / seconds, 1),
                "paragraphs_per_s": round(len(texts) / seconds, 1),
                "jieba_ratio": round(len(texts) / seconds / jieba_rate, 2)}
        figures[shape]["speedup"] = round(figures[shape]["jobs1"]["seconds"]
                                          / figures[shape]["jobs2"]["seconds"], 2)
    figures["lines"] = _lines(figures)
    return figures


def _lines(figures: dict) -> list[str]:
    lines = [f"batch CLI (tagger tag): {figures['paragraph_count']} paragraphs, wall time with "
             "start-up and model load, median of the runs in brackets; "
             f"raw jieba (HMM off) {figures['jieba_paragraphs_per_s']:.0f} paragraphs/s"]
    for shape in SHAPES:
        f = figures[shape]
        per = "1 paragraph" if shape == "paragraphs" else f"{PARAGRAPHS_PER_ARTICLE} paragraphs"
        lines.append(f"  {f['records']} records of {per}:")
        for jobs in (1, 2):
            j = f[f"jobs{jobs}"]
            target = (f" (target >= {TARGET_JIEBA_RATIO:.1f}x)"
                      if shape == "paragraphs" and jobs == 1 else "")
            lines.append(f"    --jobs {jobs}: {j['seconds']:6.2f} s {j['records_per_s']:9.1f} "
                         f"records/s {j['paragraphs_per_s']:8.1f} paragraphs/s = "
                         f"{j['jieba_ratio']:.2f}x jieba{target}  CPU {j['cpu_s']:.1f} s  "
                         f"[{', '.join(f'{t:.2f}' for t in j['runs'])}]")
        lines.append(f"    --jobs 2 speed-up: {f['speedup']:.2f}x (target >= {TARGET_SPEEDUP}x)"
                     f"   identical output: {'yes' if f['identical_output'] else 'NO'}")
    lines.append(f"  start-up and model load (a one-record run): {figures['fixed_s']:.2f} s   "
                 f"cores: {figures['cores']}   load average before/after: "
                 f"{figures['load_before']:.2f}/{figures['load_after']:.2f}")
    if figures["load_before"] > QUIET_LOAD:
        lines.append("  the machine was busy before the runs: other processes shared its cores, "
                     "which the --jobs 2 figures suffer from most; compare CPU times")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None, help="artifact directory")
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each configuration")
    parser.add_argument("--tagger", type=Path, default=TAGGER, help="the command to run")
    args = parser.parse_args()
    print("\n".join(run(args.model, args.paragraphs, args.repeat, args.tagger)["lines"]))


if __name__ == "__main__":
    main()
