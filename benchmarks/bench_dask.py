"""The Dask engine: cold tagging of one project with 1 and 2 local workers, against the local engine.

Each run starts from the same untagged copy of the project with an empty parse cache. Cluster start
(``LocalCluster``, worker processes) is timed apart; the call includes each worker loading the model.
On a 2-core machine the client (reading the store, writing tags) shares the cores with the workers.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from .bench_incremental import copy_project
from .harness import Result, child, ratio


def step_dask(project: str, workers: int, profile: str = "full") -> dict:
    import distributed

    import interviewkit as ik
    from interviewkit.engine import tag_project_dask, worker_peak_rss_mb

    p = ik.open_project(project)
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    t1 = time.perf_counter()
    report = tag_project_dask(p, profile=profile, scheduler=client)
    t2 = time.perf_counter()
    rss = client.run(worker_peak_rss_mb)
    client.close()
    cluster.close()
    return {"startup_seconds": t1 - t0, "call_seconds": t2 - t1, "tagged": report.tagged, "parsed": report.parsed,
            "timings": report.timings, "by_worker": report.by_worker, "worker_peak_rss_mb": sorted(rss.values())}


def run(quick: bool, workdir: Path) -> Result:
    words = 20_000 if quick else 100_000
    seed = workdir / "seed"
    built = child("benchmarks.bench_incremental:step_build", words=words, corpus=str(workdir / "corpus"),
                  project=str(seed))
    runs = {}
    for name in ("local", "dask1", "dask2"):
        dest = workdir / name
        copy_project(seed, dest)
        if name == "local":
            runs[name] = child("benchmarks.bench_incremental:step_tag", project=str(dest))
        else:
            runs[name] = child("benchmarks.bench_dask:step_dask", project=str(dest), workers=int(name[-1]))
    local, one, two = runs["local"]["call_seconds"], runs["dask1"]["call_seconds"], runs["dask2"]["call_seconds"]
    res = Result("dask")
    split = sorted(runs["dask2"]["by_worker"].values())
    res.add("Dask, 2 workers vs 1 worker", round(two, 1), "s", round(one, 1), "1 worker", ratio(one, two),
            note=f"segments per worker {split}; cluster start {runs['dask2']['startup_seconds']:.1f} s (2 workers), "
                 f"{runs['dask1']['startup_seconds']:.1f} s (1 worker), not included")
    res.add("Dask, 2 workers vs local engine", round(two, 1), "s", round(local, 1), "local engine", ratio(local, two))
    res.add("Dask, 1 worker vs local engine", round(one, 1), "s", round(local, 1), "local engine", ratio(local, one))
    res.details.update(corpus=built, runs=runs,
                       peak_rss_mb={"local": runs["local"]["peak_rss_mb"],
                                    "dask_client_2": runs["dask2"]["peak_rss_mb"],
                                    "dask_workers_2": runs["dask2"]["worker_peak_rss_mb"]})
    return res
