"""Tagging on a Dask cluster: ``interviewkit tag --engine dask [--scheduler ADDRESS]``.

:func:`tag_project_dask` follows the same freshness rules as the local engine
(:func:`interviewkit.project_tagging.tag_project`: a segment is re-tagged when its text,
the codebook hash or the pipeline id changed) and writes the same ``auto_tags`` rows; only
the ``run_id`` differs. How the work is split:

* the **client** (this process) reads the store, decides what is fresh, and sends
  partitions of segments to the workers: for each segment its text hash and context,
  the parsed Docs already in the project's parse cache (as bytes), and the texts of the
  others. It writes the results back to the store in one transaction per partition and
  adds the newly parsed Docs to the cache. Workers never open the project: they may run
  on other machines.
* the **codebook** travels once per worker as its YAML text (plus any lexicon files),
  in a worker plugin named after its hash; each worker process keeps one tagger per
  (codebook hash, language, profile, model), so the model is loaded once per worker.
  A worker that only has to re-run the rule layers (every Doc came from the cache)
  loads the model's tokenizer and vocabulary only.
* at most ``2 x workers`` partitions are in flight, so memory stays bounded on both sides.

With no ``scheduler`` a ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``
is started for the run and closed after it. A re-run with nothing to do starts no cluster.

:func:`code_verbatims_dask` is ``interviewkit code-verbatims --engine dask``: the same
output file as :func:`interviewkit.tagging.verbatims.code_verbatims`, tagged on the workers.
"""
from __future__ import annotations

import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .project import Project
from .project_tagging import (DEFAULT_MODEL, CodebookRef, SegmentTask, TagPlan, TagRunReport, annotate_rows,
                              batch_hashes, doc_from_bytes, doc_to_bytes, finish_run, parsed_doc_cache,
                              pipeline_key, plan_run, rules_only_pipeline, start_run, texts_of, write_auto_tags)

PARTITION_SIZE = 1000
MAX_WORKER_TAGGERS = 4

try:  # the base class of worker plugins (dask.distributed is a dependency; keep the import tolerant)
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPluginBase
except Exception:  # pragma: no cover
    _WorkerPluginBase = object


# ----------------------------------------------------------------------------------------- worker side

_CODEBOOK_FILES: dict[str, dict[str, bytes]] = {}
_TAGGERS: dict[tuple, Any] = {}
_LOCK = threading.Lock()


class CodebookPlugin(_WorkerPluginBase):
    """Carries one codebook (its YAML text and lexicon files) to every worker, present and future."""

    def __init__(self, codebook_hash: str, files: dict[str, bytes]) -> None:
        self.codebook_hash = codebook_hash
        self.files = files

    def setup(self, worker=None) -> None:
        _CODEBOOK_FILES[self.codebook_hash] = self.files


def codebook_files(book) -> dict[str, bytes]:
    """A codebook as self-contained files: ``codebook.yml`` (YAML text) and its lexicon files."""
    with tempfile.TemporaryDirectory(prefix="interviewkit-codebook-") as tmp:
        path = book.save(Path(tmp) / "codebook.yml", copy_lexicons=True)
        return {f.name: f.read_bytes() for f in path.parent.iterdir() if f.is_file()}


def _worker_codebook(codebook_hash: str):
    from .codebook import load_codebook

    files = _CODEBOOK_FILES.get(codebook_hash)
    if files is None:
        raise ConfigError("E530", "the codebook did not reach this Dask worker", value=codebook_hash,
                          hint="the client registers it as a worker plugin; check the worker logs")
    with tempfile.TemporaryDirectory(prefix=f"interviewkit-codebook-{codebook_hash}-") as tmp:
        for name, data in files.items():
            (Path(tmp) / Path(name).name).write_bytes(data)
        return load_codebook(Path(tmp) / "codebook.yml")  # lexicons are read into memory here


