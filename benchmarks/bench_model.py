"""`make bench`: every speed figure of the tagger beside its target, with peers measured in
the same run so that the ratios hold on a busy machine.

In-process figures are the median of ``--repeat`` runs; the batch CLI and HTTP figures come
from ``bench_batch`` and ``bench_service``, each with its own repeats. The peers are raw jieba
(the pure-Python segmentation that bounded the tagger before the compiled segmenter) and a
scikit-learn pipeline of the usual kind (jieba words, TF-IDF, one-vs-rest logistic regression)
trained on the same labelled paragraphs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
TAGGER = Path(sys.executable).with_name("tagger")


def labelled() -> list[dict]:
    return [json.loads(line) for path in sorted((REPO / "labels").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus(n: int) -> list[str]:
    """``n`` labelled paragraphs, each varied by a number so none is an exact repeat."""
    base = [record["text"] for record in labelled()]
    return [f"{base[i % len(base)]}({i})" for i in range(n)]


def median_of(repeat: int, measure) -> float:
    return statistics.median(measure() for _ in range(repeat))


def rate(count: int, call) -> float:
    start = time.perf_counter()
    call()
    return count / (time.perf_counter() - start)


def latencies(call, texts, calls: int) -> np.ndarray:
    for text in texts[:50]:
        call(text)
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        call(texts[i % len(texts)])
        times[i] = time.perf_counter() - start
    return times * 1000


def quiet_jieba():
    """jieba, its dictionary loaded; importing it turns its logger to DEBUG, so turn it down."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


class SklearnPeer:
    """The usual scikit-learn tagger: jieba words, TF-IDF, one-vs-rest logistic regression."""

    def __init__(self):
        jieba = quiet_jieba()
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MultiLabelBinarizer

        records = labelled()
        labels = MultiLabelBinarizer().fit_transform([r["labels"] for r in records])
        self.pipeline = make_pipeline(
            TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, sublinear_tf=True),
            OneVsRestClassifier(LogisticRegression(C=10, max_iter=1000)))
        self.pipeline.fit([r["text"] for r in records], labels)

    def tag(self, texts):
        return self.pipeline.predict_proba(texts) >= 0.5


def raw_jieba(paragraphs) -> float:
    jieba = quiet_jieba()
    return rate(len(paragraphs), lambda: [jieba.lcut(t, HMM=False) for t in paragraphs])


def batched(tag, paragraphs, batch: int = 512):
    return lambda: [tag(paragraphs[i:i + batch]) for i in range(0, len(paragraphs), batch)]


def cold_start(model_dir: Path, repeat: int) -> dict:
    """Wall time of ``tagger tag`` on one article from a fresh interpreter, and where it goes."""
    article = "\n".join(corpus(5))
    command = [str(TAGGER), "tag", "-", "--model", str(model_dir)]

    def once() -> float:
        start = time.perf_counter()
        subprocess.run(command, input=json.dumps({"id": "cold", "text": article},
                                                 ensure_ascii=False),
                       text=True, check=True, capture_output=True)
        return time.perf_counter() - start

    wall = median_of(repeat, once)
    probe = f"""
import json, time
start = time.perf_counter()
import classifier.cli.main
imported = time.perf_counter()
import classifier
classifier.load_model({str(model_dir)!r})
print(json.dumps({{"import_s": imported - start, "load_s": time.perf_counter() - imported}}))
"""
    runs = [json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                      text=True, check=True).stdout) for _ in range(repeat)]
    importtime = subprocess.run([sys.executable, "-X", "importtime", "-c",
                                 "import classifier.cli.main"], capture_output=True, text=True,
                                check=True).stderr
    return {"wall_s": wall, "import_s": statistics.median(r["import_s"] for r in runs),
            "load_s": statistics.median(r["load_s"] for r in runs),
            "imports": heaviest_imports(importtime)}


