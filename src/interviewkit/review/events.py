"""Review decisions as append-only events in the ``decisions`` table.

Nothing is ever updated or deleted: accepting, rejecting, editing, adding or
removing a code, skipping a segment, undoing, redoing and resolving a
disagreement each append one row (coder, UTC timestamp, codebook version,
optional memo). The current state is derived from the events
(:mod:`interviewkit.review.state`), so undo and redo work across sessions:
an ``undo`` event points at the event it cancels (``target_event_id``; when
that event belongs to a bulk batch the whole batch is cancelled), a ``redo``
event points at the ``undo`` it cancels.

What ``value_json`` holds (always the resulting value, so that state never
depends on the auto tags of the moment):

* a label of a multi field (stage, channel, moments) or a ``code``: ``true`` (present) or ``false``;
* a whole multi field (no label): the list of labels it holds;
* emotion, lane: the label; valence: -2..2; irritant: 0/1.

``auto_json`` keeps the auto tag of the field at decision time (to tell later
whether the tagger changed its mind since). Every write is one ``BEGIN
IMMEDIATE`` transaction: concurrent notebooks wait for each other, none fails.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import pandas as pd

from ..store import utcnow
from .labels import BINARY, FREE, INT, LABELS, MULTI, LabelSet, ReviewError

ACTIONS = ("accept", "reject", "edit", "add", "remove", "skip", "undo", "redo", "resolve")
FIELD_ACTIONS = ("accept", "reject", "edit", "add", "remove", "resolve")
PRESENT_ACTIONS = ("accept", "edit", "add", "resolve")
EVENT_COLUMNS = ["event_id", "segment_id", "action", "field", "label", "value_json", "span_start", "span_end",
                 "coder", "created_at", "codebook_version", "memo", "target_event_id", "batch_id", "auto_json"]


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def load_events(project, coder: str | None = None, segment_ids=None) -> pd.DataFrame:
    """All events (columns :data:`EVENT_COLUMNS`) in order, optionally of one coder / some segments."""
    clauses, params = [], []
    if coder is not None:
        clauses.append("coder = ?")
        params.append(coder)
    if segment_ids is not None:
        ids = list(segment_ids)
        # undo/redo rows always come along: they may cancel a batch spanning other segments
        clauses.append("(segment_id IN (SELECT value FROM json_each(?)) OR action IN ('undo', 'redo'))")
        params.append(json.dumps(ids))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    df = pd.read_sql_query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM decisions {where} ORDER BY event_id",
                           project.conn, params=tuple(params))
    for col in ("span_start", "span_end", "target_event_id"):
        df[col] = df[col].astype("Int64")
    return df


def record(project, segment_id: str, action: str, field: str | None = None, label: Any = None,
           value: Any = None, *, coder: str, memo: str | None = None, span_start: int | None = None,
           span_end: int | None = None, target_event_id: int | None = None, batch_id: str | None = None,
           codebook_version: str | None = None, labels: LabelSet = LABELS) -> int:
    """Append one decision and return its ``event_id`` (committed when this returns).

    ``field`` is a codebook field or ``"code"`` (``add`` defaults to ``code``);
    ``label`` a label of that field (any text for ``code``); ``value`` the new
    value for ``edit``/``resolve``/``add`` on single-valued fields or a list of
    labels for a whole multi field. ``undo`` without ``target_event_id`` cancels
    the coder's latest decision (or bulk batch), ``redo`` re-applies the latest undo.
    """
    item = {"segment_id": segment_id, "action": action, "field": field, "label": label, "value": value,
            "memo": memo, "span_start": span_start, "span_end": span_end, "target_event_id": target_event_id,
            "codebook_version": codebook_version}
    return record_many(project, [item], coder=coder, batch_id=batch_id, labels=labels)[0]


def record_many(project, items: list[dict[str, Any]], *, coder: str, batch_id: str | None = None,
                labels: LabelSet = LABELS) -> list[int]:
    """Several decisions in one transaction (all or none). ``batch_id`` groups them for one undo."""
    coder = _check_coder(coder)
    if not items:
        return []
    conn = project.conn
    ids = []
    with project.transaction():
        for item in items:
            row = _prepare(conn, dict(item), coder, labels)
            row["batch_id"] = row.get("batch_id") or item.get("batch_id") or batch_id
            cols = [c for c in EVENT_COLUMNS if c != "event_id"]
            cur = conn.execute(f"INSERT INTO decisions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                               [row.get(c) for c in cols])
            ids.append(cur.lastrowid)
    return ids


def accept_segment(project, segment_id: str, coder: str, memo: str | None = None,
                   labels: LabelSet = LABELS) -> list[int]:
    """Accept every auto tag of a segment (one batch: one undo cancels it all)."""
    if _auto_row(project.conn, segment_id) is None:
        _check_segment(project.conn, segment_id)
        raise ReviewError("E812", "the segment has no auto tag to accept", value=segment_id,
                          hint="run `interviewkit tag` first, or add codes with action 'add'")
    items = [{"segment_id": segment_id, "action": "accept", "field": f, "memo": memo} for f in labels.fields[:-1]]
    return record_many(project, items, coder=coder, batch_id=new_batch_id(), labels=labels)


def undo(project, coder: str, target_event_id: int | None = None, memo: str | None = None) -> int:
    """Cancel the coder's latest active decision (or ``target_event_id``); returns the undo event id."""
    return record(project, "", "undo", coder=coder, target_event_id=target_event_id, memo=memo)


