"""XLSX export: one sheet per persona laid out like the map, plus an ``evidence`` sheet.

Written with :func:`interviewkit.export.tables.write_xlsx`, so every text cell
is a string cell (a verbatim starting with ``=`` stays text, never a formula).
Afterwards only presentation is touched (wrapping, column widths), cell
values and types are left as written.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..export.tables import write_xlsx
from .model import EmotionItem, JourneyMap
from .render_common import STATUS_LABELS, counts, prepare_dir

FILE_NAME = "journeymaps.xlsx"
EVIDENCE_SHEET = "evidence"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(maps: dict[str, JourneyMap]) -> dict[str, str]:
    """persona -> a valid, unique sheet name (<= 31 characters, no []:*?/\\)."""
    used = {EVIDENCE_SHEET}
    names = {}
    for persona in maps:
        base = _BAD_SHEET_CHARS.sub("-", persona).strip("'") or "persona"
        name, n = base[:31], 2
        while name.casefold() in {u.casefold() for u in used}:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(name)
        names[persona] = name
    return names


def cell_text(jm: JourneyMap, stage: str, lane: str) -> str:
    cell = jm.cell(stage, lane)
    parts = [f"[{STATUS_LABELS.get(cell.status, cell.status)}]"]
    if cell.review_note:
        parts.append(cell.review_note)
    if cell.note:
        parts.append(cell.note)
    for item in cell.visible_items:
        if item.is_evidence:
            parts.append(f"• {item.label} ({counts(item.n_participants, item.n_segments)})")
        else:
            parts.append(f"• Suggestion (brouillon) : {item.label}")
        quotes = [] if isinstance(item, EmotionItem) and item.key != "valence" else item.quotes[:1]
        for q in quotes:
            parts.append(f"   « {q.text} » — {q.participant} ({q.segment_id})")
    if cell.more_items:
        parts.append(f"… et {len(cell.more_items)} autre(s)")
    return "\n".join(parts)


def map_frame(jm: JourneyMap) -> pd.DataFrame:
    """The map as a table: one row per lane, one column per stage (plus the curve row)."""
    rows = []
    for lane in jm.lanes:
        row = {"ligne": jm.lane_label(lane)}
        for stage in jm.stages:
            row[jm.stage_label(stage)] = cell_text(jm, stage, lane)
        rows.append(row)
        if lane == "emotions":
            curve = {"ligne": "Courbe émotionnelle (valence moyenne)"}
            for p in jm.emotion_curve():
                curve[p["label"]] = None if p["mean"] is None else float(p["mean"])
            rows.append(curve)
    return pd.DataFrame(rows)


def evidence_frame(maps: dict[str, JourneyMap]) -> pd.DataFrame:
    """One row per (map, cell, item, segment): what each item rests on, with the segment text."""
    rows = []
    for persona, jm in maps.items():
        for cell in jm.cells:
            for item in cell.items + cell.more_items:
                quoted = {q.segment_id for q in item.quotes}
                ids = item.segment_ids if item.is_evidence else getattr(item, "source_segment_ids", [])
                for sid in ids:
                    ref = jm.segments.get(sid)
                    rows.append({
                        "persona": persona, "stage": cell.stage, "lane": cell.lane, "item_key": item.key,
                        "item": item.label, "kind": item.kind, "is_evidence": bool(item.is_evidence),
                        "shown": item in cell.items and not item.hidden, "quoted": sid in quoted,
                        "segment_id": sid, "participant": ref.participant if ref else "",
                        "document": ref.document if ref else "", "text": ref.text if ref else "",
                    })
    columns = ["persona", "stage", "lane", "item_key", "item", "kind", "is_evidence", "shown", "quoted",
               "segment_id", "participant", "document", "text"]
    return pd.DataFrame(rows, columns=columns)


def render_xlsx(maps: dict[str, JourneyMap], out_dir: str | Path) -> list[Path]:
    out = prepare_dir(out_dir) / FILE_NAME
    names = sheet_names(maps)
    sheets = {names[p]: map_frame(jm) for p, jm in maps.items()}
    sheets[EVIDENCE_SHEET] = evidence_frame(maps)
    write_xlsx(sheets, out)
    _present(out, [names[p] for p in maps])
    return [out]


def _present(path: Path, map_sheets: list[str]) -> None:
    """Wrap text and widen the map sheets (presentation only; values and types untouched)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment

    wb = load_workbook(path)
    wrap = Alignment(wrap_text=True, vertical="top")
    for name in map_sheets:
        ws = wb[name]
        ws.column_dimensions["A"].width = 24
        for col in range(2, ws.max_column + 1):
            ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 42
        for row in ws.iter_rows():
            for cell in row:
                cell.alignment = wrap
        ws.freeze_panes = "B2"
    wb.save(path)
