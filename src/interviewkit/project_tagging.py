"""``interviewkit tag``: tag a project's customer segments and keep the tags in the store.

Incremental and resumable: a segment is re-tagged only when its text, the
codebook (its hash) or the pipeline changed since its stored auto tag; tags
are committed in batches, so a killed run resumes where it stopped. Parsed
spaCy Docs are cached per pipeline (``cache/parsed-*.sqlite``, keyed by text
hash): after a codebook edit only the rule layers run again. Auto tags live
in ``auto_tags``; human decisions live in ``decisions`` and are never touched
here.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .project import Project
from .store import utcnow

TAG_COLUMNS = ["stage", "channel", "emotion", "valence", "irritant", "moments", "lane", "confidence", "evidence"]


@dataclass
class TagRunReport:
    run_id: int
    tagged: int = 0
    reused: int = 0
    parsed: int = 0
    parse_cache_hits: int = 0
    by_language: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"run {self.run_id}: {self.tagged} segments tagged, {self.reused} unchanged; "
                f"{self.parsed} parsed, {self.parse_cache_hits} parse-cache hits")


class ParsedDocCache:
    """spaCy Docs serialised with ``Doc.to_bytes`` (msgpack, no pickle), keyed by text hash."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS docs (text_hash TEXT PRIMARY KEY, data BLOB NOT NULL)")
        self.hits = 0
        self.misses = 0

    def get_many(self, hashes: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for h, data in self.conn.execute(f"SELECT text_hash, data FROM docs WHERE text_hash IN ({marks})", chunk):
                found[h] = data
        self.hits += len(found)
        self.misses += len(set(hashes) - set(found))
        return found

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)", list(items))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _cache_name(pipeline_id: str) -> str:
    return "parsed-" + hashlib.sha1(pipeline_id.encode("utf-8")).hexdigest()[:16] + ".sqlite"


def segments_to_tag(project: Project) -> pd.DataFrame:
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
    df["language"] = df["language"].fillna("fr").map(lambda x: "en" if x == "en" else "fr")
    return df


def tag_project(
    project: Project,
    codebook: str | Path | None = None,
    profile: str = "full",
    batch_size: int = 256,
    progress: Callable[[str, int, int], None] | None = None,
    tagger_factory: Callable[[str], Any] | None = None,
) -> TagRunReport:
    """Tag every current customer segment that needs it; see the module docstring."""
    from .codebook import load_codebook
    from .tagging import JourneyTagger

    book = load_codebook(codebook)
    taggers: dict[str, Any] = {}

    def tagger_for(lang: str):
        if lang not in taggers:
            taggers[lang] = (tagger_factory(lang) if tagger_factory
                             else JourneyTagger(codebook=book, lang=lang, profile=profile))
        return taggers[lang]

    segments = segments_to_tag(project)
    customer = segments[segments["role"] == "participant"]
    pipeline_ids = {lang: tagger_for(lang).pipeline_id for lang in sorted(set(customer["language"])) or ["fr"]}
    with project.transaction():
        run_id = project.conn.execute(
            "INSERT INTO tag_runs (started_at, codebook_version, codebook_hash, pipeline_id) VALUES (?, ?, ?, ?)",
            (utcnow(), str(book.version), book.hash, json.dumps(pipeline_ids, sort_keys=True)),
        ).lastrowid
    report = TagRunReport(run_id=run_id)
    fresh = ((customer["tagged_text_hash"] == customer["text_hash"])
             & (customer["tagged_codebook"] == book.hash)
             & (customer["tagged_pipeline"] == customer["language"].map(pipeline_ids)))
    report.reused = int(fresh.sum())
    todo = customer[~fresh.to_numpy()]
    text_of = dict(zip(segments["segment_id"], segments["text"]))
    hash_of = dict(zip(segments["segment_id"], segments["text_hash"]))
    total, done = len(todo), 0
    for lang, group in todo.groupby("language", sort=True):
        tagger = tagger_for(lang)
        cache = ParsedDocCache(project.cache_dir / _cache_name(tagger.pipeline_id))
        try:
            for start in range(0, len(group), batch_size):
                batch = group.iloc[start:start + batch_size]
                ctx_ids = [c for c in batch["context_id"] if isinstance(c, str)]
                wanted = {hash_of[i]: text_of[i] for i in list(batch["segment_id"]) + ctx_ids}
                docs = _parse_with_cache(tagger, cache, wanted, report)
                rows = []
                for seg in batch.itertuples(index=False):
                    context = docs[hash_of[seg.context_id]] if isinstance(seg.context_id, str) else None
                    result = tagger.annotate(docs[seg.text_hash], context=context)
                    rows.append(_auto_tag_row(seg, result, run_id, book.hash, tagger.pipeline_id))
                _write_auto_tags(project, rows)
                report.tagged += len(rows)
                report.by_language[lang] = report.by_language.get(lang, 0) + len(rows)
                done += len(rows)
                if progress:
                    progress("tag", done, total)
        finally:
            report.parse_cache_hits += cache.hits
            cache.close()
    with project.transaction():
        project.conn.execute(
            "UPDATE tag_runs SET finished_at = ?, tagged = ?, reused = ?, status = 'done' WHERE run_id = ?",
            (utcnow(), report.tagged, report.reused, run_id),
        )
    return report


def _parse_with_cache(tagger, cache: ParsedDocCache, wanted: dict[str, str], report: TagRunReport) -> dict:
    """text hash -> Doc for every wanted text, from the cache or parsed (then cached)."""
    from spacy.tokens import Doc

    hashes = list(wanted)
    cached = cache.get_many(hashes)
    docs: dict[str, Any] = {h: Doc(tagger.nlp.vocab).from_bytes(data) for h, data in cached.items()}
    missing = [h for h in hashes if h not in cached]
    if missing:
        new_docs = list(tagger.parse([wanted[h] for h in missing]))
        cache.put_many((h, d.to_bytes(exclude=["user_data"])) for h, d in zip(missing, new_docs))
        docs.update(zip(missing, new_docs))
        report.parsed += len(missing)
    return docs


def _auto_tag_row(seg, result, run_id: int, codebook_hash: str, pipeline_id: str) -> tuple:
    return (
        seg.segment_id, run_id, seg.text_hash, codebook_hash, pipeline_id,
        ";".join(result.stage), ";".join(result.channel), result.emotion, int(result.valence),
        int(result.irritant), ";".join(result.moments), result.lane,
        json.dumps(result.confidence, ensure_ascii=False, sort_keys=True),
        json.dumps(result.evidence, ensure_ascii=False),
    )


def _write_auto_tags(project: Project, rows: list[tuple]) -> None:
    with project.transaction():
        project.conn.executemany(
            """INSERT OR REPLACE INTO auto_tags (segment_id, run_id, text_hash, codebook_hash, pipeline_id, stage,
               channel, emotion, valence, irritant, moments, lane, confidence_json, evidence_json)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


def auto_tags(project: Project) -> pd.DataFrame:
    """Current auto tags: segment_id + the tag columns (multi-valued ids ``;``-joined)."""
    df = project.query(
        """SELECT a.segment_id, a.stage, a.channel, a.emotion, a.valence, a.irritant, a.moments, a.lane,
                  a.confidence_json AS confidence, a.evidence_json AS evidence, a.run_id
           FROM auto_tags a JOIN segments s ON s.segment_id = a.segment_id
           JOIN documents d ON d.document_id = s.document_id WHERE d.is_current = 1"""
    )
    return df


