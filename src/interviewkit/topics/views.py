"""Tables researchers read: topics, segment -> topic, and topic x stage / channel / persona.

All functions take a ``TopicResult`` and, when the result carries no segment metadata (a run
loaded from the SQL store), the segments frame of the run (``segments=``).

``topic_table`` columns: topic_id, label, segments, participants, participant_share (participants of
the topic / participants of the run), segment_share (segments / segments of the run), is_irritant,
keywords (comma-joined), representative_segment_ids. Sorted by participants, then segments.

``segment_topics`` columns: segment_id, topic_id, label, probability, plus participant, document,
persona, stage, channel when metadata is known, plus text when ``segments`` is given.

``topic_by(result, by)`` with ``by`` in stage / channel / persona, long format, columns:
topic_id, label, <by>, segments (segments of the topic with that value), participants (distinct
participants of the topic with that value), group_participants (participants of the run having at
least one segment with that value), participant_share (participants / group_participants: "x % of
the participants at this stage mention this irritant"), segment_share (segments / segments of
the topic). Multi-valued stage/channel cells (``;``-joined) count once for each value; empty cells
and missing personas are grouped under ``"(none)"``. Outliers (topic -1) are left out unless
``include_outliers=True``.

``as_matrix(long, value="participants")`` pivots a ``topic_by`` table into topic label x value.
"""
from __future__ import annotations

import pandas as pd

from ..errors import ConfigError
from .result import META_COLUMNS, OUTLIER, TopicResult, validate_segments

__all__ = ["topic_table", "segment_topics", "topic_by", "topic_stage", "topic_channel", "topic_persona",
           "as_matrix", "NONE_VALUE"]

NONE_VALUE = "(none)"
_BY = ("stage", "channel", "persona")


def _meta(result: TopicResult, segments: pd.DataFrame | None) -> pd.DataFrame:
    if segments is not None:
        return validate_segments(segments)[META_COLUMNS]
    if result.meta is None:
        raise ConfigError("E708", "this view needs the segments of the run", hint="pass segments=<segments frame>")
    return result.meta


def topic_table(result: TopicResult, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """The topic table (columns above). ``participant_share`` needs the run's participants: from the result's
    metadata, else from ``segments`` (the run's segments frame); without either it is left empty (NaN)."""
    t = result.topics.copy()
    cols = ["topic_id", "label", "segments", "participants", "participant_share", "segment_share", "is_irritant",
            "keywords", "representative_segment_ids"]
    if not len(t):
        return pd.DataFrame(columns=cols)
    meta = result.meta if result.meta is not None else (_meta(result, segments) if segments is not None else None)
    n = max(1, result.n_segments)
    if meta is not None:
        t["participant_share"] = t["participants"] / max(1, int(meta["participant"].nunique()))
    else:
        t["participant_share"] = float("nan")
    t["segment_share"] = t["segments"] / n
    t["keywords"] = [", ".join(k) for k in t["keywords"]]
    t = t.sort_values(["participants", "segments", "topic_id"], ascending=[False, False, True])
    return t[cols].reset_index(drop=True)


def segment_topics(result: TopicResult, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    a = result.assignments.copy()
    a["label"] = [result.label_of(int(t)) for t in a["topic_id"]]
    out = a[["segment_id", "topic_id", "label", "probability"]]
    meta = result.meta if segments is None else validate_segments(segments)
    if meta is not None:
        keep = ["segment_id", "participant", "document", "persona", "stage", "channel"]
        if segments is not None:
            keep.append("text")
        out = out.merge(meta[keep], on="segment_id", how="left")
    return out


def _explode(meta: pd.DataFrame, by: str) -> pd.DataFrame:
    df = meta[["segment_id", "participant", by]].copy()
    if by == "persona":
        df[by] = [v if isinstance(v, str) and v.strip() else NONE_VALUE for v in df[by]]
        return df
    df[by] = [[x.strip() for x in v.split(";") if x.strip()] if isinstance(v, str) else [] for v in df[by]]
    df[by] = [v or [NONE_VALUE] for v in df[by]]
    return df.explode(by, ignore_index=True)


def topic_by(result: TopicResult, by: str, segments: pd.DataFrame | None = None,
             include_outliers: bool = False) -> pd.DataFrame:
    if by not in _BY:
        raise ConfigError("E705", "unknown breakdown", value=by, allowed=list(_BY))
    cols = ["topic_id", "label", by, "segments", "participants", "group_participants", "participant_share",
            "segment_share"]
    meta = _explode(_meta(result, segments), by)
    groups = meta.groupby(by)["participant"].nunique().rename("group_participants")
    df = meta.merge(result.assignments[["segment_id", "topic_id"]], on="segment_id", how="inner")
    if not include_outliers:
        df = df[df["topic_id"] != OUTLIER]
    if not len(df):
        return pd.DataFrame(columns=cols)
    g = df.groupby(["topic_id", by]).agg(segments=("segment_id", "nunique"), participants=("participant", "nunique"))
    g = g.reset_index().merge(groups.reset_index(), on=by, how="left")
    topic_sizes = df.groupby("topic_id")["segment_id"].nunique()
    g["participant_share"] = g["participants"] / g["group_participants"]
    g["segment_share"] = g["segments"] / g["topic_id"].map(topic_sizes)
    g["label"] = [result.label_of(int(t)) for t in g["topic_id"]]
    g = g.sort_values(["topic_id", "segments", by], ascending=[True, False, True])
    return g[cols].reset_index(drop=True)


def topic_stage(result: TopicResult, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    return topic_by(result, "stage", segments)


def topic_channel(result: TopicResult, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    return topic_by(result, "channel", segments)


def topic_persona(result: TopicResult, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    return topic_by(result, "persona", segments)


def as_matrix(long: pd.DataFrame, value: str = "participants") -> pd.DataFrame:
    """Pivot a ``topic_by`` table: rows "topic_id · label", columns the breakdown values."""
    by = next(c for c in long.columns if c in _BY)
    if not len(long):
        return pd.DataFrame()
    rows = [f"{t} · {lab}" for t, lab in zip(long["topic_id"], long["label"])]
    m = long.assign(topic=rows).pivot_table(index="topic", columns=by, values=value, aggfunc="sum", fill_value=0)
    order = list(dict.fromkeys(rows))
    return m.reindex(order)
