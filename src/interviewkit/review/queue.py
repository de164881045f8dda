"""The review queue: which segments to look at, in which order, with which filters.

The queue is one DataFrame built once (one SQL query over segments, turns,
documents, participants and auto tags; human decisions overlaid for decided
segments only) and then filtered with vectorised pandas masks, so filtering
100k segments takes milliseconds. After a decision, :meth:`ReviewQueue.update`
refreshes the rows of the segments concerned only.

Ordering (``order`` column, ascending):

1. **least certain first**: the segment's confidence is the lowest confidence
   the tagger gave to any of its fields, rounded down to a 0.1 bin; segments
   without auto tags come first (nothing is known about them);
2. then **most frequent labels first** within a bin: each segment scores the
   corpus frequency of its most frequent auto label (stage, channel, moments,
   emotion other than neutral, lane other than customer, irritant), so a
   correction made early teaches about many segments;
3. then reading order (document, turn, sentence).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .events import load_events
from .labels import LABELS, MULTI, TAG_FIELDS, LabelSet, ReviewError
from .state import STATUSES, final_tags, segment_status

FILTERS = ("participant", "persona", "document", "speaker", "stage", "channel", "emotion", "lane", "moments",
           "irritant", "valence", "confidence", "status", "search", "codes")
_CONF_FIELDS = ("stage", "channel", "emotion", "valence", "irritant", "moments", "lane")


def _fold(series: pd.Series) -> pd.Series:
    """Lower-case, accents removed (vectorised): 'Élodie' -> 'elodie'."""
    return (series.fillna("").str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
            .str.casefold())


class ReviewQueue:
    """Segments to review (``roles``: speaker roles kept, customer speech by default).

    ``coder``: whose decisions overlay the auto tags and give the status (None: everyone's;
    blind coding passes the coder id).
    """

    def __init__(self, project, coder: str | None = None, roles: Iterable[str] | None = ("participant",),
                 labels: LabelSet = LABELS) -> None:
        self.project = project
        self.coder = coder
        self.roles = tuple(roles) if roles is not None else None
        self.labels = labels
        self.frame = pd.DataFrame()
        self._folded: pd.Series | None = None
        self.refresh()

    # ------------------------------------------------------------------ building
    def refresh(self) -> pd.DataFrame:
        """Rebuild the whole queue from the store."""
        conf = ", ".join(f"COALESCE(json_extract(a.confidence_json, '$.{f}'), 9)" for f in _CONF_FIELDS)
        role = ""
        params: tuple = ()
        if self.roles is not None:
            role = "AND t.role IN (SELECT value FROM json_each(?))"
            params = (json.dumps(list(self.roles)),)
        df = self.project.query(
            f"""SELECT s.segment_id, s.document_id, d.name AS document, t.participant_id AS participant,
                       p.persona, t.speaker, t.role, s.turn_id, t.idx AS turn_index, s.idx AS segment_index,
                       s.start_s AS start, s.end_s AS "end", s.text,
                       a.stage, a.channel, a.emotion, a.valence, a.irritant, a.moments, a.lane,
                       CASE WHEN a.segment_id IS NULL THEN NULL ELSE MIN({conf}) END AS confidence,
                       a.segment_id IS NOT NULL AS tagged
                FROM segments s JOIN turns t ON t.turn_id = s.turn_id
                JOIN documents d ON d.document_id = s.document_id
                LEFT JOIN participants p ON p.participant_id = t.participant_id
                LEFT JOIN auto_tags a ON a.segment_id = s.segment_id
                WHERE d.is_current = 1 {role}
                ORDER BY d.path, t.idx, s.idx""", params)
        df["confidence"] = df["confidence"].where(df["confidence"] < 9)
        df["position"] = np.arange(len(df))
        df["label_freq"] = self._label_frequency(df)
        bins = np.floor(df["confidence"].fillna(-0.1).to_numpy() * 10) / 10
        order = np.lexsort((df["position"].to_numpy(), -df["label_freq"].to_numpy(), bins))
        df["order"] = np.empty(len(df), dtype=int)
        df.loc[df.index[order], "order"] = np.arange(len(df))
        df["review_status"] = "unreviewed"
        df["codes"] = ""
        for col in ("valence", "irritant"):
            df[col] = df[col].astype("Int64")
        self.frame = df.set_index("segment_id", drop=False).sort_values("order")  # filtering keeps this order
        self._folded = None
        self._wrapped: dict[str, pd.Series] = {}
        events = load_events(self.project)
        decided = segment_status(events, self.coder)["segment_id"]
        self.update(decided[self.frame.index.get_indexer(decided) >= 0], events=events)
        return self.frame

    def _label_frequency(self, df: pd.DataFrame) -> pd.Series:
        parts = []
        for f in ("stage", "channel", "moments"):
            s = df[f].fillna("").str.split(";").explode()
            parts.append((f + ":" + s[s != ""]))
        parts.append("emotion:" + df.loc[df["emotion"].notna() & (df["emotion"] != "neutral"), "emotion"])
        parts.append("lane:" + df.loc[df["lane"].notna() & (df["lane"] != "customer"), "lane"])
        parts.append(pd.Series("irritant:1", index=df.index[df["irritant"].fillna(0).astype(int) == 1]))
        keys = pd.concat(parts)
        if keys.empty:
            return pd.Series(0, index=df.index)
        freq = keys.map(keys.value_counts())
        return freq.groupby(level=0).max().reindex(df.index).fillna(0).astype(int)

    def update(self, segment_ids: Iterable[str], events: pd.DataFrame | None = None) -> None:
        """Refresh status and final tags of some segments after decisions on them."""
        ids = list(dict.fromkeys(segment_ids))
        ids = [s for s, ok in zip(ids, self.frame.index.get_indexer(ids) >= 0) if ok]
        if not ids:
            return
        final = final_tags(self.project, self.coder, self.labels, segment_ids=ids,
                           events=None if events is None else events).set_index("segment_id")
        for col in list(TAG_FIELDS) + ["review_status", "codes"]:
            self.frame.loc[ids, col] = final.loc[ids, col].to_numpy()
        if self._folded is not None:
            self._folded.loc[ids] = _fold(self.frame.loc[ids, "text"] + " " + self.frame.loc[ids, "codes"])
        for key, wrapped in self._wrapped.items():
            wrapped.loc[ids] = ";" + self.frame.loc[ids, key].fillna("") + ";"

    # ------------------------------------------------------------------ filtering
    def filter(self, **filters: Any) -> pd.DataFrame:
        """Rows matching every filter, in review order. Filters (``None`` = no filter):

        participant, persona, document, speaker, emotion, lane, status, codes: a value or a list (any of);
        stage, channel, moments: a label or a list (segments holding any of them);
        irritant: 0/1; valence: a value or list; confidence: ``(low, high)`` inclusive (either may be None);
        search: words that must all appear in the text or codes (case and accents ignored).
        """
        unknown = set(filters) - set(FILTERS)
        if unknown:
            raise ReviewError("E813", "unknown review filter", value=sorted(unknown), allowed=FILTERS)
        df = self.frame
        mask = np.ones(len(df), dtype=bool)
        for key, value in filters.items():
            if value is None or (isinstance(value, (list, tuple, set)) and not value and key != "confidence"):
                continue
            mask &= self._mask(key, value)
        return df[mask]

    def _mask(self, key: str, value: Any) -> np.ndarray:
        df = self.frame
        values = [value] if isinstance(value, (str, int, float)) else list(value)
        if key in ("participant", "persona", "document", "speaker", "emotion", "lane"):
            return df[key].isin(values).to_numpy()
        if key == "status":
            bad = [v for v in values if v not in STATUSES]
            if bad:
                raise ReviewError("E813", "unknown review status", value=bad, allowed=STATUSES)
            return df["review_status"].isin(values).to_numpy()
        if key in ("stage", "channel", "moments", "codes"):
            if key != "codes" and self.labels.kind(key) == MULTI:
                values = [self.labels.check_label(key, v) for v in values]
            if key not in self._wrapped:
                self._wrapped[key] = ";" + df[key].fillna("") + ";"
            wrapped = self._wrapped[key]
            mask = np.zeros(len(df), dtype=bool)
            for v in values:
                mask |= wrapped.str.contains(f";{v};", regex=False).to_numpy()
            return mask
        if key in ("irritant", "valence"):
            checked = [self.labels.check_value(key, v) for v in values]
            return df[key].isin(checked).fillna(False).to_numpy(dtype=bool)
        if key == "confidence":
            low, high = (value, None) if isinstance(value, (int, float)) else tuple(value)
            conf = df["confidence"]
            mask = conf.notna().to_numpy().copy()
            if low is not None:
                mask &= (conf >= float(low)).fillna(False).to_numpy(dtype=bool)
            if high is not None:
                mask &= (conf <= float(high)).fillna(False).to_numpy(dtype=bool)
            return mask
        # search
        if self._folded is None:
            self._folded = _fold(df["text"] + " " + df["codes"].fillna(""))
        mask = np.ones(len(df), dtype=bool)
        for word in _fold(pd.Series([str(value)])).iloc[0].split():
            mask &= self._folded.str.contains(word, regex=False).to_numpy()
        return mask

    # ------------------------------------------------------------------ figures
    def counts(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        """Segments per review status (over ``ids`` or the whole queue) plus ``total`` and ``reviewed``."""
        df = self.frame if ids is None else self.frame.loc[list(ids)]
        out = {s: 0 for s in STATUSES}
        out.update(df["review_status"].value_counts().to_dict())
        out["total"] = len(df)
        out["reviewed"] = out["total"] - out["unreviewed"] - out["skipped"]
        return out
