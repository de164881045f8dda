"""The current human state, derived from the decision events (never stored, never stale).

Derivation (pure functions over the events DataFrame of :func:`load_events`):

1. **Active events.** An ``undo`` cancels its target (the whole batch when the
   target belongs to one) unless a ``redo`` cancels that undo.
2. **Atoms.** Every active decision becomes one or more atoms keyed by
   (segment, field, label): a label of a multi field or a ``code`` is present or
   absent, a whole multi field sets every label of the field, a single-valued
   field (emotion, lane, valence, irritant) has one atom with its value.
3. **Last decision wins** per atom, except that a ``resolve`` (consensus on a
   two-coder disagreement) outranks every ordinary decision.

``coder=`` restricts everything to one coder's decisions (blind double coding).
Statuses per segment x field: ``accepted``, ``rejected``, ``edited`` (edit, add,
remove), ``resolved``; per segment (``review_status``): ``unreviewed`` (no active
decision), ``skipped`` (the latest one is a skip), else the strongest field
status in the order resolved > edited > rejected > accepted.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from .events import FIELD_ACTIONS, auto_value, load_events
from .labels import CODE_FIELD, FREE, LABELS, MULTI, TAG_FIELDS, LabelSet, split_labels

STATUS_OF_ACTION = {"accept": "accepted", "reject": "rejected", "edit": "edited", "add": "edited",
                    "remove": "edited", "resolve": "resolved", "skip": "skipped"}
STATUSES = ("unreviewed", "accepted", "edited", "rejected", "skipped", "resolved")
_RANK = {"accepted": 1, "rejected": 2, "edited": 3, "resolved": 4}
ATOM_COLUMNS = ["segment_id", "field", "label", "present", "value", "span_start", "span_end", "event_id",
                "coder", "action", "created_at", "auto_json"]


def active_flags(events: pd.DataFrame) -> np.ndarray:
    """Boolean per event: regular decisions not undone, undos not redone, redos always."""
    action = events["action"].to_numpy()
    ids = events["event_id"].to_numpy()
    target = events["target_event_id"]
    redone = set(target[action == "redo"].dropna().astype(int))
    is_undo = action == "undo"
    undo_active = is_undo & ~np.isin(ids, list(redone))
    undone = set(target[undo_active].dropna().astype(int))
    # an undo carries the batch of its target, so a batch is cancelled even when only part is loaded
    batches = set(events.loc[undo_active, "batch_id"].dropna())
    batches |= set(events.loc[events["event_id"].isin(undone), "batch_id"].dropna())
    regular = ~np.isin(action, ["undo", "redo"])
    cancelled = np.isin(ids, list(undone)) | events["batch_id"].isin(batches).to_numpy()
    return np.where(regular, ~cancelled, np.where(is_undo, undo_active, True))


def effective(events: pd.DataFrame, coder: str | None = None) -> pd.DataFrame:
    """Active regular decisions (no undo/redo rows), optionally of one coder, in priority order."""
    if events.empty:
        return events.assign(priority=pd.Series(dtype=int))
    ev = events[active_flags(events) & ~events["action"].isin(["undo", "redo"]).to_numpy()]
    if coder is not None:
        ev = ev[ev["coder"] == coder]
    ev = ev.assign(priority=(ev["action"] == "resolve").astype(int))
    return ev.sort_values(["priority", "event_id"], kind="stable")


def atoms(events: pd.DataFrame, coder: str | None = None, labels: LabelSet = LABELS,
          current: bool = True) -> pd.DataFrame:
    """One row per decided (segment, field, label); ``current`` keeps the winning decision only.

    ``label`` is ``""`` for single-valued fields, whose decided value is in ``value``;
    ``present`` says whether a label of a multi field / code is on.
    """
    ev = effective(events, coder)
    ev = ev[ev["action"].isin(FIELD_ACTIONS)]
    if ev.empty:
        return pd.DataFrame(columns=ATOM_COLUMNS + ["priority"])
    kinds = ev["field"].map(lambda f: labels.kind(f))
    multi_like = kinds.isin([MULTI, FREE])
    by_label = ev[multi_like & ev["label"].notna()].assign(
        present=lambda d: d["value_json"] == "true", value=None)
    whole = ev[multi_like & ev["label"].isna()]
    parts = [by_label]
    if not whole.empty:
        chosen = whole.assign(label=whole["value_json"].map(json.loads)).explode("label").dropna(subset=["label"])
        table = pd.DataFrame([(f, lab) for f in whole["field"].unique() for lab in labels.labels.get(f, ())],
                             columns=["field", "label"])
        grid = whole.drop(columns="label").merge(table, on="field")
        grid = pd.concat([grid, chosen]).drop_duplicates(["event_id", "label"])
        on = set(zip(chosen["event_id"], chosen["label"]))
        grid["present"] = [k in on for k in zip(grid["event_id"], grid["label"])]
        parts.append(grid.assign(value=None))
    single = ev[~multi_like]
    if not single.empty:
        parts.append(single.assign(label="", present=True, value=single["value_json"].map(json.loads)))
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    out = out.sort_values(["priority", "event_id"], kind="stable")
    if current:
        out = out.drop_duplicates(["segment_id", "field", "label"], keep="last")
    return out[ATOM_COLUMNS + ["priority"]].reset_index(drop=True)


def field_state(events: pd.DataFrame, coder: str | None = None, labels: LabelSet = LABELS) -> pd.DataFrame:
    """Per segment x field: ``value`` (single fields), ``labels_on``/``labels_off`` (multi, ``;``-joined),
    ``status``, ``coder`` and ``event_id`` of the deciding event, ``updated_at``."""
    ev = effective(events, coder)
    ev = ev[ev["action"].isin(FIELD_ACTIONS)]
    cols = ["segment_id", "field", "value", "labels_on", "labels_off", "status", "coder", "event_id", "updated_at"]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    last = ev.groupby(["segment_id", "field"], sort=False).tail(1)
    out = last[["segment_id", "field", "coder", "event_id", "created_at", "action"]].rename(
        columns={"created_at": "updated_at"})
    out["status"] = out.pop("action").map(STATUS_OF_ACTION)
    at = atoms(events, coder, labels)
    single = at[at["label"] == ""][["segment_id", "field", "value"]]
    lab = at[at["label"] != ""]
    on = lab[lab["present"]].groupby(["segment_id", "field"])["label"].agg(lambda s: ";".join(sorted(s)))
    off = lab[~lab["present"]].groupby(["segment_id", "field"])["label"].agg(lambda s: ";".join(sorted(s)))
    out = out.merge(single, on=["segment_id", "field"], how="left")
    out = out.join(on.rename("labels_on"), on=["segment_id", "field"]).join(
        off.rename("labels_off"), on=["segment_id", "field"])
    return out[cols].sort_values(["segment_id", "field"]).reset_index(drop=True)


def segment_status(events: pd.DataFrame, coder: str | None = None) -> pd.DataFrame:
    """Per decided segment: ``review_status``, ``coder`` (last), ``event_id`` (last), ``updated_at``."""
    ev = effective(events, coder)
    cols = ["segment_id", "review_status", "coder", "event_id", "updated_at"]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    ev = ev.sort_values("event_id")
    last = ev.groupby("segment_id", sort=False).tail(1).set_index("segment_id")
    fields = ev[ev["action"].isin(FIELD_ACTIONS)]
    fields = fields.assign(rank=fields["action"].map(STATUS_OF_ACTION).map(_RANK))
    best = fields.groupby("segment_id")["rank"].max().map({v: k for k, v in _RANK.items()})
    status = pd.Series("skipped", index=last.index)
    not_skip = last["action"] != "skip"
    status[not_skip] = best.reindex(last.index[not_skip]).fillna("skipped")
    out = pd.DataFrame({"review_status": status, "coder": last["coder"], "event_id": last["event_id"],
                        "updated_at": last["created_at"]}).reset_index()
    return out[cols]


# --------------------------------------------------------------------------- project-level views


def auto_tags_frame(project, segment_ids=None) -> pd.DataFrame:
    """Stored auto tags of current segments (segment_id + tag columns, confidence/evidence JSON text)."""
    where, params = "", ()
    if segment_ids is not None:
        where, params = "AND a.segment_id IN (SELECT value FROM json_each(?))", (json.dumps(list(segment_ids)),)
    return project.query(
        f"""SELECT a.segment_id, a.stage, a.channel, a.emotion, a.valence, a.irritant, a.moments, a.lane,
                   a.confidence_json AS confidence, a.evidence_json AS evidence
            FROM auto_tags a JOIN segments s ON s.segment_id = a.segment_id
            JOIN documents d ON d.document_id = s.document_id WHERE d.is_current = 1 {where}""", params)


def final_tags(project, coder: str | None = None, labels: LabelSet = LABELS, segment_ids=None,
               events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Auto tags overlaid with human decisions (a human decision always wins).

    Columns: segment_id, stage, channel, emotion, valence, irritant, moments, lane, confidence
    (JSON; 1.0 for human-decided fields), evidence (JSON; auto evidence of labels still on, plus
    ``rule: "human"`` spans), review_status, codes (researcher codes ``;``-joined).
    Segments never tagged nor decided have empty tag columns.
    """
    if segment_ids is None:
        ids = project.query("""SELECT s.segment_id FROM segments s JOIN documents d ON d.document_id = s.document_id
                               WHERE d.is_current = 1""")["segment_id"]
    else:
        ids = pd.Series(list(segment_ids), dtype=object)
    auto = auto_tags_frame(project, None if segment_ids is None else ids).set_index("segment_id")
    out = auto.reindex(pd.Index(ids, name="segment_id"))
    for col in ("valence", "irritant"):
        out[col] = out[col].astype("Int64")
    if events is None:
        events = load_events(project, segment_ids=None if segment_ids is None else ids)
    at = atoms(events, coder, labels)
    at = at[out.index.get_indexer(at["segment_id"]) >= 0]
    status = segment_status(events, coder).set_index("segment_id")["review_status"]
    out["review_status"] = status.reindex(out.index).fillna("unreviewed")
    codes = at[(at["field"] == CODE_FIELD) & at["present"]]
    joined_codes: dict[str, list[str]] = {}
    for sid, lab in zip(codes["segment_id"], codes["label"]):
        joined_codes.setdefault(sid, []).append(lab)
    out["codes"] = ""
    if joined_codes:
        out.loc[list(joined_codes), "codes"] = [";".join(sorted(v)) for v in joined_codes.values()]
    tags = at[at["field"] != CODE_FIELD]
    if not tags.empty:
        _overlay(out, tags, labels)
    return out.reset_index()


