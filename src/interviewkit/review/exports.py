"""Review tables for ``interviewkit export`` and the REFI-QDA export entry point.

Registered on import of :mod:`interviewkit.review`:

* ``TABLES["decisions"]``: one row per event: event_id, segment_id, action, field, label, value,
  span_start, span_end, coder, timestamp, codebook_version, memo, target_event_id, batch_id,
  active (still in force: not undone), document, participant;
* ``TABLES["codes"]``: the codebook and the researchers' codes: field, code, name, source
  (``codebook``/``custom``), auto_segments, human_segments (decided present), final_segments;
* a segment enricher adding the final tags (auto overlaid with decisions) ``stage, channel,
  emotion, valence, irritant, moments, lane, confidence, evidence`` plus ``review_status`` and
  ``codes`` to the segments table (it replaces tag columns an earlier enricher may have added,
  so the export always shows what the researchers decided).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..export.project_tables import SEGMENT_ENRICHERS, TABLES, export_table
from .events import load_events
from .labels import CODE_FIELD, LABELS, MULTI, TAG_FIELDS, ReviewError, split_labels
from .refiqda import export_project_qdpx, field_labels
from .state import active_flags, atoms, auto_tags_frame, final_tags

FINAL_COLUMNS = list(TAG_FIELDS) + ["confidence", "evidence", "review_status", "codes"]
DECISION_COLUMNS = ["event_id", "segment_id", "action", "field", "label", "value", "span_start", "span_end",
                    "coder", "timestamp", "codebook_version", "memo", "target_event_id", "batch_id", "active",
                    "document", "participant"]


def decisions_table(project) -> pd.DataFrame:
    ev = load_events(project)
    ev["active"] = active_flags(ev) if not ev.empty else pd.Series(dtype=bool)
    ev["value"] = ev["value_json"]
    ev = ev.rename(columns={"created_at": "timestamp"})
    where = project.query(
        """SELECT s.segment_id, d.name AS document, t.participant_id AS participant FROM segments s
           JOIN documents d ON d.document_id = s.document_id JOIN turns t ON t.turn_id = s.turn_id""")
    return ev.merge(where, on="segment_id", how="left")[DECISION_COLUMNS]


def codes_table(project) -> pd.DataFrame:
    final = final_tags(project)
    auto = auto_tags_frame(project)
    human = atoms(load_events(project))
    human = human[human["present"]] if not human.empty else human
    rows = []
    for f in TAG_FIELDS:
        for lab in field_labels(LABELS, f):
            value = "1" if f == "irritant" else lab
            rows.append((f, lab, LABELS.display(f, lab), "codebook", _count(auto, f, value), _count_h(human, f, value),
                         _count(final, f, value)))
    custom = sorted(set(split_labels(";".join(final["codes"].fillna("")))) | _custom(project))
    codes = final["codes"].fillna("")
    for lab in custom:
        n = int(((";" + codes + ";").str.contains(f";{lab};", regex=False)).sum())
        rows.append((CODE_FIELD, lab, lab, "custom", 0, n, n))
    return pd.DataFrame(rows, columns=["field", "code", "name", "source", "auto_segments", "human_segments",
                                       "final_segments"])


def _count(df: pd.DataFrame, f: str, value: str) -> int:
    if df.empty:
        return 0
    col = df[f].dropna().astype(str)
    if LABELS.kind(f) == MULTI:
        return int((";" + col + ";").str.contains(f";{value};", regex=False).sum())
    return int((col == value).sum())


def _count_h(human: pd.DataFrame, f: str, value: str) -> int:
    if human.empty:
        return 0
    sub = human[human["field"] == f]
    if LABELS.kind(f) == MULTI:
        return int(sub.loc[sub["label"] == value, "segment_id"].nunique())
    return int(sub.loc[sub["value"].astype(str) == value, "segment_id"].nunique())


def _custom(project) -> set[str]:
    return set(project.query("SELECT DISTINCT label FROM decisions WHERE field = 'code' AND label IS NOT NULL")["label"])


def enrich_segments(project, df: pd.DataFrame) -> pd.DataFrame:
    """Segment enricher: final tags, review status and codes (see module docstring)."""
    final = final_tags(project, segment_ids=None)
    for col in ("stage", "channel", "moments", "emotion", "lane", "confidence", "evidence"):
        final[col] = final[col].fillna("")
    base = df.drop(columns=[c for c in FINAL_COLUMNS if c in df.columns])
    return base.merge(final[["segment_id"] + FINAL_COLUMNS], on="segment_id", how="left")


_registering = False


def register() -> None:
    """Add the review tables and the segment enricher to the export registries (idempotent).

    The other export plugins are loaded first and the enricher is kept last, so that the final tags
    (auto overlaid with decisions) replace the plain auto-tag columns whatever the import order.
    """
    global _registering
    if _registering:
        return
    _registering = True
    try:
        from ..export import project_tables

        if hasattr(project_tables, "load_plugins"):
            project_tables.load_plugins()
        TABLES["decisions"] = decisions_table
        TABLES["codes"] = codes_table
        SEGMENT_ENRICHERS[:] = [e for e in SEGMENT_ENRICHERS if getattr(e, "__qualname__", "") != "enrich_segments"
                                or getattr(e, "__module__", "") != __name__]
        SEGMENT_ENRICHERS.append(enrich_segments)
    finally:
        _registering = False


register_exports = register  # the name ``export.project_tables.PLUGIN_MODULES`` looks for


EXPORTS = ("segments", "decisions", "codes", "project")


def export(project, what: str, fmt: str, out: str | Path) -> Path:
    """``interviewkit export --what W --format F --out FILE``: tables (csv, xlsx, parquet) or
    ``--what project --format qdpx`` (REFI-QDA)."""
    register()
    if fmt == "qdpx" or what == "project":
        if (what, fmt) != ("project", "qdpx"):
            raise ReviewError("E815", "REFI-QDA export is for the whole project", value=f"{what} as {fmt}",
                              allowed=["--what project --format qdpx"],
                              hint="use --what project --format qdpx, or a table with csv/xlsx/parquet")
        return export_project_qdpx(project, out)
    return export_table(project, what, fmt, out)


__all__ = ["codes_table", "decisions_table", "enrich_segments", "export", "register"]
