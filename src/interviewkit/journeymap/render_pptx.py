"""PPTX export (python-pptx): one slide per persona, ready to rework in PowerPoint or Keynote.

Each slide holds an editable title, the emotion curve as a picture and a
native table (lanes x stages) whose cells are plain, editable text. Labels
are shortened to fit; the speaker notes list every shown item with its
evidence segment ids, so nothing is lost when the table is trimmed.
"""
from __future__ import annotations

import io
from pathlib import Path

from .model import EmotionItem, JourneyMap
from .render_common import STATUS_LABELS, prepare_dir
from .render_png import curve_png

FILE_NAME = "journeymaps.pptx"
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
MAX_ITEMS = 3
MAX_LABEL = 48
CELL_PT = 7
NOTE_IDS = 15


def _short(text: str, n: int = MAX_LABEL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def cell_lines(jm: JourneyMap, stage: str, lane: str) -> list[str]:
    cell = jm.cell(stage, lane)
    lines = [] if cell.status == "draft" else [f"[{STATUS_LABELS.get(cell.status, cell.status)}]"]
    if cell.review_note:
        lines.append(_short(cell.review_note))
    items = [i for i in cell.visible_items if not (isinstance(i, EmotionItem) and i.key == "valence")]
    valence = cell.find("valence") if lane == "emotions" else None
    if valence is not None and valence in cell.visible_items:
        lines.append(_short(valence.label))
    elif not cell.sufficient and cell.n_segments and lane != "opportunities":
        lines.append(f"pas assez d'éléments ({cell.n_participants} p., {cell.n_segments} seg.)")
    elif not items and cell.note:
        lines.append(_short(cell.note))
    for item in items[:MAX_ITEMS]:
        if item.is_evidence:
            lines.append(f"• {_short(item.label)} ({item.n_participants} p.)")
        else:
            lines.append(f"• Suggestion : {_short(item.label)}")
    rest = len(items) - MAX_ITEMS + len(cell.more_items)
    if rest > 0:
        lines.append(f"+ {rest} autre(s)")
    return lines


def _notes(jm: JourneyMap) -> str:
    out = [f"Carte « {jm.persona} » — brouillon généré par interviewkit (schéma {jm.schema_version}).",
           "Opportunités = suggestions à compléter, pas des constats. Éléments et segments :"]
    for lane in jm.lanes:
        for stage in jm.stages:
            cell = jm.cell(stage, lane)
            for item in cell.visible_items:
                ids = item.segment_ids if item.is_evidence else getattr(item, "source_segment_ids", [])
                more = f" (+{len(ids) - NOTE_IDS})" if len(ids) > NOTE_IDS else ""
                out.append(f"[{jm.stage_label(stage)} / {jm.lane_label(lane)}] {item.label} — "
                           f"{', '.join(ids[:NOTE_IDS])}{more}")
    return "\n".join(out)


def add_map_slide(prs, jm: JourneyMap) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    title = slide.shapes.add_textbox(Inches(0.3), Inches(0.15), Inches(12.7), Inches(0.5))
    tf = title.text_frame
    tf.text = f"Carte d'expérience — {jm.persona} (brouillon)"
    tf.paragraphs[0].runs[0].font.size = Pt(20)
    tf.paragraphs[0].runs[0].font.bold = True
    sub = tf.add_paragraph()
    sub.text = (f"{len(jm.participants)} participants · {jm.n_segments} segments · seuils "
                f"{jm.parameters.get('min_participants')} participants / {jm.parameters.get('min_segments')} segments")
    sub.runs[0].font.size = Pt(10)
    head_w = 1.25
    left = 0.3
    stages_w = SLIDE_W_IN - 2 * left - head_w
    curve = curve_png(jm, size=(stages_w, 1.15), dpi=200, title=False)
    slide.shapes.add_picture(io.BytesIO(curve), Inches(left + head_w), Inches(0.8), Inches(stages_w), Inches(1.15))
    rows, cols = len(jm.lanes) + 1, len(jm.stages) + 1
    top = 2.0
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(SLIDE_W_IN - 2 * left),
                                   Inches(SLIDE_H_IN - top - 0.15))
    table = shape.table
    table.columns[0].width = Inches(head_w)
    for j in range(1, cols):
        table.columns[j].width = Inches(stages_w / len(jm.stages))
    table.rows[0].height = Inches(0.3)
    for i in range(1, rows):
        table.rows[i].height = Inches((SLIDE_H_IN - top - 0.45) / len(jm.lanes))

    def put(r: int, c: int, lines: list[str], bold: bool = False, size: int = CELL_PT, fill: str | None = None):
        cell = table.cell(r, c)
        cell.margin_left = cell.margin_right = Inches(0.04)
        cell.margin_top = cell.margin_bottom = Inches(0.02)
        frame = cell.text_frame
        frame.word_wrap = True
        frame.text = lines[0] if lines else ""
        for extra in lines[1:]:
            frame.add_paragraph().text = extra
        for p in frame.paragraphs:
            for run in p.runs:
                run.font.size = Pt(size)
                run.font.bold = bold
        if fill:
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor.from_string(fill)

    put(0, 0, ["Étapes →"], bold=True, size=8)
    for j, stage in enumerate(jm.stages, start=1):
        put(0, j, [jm.stage_label(stage)], bold=True, size=8)
    for i, lane in enumerate(jm.lanes, start=1):
        put(i, 0, [jm.lane_label(lane)], bold=True, size=8, fill="EEF1F5")
        for j, stage in enumerate(jm.stages, start=1):
            cell = jm.cell(stage, lane)
            put(i, j, cell_lines(jm, stage, lane), fill="FFFFFF" if cell.sufficient else "F4F4F2")
    slide.notes_slide.notes_text_frame.text = _notes(jm)


def build_presentation(maps: dict[str, JourneyMap]):
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    for jm in maps.values():
        add_map_slide(prs, jm)
    return prs


def render_pptx(maps: dict[str, JourneyMap], out_dir: str | Path) -> list[Path]:
    out = prepare_dir(out_dir) / FILE_NAME
    build_presentation(maps).save(out)
    return [out]
