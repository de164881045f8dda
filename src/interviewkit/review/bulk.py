"""Bulk acceptance: every auto tag produced by one rule, or every auto tag of a label above a confidence.

A bulk action is one batch (one ``batch_id``) written in one transaction:
``events.undo(project, coder)`` right after it cancels the whole batch.
Tags a human already decided (any coder; only this coder in blind mode with
``blind=True``) are left alone: a bulk action never overrides a decision.

>>> # accept_rule(project, "stage.support.fr[3]", coder="CV")          # one pattern
>>> # accept_rule(project, "channel.phone.*", coder="CV")              # glob over rule ids
>>> # accept_label(project, "channel", "phone", coder="CV", min_confidence=0.8)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from ..store import utcnow
from .events import EVENT_COLUMNS, _check_coder, load_events, new_batch_id
from .labels import BINARY, INT, LABELS, MULTI, SINGLE, LabelSet, ReviewError
from .state import atoms


@dataclass
class BulkResult:
    """What a bulk action wrote: ``batch_id`` (undo it with ``events.undo``), event ids, segments."""

    batch_id: str | None
    event_ids: list[int] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    already_decided: int = 0

    def summary(self) -> str:
        return (f"{len(self.event_ids)} tags accepted on {len(self.segments)} segments "
                f"({self.already_decided} left alone: already decided); batch {self.batch_id}")


def rule_matches(project, rule: str) -> pd.DataFrame:
    """Auto tags backed by evidence of ``rule`` (exact id, or a glob such as ``stage.support.*``).

    Columns: segment_id, field, label, confidence, stage … lane (the auto tag row).
    """
    # rule ids hold brackets (``fr[3]``): only * and ? are wildcards
    op, pattern = ("GLOB", rule.replace("[", "[[]")) if any(ch in rule for ch in "*?") else ("=", rule)
    return project.query(
        f"""SELECT DISTINCT a.segment_id, json_extract(e.value, '$.field') AS field,
                   CAST(json_extract(e.value, '$.label') AS TEXT) AS label,
                   json_extract(a.confidence_json, '$.' || json_extract(e.value, '$.field')) AS confidence,
                   a.stage, a.channel, a.emotion, a.valence, a.irritant, a.moments, a.lane,
                   r.codebook_version
            FROM auto_tags a JOIN segments s ON s.segment_id = a.segment_id
            JOIN documents d ON d.document_id = s.document_id AND d.is_current = 1
            LEFT JOIN tag_runs r ON r.run_id = a.run_id, json_each(a.evidence_json) e
            WHERE json_extract(e.value, '$.rule') {op} ?
            ORDER BY a.segment_id""", (pattern,))


def label_matches(project, field_name: str, label, min_confidence: float = 0.0,
                  labels: LabelSet = LABELS) -> pd.DataFrame:
    """Auto tags of ``field_name`` = ``label`` whose field confidence is at least ``min_confidence``."""
    kind = labels.kind(field_name)
    if kind == MULTI:
        label = labels.check_label(field_name, label)
        cond, value = f"(';' || a.{field_name} || ';') LIKE ?", f"%;{label};%"
    elif kind in (INT, BINARY, SINGLE):
        value = labels.check_value(field_name, label)
        cond, label = f"a.{field_name} = ?", str(value)
    else:
        raise ReviewError("E803", "bulk acceptance works on codebook fields only", value=field_name,
                          allowed=labels.fields[:-1])
    df = project.query(
        f"""SELECT a.segment_id, ? AS field, ? AS label,
                   json_extract(a.confidence_json, '$.{field_name}') AS confidence,
                   a.stage, a.channel, a.emotion, a.valence, a.irritant, a.moments, a.lane, r.codebook_version
            FROM auto_tags a JOIN segments s ON s.segment_id = a.segment_id
            JOIN documents d ON d.document_id = s.document_id AND d.is_current = 1
            LEFT JOIN tag_runs r ON r.run_id = a.run_id
            WHERE {cond} AND COALESCE(json_extract(a.confidence_json, '$.{field_name}'), 0) >= ?
            ORDER BY a.segment_id""", (field_name, label, value, float(min_confidence)))
    return df


def accept_rule(project, rule: str, coder: str, *, memo: str | None = None, blind: bool = False,
                labels: LabelSet = LABELS) -> BulkResult:
    """Accept every auto tag whose evidence names ``rule`` (one batch)."""
    return _accept(project, rule_matches(project, rule), coder, memo, blind, labels)


def accept_label(project, field_name: str, label, coder: str, *, min_confidence: float = 0.0,
                 memo: str | None = None, blind: bool = False, labels: LabelSet = LABELS) -> BulkResult:
    """Accept every auto tag ``field_name`` = ``label`` with confidence >= ``min_confidence`` (one batch)."""
    return _accept(project, label_matches(project, field_name, label, min_confidence, labels), coder, memo,
                   blind, labels)


def _accept(project, matches: pd.DataFrame, coder: str, memo, blind: bool, labels: LabelSet) -> BulkResult:
    coder = _check_coder(coder)
    matches = matches[matches["field"].isin(labels.fields[:-1])].copy()
    matches = matches[[_still_tagged(r, labels) for r in matches.itertuples(index=False)]]
    if matches.empty:
        return BulkResult(batch_id=None)
    matches["kind"] = matches["field"].map(labels.kind)
    matches["key"] = matches["label"].where(matches["kind"] == MULTI, "")
    decided = atoms(load_events(project, segment_ids=matches["segment_id"].unique()),
                    coder if blind else None, labels)
    done = set(zip(decided["segment_id"], decided["field"], decided["label"]))
    keep = [k not in done for k in zip(matches["segment_id"], matches["field"], matches["key"])]
    skipped = len(matches) - sum(keep)
    matches = matches[keep].drop_duplicates(["segment_id", "field", "key"])
    batch = new_batch_id()
    now = utcnow()
    rows = []
    for r in matches.itertuples(index=False):
        multi = r.kind == MULTI
        auto = _auto(r, labels)
        value = True if multi else auto
        rows.append({"segment_id": r.segment_id, "action": "accept", "field": r.field,
                     "label": r.label if multi else str(auto), "value_json": json.dumps(value, ensure_ascii=False),
                     "coder": coder, "created_at": now, "codebook_version": r.codebook_version or labels.version,
                     "memo": memo, "batch_id": batch, "auto_json": json.dumps(auto, ensure_ascii=False)})
    if not rows:
        return BulkResult(batch_id=None, already_decided=skipped)
    cols = [c for c in EVENT_COLUMNS if c != "event_id"]
    with project.transaction():
        first = project.conn.execute("SELECT COALESCE(MAX(event_id), 0) FROM decisions").fetchone()[0]
        project.conn.executemany(
            f"INSERT INTO decisions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [[row.get(c) for c in cols] for row in rows])
        ids = [r[0] for r in project.conn.execute(
            "SELECT event_id FROM decisions WHERE batch_id = ? AND event_id > ? ORDER BY event_id", (batch, first))]
    return BulkResult(batch_id=batch, event_ids=ids, segments=sorted({r["segment_id"] for r in rows}),
                      already_decided=skipped)


def _auto(r, labels: LabelSet):
    raw = getattr(r, r.field)
    kind = labels.kind(r.field)
    if kind == MULTI:
        return [v for v in str(raw or "").split(";") if v]
    if kind in (INT, BINARY):
        return int(raw)
    return raw


def _still_tagged(r, labels: LabelSet) -> bool:
    """Evidence can outlive a label (e.g. a cue below threshold): accept only labels the tag holds."""
    value = _auto(r, labels)
    if isinstance(value, list):
        return r.label in value
    return str(value) == str(r.label) or (r.field == "irritant" and value == 1)
