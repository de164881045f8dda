"""``interviewkit tag``: tag a project's customer segments and keep the tags in the store.

Incremental and resumable: a segment is re-tagged only when its text, the
codebook (its hash) or the pipeline changed since its stored auto tag; tags
are committed in batches, so a killed run resumes where it stopped. Auto tags
live in ``auto_tags``; human decisions live in ``decisions`` and are never
touched here.

Caches (all under ``PROJECT/cache/``, derived, safe to delete):

* ``parsed-v2-<pipeline>.sqlite``: the parsed spaCy Docs keyed by text hash, one
  file per base pipeline (see :mod:`interviewkit.parsed_docs`). After a codebook edit the
  Docs come from here and only the rule layers run again.
* ``pipelines.json``: which pipeline id a (language, profile, model, installed
  package versions, tagger source) combination gives. With it, deciding what is
  fresh needs neither spaCy nor the model: a re-run with nothing changed reads
  the stored keys, finds nothing to do and returns without importing spaCy; a
  re-run after a codebook edit loads only the model's tokenizer and vocabulary
  (for compiling the patterns), not its neural components.

The planning, cache and writing helpers here are shared with the Dask engine
(:mod:`interviewkit.engine`), so both follow the same freshness rules.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from .parsed_docs import (ParsedDocCache, doc_from_bytes, doc_strings, doc_to_bytes, parsed_doc_cache,
                          pipeline_hash)
from .project import Project
from .store import utcnow

TAG_COLUMNS = ["stage", "channel", "emotion", "valence", "irritant", "moments", "lane", "confidence", "evidence"]
DEFAULT_MODEL = "fr_core_news_sm"


@dataclass
class TagRunReport:
    """What one ``tag`` run did; ``timings`` (seconds) split the run into plan (reading the store and
    deciding what is fresh), load (spaCy import, model and rule compilation), parse, cache (reading and
    writing parsed Docs), annotate (rule layers) and write (auto tags committed); after a codebook edit,
    ``probed`` counts the segments the spaCy-free first pass could not rule out; the Dask engine adds
    ``worker_*`` sums, ``cluster`` (start-up) and ``by_worker`` (segments tagged per worker process)."""

    run_id: int
    tagged: int = 0
    reused: int = 0
    parsed: int = 0
    parse_cache_hits: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    engine: str = "local"
    model_loaded: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    by_worker: dict[str, int] = field(default_factory=dict)
    retag_mode: str = ""
    candidates: int = 0
    carried: int = 0
    probed: int = 0

    def summary(self) -> str:
        text = (f"run {self.run_id}: {self.tagged} segments tagged, {self.reused} unchanged; "
                f"{self.parsed} parsed, {self.parse_cache_hits} parse-cache hits")
        if self.retag_mode:
            text += (f"; codebook edit: {self.retag_mode} re-tag ({self.candidates} candidates re-annotated, "
                     f"{self.carried} carried over)")
        return text

    def add_time(self, key: str, seconds: float) -> None:
        self.timings[key] = self.timings.get(key, 0.0) + seconds


# ---------------------------------------------------------------------------------------- pipelines

def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


@lru_cache(maxsize=4)
def _source_hash(relative: str) -> str:
    """Hash of one of interviewkit's source files, or of every ``.py`` file of a source folder (a code change
    invalidates what was derived with it)."""
    path = Path(__file__).resolve().parent / relative
    h = hashlib.sha1()
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"no interviewkit source under {path}")
    for f in files:
        h.update(f.relative_to(path.parent).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def pipeline_key(lang: str, profile: str, model: str = DEFAULT_MODEL) -> str:
    """What determines the base pipeline, known without importing spaCy: language, profile, model name,
    installed versions of spaCy, the model and spacy-lookups-data, and the tagger's source."""
    return "|".join([lang, profile, model, f"spacy={_dist_version('spacy')}", f"model={_dist_version(model)}",
                     f"lookups={_dist_version('spacy-lookups-data')}", f"tagger={_source_hash('tagging/tagger.py')}",
                     f"tokenizer={_source_hash('tagging/tokenizer.py')}"])


