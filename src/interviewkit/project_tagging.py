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
    """Current customer segments with a ``context`` column (previous sentences of the turn, or the
    interviewer's question just before the turn) and their stored auto-tag keys."""
    df = project.query(
        """SELECT s.segment_id, s.text, s.text_hash, s.turn_id, s.idx AS segment_index, t.idx AS turn_index,
                  t.document_id, t.role, d.language,
                  a.text_hash AS tagged_text_hash, a.codebook_hash AS tagged_codebook, a.pipeline_id AS tagged_pipeline
           FROM segments s JOIN turns t ON t.turn_id = s.turn_id
           JOIN documents d ON d.document_id = s.document_id
           LEFT JOIN auto_tags a ON a.segment_id = s.segment_id
           WHERE d.is_current = 1
           ORDER BY s.document_id, t.idx, s.idx"""
    )
    contexts: list[str] = []
    prev_doc, prev_turn, turn_sents, last_of_prev_turn = None, None, [], ""
    for row in df.itertuples(index=False):
        if row.document_id != prev_doc:
            prev_doc, prev_turn, turn_sents, last_of_prev_turn = row.document_id, None, [], ""
        if row.turn_index != prev_turn:
            last_of_prev_turn = turn_sents[-1] if turn_sents else last_of_prev_turn
            turn_sents = []
            prev_turn = row.turn_index
        contexts.append(" ".join(turn_sents[-2:]) if turn_sents else last_of_prev_turn)
        turn_sents.append(row.text)
    df["context"] = contexts
    return df[df["role"] == "participant"].reset_index(drop=True)


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
        lang = "en" if lang == "en" else "fr"
        if lang not in taggers:
            taggers[lang] = (tagger_factory(lang) if tagger_factory
                             else JourneyTagger(codebook=book, lang=lang, profile=profile))
        return taggers[lang]

    segments = segments_to_tag(project)
    pipeline_ids = {lang: tagger_for(lang).pipeline_id for lang in sorted(set(segments["language"].fillna("fr")))}
    pipeline_ids.setdefault("fr", tagger_for("fr").pipeline_id)
    with project.transaction():
        run_id = project.conn.execute(
            "INSERT INTO tag_runs (started_at, codebook_version, codebook_hash, pipeline_id) VALUES (?, ?, ?, ?)",
            (utcnow(), str(book.version), book.hash, json.dumps(pipeline_ids, sort_keys=True)),
        ).lastrowid
    report = TagRunReport(run_id=run_id)
    langs = segments["language"].fillna("fr").map(lambda x: "en" if x == "en" else "fr")
    current_pipeline = langs.map(lambda x: tagger_for(x).pipeline_id)
    fresh = ((segments["tagged_text_hash"] == segments["text_hash"])
             & (segments["tagged_codebook"] == book.hash)
             & (segments["tagged_pipeline"] == current_pipeline))
    report.reused = int(fresh.sum())
    todo = segments[~fresh.to_numpy()]
    total = len(todo)
    done = 0
    for lang, group in todo.groupby(langs[~fresh.to_numpy()], sort=True):
        tagger = tagger_for(lang)
        cache = ParsedDocCache(project.cache_dir / _cache_name(tagger.pipeline_id))
        try:
            for start in range(0, len(group), batch_size):
                batch = group.iloc[start:start + batch_size]
                docs = _parse_with_cache(tagger, cache, batch, report)
                rows = []
                for seg, doc in zip(batch.itertuples(index=False), docs):
                    result = tagger.annotate(doc, context=seg.context or None)
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


def _parse_with_cache(tagger, cache: ParsedDocCache, batch: pd.DataFrame, report: TagRunReport) -> list:
    from spacy.tokens import Doc

    vocab = tagger.nlp.vocab
    hashes = batch["text_hash"].tolist()
    cached = cache.get_many(hashes)
    missing = [(h, t) for h, t in zip(hashes, batch["text"]) if h not in cached]
    parsed: dict[str, Any] = {}
    if missing:
        new_docs = list(tagger.parse([t for _, t in missing]))
        cache.put_many((h, d.to_bytes(exclude=["user_data"])) for (h, _), d in zip(missing, new_docs))
        parsed.update({h: d for (h, _), d in zip(missing, new_docs)})
        report.parsed += len(missing)
    out = []
    for h in hashes:
        doc = parsed.get(h)
        if doc is None:
            doc = Doc(vocab).from_bytes(cached[h])
        out.append(doc)
    return out


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