def redo(project, coder: str, memo: str | None = None) -> int:
    """Re-apply what the coder's latest undo cancelled (when nothing was decided since)."""
    return record(project, "", "redo", coder=coder, memo=memo)


# --------------------------------------------------------------------------- preparing one row


def _check_coder(coder: Any) -> str:
    text = str(coder or "").strip()
    if not text:
        raise ReviewError("E811", "a decision needs a coder id", value=coder,
                          hint="pass coder='your initials' (the same id in every session)")
    return text


def _check_segment(conn, segment_id: str) -> str:
    row = conn.execute("SELECT text FROM segments WHERE segment_id = ?", (segment_id,)).fetchone()
    if row is None:
        raise ReviewError("E801", "unknown segment", value=segment_id,
                          hint="take segment ids from project.segments() or the review queue")
    return row[0]


def _auto_row(conn, segment_id: str):
    return conn.execute(
        """SELECT a.*, r.codebook_version AS run_codebook_version FROM auto_tags a
           LEFT JOIN tag_runs r ON r.run_id = a.run_id WHERE a.segment_id = ?""", (segment_id,)).fetchone()


def auto_value(auto_row, field: str, labels: LabelSet) -> Any:
    """The auto tag of ``field`` in an ``auto_tags`` row (None when there is none)."""
    if auto_row is None or field not in auto_row.keys():
        return None
    raw = auto_row[field]
    kind = labels.kind(field)
    if kind == MULTI:
        return [v for v in str(raw or "").split(";") if v]
    if kind in (INT, BINARY):
        return int(raw)
    return raw


def _prepare(conn, item: dict[str, Any], coder: str, labels: LabelSet) -> dict[str, Any]:
    action = item.get("action")
    if action not in ACTIONS:
        raise ReviewError("E802", "unknown review action", value=action, allowed=ACTIONS)
    row = {"action": action, "coder": coder, "created_at": utcnow(), "memo": item.get("memo") or None}
    if action in ("undo", "redo"):
        return _prepare_undo_redo(conn, row, item, coder)
    segment_id = item.get("segment_id")
    text = _check_segment(conn, segment_id)
    auto = _auto_row(conn, segment_id)
    row["segment_id"] = segment_id
    row["codebook_version"] = (item.get("codebook_version") or (auto["run_codebook_version"] if auto else None)
                               or labels.version or _latest_codebook_version(conn))
    if action == "skip":
        return row
    field = item.get("field") or ("code" if action == "add" else None)
    if field is None:
        raise ReviewError("E807", f"action {action!r} needs a field", allowed=labels.fields,
                          hint="give field=..., or use accept_segment() to accept every auto tag")
    kind = labels.kind(field)
    row["field"] = field
    row["auto_json"] = None if kind == FREE else _dump(auto_value(auto, field, labels))
    span = _check_span(item.get("span_start"), item.get("span_end"), text)
    row["span_start"], row["span_end"] = span
    label, value = item.get("label"), item.get("value")
    if kind in (MULTI, FREE):
        _prepare_multi(conn, row, action, field, kind, label, value, span, auto, coder, segment_id, labels)
    else:
        _prepare_single(conn, row, action, field, kind, label, value, span, auto, coder, segment_id, labels)
    return row


def _prepare_multi(conn, row, action, field, kind, label, value, span, auto, coder, segment_id, labels):
    if label is not None and not (isinstance(label, str) and label == ""):
        row["label"] = labels.check_label(field, label)
        present = action in PRESENT_ACTIONS
        if action == "resolve" and isinstance(value, (bool, int)) and value in (0, 1):
            present = bool(value)
        row["value_json"] = _dump(present)
        return
    if kind == FREE:
        raise ReviewError("E807", f"action {action!r} on your codes needs a label",
                          hint="give label='name of the code'")
    if action in ("add", "remove") or (action == "edit" and value is None and span == (None, None)):
        raise ReviewError("E807", f"action {action!r} on field {field!r} needs a label", value=label,
                          allowed=labels.allowed(field), hint="give label=... (or value=[...] to set the field)")
    if span != (None, None) and value is None:
        raise ReviewError("E810", "a span edit on a multi-label field needs the label it applies to",
                          hint="give label=... with span_start/span_end")
    if action == "accept":
        value = auto_value(auto, field, labels)
        if value is None:
            raise ReviewError("E812", "the segment has no auto tag to accept", value=segment_id,
                              hint="use action 'edit' or 'add' to give a value")
    elif action == "reject":
        value = []
    elif value is None:
        raise ReviewError("E807", f"action {action!r} on field {field!r} needs a value or a label",
                          hint="give value=[labels] or label=...")
    row["value_json"] = _dump(labels.check_value(field, value))


