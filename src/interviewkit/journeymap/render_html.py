"""HTML export: one self-contained page per persona plus ``index.html``.

Inline CSS and an inline SVG emotion curve; no script, no network, no web
font. Laid out for A3 landscape (``@page``; a 400 mm wide CSS grid with fixed
column widths and ``overflow-wrap:anywhere``), readable on screen. All corpus
text goes through Jinja2 with autoescaping: a transcript holding ``<script>``
renders as text.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .model import SCHEMA_VERSION, EmotionItem, IrritantItem, JourneyMap
from .render_common import STATUS_LABELS, anchor, counts, file_stems, ids_title, prepare_dir, valence_text

PAGE_WIDTH_MM = 400.0  # A3 landscape (420 mm) minus 2 x 10 mm margins
HEAD_WIDTH_MM = 32.0
CURVE_HEIGHT = 34.0
QUOTES_SHOWN = {"actions": 0, "touchpoints": 0, "emotions": 1, "irritants": 2, "moments": 1, "backstage": 1,
                "opportunities": 0}
LANE_HINTS = {
    "actions": "verbe + complément, dits par les clients", "touchpoints": "canaux cités",
    "emotions": "valence moyenne par participant", "irritants": "thèmes d'irritants",
    "moments": "vérité, enchantement, rupture", "backstage": "processus internes évoqués",
    "opportunities": "suggestions à compléter",
}


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    folder = resources.files("interviewkit").joinpath("data", "journeymap")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _color(value: float) -> str:
    if value <= -0.25:
        return "#c0392b"
    if value >= 0.25:
        return "#1e8449"
    return "#7f8c8d"


def curve_view(jm: JourneyMap, col_width: float) -> dict[str, Any]:
    """Geometry of the SVG curve (mm units), one point per stage column."""
    width, height, pad = col_width * len(jm.stages), CURVE_HEIGHT, 4.0

    def y(v: float) -> float:
        v = max(-2.0, min(2.0, v))
        return pad + (2.0 - v) / 4.0 * (height - 2 * pad)

    grid = [{"y": _fmt(y(v)), "label_y": _fmt(y(v) - 0.6), "label": valence_text(v) if v else "0",
             "color": "#999" if v == 0 else "#e2e2de", "dash": v == 0} for v in (2, 1, 0, -1, -2)]
    points, lines, run = [], [], []
    for i, p in enumerate(jm.emotion_curve()):
        x = (i + 0.5) * col_width
        if p["mean"] is None:
            points.append({"x": _fmt(x), "mean": None,
                           "title": f"{p['label']} : pas assez d'éléments ({p['n_participants']} participants)"})
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        mean, std = float(p["mean"]), float(p["std"] or 0.0)
        run.append(f"{_fmt(x)},{_fmt(y(mean))}")
        points.append({
            "x": _fmt(x), "mean": mean, "y": _fmt(y(mean)), "y_low": _fmt(y(mean - std)), "y_high": _fmt(y(mean + std)),
            "text_x": _fmt(x + 2), "text_y": _fmt(y(mean) - 1.5), "color": _color(mean),
            "text": valence_text(mean),
            "title": (f"{p['label']} : moyenne {valence_text(mean)}, écart-type {valence_text(std).lstrip('+')}, "
                      f"{p['n_participants']} participants"),
        })
    if len(run) > 1:
        lines.append(" ".join(run))
    return {"width": _fmt(width), "height": _fmt(height), "middle": _fmt(height / 2), "grid": grid,
            "points": points, "lines": lines}


def map_view(jm: JourneyMap) -> dict[str, Any]:
    """Everything the page template shows, as plain data (strings are escaped by the template)."""
    col_width = round((PAGE_WIDTH_MM - HEAD_WIDTH_MM) / max(len(jm.stages), 1) - 0.005, 2)
    numbers: dict[str, int] = {}
    lanes = []
    for lane in jm.lanes:
        cells = []
        for stage in jm.stages:
            cell = jm.cell(stage, lane)
            items = []
            for item in cell.visible_items:
                shown = item.quotes[: QUOTES_SHOWN.get(lane, 1)]
                if isinstance(item, EmotionItem) and item.key != "valence":
                    shown = []
                quotes = []
                for q in shown:
                    number = numbers.setdefault(q.segment_id, len(numbers) + 1)
                    quotes.append({"text": q.text, "participant": q.participant, "segment_id": q.segment_id,
                                   "anchor": anchor(q.segment_id), "number": number})
                grouping = ""
                if isinstance(item, IrritantItem) and item.grouping != "topic":
                    grouping = "regroupé par action" if item.grouping == "action" else "non regroupés"
                if item.is_evidence:
                    title = ids_title(item.segment_ids) + f" · clé : {item.key}"
                    count_text = counts(item.n_participants, item.n_segments)
                else:
                    sources = "; ".join(f"« {b.get('label', '')} » ({b.get('lane', '')})"
                                        for b in getattr(item, "based_on", []))
                    title = (f"Suggestion d'après {sources} · " if sources else "Suggestion · ") + f"clé : {item.key}"
                    count_text = ""
                if item.edited:
                    title += f" · modifié (texte généré : {item.generated_label})"
                items.append({"kind": item.kind, "key": item.key, "label": item.label, "edited": item.edited,
                              "title": title, "counts": count_text, "grouping": grouping, "chips": [],
                              "quotes": quotes})
            cells.append({
                "stage": stage, "status": cell.status, "status_label": STATUS_LABELS.get(cell.status, cell.status),
                "sufficient": cell.sufficient, "note": cell.note, "review_note": cell.review_note,
                "entries": items, "n_more": len(cell.more_items),
                "title": (f"{jm.stage_label(stage)} × {jm.lane_label(lane)} : "
                          f"{counts(cell.n_participants, cell.n_segments)}"),
            })
        lanes.append({"id": lane, "label": jm.lane_label(lane), "hint": LANE_HINTS.get(lane, ""), "cells": cells})
    stages = []
    for stage in jm.stages:
        people = {p for c in jm.cells if c.stage == stage for p in c.participants}
        segs = {s for c in jm.cells if c.stage == stage for s in c.segment_ids}
        stages.append({"id": stage, "label": jm.stage_label(stage), "counts": counts(len(people), len(segs))})
    appendix = []
    for sid, number in numbers.items():
        ref = jm.segments.get(sid)
        appendix.append({"number": number, "segment_id": sid, "anchor": anchor(sid),
                         "participant": ref.participant if ref else "", "document": ref.document if ref else "",
                         "text": ref.text if ref else ""})
    evidence_cells = [c for c in jm.cells if c.lane != "opportunities"]
    return {
        "persona": jm.persona, "schema_version": jm.schema_version or SCHEMA_VERSION,
        "n_participants": len(jm.participants), "n_segments": jm.n_segments,
        "n_without_stage": jm.n_segments_without_stage,
        "n_cells": len(jm.cells), "n_approved": sum(c.status == "approved" for c in jm.cells),
        "n_evidence_cells": len(evidence_cells),
        "min_participants": jm.parameters.get("min_participants", ""),
        "min_segments": jm.parameters.get("min_segments", ""),
        "warnings": list(jm.warnings), "stages": stages, "lanes": lanes,
        "head_width": _fmt(HEAD_WIDTH_MM), "col_width": _fmt(col_width),
        "curve": curve_view(jm, col_width) if "emotions" in jm.lanes else None,
        "appendix": appendix, "orphans": list(jm.orphaned_edits), "fingerprint": jm.evidence_fingerprint,
    }


def map_to_html(jm: JourneyMap) -> str:
    return _environment().get_template("map.html.j2").render(**map_view(jm))


def index_to_html(maps: dict[str, JourneyMap], stems: dict[str, str],
                  other_files: dict[str, list[tuple[str, str]]] | None = None) -> str:
    rows = []
    for persona, jm in maps.items():
        rows.append({
            "persona": persona, "href": f"{stems[persona]}.html", "n_participants": len(jm.participants),
            "n_segments": jm.n_segments, "n_cells": len(jm.cells),
            "n_approved": sum(c.status == "approved" for c in jm.cells),
            "n_edited": sum(c.status == "edited" for c in jm.cells), "n_orphans": len(jm.orphaned_edits),
            "others": [{"label": label, "href": href} for label, href in (other_files or {}).get(persona, [])],
        })
    return _environment().get_template("index.html.j2").render(rows=rows, schema_version=SCHEMA_VERSION)


def render_html(maps: dict[str, JourneyMap], out_dir: str | Path,
                other_files: dict[str, list[tuple[str, str]]] | None = None) -> list[Path]:
    """Write ``<persona>.html`` files and ``index.html``; returns their paths (index last)."""
    out = prepare_dir(out_dir)
    stems = file_stems(maps)
    paths = []
    for persona, stem in stems.items():
        path = out / f"{stem}.html"
        path.write_text(map_to_html(maps[persona]), encoding="utf-8")
        paths.append(path)
    index = out / "index.html"
    index.write_text(index_to_html(maps, stems, other_files), encoding="utf-8")
    paths.append(index)
    return paths
