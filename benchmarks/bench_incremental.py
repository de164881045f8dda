"""Re-running ``tag``: nothing changed, and after a codebook edit, against the cold run.

A transcripts project is built from the scale corpus (ingested without pseudonymisation: not what is
measured here). Each ``tag_project`` call runs in a fresh process, like ``interviewkit tag``; the
figure is the whole call (planning, spaCy import and model load when needed, parsing, rule layers,
writes); importing interviewkit and opening the project is reported apart. The same sequence is then
run inside one process (a notebook: spaCy and the model stay loaded between calls).
"""
from __future__ import annotations

import shutil
import sqlite3
import sys
import time
from pathlib import Path

from .harness import Result, child, ratio


def step_build(words: int, corpus: str, project: str, seed: int = 11) -> dict:
    from benchmarks.corpus import write_transcripts

    info = write_transcripts(words, Path(corpus), seed=seed)
    import interviewkit as ik

    p = ik.open_project(project)
    t0 = time.perf_counter()
    report = p.ingest([corpus], pseudonymise=False, lang="fr")
    segs = p.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    customer = p.conn.execute("SELECT COUNT(*) FROM segments s JOIN turns t ON t.turn_id = s.turn_id "
                              "WHERE t.role = 'participant'").fetchone()[0]
    return {"words": info["words"], "interviews": info["interviews"], "segments": segs, "customer_segments": customer,
            "ingest_seconds": time.perf_counter() - t0, "failed": len(report.failed)}


def edited_codebook(folder: str) -> str:
    from interviewkit.codebook import load_codebook

    book = load_codebook()
    book.add_pattern("channel", "sms", "pigeon voyageur", lang="fr", weight=0.5)
    return str(book.save(Path(folder) / "codebook.yml"))


def _report(r) -> dict:
    return {"tagged": r.tagged, "reused": r.reused, "parsed": r.parsed, "hits": r.parse_cache_hits,
            "model_loaded": r.model_loaded, "timings": {k: round(v, 3) for k, v in r.timings.items()}}


def step_tag(project: str, codebook: str | None = None, profile: str = "full") -> dict:
    t0 = time.perf_counter()
    import interviewkit as ik
    from interviewkit.project_tagging import tag_project

    p = ik.open_project(project)
    t1, c1 = time.perf_counter(), time.process_time()
    r = tag_project(p, codebook=codebook, profile=profile)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"import_seconds": t1 - t0, "call_seconds": t2 - t1, "call_cpu_seconds": c2 - c1,
            "spacy_imported": "spacy" in sys.modules, **_report(r)}


def step_session(project: str, codebook: str, profile: str = "full") -> dict:
    import interviewkit as ik
    from interviewkit.project_tagging import tag_project

    p = ik.open_project(project)
    out = {}
    for name, cb in (("cold", None), ("nochange", None), ("edit", codebook)):
        t0 = time.perf_counter()
        r = tag_project(p, codebook=cb, profile=profile)
        out[name] = {"call_seconds": time.perf_counter() - t0, **_report(r)}
    return out


def step_bare(project: str, limit: int) -> dict:
    """bare fr_core_news_sm nlp.pipe on the project's customer segments (model load excluded)."""
    import spacy

    texts = [r[0] for r in sqlite3.connect(project).execute(
        "SELECT s.text FROM segments s JOIN turns t ON t.turn_id = s.turn_id WHERE t.role = 'participant' LIMIT ?",
        (limit,))]
    nlp = spacy.load("fr_core_news_sm")
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return {"n": len(texts), "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}


def copy_project(src: Path, dest: Path) -> None:
    for sub in ("private", "cache", "backups"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src / "interviewkit.sqlite") as a, sqlite3.connect(dest / "interviewkit.sqlite") as b:
        a.backup(b)


def run(quick: bool, workdir: Path) -> Result:
    words = 30_000 if quick else 200_000
    project, notebook = workdir / "project", workdir / "notebook"
    built = child("benchmarks.bench_incremental:step_build", words=words, corpus=str(workdir / "corpus"),
                  project=str(project))
    copy_project(project, notebook)
    codebook = edited_codebook(str(workdir / "edited"))
    cold = child("benchmarks.bench_incremental:step_tag", project=str(project))
    nochange = child("benchmarks.bench_incremental:step_tag", project=str(project))
    edit = child("benchmarks.bench_incremental:step_tag", project=str(project), codebook=codebook)
    edit_again = child("benchmarks.bench_incremental:step_tag", project=str(project), codebook=codebook)
    session = child("benchmarks.bench_incremental:step_session", project=str(notebook), codebook=codebook)
    bare = child("benchmarks.bench_incremental:step_bare", project=str(project / "interviewkit.sqlite"),
                 limit=built["customer_segments"])
    res = Result("incremental")
    c = cold["call_seconds"]
    res.add("tag re-run, nothing changed (fresh process)", round(nochange["call_seconds"], 3), "s", round(c, 2),
            "cold run", ratio(c, nochange["call_seconds"]), ">= 20",
            note=f"spaCy imported: {nochange['spacy_imported']}; model loaded: {nochange['model_loaded']}")
    res.add("tag re-run after a codebook edit (fresh process)", round(edit["call_seconds"], 2), "s", round(c, 2),
            "cold run", ratio(c, edit["call_seconds"]), ">= 10",
            note=f"{edit['parsed']} parsed, {edit['hits']} parse-cache hits; load {edit['timings'].get('load', 0):.1f} s "
                 f"(spaCy import + tokenizer, no neural model), rule layers {edit['timings'].get('annotate', 0):.1f} s")
    load_c, load_e = cold["timings"].get("load", 0), edit["timings"].get("load", 0)
    res.add("codebook edit, excluding spaCy import/model load", round(edit["call_seconds"] - load_e, 2), "s",
            round(c - load_c, 2), "cold run excl. load", ratio(c - load_c, edit["call_seconds"] - load_e), ">= 10")
    s = session
    res.add("notebook: re-run, nothing changed", round(s["nochange"]["call_seconds"], 3), "s",
            round(s["cold"]["call_seconds"], 2), "cold (same process)",
            ratio(s["cold"]["call_seconds"], s["nochange"]["call_seconds"]), ">= 20")
    res.add("notebook: re-run after a codebook edit", round(s["edit"]["call_seconds"], 2), "s",
            round(s["cold"]["call_seconds"], 2), "cold (same process)",
            ratio(s["cold"]["call_seconds"], s["edit"]["call_seconds"]), ">= 10")
    cc, ce = cold["call_cpu_seconds"], edit["call_cpu_seconds"]
    res.add("codebook edit, CPU time (fresh process)", round(ce, 2), "s", round(cc, 2), "cold run CPU time",
            ratio(cc, ce), ">= 10", note="CPU seconds of the call: less disturbed by other processes")
    seg_rate = built["customer_segments"] / (c - load_c)
    res.add("cold tag_project throughput", round(seg_rate, 1), "segments/s", round(bare["n"] / bare["seconds"], 1),
            "bare nlp.pipe", ratio(seg_rate, bare["n"] / bare["seconds"]),
            note="cold run also parses each segment's context (previous sentence, often the interviewer's)")
    res.add("import interviewkit + open project", round(cold["import_seconds"], 2), "s",
            note="not in the figures above")
    res.details.update(corpus=built, cold=cold, nochange=nochange, edit=edit, edit_again=edit_again, session=session,
                       bare=bare, peak_rss_mb=max(x["peak_rss_mb"] for x in (cold, nochange, edit, session)))
    shutil.rmtree(workdir / "corpus", ignore_errors=True)
    return res
