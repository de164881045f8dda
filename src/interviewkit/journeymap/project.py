"""The thin project layer: build a project's maps with its stored edits, record edits.

>>> import tempfile, interviewkit as ik
>>> p = ik.open_project(tempfile.mkdtemp() + "/p")
>>> edit_id = record_edit(p, "Actif pressé", "support", "irritants", "hide", item_key="topic:attente",
...                       coder="claire")
>>> [e.action for e in load_edits(p)]
['hide']
"""
from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..store import utcnow
from .build import build_maps
from .edits import EditReport, MapEdit, apply_edits, validate_edit
from .model import JourneyMap, MapError


def record_edit(
    project,
    persona: str,
    stage: str,
    lane: str,
    action: str,
    item_key: str = "",
    payload: dict[str, Any] | None = None,
    *,
    coder: str | None = None,
    fingerprint: str | None = None,
    stages: Sequence[str] | None = None,
) -> int:
    """Append one edit to ``map_edits``; returns its ``edit_id``.

    ``action``: replace_text / revert_text / hide / show (an item), edit_opportunity /
    add_opportunity (opportunities lane, payload ``{"text": ...}``), approve / reopen (a cell).
    For ``approve`` pass ``fingerprint=cell.fingerprint``: if the evidence under the cell changes
    later, the approval is reported stale instead of silently covering new content.
    """
    if not isinstance(persona, str) or not persona.strip():
        raise MapError("E912", "an edit needs the persona of the map", value=persona)
    clean = validate_edit(stage, lane, action, item_key, payload, stages)
    if fingerprint and action == "approve":
        clean["fingerprint"] = fingerprint
    coder = (coder or _default_coder()).strip()
    with project.transaction():
        cur = project.conn.execute(
            """INSERT INTO map_edits (created_at, coder, persona, stage, lane, item_key, action, payload_json)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (utcnow(), coder, persona, stage, lane, item_key or "", action,
             json.dumps(clean, ensure_ascii=False, sort_keys=True)),
        )
    return int(cur.lastrowid)


def load_edits(project, persona: str | None = None) -> list[MapEdit]:
    """Stored edits in ``edit_id`` order (all personas, or one)."""
    sql = "SELECT * FROM map_edits" + (" WHERE persona = ?" if persona is not None else "") + " ORDER BY edit_id"
    rows = project.conn.execute(sql, (persona,) if persona is not None else ()).fetchall()
    return [
        MapEdit(edit_id=r["edit_id"], created_at=r["created_at"], coder=r["coder"], persona=r["persona"],
                stage=r["stage"], lane=r["lane"], item_key=r["item_key"], action=r["action"],
                payload=json.loads(r["payload_json"] or "{}"))
        for r in rows
    ]


def edits_frame(project) -> pd.DataFrame:
    """The edit log as a DataFrame (one row per edit; payload as JSON text)."""
    return project.query("SELECT * FROM map_edits ORDER BY edit_id")


def build_project_maps(project, evidence_df: pd.DataFrame, **options: Any) -> dict[str, JourneyMap]:
    """``build_maps(evidence_df, **options)`` then the project's stored edits re-applied.

    Each map lists the edits applied to it (``applied_edits``) and its orphaned edits
    (``orphaned_edits``, with a reason); see :func:`project_edit_report` for the totals.
    """
    maps = build_maps(evidence_df, **options)
    apply_edits(maps, load_edits(project))
    return maps


def project_edit_report(maps: dict[str, JourneyMap]) -> EditReport:
    """Totals of what the last ``build_project_maps`` did with the stored edits."""
    report = EditReport()
    for m in maps.values():
        report.applied.extend(m.applied_edits)
        report.orphaned.extend(m.orphaned_edits)
        report.stale.extend(m.stale_edits)
    report.applied.sort()
    report.stale.sort()
    report.orphaned.sort(key=lambda o: o["edit_id"])
    return report


def _default_coder() -> str:
    try:
        return getpass.getuser() or "inconnu"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "inconnu"
