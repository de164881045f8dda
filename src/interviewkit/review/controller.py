"""The review logic behind the widget (plain Python, unit-tested): current item, actions, progress.

Every action is written to the store before the controller reports it: the
``on_change`` callbacks receive ``{"kind": "saved", "action", "segment_id",
"event_ids", "saved_at"}`` only after the transaction committed (or
``{"kind": "error", "message"}``). Nothing lives only in memory: re-opening the
project shows the same state, and undo/redo continue across sessions.

Blind mode (double coding): the controller's state, tags, statuses and
history come from this coder's events only, so coder B never sees coder A's
decisions (the auto tags stay visible to both).

The item list is fixed when filters are applied (a decided item does not
vanish under the cursor); ``accept_all`` and ``skip`` move to the next item.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..store import utcnow
from . import events as ev
from .labels import LABELS, MULTI, TAG_FIELDS, LabelSet, ReviewError
from .queue import ReviewQueue
from .state import atoms, history


@dataclass
class Tag:
    """One chip: a label (or value) of a field with its status, source, confidence and evidence spans."""

    field: str
    label: str
    present: bool = True
    status: str = "unreviewed"       # unreviewed (auto only), accepted, rejected, edited, resolved
    source: str = "auto"             # auto, human
    confidence: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.field}:{self.label}"


@dataclass
class ReviewItem:
    segment_id: str
    text: str
    document: str
    participant: str | None
    persona: str | None
    speaker: str | None
    start: float | None
    status: str
    tags: list[Tag]
    codes: list[Tag]
    context_before: list[dict[str, Any]]
    context_after: list[dict[str, Any]]
    position: int
    total: int


class ReviewController:
    """Review one project as ``coder`` (``blind=True``: see only your own decisions)."""

    def __init__(self, project, coder: str, blind: bool = False, labels: LabelSet = LABELS,
                 context_turns: int = 1, roles=("participant",)) -> None:
        self.project = project
        self.coder = ev._check_coder(coder)
        self.blind = blind
        self.labels = labels
        self.context_turns = context_turns
        self.queue = ReviewQueue(project, coder=coder if blind else None, roles=roles, labels=labels)
        self.filters: dict[str, Any] = {}
        self.items: list[str] = []
        self._rows: tuple[int, Any] = (-1, None)  # (queue version, row positions of the items)
        self.index = 0
        self.last_saved: dict[str, Any] | None = None
        self._callbacks: list[Callable[[dict[str, Any]], None]] = []
        self.filter()

    # ------------------------------------------------------------------ navigation
    def on_change(self, callback: Callable[[dict[str, Any]], None]) -> None:
        self._callbacks.append(callback)

    def _notify(self, change: dict[str, Any]) -> None:
        for cb in list(self._callbacks):
            cb(change)

    def filter(self, **filters: Any) -> int:
        """Apply filters (see :meth:`ReviewQueue.filter`); returns the number of items."""
        self.filters = {k: v for k, v in filters.items() if v not in (None, "", [], ())}
        rows = self.queue.filter_rows(**self.filters)
        self.items = self.queue.frame["segment_id"].iloc[rows].tolist()
        self._rows = (self.queue.version, rows)
        self.index = 0
        self._notify({"kind": "filter", "total": len(self.items)})
        return len(self.items)

    def refresh(self) -> int:
        """Re-read the store (e.g. another coder or notebook wrote), re-apply the filters, keep the cursor."""
        current = self.segment_id
        self.queue.refresh()
        n = self.filter(**self.filters)
        if current in self.items:
            self.index = self.items.index(current)
        return n

    def goto(self, index: int) -> ReviewItem | None:
        if self.items:
            self.index = max(0, min(index, len(self.items) - 1))
        self._notify({"kind": "move", "index": self.index})
        return self.current

    def next(self) -> ReviewItem | None:
        return self.goto(self.index + 1)

    def previous(self) -> ReviewItem | None:
        return self.goto(self.index - 1)

    @property
    def segment_id(self) -> str | None:
        return self.items[self.index] if self.items else None

    @property
    def current(self) -> ReviewItem | None:
        sid = self.segment_id
        return None if sid is None else self.item(sid)

    def item(self, segment_id: str) -> ReviewItem:
        row = self.queue.frame.loc[segment_id]
        tags, codes = self.tags(segment_id)
        before, after = self.context(segment_id)
        return ReviewItem(segment_id=segment_id, text=row["text"], document=row["document"],
                          participant=_none(row["participant"]), persona=_none(row["persona"]),
                          speaker=_none(row["speaker"]), start=_none(row["start"]), status=row["review_status"],
                          tags=tags, codes=codes, context_before=before, context_after=after,
                          position=self._position(segment_id),
                          total=len(self.items))

    def _position(self, segment_id: str) -> int:
        if self.items and self.items[self.index] == segment_id:
            return self.index
        return self.items.index(segment_id) if segment_id in self.items else -1

    def context(self, segment_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Previous and next turns (speaker, role, start time, text) around the segment's turn."""
        row = self.queue.frame.loc[segment_id]
        n = self.context_turns
        turns = self.project.query(
            """SELECT idx AS turn_index, speaker, role, start_s AS start, end_s AS "end", text FROM turns
               WHERE document_id = ? AND idx BETWEEN ? AND ? AND idx != ? ORDER BY idx""",
            (int(row["document_id"]), int(row["turn_index"]) - n, int(row["turn_index"]) + n, int(row["turn_index"])))
        records = [{k: _none(v) for k, v in r.items()} for r in turns.to_dict("records")]
        return ([r for r in records if r["turn_index"] < row["turn_index"]],
                [r for r in records if r["turn_index"] > row["turn_index"]])

    def tags(self, segment_id: str) -> tuple[list[Tag], list[Tag]]:
        """Chips of the segment: journey tags (auto and human, rejected ones included) and researcher codes."""
        auto = self.project.conn.execute(
            "SELECT * FROM auto_tags WHERE segment_id = ?", (segment_id,)).fetchone()
        conf = json.loads(auto["confidence_json"]) if auto else {}
        evidence = [e for e in (json.loads(auto["evidence_json"]) if auto else [])
                    if e.get("source", "segment") == "segment" and "start" in e]
        at = atoms(ev.load_events(self.project, segment_ids=[segment_id]), self._state_coder, self.labels)
        at = at[at["segment_id"] == segment_id]
        decided = {(r.field, r.label): r for r in at.itertuples(index=False)}
        chips: list[Tag] = []
        for f in TAG_FIELDS:
            auto_val = ev.auto_value(auto, f, self.labels)
            if self.labels.kind(f) == MULTI:
                names = list(dict.fromkeys((auto_val or []) + [lab for (ff, lab) in decided if ff == f]))
                for lab in sorted(names, key=lambda x: self.labels.labels[f].index(x)):
                    chips.append(self._chip(f, lab, decided.get((f, lab)), auto_val is not None and lab in auto_val,
                                            conf, evidence))
            else:
                dec = decided.get((f, ""))
                value = dec.value if dec is not None else auto_val
                if value is not None:
                    chips.append(self._chip(f, str(value), dec, auto_val is not None, conf, evidence))
        codes = [self._chip("code", lab, r, False, {}, []) for (f, lab), r in decided.items()
                 if f == "code" and r.present]
        return chips, sorted(codes, key=lambda t: t.label)

    def _chip(self, f, label, decision, from_auto, conf, evidence) -> Tag:
        ev_label = "irritant" if f == "irritant" else label
        spans = [e for e in evidence if e.get("field") == f and str(e.get("label")) == ev_label]
        status, source, present = "unreviewed", "auto", True
        if decision is not None:
            status = {"accept": "accepted", "reject": "rejected", "resolve": "resolved"}.get(decision.action, "edited")
            source, present = "human", bool(decision.present)
            if pd.notna(decision.span_start):
                spans = [{"field": f, "label": label, "rule": "human", "start": int(decision.span_start),
                          "end": int(decision.span_end)}]
        elif not from_auto:
            source = "human"
        return Tag(field=f, label=label, present=present, status=status, source=source,
                   confidence=None if source == "human" else conf.get(f), evidence=spans)

    @property
    def _state_coder(self) -> str | None:
        return self.coder if self.blind else None

    # ------------------------------------------------------------------ actions (persisted at once)
    def _do(self, action: str, segment_id: str | None, write: Callable[[], list[int]],
            advance: bool = False) -> list[int]:
        sid = segment_id if segment_id is not None else self.segment_id
        if sid is None and action not in ("undo", "redo"):
            raise ReviewError("E801", "no segment to act on: the queue is empty",
                              hint="relax the filters (controller.filter())")
        try:
            ids = write()
        except Exception as exc:
            self._notify({"kind": "error", "action": action, "segment_id": sid, "message": str(exc)})
            raise
        touched = self.project.query(
            "SELECT DISTINCT segment_id FROM decisions WHERE event_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),))["segment_id"].tolist()
        if action in ("undo", "redo"):
            touched += self._batch_segments(ids)
        self.queue.update(touched or [sid])
        self.last_saved = {"kind": "saved", "action": action, "segment_id": touched[0] if touched else sid,
                           "event_ids": ids, "saved_at": utcnow()}
        if action in ("undo", "redo") and touched and touched[0] in self.items:
            self.index = self.items.index(touched[0])
        elif advance and self.index < len(self.items) - 1:
            self.index += 1
        self._notify(dict(self.last_saved))
        return ids

    def _batch_segments(self, ids: list[int]) -> list[str]:
        return self.project.query(
            """SELECT DISTINCT d.segment_id FROM decisions u JOIN decisions d ON d.batch_id = u.batch_id
               WHERE u.event_id IN (SELECT value FROM json_each(?))""", (json.dumps(ids),))["segment_id"].tolist()

    def _record(self, action, field=None, label=None, value=None, memo=None, span=None, segment_id=None):
        sid = segment_id or self.segment_id
        start, end = span if span else (None, None)
        return lambda: [ev.record(self.project, sid, action, field, label, value, coder=self.coder, memo=memo,
                                  span_start=start, span_end=end, labels=self.labels)]

    def accept_all(self, memo: str | None = None, advance: bool = True) -> list[int]:
        """Accept every auto tag of the current segment (one batch) and move on."""
        sid = self.segment_id
        return self._do("accept", sid, lambda: ev.accept_segment(self.project, sid, self.coder, memo, self.labels),
                        advance=advance)

    def accept(self, field: str | None = None, label: str | None = None, memo: str | None = None) -> list[int]:
        """Accept one tag (``field`` + ``label``), a whole field, or (no field) the whole segment."""
        if field is None:
            return self.accept_all(memo=memo, advance=False)
        return self._do("accept", None, self._record("accept", field, label, memo=memo))

    def reject(self, field: str, label: str | None = None, memo: str | None = None) -> list[int]:
        return self._do("reject", None, self._record("reject", field, label, memo=memo))

    def edit(self, field: str, value: Any = None, label: str | None = None, span: tuple[int, int] | None = None,
             memo: str | None = None) -> list[int]:
        """Set a field (``value``: label, number or list of labels) or move a tag's span (``span``)."""
        return self._do("edit", None, self._record("edit", field, label, value, memo, span))

    def add(self, label: str, field: str = "code", span: tuple[int, int] | None = None,
            memo: str | None = None) -> list[int]:
        """Add a code (``field="code"``: any label) or a codebook label."""
        return self._do("add", None, self._record("add", field, label, memo=memo, span=span))

    def remove(self, field: str, label: str, memo: str | None = None) -> list[int]:
        return self._do("remove", None, self._record("remove", field, label, memo=memo))

    def skip(self, memo: str | None = None, advance: bool = True) -> list[int]:
        return self._do("skip", None, self._record("skip", memo=memo), advance=advance)

    def undo(self) -> list[int]:
        return self._do("undo", "", lambda: [ev.undo(self.project, self.coder)])

    def redo(self) -> list[int]:
        return self._do("redo", "", lambda: [ev.redo(self.project, self.coder)])

    # ------------------------------------------------------------------ figures
    def progress(self) -> dict[str, int]:
        """Over the filtered items: reviewed (decided, not skipped), skipped, total, remaining."""
        version, rows = self._rows
        # row positions when the queue was not rebuilt since the filter (no 100k-id lookup per render)
        counts = self.queue.counts(rows=rows) if version == self.queue.version else self.queue.counts(self.items)
        counts["remaining"] = counts["total"] - counts["reviewed"]
        return counts

    def history(self, segment_id: str | None = None) -> pd.DataFrame:
        """Events of a segment (only this coder's in blind mode)."""
        h = history(self.project, segment_id or self.segment_id)
        return h[h["coder"] == self.coder].reset_index(drop=True) if self.blind else h


def _none(value: Any) -> Any:
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value