def _prepare_single(conn, row, action, field, kind, label, value, span, auto, coder, segment_id, labels):
    given = value if value is not None else label
    current = auto_value(auto, field, labels)
    if action == "accept":
        if given is None:
            if current is None:
                raise ReviewError("E812", "the segment has no auto tag to accept", value=segment_id,
                                  hint="use action 'edit' or 'add' to give a value")
            given = current
    elif action in ("reject", "remove"):
        from .state import segment_value  # what the coder sees now (their decision, else the auto tag)

        current = segment_value(conn, segment_id, field, coder, labels)
        if kind == BINARY:
            given = 1 - int(current or 0) if action == "reject" else 0
        else:
            given = labels.default(field)
    elif given is None:
        if span == (None, None):
            raise ReviewError("E807", f"action {action!r} on field {field!r} needs a value",
                              allowed=labels.allowed(field), hint="give value=... (or label=...)")
        from .state import segment_value  # a span edit keeps the value the coder sees

        given = segment_value(conn, segment_id, field, coder, labels)
        if given is None:
            raise ReviewError("E807", "nothing to attach the span to: the field has no value yet",
                              hint="give value=... with the span")
    row["value_json"] = _dump(labels.check_value(field, given))
    # label: the value the decision is about (for reject/remove the value turned down)
    concerned = current if action in ("reject", "remove") else json.loads(row["value_json"])
    row["label"] = None if concerned is None else str(concerned)


def _prepare_undo_redo(conn, row: dict, item: dict, coder: str) -> dict:
    from .state import active_flags

    ev = pd.read_sql_query(
        "SELECT event_id, segment_id, action, coder, target_event_id, batch_id FROM decisions ORDER BY event_id",
        conn)
    ev["active"] = active_flags(ev)
    target = item.get("target_event_id")
    mine = ev[ev["coder"] == coder]
    regular = ev["action"].isin(FIELD_ACTIONS + ("skip",))
    if row["action"] == "undo":
        if target is None:
            cands = mine[regular.loc[mine.index] & mine["active"]]
            if cands.empty:
                raise ReviewError("E808", "nothing to undo", value=coder, hint="this coder has no active decision")
            target = int(cands["event_id"].iloc[-1])
        hit = ev[ev["event_id"] == int(target)]
        if hit.empty or not regular[hit.index[0]] or not hit["active"].iloc[0]:
            raise ReviewError("E808", "the event to undo does not exist, is an undo/redo, or is already undone",
                              value=target, hint="see review.history(project, segment_id) for event ids")
    else:
        if target is None:
            last_regular = mine.loc[regular.loc[mine.index], "event_id"].max()
            cands = mine[(mine["action"] == "undo") & mine["active"]
                         & (mine["event_id"] > (last_regular if pd.notna(last_regular) else -1))]
            if cands.empty:
                raise ReviewError("E809", "nothing to redo", value=coder,
                                  hint="redo only re-applies an undo made after the coder's last decision")
            target = int(cands["event_id"].iloc[-1])
        hit = ev[ev["event_id"] == int(target)]
        if hit.empty or hit["action"].iloc[0] != "undo" or not hit["active"].iloc[0]:
            raise ReviewError("E809", "a redo must point at an active undo event", value=target)
    row["target_event_id"] = int(target)
    row["segment_id"] = hit["segment_id"].iloc[0]
    row["batch_id"] = hit["batch_id"].iloc[0] if pd.notna(hit["batch_id"].iloc[0]) else None
    return row


def _check_span(start: Any, end: Any, text: str) -> tuple[int | None, int | None]:
    if start is None and end is None:
        return None, None
    try:
        s, e = int(start), int(end)
    except (TypeError, ValueError):
        s = e = -1
    if not 0 <= s < e <= len(text):
        raise ReviewError("E810", f"span must satisfy 0 <= span_start < span_end <= {len(text)} (segment length)",
                          value=(start, end), hint="give character offsets inside the segment text")
    return s, e


def _latest_codebook_version(conn) -> str | None:
    row = conn.execute("SELECT codebook_version FROM tag_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
