"""Irritant topics on 10k irritant segments with the default offline embeddings, end to end, and a
re-run with the embeddings cached (``IrritantTopicModel(cache_path=...)``, public API only).

Each run is a fresh process: importing the topics package (BERTopic, UMAP, HDBSCAN) is reported apart
from ``fit``. Skipped, with the reason, when ``interviewkit.topics`` is not usable.
"""
from __future__ import annotations

import time
from pathlib import Path

from .harness import Result, child, ratio


def segments_frame(n: int, seed: int = 13):
    import pandas as pd

    from benchmarks.corpus import PERSONAS, SpeechGenerator

    gen = SpeechGenerator(seed)
    rows = []
    for i in range(n):
        persona = PERSONAS[i % len(PERSONAS)]
        rows.append({"segment_id": f"S{i:06d}", "text": gen.sentence(gen.pools.verbatims, persona.filler_rate),
                     "participant": f"R{i % 700:04d}", "persona": persona.name, "document": "verbatims.csv",
                     "stage": "", "channel": "", "irritant": 1, "language": "fr"})
    return pd.DataFrame(rows)


def step_probe() -> dict:
    try:
        from interviewkit.topics import DEFAULT_EMBEDDING, IrritantTopicModel  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "reason": f"interviewkit.topics.IrritantTopicModel is not importable: "
                                       f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "embedding": DEFAULT_EMBEDDING}


def step_fit(n: int, cache: str) -> dict:
    t0 = time.perf_counter()
    from interviewkit.topics import IrritantTopicModel

    t1 = time.perf_counter()
    segments = segments_frame(n)
    t2 = time.perf_counter()
    model = IrritantTopicModel(cache_path=cache).fit(segments)
    t3 = time.perf_counter()
    return {"import_seconds": t1 - t0, "fit_seconds": t3 - t2, "status": model.status_,
            "topics": len(model.topics_), "outlier_share": model.outlier_share_,
            "cache_hits": getattr(model, "cache_hits_", None), "cache_misses": getattr(model, "cache_misses_", None),
            "message": model.message_[:300]}


def run(quick: bool, workdir: Path) -> Result:
    res = Result("topics")
    probe = child("benchmarks.bench_topics:step_probe")
    if not probe.get("ok"):
        res.skipped = probe["reason"]
        return res
    n = 2000 if quick else 10_000
    cache = str(workdir / "embeddings.sqlite")
    cold = child("benchmarks.bench_topics:step_fit", n=n, cache=cache)
    warm = child("benchmarks.bench_topics:step_fit", n=n, cache=cache)
    cold_total = cold["import_seconds"] + cold["fit_seconds"]
    warm_total = warm["import_seconds"] + warm["fit_seconds"]
    res.add(f"topics on {n:,} irritant segments, end to end", round(cold_total, 1), "s", target="<= 120",
            note=f"import {cold['import_seconds']:.1f} s + fit {cold['fit_seconds']:.1f} s; "
                 f"{cold['topics']} topics, {cold['outlier_share']:.0%} outliers; embedding {probe['embedding']}")
    res.add("re-run with embeddings cached (fit)", round(warm["fit_seconds"], 1), "s", round(cold["fit_seconds"], 1),
            "cold fit", ratio(cold["fit_seconds"], warm["fit_seconds"]), ">= 5",
            note=f"cache hits {warm['cache_hits']}, misses {warm['cache_misses']}")
    res.add("re-run with embeddings cached (end to end)", round(warm_total, 1), "s", round(cold_total, 1),
            "cold end to end", ratio(cold_total, warm_total))
    res.details.update(cold=cold, warm=warm, peak_rss_mb=max(cold["peak_rss_mb"], warm["peak_rss_mb"]))
    return res