class PipelineRegistry:
    """``cache/pipelines.json``: :func:`pipeline_key` -> pipeline id, learnt when a pipeline is loaded."""

    def __init__(self, project: Project) -> None:
        self.path = project.cache_dir / "pipelines.json"
        try:
            self.known: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}

    def get(self, key: str) -> str | None:
        return self.known.get(key)

    def put(self, key: str, pipeline_id: str) -> None:
        if self.known.get(key) == pipeline_id:
            return
        self.known[key] = pipeline_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.known, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)


def _model_components(model: str) -> list[str]:
    """Component names of an installed spaCy model package, from its meta.json (nothing loaded)."""
    import spacy.util

    try:
        meta = json.loads((Path(spacy.util.get_package_path(model)) / "meta.json").read_text(encoding="utf-8"))
        return list(dict.fromkeys(list(meta.get("components", [])) + list(meta.get("pipeline", []))))
    except Exception:  # noqa: BLE001 - fall back to the components of the French pipelines
        return ["tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner", "tagger"]


@lru_cache(maxsize=4)
def rules_only_pipeline(lang: str, model: str, profile: str):
    """The tokenizer and vocabulary of the base pipeline without its components: enough to compile the
    codebook's patterns and to read cached Docs, a fraction of the model's load time."""
    import spacy

    from .tagging import load_base_pipeline

    if lang != "fr" or profile == "lookup":
        return load_base_pipeline(lang, model, profile)  # blank pipelines: cheap already
    from .tagging.tokenizer import split_run_on_sentences

    return split_run_on_sentences(spacy.load(model, exclude=_model_components(model)))


# ---------------------------------------------------------------------------------------- codebook

PROJECT_CODEBOOK = "codebook.yml"


def project_codebook_path(project: Project) -> Path:
    """``PROJECT/codebook.yml``: the project's own codebook (written by notebook 02's editor)."""
    return project.path / PROJECT_CODEBOOK


def default_codebook_for(project: Project | None, codebook=None):
    """The codebook a project is tagged with: ``codebook`` when given, else ``PROJECT/codebook.yml`` when
    it exists, else the bundled codebook (``None``). Used by ``tag``, ``run``, ``demo`` and the notebooks."""
    if codebook is not None or project is None:
        return codebook
    path = project_codebook_path(project)
    return path if path.is_file() else None


def codebook_used(project: Project, run_id: int, codebook=None) -> str:
    """One line naming the codebook a tag run used: which file, and the version and hash recorded in
    ``tag_runs``, e.g. ``codebook: project /p/codebook.yml, version 2025.2-p1 (hash 1ab38799)``."""
    from .codebook import Codebook, default_codebook_path

    row = project.conn.execute("SELECT codebook_version, codebook_hash FROM tag_runs WHERE run_id = ?",
                               (run_id,)).fetchone()
    version = f"{row[0]} (hash {str(row[1])[:8]})" if row else "?"
    chosen = default_codebook_for(project, codebook)
    if isinstance(chosen, Codebook):
        return f"codebook: given in memory, version {version}"
    if chosen is None:
        return f"codebook: bundled ({default_codebook_path().name}), version {version}"
    path = Path(chosen).expanduser()
    path = path / PROJECT_CODEBOOK if path.is_dir() else path
    kind = "project" if path.resolve() == project_codebook_path(project).resolve() else "file"
    return f"codebook: {kind} {path}, version {version}"