def _overlay(out: pd.DataFrame, tags: pd.DataFrame, labels: LabelSet) -> None:
    """Write decided values over the auto tags in ``out`` (vectorised per field), then fix confidence
    (1.0 for decided fields) and evidence (auto evidence of labels still on, plus human spans)."""
    multi = tags["field"].map(lambda f: labels.kind(f) == MULTI).to_numpy()
    for f, g in tags[~multi].groupby("field"):
        out.loc[g["segment_id"].to_numpy(), f] = g["value"].to_numpy()
    mtags = tags[multi]
    if not mtags.empty:
        keys = mtags[["segment_id", "field"]].drop_duplicates()
        long = [mtags[["segment_id", "field", "label", "present"]]]
        for f, k in keys.groupby("field"):
            auto = out.loc[k["segment_id"].to_numpy(), f].fillna("").str.split(";").explode()
            auto = auto[auto != ""]
            long.insert(0, pd.DataFrame({"segment_id": auto.index, "field": f, "label": auto.to_numpy(),
                                         "present": True}))
        merged = pd.concat(long, ignore_index=True).drop_duplicates(["segment_id", "field", "label"], keep="last")
        on = merged[merged["present"].astype(bool)]
        rank = {(f, lab): i for f in labels.labels for i, lab in enumerate(labels.labels[f])}
        on = on.assign(rank=[rank.get(k, 99) for k in zip(on["field"], on["label"])]).sort_values("rank")
        joined: dict[tuple[str, str], list[str]] = {k: [] for k in zip(keys["segment_id"], keys["field"])}
        for sid, f, lab in zip(on["segment_id"], on["field"], on["label"]):
            joined[(sid, f)].append(lab)
        for f in keys["field"].unique():
            items = [(sid, ";".join(labs)) for (sid, ff), labs in joined.items() if ff == f]
            out.loc[[i for i, _ in items], f] = [v for _, v in items]
    decided: dict[str, set[str]] = {}
    for sid, f in zip(tags["segment_id"], tags["field"]):
        decided.setdefault(sid, set()).add(f)
    ids = list(decided)
    values = out.loc[ids, list(TAG_FIELDS)].to_dict("index")
    old_conf, old_ev = out.loc[ids, "confidence"].tolist(), out.loc[ids, "evidence"].tolist()
    human: dict[str, list[dict[str, Any]]] = {}
    for r in tags[tags["span_start"].notna()].itertuples(index=False):
        human.setdefault(r.segment_id, []).append(
            {"field": r.field, "label": r.label or str(r.value), "rule": "human", "start": int(r.span_start),
             "end": int(r.span_end), "coder": r.coder})
    confs, evidences = [], []
    for (sid, fields), conf_text, ev_text in zip(decided.items(), old_conf, old_ev):
        conf = _loads(conf_text, {})
        conf.update({f: 1.0 for f in fields})
        kept = [e for e in _loads(ev_text, [])
                if e.get("field") not in fields or _holds(values[sid], e.get("field"), e.get("label"), labels)]
        confs.append(json.dumps(conf, ensure_ascii=False, sort_keys=True))
        evidences.append(json.dumps(kept + human.get(sid, []), ensure_ascii=False))
    out.loc[ids, "confidence"] = confs
    out.loc[ids, "evidence"] = evidences


