"""`import interviewkit` stays light: its time against a bare interpreter start, and no heavy module loaded."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from .harness import Result, child, ratio

HEAVY = ("pandas", "spacy", "torch", "numpy", "bertopic", "sklearn", "dask", "distributed")


def step_bare() -> dict:
    return {"modules": len(sys.modules)}


def step_import() -> dict:
    start = time.perf_counter()
    import interviewkit  # noqa: F401

    seconds = time.perf_counter() - start
    return {"seconds": seconds, "heavy": [m for m in HEAVY if m in sys.modules], "modules": len(sys.modules)}


def step_open_project(path: str) -> dict:
    start = time.perf_counter()
    import interviewkit as ik

    ik.open_project(path)
    return {"seconds": time.perf_counter() - start, "heavy": [m for m in HEAVY if m in sys.modules]}


def run(quick: bool, workdir: Path) -> Result:
    res = Result("import")
    repeats = 3 if quick else 5
    bare = min(child("benchmarks.bench_import:step_bare")["wall_seconds"] for _ in range(repeats))
    runs = [child("benchmarks.bench_import:step_import") for _ in range(repeats)]
    best = min(runs, key=lambda r: r["wall_seconds"])
    opened = child("benchmarks.bench_import:step_open_project", path=str(workdir / "project"))
    res.add("process start + import interviewkit", best["wall_seconds"], "s", bare, "bare interpreter",
            ratio(best["wall_seconds"], bare), note="ratio = (start + import) / bare start")
    res.add("import interviewkit (in process)", round(best["seconds"] * 1000, 1), "ms")
    res.add("heavy modules after import", len(best["heavy"]), "", target="<= 0",
            note=", ".join(best["heavy"]) or "none of " + ", ".join(HEAVY))
    res.add("open_project (loads pandas)", round(opened["seconds"] * 1000, 1), "ms",
            note="heavy modules then: " + (", ".join(opened["heavy"]) or "none"))
    res.details.update(peak_rss_mb=best["peak_rss_mb"], modules_after_import=best["modules"])
    return res
