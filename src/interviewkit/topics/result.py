"""The store-independent result of a topic run, and validation of the input segments frame.

Input contract (one row a segment): ``segment_id`` (str, unique), ``text`` (pseudonymised str),
``participant`` (str), ``persona`` (str or None), ``document`` (str), ``stage`` (``;``-joined ids or
""), ``channel`` (``;``-joined or ""), ``irritant`` (0/1), ``language`` ("fr"/"en").
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "TopicResult",
    "validate_segments",
    "SEGMENT_COLUMNS",
    "TOPIC_COLUMNS",
    "ASSIGNMENT_COLUMNS",
    "META_COLUMNS",
    "OUTLIER",
]

OUTLIER = -1
SEGMENT_COLUMNS = ["segment_id", "text", "participant", "persona", "document", "stage", "channel",
                   "irritant", "language"]
META_COLUMNS = ["segment_id", "participant", "persona", "document", "stage", "channel", "irritant", "language"]
TOPIC_COLUMNS = ["topic_id", "label", "keywords", "segments", "participants", "is_irritant",
                 "representative_segment_ids"]
ASSIGNMENT_COLUMNS = ["segment_id", "topic_id", "probability"]


def _str_or_empty(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def validate_segments(segments: pd.DataFrame, *, name: str = "segments") -> pd.DataFrame:
    """Check the input contract and return a normalised copy (object dtypes, clean values).

    Raises ``InputError`` E701 naming the column/row, what was found and what is allowed.
    """
    if not isinstance(segments, pd.DataFrame):
        raise InputError("E701", f"{name} must be a pandas DataFrame", value=type(segments).__name__)
    missing = [c for c in SEGMENT_COLUMNS if c not in segments.columns]
    if missing:
        raise InputError("E701", f"{name} frame lacks required columns", value=missing, allowed=SEGMENT_COLUMNS,
                         hint="build the frame with the columns of the topics input contract (docs/topics.md)")
    df = segments[SEGMENT_COLUMNS].copy().reset_index(drop=True)
    out = pd.DataFrame(index=df.index)
    for col in ("segment_id", "text", "participant", "document", "stage", "channel"):
        out[col] = pd.Series([_str_or_empty(v) for v in df[col]], dtype=object, index=df.index)
    out["persona"] = pd.Series([(_str_or_empty(v) or None) for v in df["persona"]], dtype=object, index=df.index)
    empty_id = out.index[out["segment_id"].str.strip() == ""]
    if len(empty_id):
        raise InputError("E701", f"{name}: segment_id is empty", line=int(empty_id[0]) + 1,
                         hint="give every segment its store id")
    dup = out["segment_id"][out["segment_id"].duplicated()]
    if len(dup):
        raise InputError("E701", f"{name}: segment_id values must be unique", value=dup.iloc[0],
                         line=int(dup.index[0]) + 1, hint="drop duplicated segments before fitting")
    no_part = out.index[out["participant"].str.strip() == ""]
    if len(no_part):
        raise InputError("E701", f"{name}: participant is empty", line=int(no_part[0]) + 1,
                         value=out.at[no_part[0], "segment_id"], hint="link every segment to a participant id")
    irr = []
    for i, v in enumerate(df["irritant"]):
        if isinstance(v, (bool, np.bool_)):
            irr.append(int(v))
        elif v in (0, 1) and not (isinstance(v, float) and np.isnan(v)):
            irr.append(int(v))
        else:
            raise InputError("E701", f"{name}: irritant must be 0 or 1", line=i + 1, value=v, allowed=[0, 1])
    out["irritant"] = np.asarray(irr, dtype=np.int64)
    langs = [_str_or_empty(v).lower() or "fr" for v in df["language"]]
    for i, lg in enumerate(langs):
        if lg not in ("fr", "en"):
            raise InputError("E701", f"{name}: unsupported language", line=i + 1, value=lg, allowed=["fr", "en"])
    out["language"] = pd.Series(langs, dtype=object, index=df.index)
    return out[SEGMENT_COLUMNS]


def empty_topics() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TOPIC_COLUMNS})


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class TopicResult:
    """Everything a run produced; plain data, no BERTopic object.

    ``topics`` (TOPIC_COLUMNS), ``assignments`` (ASSIGNMENT_COLUMNS, one row per input segment,
    topic -1 = outlier), ``meta`` (META_COLUMNS, for counts by participant/stage/channel/persona),
    ``centroids`` (topic_id -> unit vector in the embedding space), ``radii`` (topic_id -> cosine
    threshold used by ``assign_new``), ``keyword_scores`` (topic_id -> [(word, c-TF-IDF)]),
    ``lemma_docs``/``phrases``/``embeddings`` aligned with ``assignments`` (kept in memory and in
    saved models, not in the SQL store).
    """

    topics: pd.DataFrame
    assignments: pd.DataFrame
    outlier_share: float | None
    message: str
    status: str = "ok"
    embedding: str = ""
    settings: dict = field(default_factory=dict)
    meta: pd.DataFrame | None = None
    centroids: dict[int, np.ndarray] = field(default_factory=dict)
    radii: dict[int, float] = field(default_factory=dict)
    keyword_scores: dict[int, list[tuple[str, float]]] = field(default_factory=dict)
    lemma_docs: list[str] | None = None
    phrases: list[list[tuple[str, str]]] | None = None
    embeddings: np.ndarray | None = None
    embedder_state: dict | None = None
    curation_log: list[dict] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    run_id: int | None = None

    @property
    def n_segments(self) -> int:
        return int(len(self.assignments))

    def topic_ids(self) -> list[int]:
        return [int(t) for t in self.topics["topic_id"]]

    def members(self, topic_id: int) -> list[str]:
        a = self.assignments
        return a.loc[a["topic_id"] == topic_id, "segment_id"].tolist()

    def label_of(self, topic_id: int) -> str:
        if topic_id == OUTLIER:
            return "(hors thème)"
        row = self.topics.loc[self.topics["topic_id"] == topic_id]
        return str(row["label"].iloc[0]) if len(row) else f"thème {topic_id}"

    def copy(self) -> "TopicResult":
        import copy

        new = copy.copy(self)
        new.topics = self.topics.copy()
        new.assignments = self.assignments.copy()
        new.meta = None if self.meta is None else self.meta.copy()
        new.centroids = {k: v.copy() for k, v in self.centroids.items()}
        new.radii = dict(self.radii)
        new.keyword_scores = {k: list(v) for k, v in self.keyword_scores.items()}
        new.settings = dict(self.settings)
        new.curation_log = list(self.curation_log)
        return new
