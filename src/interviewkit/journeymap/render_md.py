"""Markdown export: one file per persona, stage by stage (a 7-column table would not be readable).

Corpus text is escaped: ``&``, ``<``, ``>`` become entities (no HTML tag can
survive, whatever the Markdown renderer) and Markdown punctuation gets a
backslash, so a verbatim cannot open a link, an image, emphasis or a table cell.

>>> md_escape("<script>alert(1)</script> *gras* [lien](x)")
'&lt;script&gt;alert(1)&lt;/script&gt; \\\\*gras\\\\* \\\\[lien\\\\](x)'
"""
from __future__ import annotations

import re
from pathlib import Path

from .model import EmotionItem, JourneyMap
from .render_common import STATUS_LABELS, counts, valence_text, write_per_persona

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!{}])")
MAX_IDS = 12


def md_escape(text: object) -> str:
    """Escape corpus text for Markdown (inline, one line)."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _ids(segment_ids: list[str]) -> str:
    shown = ", ".join(md_escape(s) for s in segment_ids[:MAX_IDS])
    more = len(segment_ids) - MAX_IDS
    return f"segments : {shown}" + (f" … (+{more})" if more > 0 else "")


def map_to_markdown(jm: JourneyMap) -> str:
    e = md_escape
    lines = [f"# Carte d'expérience — {e(jm.persona)} (brouillon à valider)", ""]
    lines.append(f"{len(jm.participants)} participants · {jm.n_segments} segments sur la carte · seuils : "
                 f"{jm.parameters.get('min_participants')} participants et {jm.parameters.get('min_segments')} "
                 "segments par cellule · schéma " + e(jm.schema_version))
    lines += ["", "> Chaque élément cite ses segments (identifiants entre parenthèses). Les opportunités sont des "
              "suggestions rédigées automatiquement, à compléter : ce ne sont pas des constats.", ""]
    if jm.warnings:
        lines += ["## Avertissements", ""] + [f"- {e(w)}" for w in jm.warnings] + [""]
    lines += ["## Courbe émotionnelle", "", "| Étape | Valence moyenne | Écart-type | Participants |",
              "|---|---|---|---|"]
    for p in jm.emotion_curve():
        std = "—" if p["std"] is None else valence_text(p["std"]).lstrip("+")
        lines.append(f"| {e(p['label'])} | {valence_text(p['mean'])} | {std} | {p['n_participants']} |")
    lines.append("")
    numbers: dict[str, int] = {}
    for stage in jm.stages:
        lines += [f"## {e(jm.stage_label(stage))}", ""]
        for lane in jm.lanes:
            cell = jm.cell(stage, lane)
            lines.append(f"### {e(jm.lane_label(lane))} — {STATUS_LABELS.get(cell.status, cell.status)}")
            lines.append("")
            if cell.review_note:
                lines.append(f"**{e(cell.review_note)}**")
            if cell.note:
                lines.append(f"_{e(cell.note)}_")
            if cell.note or cell.review_note:
                lines.append("")
            for item in cell.visible_items:
                if item.is_evidence:
                    detail = f" — {counts(item.n_participants, item.n_segments)} ({_ids(item.segment_ids)})"
                    prefix = ""
                else:
                    detail, prefix = "", "Suggestion (brouillon) : "
                edited = " ✎" if item.edited else ""
                lines.append(f"- {prefix}**{e(item.label)}**{edited}{detail}")
                quotes = [] if isinstance(item, EmotionItem) and item.key != "valence" else item.quotes
                for q in quotes:
                    n = numbers.setdefault(q.segment_id, len(numbers) + 1)
                    lines.append(f"  - « {e(q.text)} » — {e(q.participant)} ({e(q.segment_id)}) \\[{n}\\]")
            if cell.more_items:
                lines.append(f"- … et {len(cell.more_items)} autre(s)")
            lines.append("")
    lines += ["## Annexe : verbatims cités", ""]
    for sid, n in numbers.items():
        ref = jm.segments.get(sid)
        if ref is not None:
            lines.append(f"{n}. {e(sid)} — {e(ref.participant)} — {e(ref.document)} : {e(ref.text)}")
    lines.append("")
    if jm.orphaned_edits:
        lines += ["## Modifications orphelines", ""]
        for o in jm.orphaned_edits:
            lines.append(f"- n° {o['edit_id']} {e(o['action'])} {e(o['stage'])} / {e(o['lane'])} / "
                         f"{e(o['item_key'])} ({e(o['coder'])}, {e(o['created_at'])}) : {e(o['reason'])}")
        lines.append("")
    return "\n".join(lines)


def render_markdown(maps: dict[str, JourneyMap], out_dir: str | Path) -> list[Path]:
    return write_per_persona(maps, out_dir, ".md", map_to_markdown)
