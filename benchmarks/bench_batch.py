"""Throughput of the batch CLI: ``tagger tag`` on ~20,000 paragraphs with --jobs 1 and --jobs 2.

Wall time of the whole command, as a user sees it: start-up and model loading included. Each
configuration runs ``--repeat`` times, alternating, and the median counts: single runs of a
few seconds vary by 5% here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "labels" / "paragraphs.jsonl"
TAGGER = Path(sys.executable).with_name("tagger")
PARAGRAPHS_PER_ARTICLE = 10


def build_input(path: Path, n_paragraphs: int) -> tuple[int, int]:
    """Articles of seed paragraphs, each varied a little; returns (articles, paragraphs)."""
    with open(LABELS, encoding="utf-8") as handle:
        seeds = [json.loads(line)["text"] for line in handle if line.strip()]
    articles = max(1, n_paragraphs // PARAGRAPHS_PER_ARTICLE)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(articles):
            paragraphs = [_varied(seeds[(7 * i + j) % len(seeds)], i)
                          for j in range(PARAGRAPHS_PER_ARTICLE)]
            out.write(json.dumps({"id": f"bench-{i}", "text": "\n".join(paragraphs)},
                                 ensure_ascii=False) + "\n")
    return articles, articles * PARAGRAPHS_PER_ARTICLE


def _varied(text: str, i: int) -> str:
    # A number as in a real report (a date, a count): new n-grams, the same themes.
    return f"{text}（{i % 97 + 1}日）" if i % 2 else f"{i % 89 + 2}月，{text}"


def _timed_run(source: Path, output: Path, model_dir, jobs: int) -> float:
    command = [str(TAGGER), "tag", str(source), "-o", str(output), "--jobs", str(jobs)]
    if model_dir is not None:
        command += ["--model", str(model_dir)]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _fixed_cost(source: Path, tmp: Path, model_dir) -> float:
    """Wall time of a one-article run: interpreter start, imports and model load."""
    single = tmp / "one.jsonl"
    with open(source, encoding="utf-8") as handle:
        single.write_text(handle.readline(), encoding="utf-8")
    return _timed_run(single, tmp / "one-out.jsonl", model_dir, 1)


def run(model_dir=None, n_paragraphs: int = 20_000, repeat: int = 3) -> dict:
    """Figures of ``tagger tag`` with one and two local processes on the same input."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        records, paragraphs = build_input(source, n_paragraphs)
        figures = {"records": records, "paragraphs": paragraphs}
        times = {1: [], 2: []}
        for _ in range(repeat):
            for jobs in (1, 2):
                times[jobs].append(_timed_run(source, Path(tmp) / f"jobs{jobs}.jsonl",
                                              model_dir, jobs))
        for jobs, runs in times.items():
            seconds = statistics.median(runs)
            figures[f"jobs{jobs}"] = {"seconds": round(seconds, 2),
                                      "runs": [round(t, 2) for t in runs],
                                      "records_per_s": round(records / seconds, 1),
                                      "paragraphs_per_s": round(paragraphs / seconds, 1)}
        outputs = [(Path(tmp) / f"jobs{jobs}.jsonl").read_bytes() for jobs in (1, 2)]
        figures["identical_output"] = outputs[0] == outputs[1]
        figures["fixed_s"] = round(_fixed_cost(source, Path(tmp), model_dir), 2)
    one, two = figures["jobs1"]["seconds"], figures["jobs2"]["seconds"]
    figures["speedup"] = round(one / two, 2)
    figures["lines"] = _lines(figures)
    return figures


def _lines(figures: dict) -> list[str]:
    lines = [f"batch CLI (tagger tag): {figures['records']} articles, "
             f"{figures['paragraphs']} paragraphs, wall time with start-up and model load "
             "(median of the runs in brackets)"]
    for jobs in (1, 2):
        f = figures[f"jobs{jobs}"]
        lines.append(f"  --jobs {jobs}: {f['seconds']:7.2f} s  {f['records_per_s']:8.1f} records/s"
                     f"  {f['paragraphs_per_s']:8.1f} paragraphs/s  "
                     f"[{', '.join(f'{t:.2f}' for t in f['runs'])}]")
    lines.append(f"  --jobs 2 speed-up: {figures['speedup']:.2f}x (target >= 1.6x)   "
                 f"identical output: {'yes' if figures['identical_output'] else 'NO'}")
    lines.append(f"  start-up and model load (a one-article run): {figures['fixed_s']:.2f} s")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None, help="artifact directory")
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each configuration")
    args = parser.parse_args()
    print("\n".join(run(args.model, args.paragraphs, args.repeat)["lines"]))


if __name__ == "__main__":
    main()
