"""UMAP over an exact cosine k-nearest-neighbour graph, with an optional on-disk result cache.

Why not plain ``umap.UMAP``: above 4,096 points UMAP builds its neighbour graph with pynndescent,
whose numba functions are compiled in every new process (~35 s of the 55 s UMAP took on 10,000
segments on the 2-core VM) and which is approximate. The exact graph is one chunked matrix product
of the unit vectors (~1.5 s for 10,000 x 10,000) and is handed to UMAP as ``precomputed_knn``; the
rest of UMAP (fuzzy simplicial set, layout with ``random_state``) is unchanged, except that it runs
200 layout epochs (UMAP's own choice above 10,000 points) instead of 500. Below 4,096 points
UMAP computes all pairwise distances itself (no pynndescent): it is then called as before.

``cache``: an object with ``get_array(kind, key)`` / ``put_array(kind, key, array)`` (the
``EmbeddingCache``). The key is the SHA-256 of the input vectors' bytes, of ``y`` and of every UMAP
setting: the layout is a deterministic function of these, so a re-run on the same vectors reads
the layout back instead of recomputing it.

``transform(X)`` returns the fitted layout of rows that are training rows (what BERTopic asks for
after zero-shot assignment) and, for other rows, the similarity-weighted mean layout of their
nearest training rows.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np

__all__ = ["ExactKnnUMAP", "exact_cosine_knn"]

CACHE_KIND = "umap-layout-v3"  # bump when the layout computation changes
EXACT_KNN_FROM = 4096  # UMAP's own threshold between exact distances and pynndescent
LARGE_N_EPOCHS = 200


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def exact_cosine_knn(x: np.ndarray, k: int, ref: np.ndarray | None = None, chunk: int = 2048
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine distances of the ``k`` nearest rows of ``ref`` (default ``x``) for each row
    of ``x``; ties broken by row index (deterministic). Memory: ``chunk x len(ref)`` floats."""
    q = _unit(x)
    r = q if ref is None else _unit(ref)
    k = min(k, len(r))
    idx = np.empty((len(q), k), dtype=np.int64)
    dist = np.empty((len(q), k), dtype=np.float32)
    for s in range(0, len(q), chunk):
        sims = q[s:s + chunk] @ r.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        psim = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -psim), axis=1)
        idx[s:s + chunk] = np.take_along_axis(part, order, axis=1)
        dist[s:s + chunk] = np.clip(1.0 - np.take_along_axis(psim, order, axis=1), 0.0, 2.0)
    return idx, dist


class ExactKnnUMAP:
    """``umap.UMAP`` (cosine) fitted on an exact neighbour graph; BERTopic-compatible reducer."""

    def __init__(self, n_neighbors: int = 15, n_components: int = 5, min_dist: float = 0.0,
                 random_state: int = 42, cache=None) -> None:
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.random_state = random_state
        self.cache = cache

    def _key(self, x: np.ndarray, y) -> str:
        h = hashlib.sha256()
        h.update(np.ascontiguousarray(x, dtype=np.float32).tobytes())
        h.update(str(x.shape).encode())
        if y is not None:
            h.update(np.asarray(y, dtype=np.int64).tobytes())
        import umap

        h.update(json.dumps([self.n_neighbors, self.n_components, self.min_dist, self.random_state,
                             umap.__version__]).encode())
        return h.hexdigest()

    def fit(self, X, y=None) -> "ExactKnnUMAP":
        x = np.asarray(X, dtype=np.float32)
        self._train = _unit(x)
        self._row_of = {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(x))}
        key = self._key(x, y) if self.cache is not None else None
        layout = self.cache.get_array(CACHE_KIND, key) if key else None
        self.from_cache_ = layout is not None
        if layout is None:
            layout = self._layout(x, y)
            if key:
                self.cache.put_array(CACHE_KIND, key, layout)
        self.embedding_ = np.asarray(layout, dtype=np.float32)
        return self

    def _layout(self, x: np.ndarray, y) -> np.ndarray:
        import warnings

        from umap import UMAP

        knn = {}
        if len(x) >= EXACT_KNN_FROM:  # below, UMAP computes all pairwise distances itself
            idx, dist = exact_cosine_knn(x, self.n_neighbors)
            # 200 epochs: UMAP's own default above 10,000 points (500 below); the layout epochs took
            # 21 of UMAP's 45 s on 10,000 segments on the loaded 2-core VM
            knn = {"precomputed_knn": (idx, dist, None), "n_epochs": LARGE_N_EPOCHS}
        model = UMAP(n_neighbors=self.n_neighbors, n_components=self.n_components, min_dist=self.min_dist,
                     metric="cosine", random_state=self.random_state, **knn)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs.*")
            warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
            warnings.filterwarnings("ignore", message=".*search index.*")
            return model.fit_transform(x, y=y)

    def fit_transform(self, X, y=None) -> np.ndarray:
        return self.fit(X, y).embedding_.copy()

    def transform(self, X) -> np.ndarray:
        x = np.ascontiguousarray(np.asarray(X, dtype=np.float32))
        out = np.empty((len(x), self.embedding_.shape[1]), dtype=np.float32)
        unknown = []
        for i, row in enumerate(x):
            j = self._row_of.get(row.tobytes())
            if j is None:
                unknown.append(i)
            else:
                out[i] = self.embedding_[j]
        if unknown:
            idx, dist = exact_cosine_knn(x[unknown], self.n_neighbors, ref=self._train)
            w = np.maximum(1.0 - dist, 1e-6)
            out[unknown] = (self.embedding_[idx] * w[:, :, None]).sum(axis=1) / w.sum(axis=1, keepdims=True)
        return out
