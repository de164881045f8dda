"""SQLite embedding cache: a re-run only embeds text it has not seen with the same backend.

One table, keyed by ``(backend, text_sha256)`` where ``backend`` is the backend id *including the
model version* (``EmbeddingBackend.backend_id``) and ``text_sha256`` the SHA-256 of the UTF-8 text.
Vectors are stored as raw little-endian float32 bytes with their dimension (no pickle). The file is
a derived cache (``PROJECT/cache/embeddings.sqlite``): deleting it only costs time.
Backends whose vectors depend on the corpus (``cacheable = False``, e.g. ``tfidf-svd``) bypass it.

Two more derived tables make a re-run on unchanged text fast: ``analyses`` (per text and analyser
version: its lemmas, POS and label candidates, JSON; see ``text.TextAnalyzer``) and ``arrays``
(float32 arrays by kind and key, e.g. a UMAP layout keyed by the hash of its input vectors and
settings; see ``reduce.ExactKnnUMAP``).

>>> cache = EmbeddingCache(":memory:")
>>> cache.hits, cache.misses
(0, 0)
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError

__all__ = ["EmbeddingCache", "text_key", "embed_texts"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    backend     TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    dim         INTEGER NOT NULL,
    vector      BLOB NOT NULL,
    PRIMARY KEY (backend, text_sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS arrays (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    shape TEXT NOT NULL,
    data  BLOB NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analyses (
    version     TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (version, text_sha256)
) WITHOUT ROWID;
"""


def text_key(text: str) -> str:
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embedding cache in a SQLite file. ``hits``/``misses`` count texts looked up since opening."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path)
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError("E706", f"embedding cache is not a usable SQLite file: {exc}", path=self.path,
                              hint="delete the cache file; it is rebuilt on the next run") from exc
        self.hits = 0
        self.misses = 0

    def get(self, backend: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors found for ``keys`` (counted as hits; the others as misses)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        sql = "SELECT text_sha256, dim, vector FROM embeddings WHERE backend = ? AND text_sha256 IN ({})"
        for key, dim, blob in self._select_in(sql, backend, unique):
            vec = np.frombuffer(blob, dtype="<f4")
            if vec.shape[0] != dim:
                raise ConfigError("E706", "embedding cache entry is damaged", path=self.path,
                                  hint="delete the cache file; it is rebuilt on the next run")
            found[key] = vec.astype(np.float32)
        self.hits += len(found)
        self.misses += len(unique) - len(found)
        return found

    def put(self, backend: str, items: dict[str, np.ndarray]) -> None:
        rows = [(backend, k, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes()) for k, v in items.items()]
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)

    def get_array(self, kind: str, key: str) -> np.ndarray | None:
        row = self._conn.execute("SELECT shape, data FROM arrays WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        if row is None:
            return None
        shape = tuple(int(x) for x in row[0].split("x") if x)
        arr = np.frombuffer(row[1], dtype="<f4")
        if arr.size != int(np.prod(shape)):
            raise ConfigError("E706", "cached array is damaged", path=self.path,
                              hint="delete the cache file; it is rebuilt on the next run")
        return arr.reshape(shape).astype(np.float32)

    def put_array(self, kind: str, key: str, array: np.ndarray) -> None:
        arr = np.ascontiguousarray(array, dtype="<f4")
        with self._conn:
            self._conn.execute("INSERT OR REPLACE INTO arrays VALUES (?, ?, ?, ?)",
                               (kind, key, "x".join(str(d) for d in arr.shape), arr.tobytes()))

    def get_analyses(self, version: str, keys: Sequence[str]) -> dict[str, str]:
        """JSON payloads of the text analyses found for ``keys`` (SHA-256 of the texts)."""
        sql = "SELECT text_sha256, payload FROM analyses WHERE version = ? AND text_sha256 IN ({})"
        return dict(self._select_in(sql, version, list(dict.fromkeys(keys))))

    def _select_in(self, sql: str, first, keys: list[str]):
        """Rows of ``sql`` (one ``?`` then an ``IN ({})`` list) for ``keys``, 500 keys per query."""
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            yield from self._conn.execute(sql.format(",".join("?" * len(chunk))), [first, *chunk])

    def put_analyses(self, version: str, items: dict[str, str]) -> None:
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?)",
                                   [(version, k, v) for k, v in items.items()])

    def count(self, backend: str | None = None) -> int:
        if backend is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
        return int(self._conn.execute("SELECT COUNT(*) FROM embeddings WHERE backend = ?", (backend,)).fetchone()[0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "EmbeddingCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def embed_texts(backend, texts: Sequence[str], cache: EmbeddingCache | None = None) -> np.ndarray:
    """Embed ``texts`` with ``backend``, reading/writing ``cache`` when the backend is cacheable.

    Duplicate texts are embedded once. Corpus-fitted backends must have been fitted before.
    """
    texts = [str(t) for t in texts]
    if cache is None or not getattr(backend, "cacheable", False):
        return backend.embed(texts)
    bid = backend.backend_id
    keys = [text_key(t) for t in texts]
    found = cache.get(bid, keys)
    todo: dict[str, str] = {}
    for k, t in zip(keys, texts):
        if k not in found and k not in todo:
            todo[k] = t
    if todo:
        vecs = backend.embed(list(todo.values()))
        new = dict(zip(todo.keys(), vecs))
        cache.put(bid, new)
        found.update(new)
    return np.vstack([found[k] for k in keys]).astype(np.float32)