class CodebookRef:
    """A codebook's hash and version, known without parsing the YAML when the file (and its lexicon
    files) are byte-for-byte the ones seen before: ``cache/codebooks.json`` maps the file's SHA-256 (and
    the hash of the ``codebook/`` sources) to them. Validating a codebook imports spaCy (token patterns), which a re-run with nothing to do avoids.
    :attr:`book` parses it on first use. ``codebook=None`` with a ``project``: :func:`default_codebook_for`
    (the project's ``codebook.yml`` when present, else the bundled one)."""

    MAX_ENTRIES = 32

    def __init__(self, codebook=None, project: Project | None = None, models: bool = True) -> None:
        from .codebook import Codebook

        self.models = models
        self._book = codebook if isinstance(codebook, Codebook) else None
        if self._book is not None and not models and self._book.models:
            self._book = self._book.copy()
            self._book.models = []
        self._index_path = project.cache_dir / "codebooks.json" if project is not None else None
        self.path: Path | None = None
        self.file_hash: str | None = None
        self.hash = self.version = None
        if self._book is not None:
            self.hash, self.version = self._book.hash, str(self._book.version)
            return
        from .codebook import default_codebook_path

        codebook = default_codebook_for(project, codebook)
        path = Path(codebook).expanduser() if codebook is not None else default_codebook_path()
        if path.is_dir():
            path = path / "codebook.yml"
        self.path = path
        try:  # the key covers the file and the code that validates it (its defaults feed the hash)
            self.file_hash = (hashlib.sha256(path.read_bytes()).hexdigest() + "-" + _source_hash("codebook")
                              + ("" if models else "-rules-only"))
        except OSError:
            self.file_hash = None  # load_codebook reports the missing file
        entry = self._index().get(self.file_hash or "")
        if entry and all(_file_hash16(Path(p)) == h for p, h in entry.get("lexicons", [])):
            self.hash, self.version = entry["hash"], entry["version"]
        else:
            self._load()

    def _index(self) -> dict:
        if self._index_path is None:
            return {}
        try:
            return json.loads(self._index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _load(self) -> None:
        from .codebook import load_codebook
        from .codebook.heads import resolve_model_path

        memo = _TokenPatternMemo(self._index_path.with_name("token-patterns.json") if self._index_path else None)
        book = load_codebook(self.path, valid_token_patterns=memo.valid)
        memo.save()
        files = [[str(resolve_model_path(m.path, self.path.parent).resolve()), m.content_hash] for m in book.models]
        if not self.models:
            book.models, files = [], []
        self._book, self.hash, self.version = book, book.hash, str(book.version)
        if self._index_path is None or self.file_hash is None:
            return
        lexicons = []
        for lex in book.lexicons:
            lp = Path(lex.path).expanduser()
            if not lp.is_absolute():
                lp = self.path.parent / lp
            lexicons.append([str(lp.resolve()), lex.content_hash])
        lexicons += files  # model head files: a changed head must be noticed too
        index = self._index()
        index.pop(self.file_hash, None)
        index[self.file_hash] = {"hash": self.hash, "version": self.version, "lexicons": lexicons}
        while len(index) > self.MAX_ENTRIES:
            index.pop(next(iter(index)))
        self._index_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._index_path.with_name(f".{self._index_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(index, indent=1), encoding="utf-8")
        tmp.replace(self._index_path)

    @property
    def book(self):
        """The parsed, validated :class:`~interviewkit.codebook.Codebook`."""
        if self._book is None:
            self._load()
        return self._book


class _TokenPatternMemo:
    """Digests of the spaCy token patterns validated with the installed spaCy, kept in the project cache:
    a codebook edit that adds no new token pattern is validated without importing spaCy."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.version = _dist_version("spacy")
        data: dict = {}
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
        ok = isinstance(data, dict) and data.get("spacy") == self.version and isinstance(data.get("valid"), list)
        self.valid: set[str] = set(data["valid"]) if ok else set()
        self._n = len(self.valid)

    def save(self) -> None:
        if self.path is None or len(self.valid) == self._n:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"spacy": self.version, "valid": sorted(self.valid)}), encoding="utf-8")
        tmp.replace(self.path)


def _file_hash16(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


# ---------------------------------------------------------------------------------------- planning

class SegmentTask(NamedTuple):
    segment_id: str
    text_hash: str
    context_id: str | None
    context_hash: str | None
    language: str


@dataclass
class TagPlan:
    """What a run has to do: the codebook, the pipeline id per language and the segments to (re-)tag."""

    codebook: CodebookRef
    profile: str
    model: str
    pipeline_ids: dict[str, str]
    todo: dict[str, list[SegmentTask]]
    reused: int
    taggers: dict[str, Any] = field(default_factory=dict)
    load_seconds: float = 0.0
    prev_codebook: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.todo.values())

    @property
    def book(self):
        return self.codebook.book


def _language(value: str | None) -> str:
    return "en" if value == "en" else "fr"


def _segment_keys(project: Project) -> list[tuple]:
    """Current segments in reading order with their language, role and stored auto tag keys."""
    return project.conn.execute(
        """SELECT s.segment_id, s.text_hash, s.document_id, t.role, d.language,
                  a.text_hash, a.codebook_hash, a.pipeline_id
           FROM segments s JOIN turns t ON t.turn_id = s.turn_id
           JOIN documents d ON d.document_id = s.document_id
           LEFT JOIN auto_tags a ON a.segment_id = s.segment_id
           WHERE d.is_current = 1
           ORDER BY s.document_id, t.idx, s.idx"""
    ).fetchall()


def segments_to_tag(project: Project):
    """Current segments (all roles) in reading order, with ``context_id``: the segment just before
    (the previous sentence of the turn, or the last sentence of the previous turn, often the
    interviewer's question), and the keys of their stored auto tag."""
    df = project.query(
        """SELECT s.segment_id, s.text, s.text_hash, s.document_id, t.role, d.language,
                  a.text_hash AS tagged_text_hash, a.codebook_hash AS tagged_codebook, a.pipeline_id AS tagged_pipeline
           FROM segments s JOIN turns t ON t.turn_id = s.turn_id
           JOIN documents d ON d.document_id = s.document_id
           LEFT JOIN auto_tags a ON a.segment_id = s.segment_id
           WHERE d.is_current = 1
           ORDER BY s.document_id, t.idx, s.idx"""
    )
    previous = df["segment_id"].shift(1)
    same_doc = df["document_id"].eq(df["document_id"].shift(1))
    df["context_id"] = previous.where(same_doc, None)
    df["language"] = df["language"].map(_language)
    return df


def _build_tagger(book, lang: str, profile: str, model: str, tagger_factory=None):
    if tagger_factory is not None:
        return tagger_factory(lang)
    from .tagging import JourneyTagger

    return JourneyTagger(codebook=book, lang=lang, model=model, profile=profile)


def plan_run(project: Project, codebook=None, profile: str = "full", model: str = DEFAULT_MODEL,
             tagger_factory: Callable[[str], Any] | None = None,
             resolver: Callable[[str], str] | None = None, models: bool = False) -> TagPlan:
    """Decide what to tag: every current customer segment whose stored auto tag has another text hash,
    codebook hash or pipeline id. A pipeline id not in ``pipelines.json`` yet comes from ``resolver(lang)``
    (the Dask engine asks a worker) or else from a tagger built here (the model is loaded)."""
    ref = codebook if isinstance(codebook, CodebookRef) else CodebookRef(codebook, project, models)
    book_hash = ref.hash
    rows = _segment_keys(project)
    customer: list[tuple[tuple, str | None, str | None]] = []
    prev_id = prev_hash = prev_doc = None
    for row in rows:
        seg_id, text_hash, doc_id = row[0], row[1], row[2]
        ctx_id, ctx_hash = (prev_id, prev_hash) if doc_id == prev_doc else (None, None)
        if row[3] == "participant":
            customer.append((row, ctx_id, ctx_hash))
        prev_id, prev_hash, prev_doc = seg_id, text_hash, doc_id
    langs = sorted({_language(r[4]) for r, _, _ in customer}) or ["fr"]
    plan = TagPlan(codebook=ref, profile=profile, model=model, pipeline_ids={}, todo={}, reused=0)
    registry = PipelineRegistry(project)
    for lang in langs:
        key = pipeline_key(lang, profile, model)
        known = registry.get(key) if tagger_factory is None else None
        if known is None:
            start = time.perf_counter()
            if resolver is not None and tagger_factory is None:
                known = resolver(lang)
            else:
                tagger = _build_tagger(ref.book, lang, profile, model, tagger_factory)
                plan.taggers[lang] = tagger
                known = tagger.pipeline_id
            plan.load_seconds += time.perf_counter() - start
            if tagger_factory is None:
                registry.put(key, known)
        plan.pipeline_ids[lang] = known
    for row, ctx_id, ctx_hash in customer:
        lang = _language(row[4])
        if row[5] == row[1] and row[6] == book_hash and row[7] == plan.pipeline_ids[lang]:
            plan.reused += 1
        else:
            plan.todo.setdefault(lang, []).append(SegmentTask(row[0], row[1], ctx_id, ctx_hash, lang))
            if row[5] == row[1] and row[7] == plan.pipeline_ids[lang] and row[6]:
                plan.prev_codebook[row[0]] = row[6]  # only the codebook changed: see retag.select_for_edit
    return plan


def start_run(project: Project, plan: TagPlan, engine: str = "local") -> int:
    """Record the run in ``tag_runs``; when it has something to tag, keep a snapshot of its codebook
    (:func:`interviewkit.retag.save_snapshot`) so that a later edit can be re-tagged selectively."""
    if plan.total:
        from .retag import save_snapshot

        save_snapshot(project, plan.book)
    with project.transaction():
        return project.conn.execute(
            "INSERT INTO tag_runs (started_at, codebook_version, codebook_hash, pipeline_id, engine)"
            " VALUES (?, ?, ?, ?, ?)",
            (utcnow(), plan.codebook.version, plan.codebook.hash, json.dumps(plan.pipeline_ids, sort_keys=True), engine),
        ).lastrowid


def finish_run(project: Project, report: TagRunReport, status: str = "done") -> None:
    with project.transaction():
        project.conn.execute(
            "UPDATE tag_runs SET finished_at = ?, tagged = ?, reused = ?, status = ? WHERE run_id = ?",
            (utcnow(), report.tagged, report.reused, status, report.run_id),
        )


def texts_of(project: Project, segment_ids: Iterable[str]) -> dict[str, str]:
    """segment id -> text, read from the store in chunks."""
    ids = list(dict.fromkeys(segment_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(project.conn.execute(f"SELECT segment_id, text FROM segments WHERE segment_id IN ({marks})",
                                        chunk).fetchall())
    return out


def batch_hashes(batch: list[SegmentTask]) -> dict[str, str]:
    """text hash -> one segment id holding that text, for the segments of ``batch`` and their contexts."""
    wanted: dict[str, str] = {}
    for task in batch:
        wanted.setdefault(task.text_hash, task.segment_id)
        if task.context_hash is not None:
            wanted.setdefault(task.context_hash, task.context_id)
    return wanted


def result_row(task: SegmentTask, result) -> tuple:
    """The auto tag columns of one result (without run id, codebook hash and pipeline id)."""
    return (
        task.segment_id, task.text_hash,
        ";".join(result.stage), ";".join(result.channel), result.emotion, int(result.valence),
        int(result.irritant), ";".join(result.moments), result.lane,
        json.dumps(result.confidence, ensure_ascii=False, sort_keys=True),
        json.dumps(result.evidence, ensure_ascii=False),
    )


def annotate_rows(tagger, tasks: list[SegmentTask], docs: dict) -> list[tuple]:
    """Auto tag rows of ``tasks`` from their parsed Docs (``docs``: text hash -> Doc), context included."""
    score = getattr(tagger, "score_models", None)
    votes = score([docs[t.text_hash].text for t in tasks]) if score is not None else [None] * len(tasks)
    rows = []
    for task, vote in zip(tasks, votes):
        context = docs[task.context_hash] if task.context_hash is not None else None
        rows.append(result_row(task, tagger.annotate(docs[task.text_hash], context=context, model_scores=vote)))
    return rows


def write_auto_tags(project: Project, rows: list[tuple], run_id: int, codebook_hash: str, pipeline_id: str) -> None:
    """Commit one batch of :func:`result_row` rows."""
    with project.transaction():
        project.conn.executemany(
            """INSERT OR REPLACE INTO auto_tags (segment_id, run_id, text_hash, codebook_hash, pipeline_id, stage,
               channel, emotion, valence, irritant, moments, lane, confidence_json, evidence_json)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(r[0], run_id, r[1], codebook_hash, pipeline_id, *r[2:]) for r in rows],
        )


# ---------------------------------------------------------------------------------------- local engine

class _StalePipeline(Exception):
    """``pipelines.json`` named another pipeline id than the loaded pipeline has (now corrected)."""

def tag_project(
    project: Project,
    codebook: str | Path | None = None,
    profile: str = "full",
    batch_size: int = 256,
    progress: Callable[[str, int, int], None] | None = None,
    tagger_factory: Callable[[str], Any] | None = None,
    model: str = DEFAULT_MODEL,
    models: bool = False,
) -> TagRunReport:
    """Tag every current customer segment that needs it; see the module docstring.

    ``codebook=None``: ``PROJECT/codebook.yml`` when it exists, else the bundled codebook
    (:func:`default_codebook_for`). ``progress("tag", done, total)`` is called after each committed
    batch. ``tagger_factory(lang)`` replaces the default :class:`~interviewkit.tagging.JourneyTagger` (tests).
    ``models``: let the codebook's model heads vote (off by default for projects: on interview
    sentences they raise recall but lower precision, and the demo's irritant topics scatter; see
    docs/tagging.md, "Model layer").
    """
    try:
        return _tag_project(project, codebook, profile, batch_size, progress, tagger_factory, model, models)
    except _StalePipeline:  # freshness was decided with a wrong pipeline id: decide again
        return _tag_project(project, codebook, profile, batch_size, progress, tagger_factory, model, models)


def _tag_project(project, codebook, profile, batch_size, progress, tagger_factory, model, models) -> TagRunReport:
    start = time.perf_counter()
    plan = plan_run(project, codebook, profile, model, tagger_factory, models=models)
    run_id = start_run(project, plan, "local")
    report = TagRunReport(run_id=run_id, reused=plan.reused, model_loaded=bool(plan.taggers))
    report.add_time("load", plan.load_seconds)
    report.add_time("plan", time.perf_counter() - start - plan.load_seconds)
    status = "interrupted"
    try:
        done, total = 0, plan.total
        for lang in sorted(plan.todo):
            for n in _tag_language(project, plan, lang, batch_size, report, tagger_factory):
                done += n
                if progress:
                    progress("tag", done, total)
        status = "done"
    except _StalePipeline:
        status = "restarted"
        raise
    finally:
        finish_run(project, report, status)
    return report


def _tagger_for_run(project: Project, plan: TagPlan, lang: str, tasks: list[SegmentTask], report: TagRunReport,
                    tagger_factory, cache: ParsedDocCache) -> Any:
    """The tagger for ``lang``: the full pipeline when some Doc must be parsed, else the rules on the
    model's tokenizer and vocabulary only (every Doc is in the parse cache)."""
    pid = plan.pipeline_ids[lang]
    tagger = plan.taggers.get(lang)
    if tagger is not None:
        return tagger
    hashes = {t.text_hash for t in tasks} | {t.context_hash for t in tasks if t.context_hash}
    start = time.perf_counter()
    if tagger_factory is None and cache.present(hashes) >= hashes:
        from .tagging import JourneyTagger

        nlp = rules_only_pipeline(lang, plan.model, plan.profile)
        tagger = JourneyTagger(codebook=plan.book, lang=lang, model=plan.model, profile=plan.profile, nlp=nlp)
    else:
        tagger = _build_tagger(plan.book, lang, plan.profile, plan.model, tagger_factory)
        report.model_loaded = True
        if tagger.pipeline_id != pid:  # the registry was stale (e.g. a model re-installed in place)
            PipelineRegistry(project).put(pipeline_key(lang, plan.profile, plan.model), tagger.pipeline_id)
            raise _StalePipeline(lang)
    report.add_time("load", time.perf_counter() - start)
    plan.taggers[lang] = tagger
    return tagger


def _tag_language(project: Project, plan: TagPlan, lang: str, batch_size: int, report: TagRunReport,
                  tagger_factory) -> Iterator[int]:
    tasks = plan.todo[lang]
    pid, book_hash = plan.pipeline_ids[lang], plan.codebook.hash
    cache = parsed_doc_cache(project, pid)
    layer, vectors = None, None
    try:
        if plan.prev_codebook and tagger_factory is None:
            n_before = len(tasks)
            tasks = _select_for_edit(project, plan, lang, tasks, cache, report)
            if n_before > len(tasks):
                yield n_before - len(tasks)  # carried over: done
        elif plan.prev_codebook:
            report.retag_mode = "full"
        if not tasks:
            return
        tagger = _tagger_for_run(project, plan, lang, tasks, report, tagger_factory, cache)
        if tagger_factory is None:
            _remember_split_words(project, pid, tagger.nlp)
        layer = getattr(tagger, "model_layer", None)
        if layer and layer.cache is None:  # the model layer's vectors live with the topics' embeddings
            from .topics.cache import EmbeddingCache

            layer.cache = vectors = EmbeddingCache(project.cache_dir / "embeddings.sqlite")
        for start in range(0, len(tasks), max(1, batch_size)):
            batch = tasks[start:start + batch_size]
            docs = _docs_for(project, tagger, cache, batch_hashes(batch), report)
            t0 = time.perf_counter()
            rows = annotate_rows(tagger, batch, docs)
            t1 = time.perf_counter()
            write_auto_tags(project, rows, report.run_id, book_hash, pid)
            report.add_time("annotate", t1 - t0)
            report.add_time("write", time.perf_counter() - t1)
            report.tagged += len(rows)
            report.by_language[lang] = report.by_language.get(lang, 0) + len(rows)
            yield len(rows)
    finally:
        report.parse_cache_hits += cache.hits
        cache.close()
        if vectors is not None:
            layer.cache = None
            vectors.close()


def _select_for_edit(project: Project, plan: TagPlan, lang: str, tasks: list[SegmentTask], cache: ParsedDocCache,
                     report: TagRunReport) -> list[SegmentTask]:
    """:func:`interviewkit.retag.select_for_edit`: first the spaCy-free pass on the strings stored with the
    cached Docs, then, for the segments it cannot rule out, the exact probe on the model's tokenizer and
    vocabulary (loaded only then; the full codebook is compiled later, only if some segment must be
    annotated)."""
    from .retag import select_for_edit
    from .retag_prefilter import load_split_words

    def get_nlp():
        start = time.perf_counter()
        tagger = plan.taggers.get(lang)
        nlp = tagger.nlp if tagger is not None else rules_only_pipeline(lang, plan.model, plan.profile)
        _remember_split_words(project, plan.pipeline_ids[lang], nlp)
        report.add_time("load", time.perf_counter() - start)
        return nlp

    split = load_split_words(_split_words_path(project, plan.pipeline_ids[lang]))
    return select_for_edit(project, plan, lang, tasks, get_nlp, cache, report, _read_docs, _read_doc_strings, split)


def _split_words_path(project: Project, pipeline_id: str) -> Path:
    from .retag_prefilter import split_words_path

    return split_words_path(project.cache_dir, pipeline_hash(pipeline_id))


def _remember_split_words(project: Project, pipeline_id: str, nlp) -> None:
    """Record the tokenizer's special cases for the spaCy-free pass of later codebook edits."""
    from .retag_prefilter import save_split_words

    try:
        save_split_words(_split_words_path(project, pipeline_id), nlp.tokenizer)
    except (OSError, AttributeError):  # a read-only cache or a custom tokenizer: the exact probe decides
        pass


def _read_doc_strings(cache: ParsedDocCache, hashes: list[str]) -> dict[str, list[str]]:
    """text hash -> the strings of its cached Doc (:func:`doc_strings`), without spaCy."""
    return {h: doc_strings(data) for h, data in cache.get_many(hashes).items()}


def _read_docs(cache: ParsedDocCache, hashes: list[str], vocab) -> dict:
    """text hash -> Doc for the cached ones of ``hashes``."""
    return {h: doc_from_bytes(vocab, data) for h, data in cache.get_many(hashes).items()}


def _docs_for(project: Project, tagger, cache: ParsedDocCache, wanted: dict[str, str], report: TagRunReport) -> dict:
    """text hash -> Doc for every wanted text, from the cache or parsed (then cached)."""
    t0 = time.perf_counter()
    cached = cache.get_many(list(wanted))
    vocab = tagger.nlp.vocab
    docs: dict[str, Any] = {h: doc_from_bytes(vocab, data) for h, data in cached.items()}
    missing = [h for h in wanted if h not in cached]
    report.add_time("cache", time.perf_counter() - t0)
    if missing:
        t0 = time.perf_counter()
        text_by_id = texts_of(project, (wanted[h] for h in missing))
        new_docs = list(tagger.parse([text_by_id[wanted[h]] for h in missing]))
        t1 = time.perf_counter()
        cache.put_many((h, doc_to_bytes(d)) for h, d in zip(missing, new_docs))
        docs.update(zip(missing, new_docs))
        report.parsed += len(missing)
        report.add_time("parse", t1 - t0)
        report.add_time("cache", time.perf_counter() - t1)
    return docs


# ---------------------------------------------------------------------------------------- reading tags

def auto_tags(project: Project):
    """Current auto tags: segment_id + the tag columns (multi-valued ids ``;``-joined)."""
    return project.query(
        """SELECT a.segment_id, a.stage, a.channel, a.emotion, a.valence, a.irritant, a.moments, a.lane,
                  a.confidence_json AS confidence, a.evidence_json AS evidence, a.run_id
           FROM auto_tags a JOIN segments s ON s.segment_id = a.segment_id
           JOIN documents d ON d.document_id = s.document_id WHERE d.is_current = 1"""
    )
