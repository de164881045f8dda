"""Recurring irritants by topic modelling (BERTopic), store-independent.

Public API::

    from interviewkit.topics import IrritantTopicModel
    model = IrritantTopicModel(seed_topics=["attente du devis"], cache_path="PROJECT/cache/embeddings.sqlite")
    model.fit(segments_df)          # input contract: see docs/topics.md
    model.topics_, model.assignments_, model.outlier_share_, model.message_, model.status_

    from interviewkit.topics import views, curation, diff, persistence, plots, store

See docs/topics.md for the choices, measured figures and what is deterministic.
"""
from . import curation, diff, persistence, plots, stages, store, views
from .cache import EmbeddingCache, embed_texts
from .curation import (Merge, Move, Rename, SetIrritant, Split, TopicRef, Undo, apply_curation, assign_new,
                       decision_from_dict, decision_to_dict)
from .diff import diff_runs
from .embeddings import (AUTO_EMBEDDING_LIMIT, DEFAULT_EMBEDDING, FAST_EMBEDDING, QUALITY_EMBEDDING,
                         EmbeddingBackend, available_embeddings, make_embedding, register_embedding,
                         resolve_embedding)
from .model import MIN_SEGMENTS, IrritantTopicModel, default_min_topic_size, default_n_neighbors
from .persistence import load_result, save_result
from .result import TopicResult, validate_segments
from .space import EmbeddingSpace, make_space

__all__ = [
    "IrritantTopicModel", "TopicResult", "validate_segments", "MIN_SEGMENTS", "default_min_topic_size",
    "default_n_neighbors", "EmbeddingBackend", "make_embedding", "register_embedding", "available_embeddings",
    "DEFAULT_EMBEDDING", "FAST_EMBEDDING", "QUALITY_EMBEDDING", "AUTO_EMBEDDING_LIMIT", "resolve_embedding",
    "EmbeddingSpace", "make_space", "EmbeddingCache", "embed_texts",
    "apply_curation", "assign_new", "decision_to_dict", "decision_from_dict", "TopicRef", "Rename", "Merge",
    "Split", "Move", "SetIrritant", "Undo", "diff_runs", "save_result", "load_result",
    "views", "curation", "diff", "persistence", "plots", "store", "stages",
]
