"""The review queue: which segments to look at, in which order, with which filters.

The queue is one DataFrame built once (one SQL query over segments, turns,
documents, participants and auto tags; human decisions overlaid for decided
segments only) and then filtered with vectorised pandas masks, so filtering
100k segments takes milliseconds; the text searched (text + codes, case and
accents folded) and the ``;label;`` columns of multi-label fields are also
prepared once, when the queue is built. After a decision, :meth:`ReviewQueue.update`
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
import pyarrow as pa
import pyarrow.compute as pc

from .events import load_events
from .labels import LABELS, MULTI, TAG_FIELDS, LabelSet, ReviewError
from .state import STATUSES, final_tags, segment_status

FILTERS = ("participant", "persona", "document", "speaker", "stage", "channel", "emotion", "lane", "moments",
           "irritant", "valence", "confidence", "status", "search", "codes")
_CONF_FIELDS = ("stage", "channel", "emotion", "valence", "irritant", "moments", "lane")
_DECIDED_TEXT = ("stage", "channel", "emotion", "moments", "lane", "review_status", "codes")


def _fold(series: pd.Series) -> pd.Series:
    """Lower-case, accents removed, in Arrow compute kernels: 'Élodie' -> 'elodie', 'Straße' -> 'strasse'.

    NFKD, combining marks (U+0300-U+036F) dropped, lower case, 'ß' -> 'ss'; about twice as fast as the
    same steps through pandas' per-string ``casefold``.
    """
    arr = pa.array(series.fillna("").astype("str").array)
    arr = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(arr, form="NFKD"),
                                                   pattern="[\u0300-\u036f]+", replacement=""))
    arr = pc.replace_substring(arr, pattern="ß", replacement="ss")
    return pd.Series(arr, index=series.index, dtype="str")


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
        self.version = 0  # bumped by every rebuild: row positions from :meth:`filter_rows` hold until then
        self._folded: pd.Series | None = None  # text + codes, folded (see ``_fold``)
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
        for col in _DECIDED_TEXT:  # object: a decision rewrites a few cells in place (Arrow would copy the column)
            df[col] = df[col].astype(object)
        self.frame = df.set_index("segment_id", drop=False).sort_values("order")  # filtering keeps this order
        self._folded = None  # set below, after the decisions are overlaid
        self._wrapped: dict[str, pd.Series] = {}
        self.version += 1
        events = load_events(self.project)
        decided = segment_status(events, self.coder)["segment_id"]
        self.update(decided[self.frame.index.get_indexer(decided) >= 0], events=events)
        # built once here (a few hundred ms over 100k segments), so that no filter interaction pays for them
        self._folded = _fold(self.frame["text"] + " " + self.frame["codes"].fillna(""))
        for key in ("stage", "channel", "moments", "codes"):  # Arrow strings: fast substring search
            self._wrapped[key] = (";" + self.frame[key].fillna("") + ";").astype("str")
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
                           events=None if events is None else events).set_index("segment_id").loc[ids]
        rows = self.frame.index.get_indexer(ids)
        columns = list(TAG_FIELDS) + ["review_status", "codes"]
        if len(rows) <= 64:  # one decision: cell by cell, in place (a column assignment costs ms per column)
            positions = [self.frame.columns.get_loc(col) for col in columns]
            for r, values in zip(rows, final[columns].to_numpy(dtype=object)):
                for c, value in zip(positions, values):
                    self.frame.iat[r, c] = value
        else:
            for col in columns:
                self.frame.iloc[rows, self.frame.columns.get_loc(col)] = final[col].to_numpy()
        changed = self.frame.iloc[rows]
        if self._folded is not None:
            self._folded.iloc[rows] = _fold(changed["text"] + " " + changed["codes"].fillna("")).to_numpy()
        for key, wrapped in self._wrapped.items():
            wrapped.iloc[rows] = (";" + changed[key].fillna("") + ";").to_numpy()

    # ------------------------------------------------------------------ filtering
    def filter(self, **filters: Any) -> pd.DataFrame:
        """Rows matching every filter, in review order. Filters (``None`` = no filter):

        participant, persona, document, speaker, emotion, lane, status, codes: a value or a list (any of);
        stage, channel, moments: a label or a list (segments holding any of them);
        irritant: 0/1; valence: a value or list; confidence: ``(low, high)`` inclusive (either may be None);
        search: words that must all appear in the text or codes (case and accents ignored).
        """
        return self.frame.iloc[self.filter_rows(**filters)]

    def filter_rows(self, **filters: Any) -> np.ndarray:
        """Positions (in :attr:`frame`, i.e. review order) of the rows :meth:`filter` returns; valid until the
        next :meth:`refresh` (see :attr:`version`)."""
        unknown = set(filters) - set(FILTERS)
        if unknown:
            raise ReviewError("E813", "unknown review filter", value=sorted(unknown), allowed=FILTERS)
        mask = np.ones(len(self.frame), dtype=bool)
        for key, value in filters.items():
            if value is None or (isinstance(value, (list, tuple, set)) and not value and key != "confidence"):
                continue
            mask &= self._mask(key, value)
        return np.flatnonzero(mask)

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
        # search (over the text and codes folded when the queue was built)
        mask = np.ones(len(df), dtype=bool)
        for word in _fold(pd.Series([str(value)])).iloc[0].split():
            mask &= self._folded.str.contains(word, regex=False).to_numpy()
        return mask

    # ------------------------------------------------------------------ figures
    def counts(self, ids: Iterable[str] | None = None, rows: np.ndarray | None = None) -> dict[str, int]:
        """Segments per review status (over ``ids``, or the row positions ``rows`` from :meth:`filter_rows`,
        or the whole queue) plus ``total`` and ``reviewed``."""
        status = self.frame["review_status"]
        if rows is not None:
            status = status.iloc[rows]
        elif ids is not None:
            status = status.loc[list(ids)]
        out = {s: 0 for s in STATUSES}
        out.update(status.value_counts().to_dict())
        out["total"] = len(status)
        out["reviewed"] = out["total"] - out["unreviewed"] - out["skipped"]
        return out