def worker_tagger(codebook_hash: str, lang: str, profile: str, model: str, full: bool):
    """This process's tagger for a codebook (cached); ``full=False`` may give the rules-only one."""
    with _LOCK:
        for key in ((codebook_hash, lang, profile, model, True), (codebook_hash, lang, profile, model, full)):
            if key in _TAGGERS:
                return _TAGGERS[key]
        from .tagging import JourneyTagger

        book = _worker_codebook(codebook_hash)
        nlp = None if full else rules_only_pipeline(lang, model, profile)
        tagger = JourneyTagger(codebook=book, lang=lang, model=model, profile=profile, nlp=nlp)
        while len(_TAGGERS) >= MAX_WORKER_TAGGERS:
            _TAGGERS.pop(next(iter(_TAGGERS)))
        _TAGGERS[(codebook_hash, lang, profile, model, full)] = tagger
        return tagger


def worker_pipeline_id(codebook_hash: str, lang: str, profile: str, model: str) -> tuple[str, str]:
    """(pipeline key, pipeline id) of this worker's full pipeline (loads the model)."""
    tagger = worker_tagger(codebook_hash, lang, profile, model, True)
    return pipeline_key(lang, profile, model), tagger.pipeline_id


def tag_partition(codebook_hash: str, lang: str, profile: str, model: str, pipeline_id: str, client_key: str,
                  tasks: list[SegmentTask], cached: dict[str, bytes], texts: dict[str, str]) -> dict[str, Any]:
    """Worker task: Docs from ``cached`` bytes or parsed from ``texts``, rule layers on each segment.

    Returns the auto tag rows (:func:`~interviewkit.project_tagging.result_row`), the newly parsed Docs as
    bytes (for the client's parse cache) and timings.
    """
    t0 = time.perf_counter()
    tagger = worker_tagger(codebook_hash, lang, profile, model, full=bool(texts))
    if texts and tagger.pipeline_id != pipeline_id:
        raise ConfigError("E531", f"this Dask worker's spaCy pipeline is {tagger.pipeline_id!r}, the project's "
                          f"tags and parse cache were made with {pipeline_id!r}", value=tagger.pipeline_id,
                          hint="install the same interviewkit, spaCy and model versions on every worker")
    if not texts and pipeline_key(lang, profile, model) != client_key:
        raise ConfigError("E531", "this Dask worker has other spaCy or model versions than the client",
                          value=pipeline_key(lang, profile, model), allowed=[client_key],
                          hint="install the same interviewkit, spaCy and model versions on every worker")
    t1 = time.perf_counter()
    vocab = tagger.nlp.vocab
    docs = {h: doc_from_bytes(vocab, data) for h, data in cached.items()}
    new: list[tuple[str, bytes]] = []
    if texts:
        hashes = list(texts)
        parsed = list(tagger.parse([texts[h] for h in hashes]))
        docs.update(zip(hashes, parsed))
        new = [(h, doc_to_bytes(d)) for h, d in zip(hashes, parsed)]
    t2 = time.perf_counter()
    rows = annotate_rows(tagger, tasks, docs)
    t3 = time.perf_counter()
    return {"rows": rows, "new_docs": new, "pid": os.getpid(),
            "timings": {"load": t1 - t0, "parse": t2 - t1, "annotate": t3 - t2}}


def tag_texts(codebook_hash: str, lang: str, profile: str, model: str, texts: list[str]) -> list:
    """Worker task for :func:`code_verbatims_dask`: ``JourneyTagger.tag`` on a list of texts."""
    return list(worker_tagger(codebook_hash, lang, profile, model, True).tag(texts))


def worker_peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (``client.run(worker_peak_rss_mb)`` on every worker)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------------------- client side