def _holds(values: dict[str, Any], field: str, label: Any, labels: LabelSet) -> bool:
    """Whether the final value of ``field`` still holds the evidence's ``label``."""
    value = values.get(field)
    if labels.kind(field) == MULTI:
        return str(label) in split_labels(value)
    if field == "irritant":
        return value == 1
    return str(value) == str(label)


def _loads(text: Any, default: Any) -> Any:
    if not isinstance(text, str) or not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def history(project, segment_id: str) -> pd.DataFrame:
    """Every event of a segment (undo/redo included) with ``active`` (still in force) and ``status``."""
    ev = load_events(project)
    flags = active_flags(ev) if not ev.empty else np.array([], dtype=bool)
    ev = ev.assign(active=flags)
    ev = ev[ev["segment_id"] == segment_id].copy()
    ev["status"] = ev["action"].map(STATUS_OF_ACTION).fillna(ev["action"])
    ev["value"] = ev["value_json"].map(lambda v: json.loads(v) if isinstance(v, str) else None)
    return ev.drop(columns=["value_json"]).reset_index(drop=True)


def disagreements_with_auto(project, coder: str | None = None, labels: LabelSet = LABELS) -> pd.DataFrame:
    """Human decisions that the current auto tags contradict (listed, never applied).

    Columns: segment_id, field, label, human, auto_now, auto_at_decision, auto_changed (the tagger
    changed its output since the decision, e.g. after a codebook edit and re-tag), coder, event_id,
    action, text.
    """
    events = load_events(project)
    at = atoms(events, coder, labels)
    at = at[at["field"].isin(TAG_FIELDS)]
    cols = ["segment_id", "field", "label", "human", "auto_now", "auto_at_decision", "auto_changed", "coder",
            "event_id", "action", "text"]
    if at.empty:
        return pd.DataFrame(columns=cols)
    auto = auto_tags_frame(project, at["segment_id"].unique()).set_index("segment_id")
    at = at[at["segment_id"].isin(auto.index)]
    rows = []
    for r in at.itertuples(index=False):
        now = auto_value(auto.loc[r.segment_id], r.field, labels)
        then = json.loads(r.auto_json) if isinstance(r.auto_json, str) else None
        if r.label:
            human, a_now = bool(r.present), r.label in now
            a_then = None if then is None else r.label in then
        else:
            human, a_now, a_then = r.value, now, then
        if human != a_now:
            rows.append((r.segment_id, r.field, r.label, human, a_now, a_then,
                         a_then is not None and a_then != a_now, r.coder, r.event_id, r.action))
    df = pd.DataFrame(rows, columns=cols[:-1])
    texts = project.query("SELECT segment_id, text FROM segments WHERE segment_id IN (SELECT value FROM json_each(?))",
                          (json.dumps(df["segment_id"].unique().tolist()),))
    return df.merge(texts, on="segment_id", how="left")[cols]


def segment_value(conn, segment_id: str, field: str, coder: str | None, labels: LabelSet = LABELS) -> Any:
    """The value of a single-valued field that ``coder`` currently sees (their decision, else auto)."""
    ev = pd.read_sql_query("SELECT * FROM decisions WHERE segment_id = ? ORDER BY event_id", conn,
                           params=(segment_id,))
    at = atoms(ev, coder, labels) if not ev.empty else pd.DataFrame(columns=ATOM_COLUMNS)
    mine = at[(at["field"] == field) & (at["label"] == "")]
    if not mine.empty:
        return mine["value"].iloc[-1]
    row = conn.execute("SELECT * FROM auto_tags WHERE segment_id = ?", (segment_id,)).fetchone()
    return auto_value(row, field, labels)


__all__ = ["STATUSES", "active_flags", "atoms", "disagreements_with_auto", "effective",
           "field_state", "final_tags", "history", "segment_status", "segment_value"]
