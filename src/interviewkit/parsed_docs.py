"""Parsed spaCy Docs kept per project (``PROJECT/cache/parsed-v2-<pipeline>.sqlite``), keyed by text hash.

After a codebook edit the Docs come from here and only the rule layers run again
(:mod:`interviewkit.project_tagging`); the strings stored with each record let the first pass of a
selective re-tag read a Doc's words and lemmas without spaCy (:func:`doc_strings`).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

DOC_FORMAT = "v2"

_DOC_ATTRS = ("ORTH", "SPACY", "TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "SENT_START", "ENT_IOB",
              "ENT_TYPE", "ENT_KB_ID", "ENT_ID", "NORM")
_STRING_ATTRS = ("ORTH", "TAG", "MORPH", "LEMMA", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID", "NORM")
_MAGIC = b"IKD2"


@lru_cache(maxsize=1)
def _attr_ids() -> tuple[list[int], list[int]]:
    from spacy.attrs import IDS

    return [IDS[a] for a in _DOC_ATTRS], [i for i, a in enumerate(_DOC_ATTRS) if a in _STRING_ATTRS]


def doc_to_bytes(doc) -> bytes:
    """A parsed Doc as bytes: token attributes (``Doc.to_array``) and the strings they use.

    Keeps words, spaces, tags, POS, morphology, lemmas, dependencies, sentences and entities (what
    DocBin keeps), not the tensor nor ``user_data``. About 10x faster to write and read back than
    ``Doc.to_bytes`` (whose msgpack decoding looks up spaCy's registries on every call).
    """
    import numpy as np

    ids, string_cols = _attr_ids()
    arr = doc.to_array(ids)
    strings = doc.vocab.strings
    used = np.unique(arr[:, string_cols]) if len(arr) else []
    words = [strings[int(h)] for h in used if h]
    head = json.dumps(words, ensure_ascii=False).encode("utf-8")
    return _MAGIC + len(head).to_bytes(4, "little") + head + arr.astype("uint64").tobytes()


def doc_strings(data: bytes) -> list[str]:
    """The strings a :func:`doc_to_bytes` record uses (words, lemmas, tags...), read without spaCy."""
    if data[:4] != _MAGIC:
        raise ValueError("not a parsed-Doc record of this version")
    n = int.from_bytes(data[4:8], "little")
    return json.loads(data[8:8 + n].decode("utf-8"))


def doc_from_bytes(vocab, data: bytes):
    """Inverse of :func:`doc_to_bytes` with ``vocab`` (the pipeline's)."""
    import numpy as np
    from spacy.tokens import Doc

    if data[:4] != _MAGIC:
        raise ValueError("not a parsed-Doc record of this version")
    ids, _ = _attr_ids()
    n = int.from_bytes(data[4:8], "little")
    for s in json.loads(data[8:8 + n].decode("utf-8")):
        vocab.strings.add(s)
    arr = np.frombuffer(data[8 + n:], dtype=np.uint64).reshape(-1, len(ids))
    if not len(arr):
        return Doc(vocab, words=[])
    words = [vocab.strings[h] for h in arr[:, 0].tolist()]
    doc = Doc(vocab, words=words, spaces=arr[:, 1].astype(bool).tolist())
    return doc.from_array(ids[2:], np.ascontiguousarray(arr[:, 2:]))


class ParsedDocCache:
    """Parsed Docs (:func:`doc_to_bytes` records) keyed by text hash, in one SQLite file per pipeline."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS docs (text_hash TEXT PRIMARY KEY, data BLOB NOT NULL)"
                          " WITHOUT ROWID")
        self.hits = 0
        self.misses = 0

    def _select(self, column: str, hashes: list[str]) -> Iterator[tuple]:
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.conn.execute(f"SELECT text_hash{column} FROM docs WHERE text_hash IN ({marks})", chunk)

    def present(self, hashes: Iterable[str]) -> set[str]:
        """Which of ``hashes`` are cached (not counted as hits)."""
        return {row[0] for row in self._select("", list(dict.fromkeys(hashes)))}

    def get_many(self, hashes: list[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(hashes))
        found = {h: data for h, data in self._select(", data", wanted)}
        self.hits += len(found)
        self.misses += len(wanted) - len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        rows = list(items)
        if not rows:
            return
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)", rows)
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def pipeline_hash(pipeline_id: str) -> str:
    """A short file-name-safe name for a pipeline id (the parsed-Doc cache and other per-pipeline files)."""
    return hashlib.sha1(pipeline_id.encode("utf-8")).hexdigest()[:16]


def _cache_name(pipeline_id: str) -> str:
    return f"parsed-{DOC_FORMAT}-{pipeline_hash(pipeline_id)}.sqlite"


def parsed_doc_cache(project, pipeline_id: str) -> ParsedDocCache:
    return ParsedDocCache(project.cache_dir / _cache_name(pipeline_id))