class DaskSession:
    """A client on ``scheduler`` (an address or a ``distributed.Client``), or on a LocalCluster started on
    first use; the codebook plugin registered once. Close it with :meth:`close` (or use ``with``)."""

    def __init__(self, scheduler=None, n_workers: int = 2, memory_limit: str | None = None) -> None:
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.memory_limit = memory_limit
        self._client = None
        self._cluster = None
        self._own_client = False
        self._plugins: list[str] = []
        self.startup_seconds = 0.0

    @property
    def client(self):
        if self._client is None:
            start = time.perf_counter()
            from distributed import Client

            if self.scheduler is None:
                from distributed import LocalCluster

                kwargs = {"memory_limit": self.memory_limit} if self.memory_limit else {}
                self._cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                                             dashboard_address=":0", silence_logs=logging.ERROR, **kwargs)
                self._client = Client(self._cluster)
                self._own_client = True
            elif isinstance(self.scheduler, str):
                self._client = Client(self.scheduler)
                self._own_client = True
            else:
                self._client = self.scheduler
            self.startup_seconds += time.perf_counter() - start
        return self._client

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def ship_codebook(self, book) -> str:
        name = f"interviewkit-codebook-{book.hash}"
        if name not in self._plugins:
            self.client.register_plugin(CodebookPlugin(book.hash, codebook_files(book)), name=name)
            self._plugins.append(name)
        return book.hash

    def close(self) -> None:
        if self._client is None:
            return
        for name in self._plugins:
            try:
                self._client.unregister_worker_plugin(name)
            except Exception:  # noqa: BLE001 - the cluster may be going away
                pass
        self._plugins = []
        if self._own_client:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def __enter__(self) -> DaskSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _split(tasks: list[SegmentTask], parts: int) -> list[list[SegmentTask]]:
    size = max(1, math.ceil(len(tasks) / max(1, parts)))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def tag_project_dask(
    project: Project,
    codebook: str | Path | None = None,
    profile: str = "full",
    scheduler=None,
    partitions: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    n_workers: int = 2,
    model: str = DEFAULT_MODEL,
    memory_limit: str | None = None,
    models: bool = False,
) -> TagRunReport:
    """Tag the project's stale customer segments on Dask workers; see the module docstring.

    ``scheduler``: a scheduler address (``tcp://host:8786``), a ``distributed.Client``, or None for a
    LocalCluster of ``n_workers`` single-threaded worker processes. ``partitions``: how many pieces the
    work is cut into (default: about one per 1,000 segments, at least 4 per worker).
    """
    with DaskSession(scheduler, n_workers=n_workers, memory_limit=memory_limit) as session:
        return _run(project, session, codebook, profile, partitions, progress, model, models)


def _run(project: Project, session: DaskSession, codebook, profile, partitions, progress, model,
         models: bool = False) -> TagRunReport:
    start = time.perf_counter()
    ref = CodebookRef(codebook, project, models)

    def resolve(lang: str) -> str:
        """Ask every worker (in parallel: each loads the model now, which it needs anyway) for its pipeline."""
        session.ship_codebook(ref.book)
        client = session.client
        workers = list(client.scheduler_info().get("workers", {})) or [None]
        futures = [client.submit(worker_pipeline_id, ref.hash, lang, profile, model, pure=False,
                                 workers=[w] if w else None, allow_other_workers=True) for w in workers]
        answers = {tuple(f.result()) for f in futures}
        expected = pipeline_key(lang, profile, model)
        if len(answers) != 1 or next(iter(answers))[0] != expected:
            raise ConfigError("E531", "the Dask workers have other spaCy or model versions than the client",
                              value=sorted(a[0] for a in answers), allowed=[expected],
                              hint="install the same interviewkit, spaCy and model versions on every worker")
        return next(iter(answers))[1]

    plan = plan_run(project, ref, profile, model, resolver=resolve)
    run_id = start_run(project, plan, "dask")
    report = TagRunReport(run_id=run_id, reused=plan.reused, engine="dask")
    report.add_time("plan", time.perf_counter() - start - plan.load_seconds)
    report.add_time("load", plan.load_seconds)
    status = "interrupted"
    try:
        if plan.total:
            _dispatch(project, session, plan, partitions, progress, report)
        status = "done"
    finally:
        report.add_time("cluster", session.startup_seconds)
        finish_run(project, report, status)
    return report


