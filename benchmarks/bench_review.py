"""Review widget filtering over 100k customer segments (target: <= 200 ms per interaction).

The project store is filled directly (documents, turns, segments, auto tags; texts from the scale
corpus, labels sampled), since ingesting 1.5M words would only slow the benchmark down. Measured:
building the queue once (the widget's opening), ``ReviewQueue.filter`` for typical filter settings,
and the widget's own interactions (``on_filter``: filter + showing the first segment; next; accept).
Baseline: the same filters as plain pandas masks on a segments+tags frame read with one SQL query.
"""
from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

from .harness import Result, child

FILTERS = {
    "stage=support": {"stage": "support"},
    "channel=phone + emotion=anger": {"channel": "phone", "emotion": "anger"},
    "irritant=1 + persona": {"irritant": 1, "persona": "Actif pressé"},
    "confidence 0-0.5": {"confidence": (0.0, 0.5)},
    "search 'colis'": {"search": "colis"},
    "participant + status": {"participant": "P0007", "status": ["unreviewed", "skipped"]},
    "4 filters combined": {"stage": "deliver", "irritant": 1, "persona": "Senior attentif", "search": "livr"},
}


def step_build(path: str, customer: int, seed: int = 5) -> dict:
    import interviewkit as ik
    from benchmarks.corpus import PERSONAS, segment_texts
    from interviewkit.review.labels import LABELS
    from interviewkit.store import utcnow

    rng = random.Random(seed)
    p = ik.open_project(path)
    conn = p.conn
    docs, turns_per_doc, per_turn = 100, customer // 100 // 2, 2
    texts = segment_texts(customer + docs * turns_per_doc, seed)
    labels = LABELS.labels
    t0 = time.perf_counter()
    seg_rows, turn_rows, tag_rows, k = [], [], [], 0
    turn_id = 0
    with p.transaction():
        conn.execute("INSERT INTO tag_runs (started_at, codebook_version, codebook_hash, pipeline_id) "
                     "VALUES (?, 'bench', 'bench', 'bench')", (utcnow(),))
        for d in range(1, docs + 1):
            pid = f"P{d:04d}"
            persona = PERSONAS[d % len(PERSONAS)].name
            conn.execute("INSERT INTO participants VALUES (?, ?, 'participants file', '{}')", (pid, persona))
            conn.execute("INSERT INTO documents (document_id, path, name, content_hash, version, format, kind, "
                         "language, participant_id, pseudonymised, ingested_at) VALUES (?, ?, ?, ?, 1, 'plain', "
                         "'transcript', 'fr', ?, 0, ?)", (d, f"/bench/{pid}.txt", f"{pid}.txt", str(d), pid, utcnow()))
            for t in range(turns_per_doc * 2):
                turn_id += 1
                role = "interviewer" if t % 2 == 0 else "participant"
                n = 1 if role == "interviewer" else per_turn
                body = [texts[(k + i) % len(texts)] for i in range(n)]
                k += n
                turn_rows.append((turn_id, d, t, "INT-01" if role == "interviewer" else pid, role, "bench",
                                  None if role == "interviewer" else pid, " ".join(body)))
                pos = 0
                for s, text in enumerate(body):
                    sid = f"D{d:04d}-T{t:04d}-S{s:02d}"
                    seg_rows.append((sid, d, turn_id, s, pos, pos + len(text), text, str(hash(text))))
                    pos += len(text) + 1
                    if role == "participant":
                        conf = {f: round(rng.random(), 2) for f in ("stage", "channel", "emotion", "irritant")}
                        tag_rows.append((sid, 1, str(hash(text)), "bench", "bench",
                                         ";".join(rng.sample(labels["stage"], rng.choice([0, 1, 1, 2]))),
                                         ";".join(rng.sample(labels["channel"], rng.choice([0, 0, 1, 1, 2]))),
                                         rng.choice(labels["emotion"]), rng.randint(-2, 2), int(rng.random() < 0.3),
                                         ";".join(rng.sample(labels["moments"], rng.choice([0, 0, 0, 1]))),
                                         rng.choice(labels["lane"]), json.dumps(conf), "[]"))
        conn.executemany("INSERT INTO turns (turn_id, document_id, idx, speaker, role, role_source, participant_id,"
                         " text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", turn_rows)
        conn.executemany("INSERT INTO segments (segment_id, document_id, turn_id, idx, start_char, end_char, text,"
                         " text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", seg_rows)
        conn.executemany("INSERT INTO auto_tags (segment_id, run_id, text_hash, codebook_hash, pipeline_id, stage, "
                         "channel, emotion, valence, irritant, moments, lane, confidence_json, evidence_json) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tag_rows)
    return {"segments": len(seg_rows), "customer_segments": len(tag_rows), "build_seconds": time.perf_counter() - t0}


def _times(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _stats(ms: list[float]) -> dict:
    return {"median_ms": round(statistics.median(ms), 1), "max_ms": round(max(ms), 1)}


def step_review(path: str, repeats: int) -> dict:
    import numpy as np

    import interviewkit as ik

    p = ik.open_project(path)
    out: dict = {"queue": {}, "baseline": {}, "widget": {}}
    t0 = time.perf_counter()
    from interviewkit.review import ReviewController
    from interviewkit.review.queue import ReviewQueue

    queue = ReviewQueue(p)
    out["queue_build_seconds"] = time.perf_counter() - t0
    out["queue_rows"] = len(queue.frame)
    for name, flt in FILTERS.items():
        first = _times(lambda flt=flt: queue.filter(**flt), 1)  # may build a lazy helper column
        out["queue"][name] = {**_stats(_times(lambda flt=flt: queue.filter(**flt), repeats)), "first_ms": first[0],
                              "rows": len(queue.filter(**flt))}
    # baseline: plain pandas on a frame read with one SQL query (indexes on the join keys)
    t0 = time.perf_counter()
    df = p.query("""SELECT s.segment_id, s.text, t.participant_id AS participant, pa.persona, a.stage, a.channel,
                           a.emotion, a.irritant, a.confidence_json FROM segments s
                    JOIN turns t ON t.turn_id = s.turn_id LEFT JOIN participants pa ON pa.participant_id = t.participant_id
                    LEFT JOIN auto_tags a ON a.segment_id = s.segment_id WHERE t.role = 'participant'""")
    out["baseline_build_seconds"] = time.perf_counter() - t0
    low = df["text"].str.lower()
    base = {
        "stage=support": lambda: df[df["stage"].str.contains("support", regex=False, na=False)],
        "channel=phone + emotion=anger": lambda: df[df["channel"].str.contains("phone", regex=False, na=False)
                                                    & (df["emotion"] == "anger")],
        "irritant=1 + persona": lambda: df[(df["irritant"] == 1) & (df["persona"] == "Actif pressé")],
        "search 'colis'": lambda: df[low.str.contains("colis", regex=False)],
        "participant + status": lambda: df[df["participant"] == "P0007"],
        "4 filters combined": lambda: df[df["stage"].str.contains("deliver", regex=False, na=False)
                                         & (df["irritant"] == 1) & (df["persona"] == "Senior attentif")
                                         & low.str.contains("livr", regex=False)],
    }
    for name, fn in base.items():
        out["baseline"][name] = _stats(_times(fn, repeats))
    # the widget's interactions (headless ipywidgets)
    t0 = time.perf_counter()
    controller = ReviewController(p, "bench")
    try:
        from interviewkit.review import ReviewWidget

        widget = ReviewWidget(controller)
    except Exception as exc:  # noqa: BLE001 - no ipywidgets: controller only
        widget, out["widget_error"] = None, f"{type(exc).__name__}: {exc}"
    out["widget_open_seconds"] = time.perf_counter() - t0
    if widget is not None:
        settings = [("stage", "support"), ("channel", "phone"), ("emotion", "anger"), ("irritant", "1")]

        def set_filter(attr, value):
            getattr(widget, f"f_{attr}").value = value
            widget.on_filter()

        for attr, value in settings:
            ms = _times(lambda a=attr, v=value: set_filter(a, v), 1)
            ms += _times(lambda a=attr, v=value: set_filter(a, v), repeats - 1)
            out["widget"][f"filter {attr}={value}"] = _stats(ms)
        widget.f_search.value = "colis"
        out["widget"]["filter + search"] = _stats(_times(widget.on_filter, repeats))
        from interviewkit.review.widget import _ALL

        for attr, _ in settings:
            getattr(widget, f"f_{attr}").value = _ALL
        widget.f_search.value = ""
        out["widget"]["clear filters"] = _stats(_times(widget.on_filter, repeats))
        out["widget"]["next segment"] = _stats(_times(lambda: widget._act(controller.next), repeats))
        out["widget"]["accept all (writes)"] = _stats(_times(lambda: widget._act(controller.accept_all), repeats))
    out["numpy"] = np.__version__
    return out


def run(quick: bool, workdir: Path) -> Result:
    customer = 20_000 if quick else 100_000
    built = child("benchmarks.bench_review:step_build", path=str(workdir / "project"), customer=customer)
    out = child("benchmarks.bench_review:step_review", path=str(workdir / "project"), repeats=5 if quick else 9)
    res = Result("review")
    n = out["queue_rows"]
    for name, stats in out["queue"].items():
        b = out["baseline"].get(name)
        res.add(f"queue.filter {name} ({n:,} segments)", max(stats["max_ms"], stats["first_ms"]), "ms",
                b["median_ms"] if b else None, "pandas mask (median)" if b else "", None, "<= 200",
                note=f"median {stats['median_ms']} ms, first call {stats['first_ms']:.0f} ms, {stats['rows']:,} rows")
    for name, stats in out["widget"].items():
        res.add(f"widget: {name}", stats["max_ms"], "ms", target="<= 200", note=f"median {stats['median_ms']} ms")
    res.add("queue build (widget opening, once)", round(out["queue_build_seconds"], 2), "s",
            round(out["baseline_build_seconds"], 2), "one SQL query to pandas")
    res.add("widget opening (controller + widget)", round(out["widget_open_seconds"], 2), "s")
    if "widget_error" in out:
        res.details["notes"] = "widget not measured: " + out["widget_error"]
    res.details.update(store=built, review=out, peak_rss_mb=out["peak_rss_mb"])
    return res
