"""1M words through ingest + tag in one process: peak resident memory (target <= 4 GB) and time.

The corpus is one verbatims CSV (one document: the case where ingestion used to hold a whole document
in spaCy at once), ingested with pseudonymisation on (the default), then tagged with the full profile.
The baseline for time is bare ``fr_core_news_sm`` ``nlp.pipe`` over the same segment texts, measured
in another process.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from .harness import Result, child, ratio


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_pipeline(words: int, corpus: str, project: str, profile: str = "full") -> dict:
    from benchmarks.corpus import write_verbatims

    info = write_verbatims(words, Path(corpus), seed=3)
    base_rss = _rss_mb()
    t0 = time.perf_counter()
    import interviewkit as ik
    from interviewkit.project_tagging import tag_project

    p = ik.open_project(project)
    ingest = p.ingest([corpus], text_column="verbatim")
    t1 = time.perf_counter()
    rss_ingest = _rss_mb()
    report = tag_project(p, profile=profile)
    t2 = time.perf_counter()
    segs = p.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    return {"words": info["words"], "rows": info["rows"], "segments": segs, "ingest_seconds": t1 - t0,
            "tag_seconds": t2 - t1, "rss_after_ingest_mb": rss_ingest, "rss_start_mb": base_rss,
            "ingest_failed": len(ingest.failed), "tagged": report.tagged, "parsed": report.parsed,
            "hits": report.parse_cache_hits, "timings": report.timings, "spacy_strings": _strings()}


def _strings() -> int | None:
    if "interviewkit.tagging" not in sys.modules:
        return None
    from interviewkit.tagging import load_base_pipeline

    return len(load_base_pipeline("fr", "fr_core_news_sm", "full").vocab.strings)


def step_bare(project: str, limit: int | None = None) -> dict:
    import sqlite3

    import spacy

    sql = "SELECT text FROM segments" + (f" LIMIT {int(limit)}" if limit else "")
    texts = [r[0] for r in sqlite3.connect(project).execute(sql)]
    nlp = spacy.load("fr_core_news_sm")
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return {"n": len(texts), "seconds": time.perf_counter() - t0}


def run(quick: bool, workdir: Path) -> Result:
    words = 100_000 if quick else 1_000_000
    out = child("benchmarks.bench_scale:step_pipeline", words=words, corpus=str(workdir / "verbatims.csv"),
                project=str(workdir / "project"))
    sample = 5000 if not quick else None
    bare = child("benchmarks.bench_scale:step_bare", project=str(workdir / "project" / "interviewkit.sqlite"),
                 limit=sample)
    bare_all = bare["seconds"] * out["segments"] / bare["n"]
    res = Result("scale")
    res.add(f"{out['words']:,} words: ingest + tag, peak RSS", round(out["peak_rss_mb"]), "MB", target="<= 4096",
            note=f"after ingest: {out['rss_after_ingest_mb']:.0f} MB; one process, pseudonymisation on, full profile, "
                 "rules only (the project default; --models adds sentence embeddings, see the throughput benchmark)")
    res.add("ingest time", round(out["ingest_seconds"], 1), "s",
            note=f"{out['rows']:,} rows -> {out['segments']:,} segments (NER pseudonymisation + sentence split)")
    tag_wo_load = out["tag_seconds"] - out["timings"].get("load", 0)
    res.add("tag time (cold)", round(out["tag_seconds"], 1), "s", round(bare_all, 1),
            "bare nlp.pipe, same texts" + (" (extrapolated from 5,000)" if sample else ""),
            ratio(bare_all, tag_wo_load), note="ratio = bare / tag excluding model load")
    res.details.update(pipeline=out, bare=bare, peak_rss_mb=out["peak_rss_mb"])
    return res