def _dispatch(project: Project, session: DaskSession, plan: TagPlan, partitions, progress, report) -> None:
    from distributed import as_completed

    client = session.client
    codebook_hash = session.ship_codebook(plan.book)
    workers = session.workers()
    total = plan.total
    n_parts = partitions or max(4 * workers, math.ceil(total / PARTITION_SIZE))
    jobs: list[tuple[str, list[SegmentTask]]] = []
    for lang in sorted(plan.todo):
        share = max(1, round(n_parts * len(plan.todo[lang]) / total))
        jobs += [(lang, part) for part in _split(plan.todo[lang], share)]
    caches = {lang: parsed_doc_cache(project, plan.pipeline_ids[lang]) for lang in plan.todo}
    pending = iter(jobs)
    lang_of: dict[Any, str] = {}
    done = 0

    def submit_next(queue) -> bool:
        item = next(pending, None)
        if item is None:
            return False
        lang, part = item
        t0 = time.perf_counter()
        wanted = batch_hashes(part)
        cached = caches[lang].get_many(list(wanted))
        missing = [h for h in wanted if h not in cached]
        by_id = texts_of(project, (wanted[h] for h in missing)) if missing else {}
        texts = {h: by_id[wanted[h]] for h in missing}
        report.add_time("cache", time.perf_counter() - t0)
        future = client.submit(tag_partition, codebook_hash, lang, plan.profile, plan.model, plan.pipeline_ids[lang],
                               pipeline_key(lang, plan.profile, plan.model), part, cached, texts, pure=False)
        lang_of[future] = lang
        queue.add(future)
        return True

    try:
        queue = as_completed()
        for _ in range(2 * workers):
            if not submit_next(queue):
                break
        for future in queue:
            lang = lang_of.pop(future)
            out = future.result()
            t0 = time.perf_counter()
            write_auto_tags(project, out["rows"], report.run_id, plan.codebook.hash, plan.pipeline_ids[lang])
            t1 = time.perf_counter()
            caches[lang].put_many(out["new_docs"])
            report.add_time("write", t1 - t0)
            report.add_time("cache", time.perf_counter() - t1)
            for key, value in out["timings"].items():
                report.add_time("worker_" + key, value)
            worker = str(out["pid"])
            report.by_worker[worker] = report.by_worker.get(worker, 0) + len(out["rows"])
            report.parsed += len(out["new_docs"])
            report.tagged += len(out["rows"])
            report.by_language[lang] = report.by_language.get(lang, 0) + len(out["rows"])
            done += len(out["rows"])
            if progress:
                progress("tag", done, total)
            submit_next(queue)
    finally:
        for cache in caches.values():
            report.parse_cache_hits += cache.hits
            cache.close()


# ----------------------------------------------------------------------------------------- verbatims

class DaskTagger:
    """What :func:`~interviewkit.tagging.verbatims.code_verbatims` needs of a tagger (``tag``), on Dask."""

    def __init__(self, session: DaskSession, book, lang: str = "fr", profile: str = "full",
                 model: str = DEFAULT_MODEL, partitions: int | None = None) -> None:
        self.session = session
        self.book = book
        self.lang = lang
        self.profile = profile
        self.model = model
        self.partitions = partitions

    def tag(self, texts: Iterable[str | None], contexts=None, batch_size: int = 256) -> Iterator:
        if contexts is not None:
            raise ConfigError("E532", "the Dask tagger tags verbatims without context",
                              hint="use the local JourneyTagger for texts with contexts")
        texts = ["" if t is None else str(t) for t in texts]
        if not texts:
            return iter(())
        client = self.session.client
        codebook_hash = self.session.ship_codebook(self.book)
        n_parts = self.partitions or max(4 * self.session.workers(), math.ceil(len(texts) / PARTITION_SIZE))
        size = max(1, math.ceil(len(texts) / n_parts))
        futures = [client.submit(tag_texts, codebook_hash, self.lang, self.profile, self.model,
                                 texts[i:i + size], pure=False) for i in range(0, len(texts), size)]
        return (result for future in futures for result in future.result())


def code_verbatims_dask(in_path: str | Path, text_column: str, out_path: str | Path, lang: str = "fr",
                        codebook=None, profile: str = "full", scheduler=None, partitions: int | None = None,
                        n_workers: int = 2, model: str = DEFAULT_MODEL) -> Path:
    """:func:`~interviewkit.tagging.verbatims.code_verbatims` with the tagging done on Dask workers."""
    from .codebook import Codebook, load_codebook
    from .tagging.verbatims import code_verbatims

    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    with DaskSession(scheduler, n_workers=n_workers) as session:
        tagger = DaskTagger(session, book, lang=lang, profile=profile, model=model, partitions=partitions)
        return code_verbatims(in_path, text_column, out_path, lang=lang, codebook=book, tagger=tagger)
