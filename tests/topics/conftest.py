"""Fixtures of the topic tests: offline mode, the synthetic corpus, a fake embedding backend."""
from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from corpus_fr import segments_frame  # noqa: E402
from interviewkit.topics.embeddings import EmbeddingBackend, register_embedding  # noqa: E402
from interviewkit.topics.text import load_stopwords  # noqa: E402


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


@pytest.fixture(scope="session")
def corpus():
    return segments_frame()


@pytest.fixture(scope="session")
def tfidf_model(corpus):
    from interviewkit.topics import IrritantTopicModel

    return IrritantTopicModel(embedding="tfidf-svd").fit(corpus)
