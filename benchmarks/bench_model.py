"""`make bench`: throughput and latency of segmentation, tagging, loading and the batch CLI.

Prints one figure per line, each beside its target where the model issue sets one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))


def seed_paragraphs() -> list[str]:
    lines = (REPO / "labels" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line]


def corpus(n: int) -> list[str]:
    """``n`` paragraphs from the seeds, each varied by a number so none is an exact repeat."""
    base = seed_paragraphs()
    return [f"{base[i % len(base)]}({i})" for i in range(n)]


def _load_in_fresh_process(model_dir: Path) -> dict:
    code = f"""
import json, resource, time
import classifier, classifier.model.tagger, jieba
start = time.perf_counter()
model = classifier.load_model({str(model_dir)!r})
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"load_s": seconds, "rss_mb": rss}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_segmentation(paragraphs) -> float:
    import jieba

    jieba.setLogLevel(30)
    jieba.initialize()
    start = time.perf_counter()
    for text in paragraphs:
        jieba.lcut(text)
    return len(paragraphs) / (time.perf_counter() - start)


def bench_tagging(model, paragraphs, batch=512) -> tuple[float, float]:
    size_mb = sum(len(p.encode("utf-8")) for p in paragraphs) / 1e6
    start = time.perf_counter()
    for i in range(0, len(paragraphs), batch):
        model.tag(paragraphs[i:i + batch])
    seconds = time.perf_counter() - start
    return len(paragraphs) / seconds, size_mb / seconds


def bench_latency(model, paragraphs, calls=2000) -> tuple[float, float]:
    for text in paragraphs[:50]:
        model.tag(text)
    times = []
    for i in range(calls):
        text = paragraphs[i % len(paragraphs)]
        start = time.perf_counter()
        model.tag(text)
        times.append(time.perf_counter() - start)
    return float(np.percentile(times, 50) * 1000), float(np.percentile(times, 99) * 1000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "current")
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--skip-cli", action="store_true", help="leave out the batch CLI runs")
    args = parser.parse_args(argv)

    import classifier

    paragraphs = corpus(args.paragraphs)
    loaded = _load_in_fresh_process(args.model)
    model = classifier.load_model(args.model)
    jieba_rate = bench_segmentation(paragraphs)
    batch_rate, batch_mb = bench_tagging(model, paragraphs)
    p50, p99 = bench_latency(model, paragraphs)

    print(f"paragraphs: {len(paragraphs)}  model: {model.version}")
    print(f"raw jieba segmentation:      {jieba_rate:8.0f} paragraphs/s")
    print(f"batch tagging (Model.tag):   {batch_rate:8.0f} paragraphs/s  {batch_mb:.2f} MB/s  "
          f"= {batch_rate / jieba_rate:.2f}x jieba (target >= 0.7x)")
    print(f"single-paragraph tag():      p50 {p50:.2f} ms  p99 {p99:.2f} ms (target p99 < 5 ms)")
    print(f"model load after imports:    {loaded['load_s']:.3f} s (target < 1 s)  "
          f"RSS {loaded['rss_mb']:.0f} MB")
    if not args.skip_cli:
        try:
            import bench_batch
        except ImportError:
            print("batch CLI: benchmarks/bench_batch.py not present")
        else:
            figures = bench_batch.run(args.model, args.paragraphs)
            for line in figures["lines"]:
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
