"""A fake embedding backend for the topic tests (registered as "fake-hash" on import).

Its own module, with a name no other test folder uses: under ``--import-mode=importlib`` a test
cannot rely on ``from conftest import ...`` (another folder's conftest may answer).
"""
from __future__ import annotations

import hashlib
import re

import numpy as np

from interviewkit.topics.embeddings import EmbeddingBackend, register_embedding
from interviewkit.topics.text import load_stopwords


class FakeHashEmbedding(EmbeddingBackend):
    """Bag of hashed word stems (first 5 letters), 128 dims: fast, deterministic, cacheable."""

    name = "fake-hash"
    cacheable = True
    seed_similarity = 0.3
    calls = 0  # texts embedded, across instances (to check the cache)

    @property
    def backend_id(self) -> str:
        return "fake-hash:v1"

    @property
    def dim(self) -> int:
        return 128

    def _embed(self, texts):
        type(self).calls += len(texts)
        stop = load_stopwords(("fr", "en"))
        out = np.zeros((len(texts), 128), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in re.findall(r"\w+", text.lower()):
                if w in stop or len(w) < 3:
                    continue
                h = int(hashlib.md5(w[:5].encode()).hexdigest(), 16)
                out[i, h % 128] += 1.0
        return out


@register_embedding("fake-hash")
def _make_fake(arg=None, **options):
    return FakeHashEmbedding()
