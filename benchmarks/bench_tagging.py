"""Tagging throughput: ``JourneyTagger.tag`` (parse + rule layers) against bare ``fr_core_news_sm``
``nlp.pipe`` on the same texts, the faster profiles against the full one, and the cost of the
codebook's model votes (sentence embeddings, the default) against the rules alone.

Texts: customer sentences of the scale corpus (seeded). Each timing is the best of ``repeats``
interleaved passes; model loading is excluded and reported apart. Ratios use process CPU time, which
other processes on a shared machine disturb far less than wall-clock time (also reported).
"""
from __future__ import annotations

import time
from pathlib import Path

from .harness import Result, child, ratio

PROFILES = ("full", "fast", "lookup")


def step_throughput(n: int, repeats: int, seed: int = 7) -> dict:
    from benchmarks.corpus import segment_texts

    texts = segment_texts(n, seed)
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    import spacy

    nlp = spacy.load("fr_core_news_sm")
    load = {"bare": time.perf_counter() - t0}
    from interviewkit.tagging import JourneyTagger

    taggers = {}
    for p in PROFILES:
        t0 = time.perf_counter()
        taggers[p] = JourneyTagger(profile=p, models=False)
        load[p] = time.perf_counter() - t0
    list(nlp.pipe(texts[:200]))
    for t in taggers.values():
        list(t.tag(texts[:200]))
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    full = taggers["full"]

    def timed(key, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        best[key] = min(best.get(key, float("inf")), time.perf_counter() - t0)
        cpu[key] = min(cpu.get(key, float("inf")), time.process_time() - c0)

    for _ in range(repeats):
        timed("bare", lambda: list(nlp.pipe(texts, batch_size=256)))
        for p, tagger in taggers.items():
            timed(p, lambda tagger=tagger: list(tagger.tag(texts)))
        docs = []
        timed("full_parse", lambda: docs.extend(full.parse(texts)))
        timed("full_rules", lambda: [full.annotate(d) for d in docs])
    return {"n": n, "words": words, "seconds": best, "cpu_seconds": cpu, "load_seconds": load}


def step_models(n: int, repeats: int, seed: int = 7) -> dict:
    """The model votes (sentence embeddings) against the rules alone, fast profile, in a process of their
    own: the embedding engine's worker threads keep spinning after a batch and would inflate the CPU
    time of whatever is measured next in the same process."""
    from benchmarks.corpus import segment_texts
    from interviewkit.tagging import JourneyTagger

    texts = segment_texts(n, seed)
    words = sum(len(t.split()) for t in texts)
    rules = JourneyTagger(profile="fast", models=False)
    voted = JourneyTagger(profile="fast", nlp=rules.nlp)
    list(rules.tag(texts[:100]))
    list(voted.tag(texts[:100]))
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _ in range(repeats):
        for key, tagger in (("fast", rules), ("fast+models", voted)):
            t0, c0 = time.perf_counter(), time.process_time()
            list(tagger.tag(texts))
            best[key] = min(best.get(key, float("inf")), time.perf_counter() - t0)
            cpu[key] = min(cpu.get(key, float("inf")), time.process_time() - c0)
    return {"n": n, "words": words, "seconds": best, "cpu_seconds": cpu}


def run(quick: bool, workdir: Path) -> Result:
    n, repeats = (1500, 2) if quick else (6000, 3)
    out = child("benchmarks.bench_tagging:step_throughput", n=n, repeats=repeats)
    s, c = out["seconds"], out["cpu_seconds"]
    res = Result("throughput")
    wps = lambda t, key: round(out["words"] / t[key])  # noqa: E731

    def wall(a, b):
        return f"wall clock: {wps(s, a)} vs {wps(s, b)} words/s, ratio {ratio(s[b], s[a])}"

    res.add("full profile: tag throughput (CPU time)", wps(c, "full"), "words/s", wps(c, "bare"), "bare nlp.pipe",
            ratio(c["bare"], c["full"]), ">= 0.8", note=wall("full", "bare"))
    res.add("rule layers share of full tagging (CPU time)", round(c["full_rules"] / (c["full_parse"] + c["full_rules"]), 3),
            "", target="<= 0.2", note="annotate() / (parse + annotate) on the same Docs")
    res.add("fast profile vs full (CPU time)", wps(c, "fast"), "words/s", wps(c, "full"), "full profile",
            ratio(c["full"], c["fast"]), ">= 2", note=wall("fast", "full"))
    res.add("lookup profile vs full (CPU time)", wps(c, "lookup"), "words/s", wps(c, "full"), "full profile",
            ratio(c["full"], c["lookup"]), ">= 2", note=wall("lookup", "full"))
    mo = child("benchmarks.bench_tagging:step_models", n=min(n, 1500), repeats=2)
    ms, mc = mo["seconds"], mo["cpu_seconds"]
    mw = lambda t, key: round(mo["words"] / t[key])  # noqa: E731
    res.add("model votes (code-verbatims default) vs rules only, fast profile (wall clock)", mw(ms, "fast+models"),
            "words/s", mw(ms, "fast"), "rules only", ratio(ms["fast"], ms["fast+models"]), "",
            note=f"CPU time: {mw(mc, 'fast+models')} vs {mw(mc, 'fast')} words/s (the embedding engine uses every "
                 "core); own process; embeddings are cached per project, so a re-tag pays this once")
    res.add("model load (full)", round(out["load_seconds"]["full"], 2), "s",
            note="spaCy import + fr_core_news_sm + rule compilation; excluded above")
    res.details.update(n_texts=out["n"], words=out["words"], seconds={k: round(v, 3) for k, v in s.items()},
                       cpu_seconds={k: round(v, 3) for k, v in c.items()},
                       load_seconds={k: round(v, 2) for k, v in out["load_seconds"].items()},
                       peak_rss_mb=out["peak_rss_mb"], models_step={"n_texts": mo["n"], "words": mo["words"],
                       "seconds": {k: round(v, 3) for k, v in ms.items()}})
    return res
