"""Curation of topics by researchers, re-applied after every new fit, and assignment of new segments.

Decisions are small dataclasses (and plain dicts through ``decision_to_dict``/``decision_from_dict``,
the form stored in ``topic_decisions``):

=================  ===========================================================================
``rename``         give a topic a label (kept as is afterwards)
``merge``          merge topics into one (the largest keeps its id; label optional)
``split``          move the given segment ids of a topic into a new topic (label optional)
``move``           move one segment to another topic (``to=None``: to the outliers)
``set_irritant``   mark a topic as (not) an irritant
``undo``           cancel an earlier decision (``target_id`` = its ``decision_id`` in the store)
=================  ===========================================================================

A decision names topics by a ``TopicRef`` captured when it was made (id, label, keywords and member
segment ids), because topic ids change from one fit to the next. ``apply_curation`` resolves each
reference against the result at hand:

1. by segments: the topic holding the largest share of the reference's segments that still exist
   in the result, if that share is >= ``min_overlap`` (0.5); ties go to the higher Jaccard index;
2. otherwise by keywords (when the runs share no segment): the highest Jaccard index of the
   keyword sets, if >= ``min_keyword_overlap`` (0.3);
3. otherwise the decision is reported as ``unmatched`` in ``result.curation_log`` (never dropped silently).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from .labels import centroids_and_radii, choose_labels, ctfidf_keywords, representatives
from .result import META_COLUMNS, OUTLIER, TopicResult, validate_segments

__all__ = ["TopicRef", "Rename", "Merge", "Split", "Move", "SetIrritant", "Undo", "topic_ref", "rename", "merge",
           "split", "move", "mark_not_irritant", "decision_to_dict", "decision_from_dict", "apply_curation",
           "assign_new"]


@dataclass
class TopicRef:
    topic_id: int
    label: str = ""
    keywords: list[str] = field(default_factory=list)
    segment_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: Mapping) -> "TopicRef":
        return cls(int(d["topic_id"]), str(d.get("label", "")), list(d.get("keywords", [])),
                   [str(s) for s in d.get("segment_ids", [])])


@dataclass
class Rename:
    topic: TopicRef
    label: str
    action = "rename"


@dataclass
class Merge:
    topics: list[TopicRef]
    label: str | None = None
    action = "merge"


@dataclass
class Split:
    topic: TopicRef
    segment_ids: list[str]
    label: str | None = None
    action = "split"


@dataclass
class Move:
    segment_id: str
    to: TopicRef | None = None
    action = "move"


@dataclass
class SetIrritant:
    topic: TopicRef
    is_irritant: bool = False
    action = "set_irritant"


@dataclass
class Undo:
    target_id: int
    action = "undo"


_CLASSES = {c.action: c for c in (Rename, Merge, Split, Move, SetIrritant, Undo)}


def decision_to_dict(decision) -> dict:
    """``{"action": ..., fields...}``; JSON-able."""
    if isinstance(decision, Mapping):
        return dict(decision)
    return {"action": decision.action, **asdict(decision)}


def decision_from_dict(d: Mapping):
    """Inverse of ``decision_to_dict``; store metadata keys (decision_id, created_at, coder) are ignored."""
    if not isinstance(d, Mapping) or d.get("action") not in _CLASSES:
        raise ConfigError("E708", "unknown curation decision", value=d, allowed=sorted(_CLASSES))
    try:
        a = d["action"]
        if a == "rename":
            return Rename(TopicRef.from_dict(d["topic"]), str(d["label"]))
        if a == "merge":
            return Merge([TopicRef.from_dict(t) for t in d["topics"]], d.get("label"))
        if a == "split":
            return Split(TopicRef.from_dict(d["topic"]), [str(s) for s in d["segment_ids"]], d.get("label"))
        if a == "move":
            return Move(str(d["segment_id"]), TopicRef.from_dict(d["to"]) if d.get("to") else None)
        if a == "set_irritant":
            return SetIrritant(TopicRef.from_dict(d["topic"]), bool(d.get("is_irritant", False)))
        return Undo(int(d["target_id"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError("E708", f"curation decision is incomplete: {exc}", value=dict(d)) from exc


# ---------------------------------------------------------------- helpers building decisions
def topic_ref(result: TopicResult, topic_id: int) -> TopicRef:
    row = result.topics.loc[result.topics["topic_id"] == topic_id]
    if not len(row):
        raise ConfigError("E708", "no such topic in this result", value=topic_id, allowed=result.topic_ids())
    return TopicRef(int(topic_id), str(row["label"].iloc[0]), list(row["keywords"].iloc[0]),
                    result.members(int(topic_id)))


def rename(result, topic_id, label) -> Rename:
    return Rename(topic_ref(result, topic_id), str(label))


def merge(result, topic_ids: Iterable[int], label=None) -> Merge:
    return Merge([topic_ref(result, t) for t in topic_ids], label)


def split(result, topic_id, segment_ids: Iterable[str], label=None) -> Split:
    return Split(topic_ref(result, topic_id), [str(s) for s in segment_ids], label)


def move(result, segment_id, to_topic_id: int | None) -> Move:
    to = None if to_topic_id in (None, OUTLIER) else topic_ref(result, to_topic_id)
    return Move(str(segment_id), to)


def mark_not_irritant(result, topic_id) -> SetIrritant:
    return SetIrritant(topic_ref(result, topic_id), False)


# ---------------------------------------------------------------- resolution
def _resolve(res: TopicResult, ref: TopicRef, min_overlap: float, min_kw: float) -> tuple[int | None, str]:
    a = res.assignments
    topic_of = dict(zip(a["segment_id"], a["topic_id"]))
    present = [s for s in ref.segment_ids if s in topic_of]
    if present:
        counts = pd.Series([topic_of[s] for s in present]).value_counts()
        counts = counts[counts.index != OUTLIER]
        best, best_key = None, None
        for t, n in counts.items():
            share = n / len(present)
            jac = n / len(set(present) | set(res.members(int(t))))
            if share >= min_overlap and (best_key is None or (share, jac) > best_key):
                best, best_key = int(t), (share, jac)
        if best is not None:
            return best, f"segments {best_key[0]:.0%}"
        return None, f"no topic holds {min_overlap:.0%} of its segments"
    kws = set(ref.keywords)
    best, best_j = None, 0.0
    for t, kw in zip(res.topics["topic_id"], res.topics["keywords"]):
        j = len(kws & set(kw)) / len(kws | set(kw)) if kws | set(kw) else 0.0
        if j > best_j:
            best, best_j = int(t), j
    if best is not None and best_j >= min_kw:
        return best, f"keywords {best_j:.0%}"
    return None, "no topic shares its segments or keywords"


def _meta(res: TopicResult, segments: pd.DataFrame | None) -> pd.DataFrame:
    if segments is not None:
        return validate_segments(segments)[META_COLUMNS]
    if res.meta is None:
        raise ConfigError("E708", "this result has no segment metadata to recount participants",
                          hint="pass segments= (the segments frame of the run)")
    return res.meta


def refresh_topics(res: TopicResult, changed: set[int], labels: dict[int, str], meta: pd.DataFrame,
                   n_representatives: int = 5) -> None:
    """Recompute counts, keywords, centroids, representatives of ``changed`` topics (in place)."""
    a = res.assignments
    topic_arr = a["topic_id"].to_numpy()
    part_of = dict(zip(meta["segment_id"], meta["participant"]))
    irr_of = dict(zip(meta["segment_id"], meta["irritant"]))
    if res.lemma_docs is not None:
        kw_all = ctfidf_keywords(res.lemma_docs, topic_arr, top_n=int(res.settings.get("top_n_words", 10)),
                                 min_segment_df=int(res.settings.get("min_segment_df", 2)))
    if res.embeddings is not None:
        cents, radii = centroids_and_radii(res.embeddings, topic_arr)
    rows = {int(r["topic_id"]): dict(r) for _, r in res.topics.iterrows()}
    parts = [part_of.get(s, "") for s in a["segment_id"]]
    for t in sorted(changed):
        idx = np.flatnonzero(topic_arr == t).tolist()
        if not idx:
            rows.pop(t, None)
            res.centroids.pop(t, None)
            res.radii.pop(t, None)
            res.keyword_scores.pop(t, None)
            continue
        row = rows.get(t, {"topic_id": t, "label": "", "is_irritant": None})
        if res.lemma_docs is not None:
            res.keyword_scores[t] = kw_all.get(t, [])
        if t in res.keyword_scores or "keywords" not in row:
            row["keywords"] = [w for w, _ in res.keyword_scores.get(t, [])]
        if res.embeddings is not None:
            res.centroids[t], res.radii[t] = cents[t], radii[t]
        ids = a["segment_id"].iloc[idx].tolist()
        row["segments"] = len(idx)
        row["participants"] = len({part_of.get(s, "") for s in ids})
        if row.get("is_irritant") is None:
            share = float(res.settings.get("irritant_share", 0.5))
            row["is_irritant"] = bool(np.mean([irr_of.get(s, 0) for s in ids]) >= share)
        reps = representatives(idx, res.embeddings, res.centroids.get(t), parts, n_representatives)
        row["representative_segment_ids"] = [a["segment_id"].iloc[i] for i in reps]
        rows[t] = row
    need_label = {t for t in changed if t in rows and not labels.get(t) and not rows[t].get("label")}
    if need_label:
        members = {t: np.flatnonzero(topic_arr == t).tolist() for t in rows}
        fixed = {t: r["label"] for t, r in rows.items() if t not in need_label}
        generated = choose_labels({t: res.keyword_scores.get(t, []) for t in rows}, members, res.phrases,
                                  fixed=fixed, lemma_docs=res.lemma_docs)
        labels = {**{t: generated[t] for t in need_label}, **labels}
    for t, lab in labels.items():
        if t in rows:
            rows[t]["label"] = lab
    res.topics = pd.DataFrame(sorted(rows.values(), key=lambda r: r["topic_id"]), columns=res.topics.columns)
    n_out = int((res.assignments["topic_id"] == OUTLIER).sum())
    res.outlier_share = n_out / len(res.assignments) if len(res.assignments) else 0.0


def apply_curation(result: TopicResult, decisions: Iterable, *, segments: pd.DataFrame | None = None,
                   min_overlap: float = 0.5, min_keyword_overlap: float = 0.3) -> TopicResult:
    """Re-apply ``decisions`` (in order) to ``result``; returns a new result whose ``curation_log``
    says, for each decision, ``applied``/``unmatched``/``undone``/``skipped`` and why."""
    decisions = list(decisions)
    res = result.copy()
    meta = _meta(res, segments)
    undone = {int(d["target_id"]) for d in map(decision_to_dict, decisions) if d.get("action") == "undo"}
    log: list[dict] = []
    for k, raw in enumerate(decisions):
        info = decision_to_dict(raw)
        did = info.get("decision_id")
        d = decision_from_dict(info)
        entry = {"index": k, "decision_id": did, "action": d.action, "status": "applied", "detail": ""}
        log.append(entry)
        if isinstance(d, Undo):
            entry["detail"] = f"cancels decision {d.target_id}"
            continue
        if did is not None and int(did) in undone:
            entry["status"], entry["detail"] = "undone", "cancelled by a later undo"
            continue
        entry["status"], entry["detail"], entry["topic_ids"] = _apply_one(res, d, meta, min_overlap,
                                                                          min_keyword_overlap)
    res.curation_log = list(result.curation_log) + log
    return res


def _apply_one(res, d, meta, min_overlap, min_kw) -> tuple[str, str, list[int]]:
    a = res.assignments
    if isinstance(d, Move):
        hit = a.index[a["segment_id"] == d.segment_id]
        if not len(hit):
            return "skipped", "segment not in this run", []
        target = OUTLIER
        if d.to is not None:
            target, why = _resolve(res, d.to, min_overlap, min_kw)
            if target is None:
                return "unmatched", why, []
        old = int(a.at[hit[0], "topic_id"])
        a.loc[hit, "topic_id"] = target
        a.loc[hit, "probability"] = 1.0
        refresh_topics(res, {old, target} - {OUTLIER}, {}, meta)
        return "applied", f"{old} -> {target}", [target]
    if isinstance(d, Merge):
        ids, whys = [], []
        for ref in d.topics:
            t, why = _resolve(res, ref, min_overlap, min_kw)
            whys.append(why)
            if t is not None and t not in ids:
                ids.append(t)
        if not ids:
            return "unmatched", "; ".join(whys), []
        sizes = {t: int((a["topic_id"] == t).sum()) for t in ids}
        keep = sorted(ids, key=lambda t: (-sizes[t], t))[0]
        if res.lemma_docs is None and len(ids) > 1:  # no texts to recompute: size-weighted keyword scores
            res.keyword_scores[keep] = _merged_scores(res, ids, sizes)
        a.loc[a["topic_id"].isin(ids), "topic_id"] = keep
        label = d.label or res.label_of(keep)
        refresh_topics(res, set(ids), {keep: label}, meta)
        detail = f"merged {sorted(ids)} into {keep}" if len(ids) > 1 else "topics already together"
        return "applied", detail, [keep]
    t, why = _resolve(res, d.topic, min_overlap, min_kw)
    if t is None:
        return "unmatched", why, []
    if isinstance(d, Rename):
        refresh_topics(res, set(), {t: d.label}, meta)
        return "applied", why, [t]
    if isinstance(d, SetIrritant):
        res.topics.loc[res.topics["topic_id"] == t, "is_irritant"] = bool(d.is_irritant)
        return "applied", why, [t]
    if isinstance(d, Split):
        mask = a["segment_id"].isin(d.segment_ids) & (a["topic_id"] == t)
        if not mask.any():
            return "skipped", "none of the given segments is in the matched topic", [t]
        new = max([*res.topic_ids(), *a["topic_id"].tolist(), -1]) + 1
        a.loc[mask, "topic_id"] = new
        if res.lemma_docs is None:  # no texts to recompute: the new part starts with its parent's keywords
            res.keyword_scores[new] = list(res.keyword_scores.get(t, []))
        labels = {new: d.label} if d.label else {}
        refresh_topics(res, {t, new}, labels, meta)
        return "applied", f"{int(mask.sum())} segment(s) of {t} -> new topic {new}", [t, new]
    raise ConfigError("E708", "unsupported decision", value=d)  # pragma: no cover


def _merged_scores(res: TopicResult, ids: list[int], sizes: dict[int, int]) -> list[tuple[str, float]]:
    total: dict[str, float] = {}
    for t in ids:
        kws = res.keyword_scores.get(t, [])
        top = max((s for _, s in kws), default=1.0) or 1.0
        for w, s in kws:
            total[w] = total.get(w, 0.0) + sizes[t] * s / top
    n = int(res.settings.get("top_n_words", 10))
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


# ---------------------------------------------------------------- new segments
def assign_new(result: TopicResult, segments: pd.DataFrame, *, embeddings: np.ndarray | None = None,
               cache_path=None) -> pd.DataFrame:
    """Assign new segments (e.g. next month's) to the topics of a (curated, saved) result.

    Each segment goes to the topic with the most similar centroid when that similarity reaches the
    topic's radius (the 5th percentile of its members' similarities at fit time), else to -1.
    Columns: segment_id, topic_id, probability (cosine similarity, clipped to [0, 1]), label.
    """
    from .cache import EmbeddingCache
    from .space import EmbeddingSpace
    from .text import clean_text

    seg = validate_segments(segments, name="new segments")
    cols = ["segment_id", "topic_id", "probability", "label"]
    if not result.centroids or result.embedder_state is None:
        out = pd.DataFrame({"segment_id": seg["segment_id"], "topic_id": OUTLIER, "probability": 0.0})
        out["label"] = result.label_of(OUTLIER)
        return out[cols]
    space = EmbeddingSpace.from_state(result.embedder_state["meta"], result.embedder_state["arrays"])
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or embeddings.shape[0] != len(seg):
            raise InputError("E704", "embeddings must have one row per new segment",
                             value=getattr(embeddings, "shape", None))
        emb = space.combine([embeddings])
    else:
        texts = [clean_text(t) or t for t in seg["text"]]
        cache = EmbeddingCache(cache_path) if cache_path else None
        try:
            emb = space.transform(texts, cache)
        finally:
            if cache is not None:
                cache.close()
    ids = sorted(result.centroids)
    cents = np.vstack([result.centroids[t] for t in ids])
    sims = emb @ cents.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(seg)), best]
    topic = np.array([ids[b] if s >= result.radii.get(ids[b], 1.0) else OUTLIER for b, s in zip(best, best_sim)])
    out = pd.DataFrame({"segment_id": seg["segment_id"].tolist(), "topic_id": topic.astype(np.int64),
                        "probability": np.where(topic == OUTLIER, 0.0, np.clip(best_sim, 0, 1))})
    out["label"] = [result.label_of(int(t)) for t in out["topic_id"]]
    return out[cols]
