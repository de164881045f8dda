"""interviewkit performance benchmarks (on demand; never part of the test suite).

    python -m benchmarks [names...] [--quick] [--list]
    interviewkit bench [names...] [--quick]

Each benchmark measures its steps in child processes (peak memory is the child's whole-process
``ru_maxrss``), prints its figures as ratios against a baseline measured in the same run together with
the absolute numbers, and appends one JSON line to ``benchmarks/results/results.jsonl`` (timestamp, git
commit, machine). ``--quick`` uses smaller sizes. See docs/performance.md for the figures and targets.
"""
from __future__ import annotations

BENCHMARKS = {
    "import": ("benchmarks.bench_import", "`import interviewkit` stays light (no pandas/spaCy/torch)"),
    "throughput": ("benchmarks.bench_tagging", "tagging throughput vs bare fr_core_news_sm; fast/lookup profiles"),
    "quality": ("benchmarks.bench_quality", "tagging quality of each profile on the gold file"),
    "incremental": ("benchmarks.bench_incremental", "tag re-runs: nothing changed, codebook edited, vs cold"),
    "scale": ("benchmarks.bench_scale", "1M words through ingest + tag: peak memory"),
    "dask": ("benchmarks.bench_dask", "Dask engine: 1 vs 2 workers vs the local engine"),
    "review": ("benchmarks.bench_review", "review queue / widget filtering over 100k segments"),
    "topics": ("benchmarks.bench_topics", "irritant topics on 10k segments, cold and with cached embeddings"),
}


def main(argv: list[str] | None = None) -> int:
    from .harness import run_cli

    return run_cli(argv)
