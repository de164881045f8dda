"""Model layer: the codebook's model heads scored on sentence embeddings, voting with the rules.

For each segment a head gives a probability ``p`` and the decision layer adds
``weight * (p - center)`` (from the codebook's ``models`` entry) to the rules'
summed score of the field, so a confident model raises a tag the rules missed
or vetoes a weak rule hit; the evidence names the model and its ``p``.

The shipped head ``irritant_e5_fr_v1.json`` is trained by
``scripts/train_model_layer.py`` on the project's own written and gold-dev
segments (no third-party text).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np


@lru_cache(maxsize=4)
def _backend(spec: str, options: tuple) -> Any:
    from interviewkit.topics.embeddings import make_embedding

    return make_embedding(spec, **dict(options))


class ModelLayer:
    """The codebook's models for one language: ``scores(texts)`` -> one ``{field: (spec, p)}`` per text.

    ``cache`` (an :class:`~interviewkit.topics.cache.EmbeddingCache`) keeps the vectors, so a re-tag after
    a codebook edit embeds nothing again.
    """

    def __init__(self, specs: Sequence[Any], cache: Any = None) -> None:
        self.specs = list(specs)
        self.cache = cache

    @classmethod
    def for_codebook(cls, codebook: Any, lang: str, cache: Any = None) -> ModelLayer:
        """The layer of ``codebook``'s models for ``lang`` (empty when it lists none)."""
        return cls([m for m in codebook.models if m.lang == lang], cache)

    def __bool__(self) -> bool:
        return bool(self.specs)

    def scores(self, texts: Sequence[str]) -> list[dict[str, tuple[Any, float]]]:
        from interviewkit.topics.cache import embed_texts

        out: list[dict[str, tuple[Any, float]]] = [{} for _ in texts]
        idx = [i for i, t in enumerate(texts) if t and str(t).strip()]
        if not idx or not self.specs:
            return out
        by_embedding: dict[tuple, np.ndarray] = {}
        for spec in self.specs:
            head = spec.head
            key = (head.embedding, tuple(sorted(head.embedding_options.items())))
            if key not in by_embedding:
                by_embedding[key] = embed_texts(_backend(*key), [str(texts[i]) for i in idx], self.cache)
            for i, p in zip(idx, head.proba_from_vectors(by_embedding[key])):
                out[i][spec.field] = (spec, p)
        return out
