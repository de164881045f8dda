"""Re-running ``tag``: nothing changed, and after a codebook edit, against the cold run.

A transcripts project is built from the scale corpus (ingested without pseudonymisation: not what is
measured here). Each ``tag_project`` call runs in a fresh process, like ``interviewkit tag``; the
figure is the whole call (planning, spaCy import and model load when needed, parsing, rule layers,
writes); importing interviewkit and opening the project is reported apart. The same sequence is then
run inside one process (a notebook: spaCy and the model stay loaded between calls).

The codebook edit is re-tagged selectively (:mod:`interviewkit.retag`); a copy of the project taken
before the edit, with its parsed-Doc cache but no codebook snapshot, is re-tagged on the full path and
its tags are compared with the selective ones (``details.selective_vs_full``).
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


def edited_codebook(folder: str, weight_edit: bool = False) -> str:
    """The bundled codebook plus one pattern (matching no segment of the corpus); with ``weight_edit``
    also the weight of a frequent pattern changed (``téléphone``, channel phone): a second edit whose
    candidates are the segments naming the phone."""
    from interviewkit.codebook import load_codebook

    book = load_codebook()
    book.add_pattern("channel", "sms", "pigeon voyageur", lang="fr", weight=0.5)
    if weight_edit:
        phone = book.labels["channel"]["phone"].patterns["fr"]
        next(p for p in phone if p.kind == "term" and p.value == "téléphone").weight = 0.5
    return str(book.save(Path(folder) / "codebook.yml"))


def _report(r) -> dict:
    return {"tagged": r.tagged, "reused": r.reused, "parsed": r.parsed, "hits": r.parse_cache_hits,
            "model_loaded": r.model_loaded, "timings": {k: round(v, 3) for k, v in r.timings.items()},
            "retag_mode": r.retag_mode, "candidates": r.candidates, "carried": r.carried, "probed": r.probed}


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


def step_session(project: str, codebook: str, codebook2: str, profile: str = "full") -> dict:
    import interviewkit as ik
    from interviewkit.project_tagging import tag_project

    p = ik.open_project(project)
    out = {}
    for name, cb in (("cold", None), ("nochange", None), ("edit", codebook), ("edit2", codebook2)):
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


def copy_project(src: Path, dest: Path, parsed_cache: bool = False) -> None:
    for sub in ("private", "cache", "backups"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src / "interviewkit.sqlite") as a, sqlite3.connect(dest / "interviewkit.sqlite") as b:
        a.backup(b)
    if parsed_cache:  # parsed Docs and pipelines.json, not the codebook snapshots (cache/codebooks/)
        for f in (src / "cache").glob("parsed-*.sqlite"):
            with sqlite3.connect(f) as a, sqlite3.connect(dest / "cache" / f.name) as b:
                a.backup(b)
        shutil.copy(src / "cache" / "pipelines.json", dest / "cache" / "pipelines.json")


def compare_tags(a: Path, b: Path) -> dict:
    """Auto tag rows of two projects: rows differing in a tag column or confidence, in the evidence
    (rule ids left out), and in the rule ids cited only (ties between equal patterns of one label)."""
    import json

    cols = ("segment_id, text_hash, codebook_hash, pipeline_id, stage, channel, emotion, valence, irritant, moments, "
            "lane, confidence_json, evidence_json")

    def rows(p: Path) -> dict:
        with sqlite3.connect(p / "interviewkit.sqlite") as c:
            return {r[0]: r for r in c.execute(f"SELECT {cols} FROM auto_tags")}

    ra, rb = rows(a), rows(b)
    tags = evidence = rules = 0
    for sid in ra.keys() | rb.keys():
        x, y = ra.get(sid), rb.get(sid)
        if x is None or y is None or x[:-1] != y[:-1]:
            tags += 1
            continue
        ex, ey = json.loads(x[-1]), json.loads(y[-1])
        strip = [[{k: v for k, v in e.items() if k != "rule"} for e in ev] for ev in (ex, ey)]
        evidence += strip[0] != strip[1]
        rules += strip[0] == strip[1] and ex != ey
    return {"rows": len(ra), "tags_differ": tags, "evidence_differs": evidence, "rule_ids_differ": rules}


def run(quick: bool, workdir: Path) -> Result:
    words = 30_000 if quick else 200_000
    project, notebook = workdir / "project", workdir / "notebook"
    built = child("benchmarks.bench_incremental:step_build", words=words, corpus=str(workdir / "corpus"),
                  project=str(project))
    copy_project(project, notebook)
    codebook = edited_codebook(str(workdir / "edited"))
    codebook2 = edited_codebook(str(workdir / "edited2"), weight_edit=True)
    cold = child("benchmarks.bench_incremental:step_tag", project=str(project))
    nochange = child("benchmarks.bench_incremental:step_tag", project=str(project))
    full_copy = workdir / "full"
    copy_project(project, full_copy, parsed_cache=True)
    edit = child("benchmarks.bench_incremental:step_tag", project=str(project), codebook=codebook)
    full = child("benchmarks.bench_incremental:step_tag", project=str(full_copy), codebook=codebook)
    same = compare_tags(project, full_copy)
    edit_again = child("benchmarks.bench_incremental:step_tag", project=str(project), codebook=codebook)
    weight = child("benchmarks.bench_incremental:step_tag", project=str(project), codebook=codebook2)
    session = child("benchmarks.bench_incremental:step_session", project=str(notebook), codebook=codebook,
                    codebook2=codebook2)
    bare = child("benchmarks.bench_incremental:step_bare", project=str(project / "interviewkit.sqlite"),
                 limit=built["customer_segments"])
    res = Result("incremental")
    c = cold["call_seconds"]
    res.add("tag re-run, nothing changed (fresh process)", round(nochange["call_seconds"], 3), "s", round(c, 2),
            "cold run", ratio(c, nochange["call_seconds"]), ">= 20",
            note=f"spaCy imported: {nochange['spacy_imported']}; model loaded: {nochange['model_loaded']}")
    res.add("tag re-run after a codebook edit (fresh process)", round(edit["call_seconds"], 2), "s", round(c, 2),
            "cold run", ratio(c, edit["call_seconds"]), ">= 10",
            note=f"{edit['retag_mode']} re-tag: {edit['probed']} kept by the spaCy-free first pass, "
                 f"{edit['candidates']} candidates re-annotated, {edit['carried']} carried over; {edit['parsed']} parsed; "
                 f"spaCy imported: {edit['spacy_imported']}; load {edit['timings'].get('load', 0):.1f} s, "
                 f"probe {edit['timings'].get('probe', 0):.1f} s, rule layers {edit['timings'].get('annotate', 0):.1f} s")
    res.add("then a weight edit of a frequent pattern (fresh process)", round(weight["call_seconds"], 2), "s",
            round(c, 2), "cold run", ratio(c, weight["call_seconds"]), ">= 10",
            note=f"{weight['retag_mode']} re-tag: {weight['probed']} kept by the spaCy-free first pass, "
                 f"{weight['candidates']} candidates re-annotated, {weight['carried']} carried over; "
                 f"load {weight['timings'].get('load', 0):.1f} s, probe {weight['timings'].get('probe', 0):.1f} s, "
                 f"rule layers {weight['timings'].get('annotate', 0):.1f} s")
    res.add("codebook edit, full re-annotation (no snapshot, fresh process)", round(full["call_seconds"], 2), "s",
            round(c, 2), "cold run", ratio(c, full["call_seconds"]),
            note=f"tags equal to the selective run: {same['tags_differ'] == 0 and same['evidence_differs'] == 0} "
                 f"({same['rows']} rows; {same['rule_ids_differ']} cite another of two equal patterns)")
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
    e2 = s["edit2"]
    res.add("notebook: then a weight edit of a frequent pattern", round(e2["call_seconds"], 2), "s",
            round(s["cold"]["call_seconds"], 2), "cold (same process)", ratio(s["cold"]["call_seconds"],
                                                                              e2["call_seconds"]), ">= 10",
            note=f"{e2['retag_mode']} re-tag: {e2['candidates']} candidates re-annotated, {e2['carried']} carried over")
    cc, ce = cold["call_cpu_seconds"], edit["call_cpu_seconds"]
    res.add("codebook edit, CPU time (fresh process)", round(ce, 2), "s", round(cc, 2), "cold run CPU time",
            ratio(cc, ce), ">= 10", note="CPU seconds of the call: less disturbed by other processes")
    seg_rate = built["customer_segments"] / (c - load_c)
    res.add("cold tag_project throughput", round(seg_rate, 1), "segments/s", round(bare["n"] / bare["seconds"], 1),
            "bare nlp.pipe", ratio(seg_rate, bare["n"] / bare["seconds"]),
            note="cold run also parses each segment's context (previous sentence, often the interviewer's)")
    res.add("import interviewkit + open project", round(cold["import_seconds"], 2), "s",
            note="not in the figures above")
    res.details.update(corpus=built, cold=cold, nochange=nochange, edit=edit, edit_again=edit_again, weight_edit=weight, session=session,
                       full_retag=full, selective_vs_full=same,
                       bare=bare, peak_rss_mb=max(x["peak_rss_mb"] for x in (cold, nochange, edit, session)))
    shutil.rmtree(workdir / "corpus", ignore_errors=True)
    return res
