"""Registered, swappable stages of the topic model besides embeddings.

* reducers (``reducer=``): ``umap`` (default: UMAP over an exact cosine neighbour graph, layout
  cached by input hash, see ``reduce``), ``pca`` (deterministic, fast, for very large sets),
  ``none`` (cluster the embeddings directly);
* clusterers (``clusterer=``): ``hdbscan`` (default);
* labelers (``labeler=``): ``noun-phrase`` (default, French noun phrases) and ``keywords``.

A reducer/clusterer factory receives a ``StageContext`` (corpus size, user options, seed) and
returns a scikit-learn-like object BERTopic accepts; it writes the values it actually used into
``ctx.settings`` (e.g. a guarded ``n_neighbors``) and explains every adjustment in ``ctx.notes``.
Register new ones with ``@register_reducer("name")`` etc.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ConfigError

__all__ = ["StageContext", "register_reducer", "register_clusterer", "register_labeler", "make_reducer",
           "make_clusterer", "get_labeler", "reducers", "clusterers", "labelers", "default_min_topic_size",
           "default_n_neighbors"]

_REDUCERS: dict[str, Callable] = {}
_CLUSTERERS: dict[str, Callable] = {}
_LABELERS: dict[str, Callable] = {}


@dataclass
class StageContext:
    n: int
    seed: int
    options: dict
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _register(table: dict, name: str) -> Callable:
    def deco(factory: Callable) -> Callable:
        table[name] = factory
        return factory

    return deco


def register_reducer(name: str) -> Callable:
    return _register(_REDUCERS, name)


def register_clusterer(name: str) -> Callable:
    return _register(_CLUSTERERS, name)


def register_labeler(name: str) -> Callable:
    return _register(_LABELERS, name)


def reducers() -> list[str]:
    return sorted(_REDUCERS)


def clusterers() -> list[str]:
    return sorted(_CLUSTERERS)


def labelers() -> list[str]:
    return sorted(_LABELERS)


def _get(table: dict, kind: str, name: str) -> Callable:
    if name not in table:
        raise ConfigError("E705", f"unknown {kind}", value=name, allowed=sorted(table),
                          hint=f"use a registered {kind} name")
    return table[name]


def make_reducer(name: str, ctx: StageContext):
    return _get(_REDUCERS, "reducer", name)(ctx)


def make_clusterer(name: str, ctx: StageContext):
    return _get(_CLUSTERERS, "clusterer", name)(ctx)


def get_labeler(name: str) -> Callable:
    return _get(_LABELERS, "labeler", name)


def default_min_topic_size(n: int) -> int:
    """HDBSCAN ``min_cluster_size`` scaled to the corpus: max(5, round(sqrt(N)/2)), at most 100."""
    return int(min(100, max(5, round(math.sqrt(n) / 2))))


def default_n_neighbors(n: int) -> int:
    """UMAP ``n_neighbors`` scaled to the corpus: round(0.8 sqrt(N)) within [5, 15] (10 for 150)."""
    return int(min(15, max(5, round(0.8 * math.sqrt(n)))))


@register_reducer("umap")
def _umap(ctx: StageContext):
    from .reduce import ExactKnnUMAP

    nn = int(ctx.options.get("n_neighbors") or default_n_neighbors(ctx.n))
    if nn >= ctx.n:
        ctx.notes.append(f"n_neighbors={nn} is not below the {ctx.n} clustered segments; used {ctx.n - 1}.")
        nn = ctx.n - 1
    n_comp = int(min(ctx.options.get("n_components", 5), ctx.n - 2))
    ctx.settings.update(n_neighbors_effective=nn, n_components_effective=n_comp, knn="exact")
    return ExactKnnUMAP(n_neighbors=nn, n_components=n_comp, min_dist=0.0, random_state=ctx.seed,
                        cache=ctx.options.get("cache"))


@register_reducer("pca")
def _pca(ctx: StageContext):
    from sklearn.decomposition import PCA

    n_comp = int(min(ctx.options.get("n_components", 5), ctx.n - 1))
    ctx.settings.update(n_components_effective=n_comp)
    return PCA(n_components=n_comp, random_state=ctx.seed)


@register_reducer("none")
def _no_reduction(ctx: StageContext):
    from bertopic.dimensionality import BaseDimensionalityReduction

    return BaseDimensionalityReduction()


@register_clusterer("hdbscan")
def _hdbscan(ctx: StageContext):
    from hdbscan import HDBSCAN

    mcs = int(ctx.options.get("min_topic_size") or default_min_topic_size(ctx.n))
    if mcs > ctx.n // 2:
        ctx.notes.append(f"min_topic_size={mcs} is more than half of the {ctx.n} segments; used {max(2, ctx.n // 2)}.")
        mcs = max(2, ctx.n // 2)
    min_samples = max(2, round(mcs / 4))
    method = ctx.options.get("cluster_selection") or "eom"
    ctx.settings.update(min_topic_size_effective=mcs, min_samples=min_samples, cluster_selection_effective=method)
    return HDBSCAN(min_cluster_size=mcs, min_samples=min_samples, metric="euclidean",
                   cluster_selection_method=method, prediction_data=False)


@register_labeler("noun-phrase")
def _noun_phrase_labels(keyword_scores, members, phrases, pos, fixed, lemma_docs=None):
    from .labels import choose_labels

    return choose_labels(keyword_scores, members, phrases, pos, fixed=fixed, lemma_docs=lemma_docs)


@register_labeler("keywords")
def _keyword_labels(keyword_scores, members, phrases, pos, fixed, lemma_docs=None):
    from .labels import choose_labels

    return choose_labels(keyword_scores, members, None, pos, fixed=fixed, lemma_docs=lemma_docs)