def heaviest_imports(importtime: str, top: int = 6) -> list[tuple[str, float]]:
    """Top-level packages by the import time of their own modules (``python -X importtime``
    self times, summed per package), so nested imports count where they belong."""
    totals: dict[str, float] = {}
    for line in importtime.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        own = int(parts[0].split(":")[-1])
        package = parts[2].strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + own / 1e6
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "current")
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process figure")
    parser.add_argument("--skip-cli", action="store_true", help="leave out the batch CLI runs")
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP runs")
    args = parser.parse_args(argv)

    import classifier

    paragraphs = corpus(args.paragraphs)
    model = classifier.load_model(args.model)
    peer = SklearnPeer()
    jieba_rate = median_of(args.repeat, lambda: raw_jieba(paragraphs))
    tag_rate = median_of(args.repeat, lambda: rate(len(paragraphs),
                                                   batched(model.tag, paragraphs)))
    peer_rate = median_of(args.repeat, lambda: rate(len(paragraphs),
                                                    batched(peer.tag, paragraphs)))
    single = [latencies(model.tag, paragraphs, 2000) for _ in range(args.repeat)]
    p50 = statistics.median(float(np.percentile(t, 50)) for t in single)
    p99 = statistics.median(float(np.percentile(t, 99)) for t in single)
    peer_single = latencies(lambda t: peer.tag([t]), paragraphs, 500)
    segment_ms = statistics.median(
        float(np.median(latencies(model.segmenter.segment, paragraphs, 2000)))
        for _ in range(args.repeat))
    cold = cold_start(args.model, args.repeat)

    rows = [
        ("Model.tag in batches", f"{tag_rate:,.0f} paragraphs/s = {tag_rate / jieba_rate:.1f}x "
         "jieba", ">= 10,000/s and >= 5x jieba",
         tag_rate >= 10_000 and tag_rate >= 5 * jieba_rate),
        ("single-paragraph tag(), p50", f"{p50:.2f} ms", "<= 0.5 ms", p50 <= 0.5),
        ("single-paragraph tag(), p99", f"{p99:.2f} ms", "<= 1.5 ms", p99 <= 1.5),
        ("`tagger tag` one article, cold", f"{cold['wall_s']:.2f} s", "<= 1.0 s",
         cold["wall_s"] <= 1.0),
    ]
    print(f"model {model.version}, segmenter {model.segmenter.implementation}; "
          f"{len(paragraphs)} paragraphs; medians of {args.repeat} runs; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"peer: raw jieba segmentation (HMM off) {jieba_rate:9,.0f} paragraphs/s")
    print(f"peer: scikit-learn pipeline, batch     {peer_rate:9,.0f} paragraphs/s "
          f"({peer_rate / jieba_rate:.2f}x jieba); single call p50 "
          f"{np.percentile(peer_single, 50):.2f} ms")
    print(f"Model.tag in batches of 512            {tag_rate:9,.0f} paragraphs/s "
          f"= {tag_rate / jieba_rate:.1f}x jieba, {tag_rate / peer_rate:.1f}x scikit-learn")
    print(f"single-paragraph tag()                 p50 {p50:.3f} ms, p99 {p99:.3f} ms; "
          f"its segmentation alone p50 {segment_ms:.3f} ms")
    print(f"`tagger tag` one article, cold         {cold['wall_s']:.2f} s: importing the CLI "
          f"{cold['import_s']:.2f} s, loading the model {cold['load_s']:.2f} s, the rest "
          "interpreter start, reading, tagging, writing")
    print("  imports by package (s): " + ", ".join(
        f"{name} {seconds:.2f}" for name, seconds in cold["imports"]))
    if not args.skip_cli:
        import bench_batch

        figures = bench_batch.run(args.model, args.paragraphs)
        print("\n".join(figures["lines"]))
        one = figures["paragraphs"]
        rows.append(("`tagger tag` 20k one-paragraph records, --jobs 1",
                     f"{one['jobs1']['records_per_s']:,.0f} records/s = "
                     f"{one['jobs1']['jieba_ratio']:.2f}x jieba", ">= 2x jieba",
                     one["jobs1"]["jieba_ratio"] >= 2))
        for shape, label in (("paragraphs", "one-paragraph records"),
                             ("articles", "10-paragraph articles")):
            speedup = figures[shape]["speedup"]
            rows.append((f"--jobs 2 over --jobs 1, {label}", f"{speedup:.2f}x", ">= 1.7x",
                         speedup >= 1.7))
    if not args.skip_http:
        import bench_service

        http = bench_service.run(args.model)
        print("\n".join(http["lines"]))
        tag = http.get("figures", {}).get("tag")
        if tag:
            rows.append(("HTTP, 3-paragraph text, 2 workers, concurrency 1",
                         f"p50 {tag[1]['p50_ms']:.2f} ms", "p50 <= 3 ms",
                         tag[1]["p50_ms"] <= 3))
            rows.append(("HTTP, the same, concurrency 50", f"{tag[50]['rate']:,.0f} requests/s",
                         ">= 1,000 requests/s", tag[50]["rate"] >= 1000))
    print()
    print(f"| {'figure':<50} | {'measured':<36} | {'target':<28} | met |")
    print(f"|{'-' * 52}|{'-' * 38}|{'-' * 30}|-----|")
    for name, measured, target, met in rows:
        print(f"| {name:<50} | {measured:<36} | {target:<28} | {'yes' if met else 'NO':<3} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
