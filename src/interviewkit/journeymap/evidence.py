"""Checking and normalising the evidence DataFrame the maps are built from.

Contract (one row per customer segment; final tags already decided upstream):
``segment_id, document, participant, persona, role, turn_index, segment_index,
start, text, stage, channel, emotion, valence, irritant, moments, lane`` and
optionally ``topic_id, topic_label``. Multi-valued columns (stage, channel,
moments) hold ``;``-joined ids. Only ``role == "participant"`` rows are used.

Errors (``MapError``) name the segment, the bad value, what is allowed and how
to fix it. Nothing is guessed: an unknown label is an error, not dropped.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .model import CHANNELS, EMOTIONS, MOMENTS, SEGMENT_LANES, MapError

REQUIRED = ("segment_id", "participant", "persona", "role", "text", "stage", "channel", "emotion",
            "valence", "irritant", "moments", "lane")
OPTIONAL = {"document": "", "turn_index": None, "segment_index": None, "start": None,
            "topic_id": None, "topic_label": None}
MULTI = ("stage", "channel", "moments")


def split_ids(value: Any) -> tuple[str, ...]:
    """``"a; b;;a"`` -> ``("a", "b")``; lists/tuples accepted; NaN/None -> ``()``."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple, set)):
        parts = [str(v) for v in value]
    else:
        try:
            if pd.isna(value):
                return ()
        except (TypeError, ValueError):
            pass
        parts = str(value).split(";")
    out: dict[str, None] = {}
    for p in parts:
        p = p.strip()
        if p:
            out.setdefault(p, None)
    return tuple(out)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def prepare_evidence(
    df: pd.DataFrame,
    *,
    stages: Sequence[str],
    channels: Sequence[str] = CHANNELS,
    emotions: Sequence[str] = EMOTIONS,
    moments: Sequence[str] = MOMENTS,
    persona_column: str = "persona",
) -> tuple[pd.DataFrame, list[str]]:
    """Validated copy of ``df`` (participant rows only, tuples for multi-valued columns) and warnings."""
    if not isinstance(df, pd.DataFrame):
        raise MapError("E902", "the evidence must be a pandas DataFrame", value=type(df).__name__,
                       hint="pass the evidence table built from the store (one row per segment)")
    required = list(REQUIRED) if persona_column == "persona" else [*REQUIRED, persona_column]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise MapError("E901", f"the evidence table lacks column(s) {', '.join(missing)}", value=missing,
                       allowed=required, hint="build it with every tag column (see docs/journeymap.md)")
    warnings: list[str] = []
    out = df.copy()
    for col, default in OPTIONAL.items():
        if col not in out.columns:
            out[col] = default
    out["persona"] = out[persona_column]
    out = out[out["role"].astype("string").fillna("") == "participant"].copy()
    out["segment_id"] = out["segment_id"].astype(str)
    dup = out["segment_id"][out["segment_id"].duplicated()]
    if len(dup):
        raise MapError("E905", "segment ids must be unique in the evidence table", value=dup.iloc[0],
                       hint="keep one row per segment (merge tags before building maps)")
    out["text"] = out["text"].map(lambda v: "" if _missing(v) else str(v))
    out["document"] = out["document"].map(lambda v: "" if _missing(v) else str(v))
    out["persona"] = out["persona"].map(lambda v: None if _missing(v) or str(v).strip() == "" else str(v).strip())
    no_participant = out["participant"].map(_missing)
    if no_participant.any():
        out.loc[no_participant, "participant"] = out.loc[no_participant, "document"].map(lambda d: f"?{d}")
        warnings.append(f"{int(no_participant.sum())} segments sans participant : comptés par document (« ?nom »).")
    out["participant"] = out["participant"].astype(str)
    vocab = {"stage": stages, "channel": channels, "moments": moments}
    for col in MULTI:
        out[col] = out[col].map(split_ids)
        _check_labels(out, col, vocab[col])
    out["emotion"] = out["emotion"].map(lambda v: "neutral" if _missing(v) or str(v).strip() == "" else str(v).strip())
    _check_single(out, "emotion", emotions)
    out["lane"] = out["lane"].map(lambda v: "customer" if _missing(v) or str(v).strip() == "" else str(v).strip())
    _check_single(out, "lane", SEGMENT_LANES)
    out["valence"] = _int_column(out, "valence", -2, 2)
    out["irritant"] = _int_column(out, "irritant", 0, 1).astype(bool)
    out["topic_id"] = _objects(out["topic_id"], int)
    out["topic_label"] = _objects(out["topic_label"], lambda v: str(v).strip() or None)
    for col in ("turn_index", "segment_index"):
        out[col] = _objects(out[col], int)
    out["start"] = _objects(out["start"], float)
    order = out.assign(_t=out["turn_index"].map(lambda v: -1 if v is None else v),
                       _s=out["segment_index"].map(lambda v: -1 if v is None else v))
    order = order.sort_values(["document", "_t", "_s", "segment_id"], kind="mergesort")
    return order.drop(columns=["_t", "_s"]).reset_index(drop=True), warnings


def _objects(series: pd.Series, convert) -> pd.Series:
    """Python values with None for missing (pandas would turn None back into NaN in a float column)."""
    return pd.Series([None if _missing(v) else convert(v) for v in series], index=series.index, dtype=object)


def _check_labels(df: pd.DataFrame, col: str, allowed: Sequence[str]) -> None:
    allowed_set = set(allowed)
    for sid, values in zip(df["segment_id"], df[col]):
        bad = [v for v in values if v not in allowed_set]
        if bad:
            raise MapError("E903", f"unknown {col} id in segment {sid}", value=bad[0], allowed=allowed,
                           hint=f"fix the {col} tags (or pass the codebook that defines it)")


def _check_single(df: pd.DataFrame, col: str, allowed: Sequence[str]) -> None:
    bad = df[~df[col].isin(list(allowed))]
    if len(bad):
        raise MapError("E903", f"unknown {col} in segment {bad['segment_id'].iloc[0]}", value=bad[col].iloc[0],
                       allowed=allowed, hint=f"use one {col} id per segment")


def _int_column(df: pd.DataFrame, col: str, lo: int, hi: int) -> pd.Series:
    values = []
    for sid, v in zip(df["segment_id"], df[col]):
        try:
            n = int(v)
            ok = float(v) == n and lo <= n <= hi
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise MapError("E904", f"{col} of segment {sid} must be an integer from {lo} to {hi}", value=v,
                           allowed=list(range(lo, hi + 1)), hint=f"fix the {col} tag of that segment")
        values.append(n)
    return pd.Series(values, index=df.index, dtype="int64")
