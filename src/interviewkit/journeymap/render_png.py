"""PNG export with matplotlib (Agg, DejaVu Sans shipped with matplotlib: French accents render).

Per persona: ``<persona>.png`` (the map, A3 landscape proportions) and
``<persona>-emotions.png`` (the emotion curve). Figures are built with
``matplotlib.figure.Figure`` (no pyplot global state, safe in notebooks).
"""
from __future__ import annotations

import io
import textwrap
from pathlib import Path

from .model import EmotionItem, JourneyMap
from .render_common import STATUS_LABELS, file_stems, prepare_dir, valence_text

FONT = "DejaVu Sans"
A3_LANDSCAPE_IN = (16.54, 11.69)
MAP_DPI = 110
CURVE_DPI = 150
MAX_LINES = 14
CELL_FONT = 6.3


def _figure(size, dpi):
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=dpi)


def _rc():
    import matplotlib

    return matplotlib.rc_context({"font.family": FONT, "font.sans-serif": [FONT], "text.parse_math": False})


def draw_curve(ax, jm: JourneyMap, compact: bool = False) -> None:
    """The emotion curve on ``ax``: mean valence per stage, error bar = std, gaps where evidence is thin."""
    curve = jm.emotion_curve()
    xs = list(range(len(curve)))
    ax.axhline(0, color="#999999", linewidth=0.8, linestyle="--")
    run_x, run_y = [], []
    for x, p in zip(xs, curve):
        if p["mean"] is None:
            if len(run_x) > 1:
                ax.plot(run_x, run_y, color="#2c4a6e", linewidth=1.6)
            run_x, run_y = [], []
            ax.text(x, 0.15, "pas assez\nd'éléments", ha="center", va="bottom", fontsize=6.5, color="#999999")
            continue
        mean, std = float(p["mean"]), float(p["std"] or 0.0)
        run_x.append(x)
        run_y.append(mean)
        color = "#c0392b" if mean <= -0.25 else ("#1e8449" if mean >= 0.25 else "#7f8c8d")
        ax.errorbar([x], [mean], yerr=[[min(std, mean + 2)], [min(std, 2 - mean)]], fmt="o", color=color,
                    ecolor=color, elinewidth=1, capsize=3, markersize=6)
        ax.annotate(f"{valence_text(mean)}\n({p['n_participants']} part.)", (x, mean), textcoords="offset points",
                    xytext=(8, 4), fontsize=7 if compact else 8, color="#333333")
    if len(run_x) > 1:
        ax.plot(run_x, run_y, color="#2c4a6e", linewidth=1.6)
    ax.set_ylim(-2.3, 2.3)
    ax.set_xlim(-0.5, len(curve) - 0.5)
    ax.set_yticks([-2, -1, 0, 1, 2])
    ax.set_yticklabels(["−2", "−1", "0", "+1", "+2"], fontsize=7)
    ax.set_xticks(xs)
    ax.set_xticklabels([] if compact else ["\n".join(textwrap.wrap(p["label"], 14)) for p in curve], fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def curve_png(jm: JourneyMap, size=(10, 3.2), dpi: int = CURVE_DPI, title: bool = True) -> bytes:
    """The emotion curve alone (``title=False``: no title and no stage names, to sit above a table)."""
    with _rc():
        fig = _figure(size, dpi)
        if title:
            ax = fig.add_axes((0.06, 0.22, 0.92, 0.66))
            draw_curve(ax, jm)
            fig.suptitle(f"Courbe émotionnelle — {jm.persona}", fontsize=11, x=0.06, ha="left")
        else:
            ax = fig.add_axes((0.0, 0.08, 1.0, 0.86))
            draw_curve(ax, jm, compact=True)
            ax.tick_params(labelleft=False, left=False)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def _cell_lines(jm: JourneyMap, stage: str, lane: str, width: int) -> tuple[list[str], bool]:
    cell = jm.cell(stage, lane)
    lines = [] if cell.status == "draft" else [f"[{STATUS_LABELS.get(cell.status, cell.status)}]"]
    for note in (cell.review_note, cell.note):
        if note:
            lines += textwrap.wrap(note, width)
    for item in cell.visible_items:
        if isinstance(item, EmotionItem) and item.key == "valence":
            continue  # drawn as the curve
        text = item.label if item.is_evidence else "Suggestion : " + item.label
        suffix = f" ({item.n_participants} p.)" if item.is_evidence else ""
        lines += textwrap.wrap("• " + text + suffix, width, subsequent_indent="  ")
    if len(lines) > MAX_LINES:
        lines = lines[: MAX_LINES - 1] + ["…"]
    return lines, cell.sufficient


def map_png(jm: JourneyMap, size=A3_LANDSCAPE_IN, dpi: int = MAP_DPI) -> bytes:
    """The whole map as one A3-landscape picture (labels shortened to fit; the HTML has everything)."""
    from matplotlib.patches import Rectangle

    n = len(jm.stages)
    head_w, top_h = 0.1, 0.06
    col_w = (1 - head_w) / n
    lane_heights = {lane: (1.6 if lane == "emotions" else 1.0) for lane in jm.lanes}
    total = sum(lane_heights.values())
    body_h = 1 - top_h - 0.06 - 0.025
    with _rc():
        fig = _figure(size, dpi)
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.text(0, 0.985, f"Carte d'expérience — {jm.persona} (brouillon à valider)", fontsize=14, weight="bold",
                va="top")
        ax.text(0, 0.955, f"{len(jm.participants)} participants · {jm.n_segments} segments · seuils "
                f"{jm.parameters.get('min_participants')} participants / {jm.parameters.get('min_segments')} segments",
                fontsize=8, va="top", color="#555555")
        y = 1 - 0.06
        for i, stage in enumerate(jm.stages):
            x = head_w + i * col_w
            ax.add_patch(Rectangle((x, y - top_h), col_w, top_h, facecolor="#2c4a6e", edgecolor="white"))
            ax.text(x + 0.004, y - 0.008, "\n".join(textwrap.wrap(jm.stage_label(stage), 22)), color="white",
                    fontsize=9, weight="bold", va="top")
        y -= top_h
        chars = max(int(col_w * 0.98 * size[0] * 72 / (0.6 * CELL_FONT)), 12)
        for lane in jm.lanes:
            h = body_h * lane_heights[lane] / total
            ax.add_patch(Rectangle((0, y - h), head_w, h, facecolor="#eef1f5", edgecolor="#d9d9d4"))
            ax.text(0.004, y - 0.006, "\n".join(textwrap.wrap(jm.lane_label(lane), 16)), fontsize=8.5,
                    weight="bold", va="top")
            for i, stage in enumerate(jm.stages):
                x = head_w + i * col_w
                lines, ok = _cell_lines(jm, stage, lane, chars)
                ax.add_patch(Rectangle((x, y - h), col_w, h, facecolor="white" if ok else "#f4f4f2",
                                       edgecolor="#d9d9d4"))
                max_lines = max(int(h * 0.98 * size[1] * 72 / (1.25 * CELL_FONT)) - 1, 2)
                if lane == "emotions":
                    max_lines = max(int(max_lines * 0.45), 2)
                shown = lines if len(lines) <= max_lines else lines[: max_lines - 1] + ["…"]
                ax.text(x + 0.003, y - 0.005, "\n".join(shown), fontsize=CELL_FONT, va="top", color="#222222",
                        clip_on=True)
            if lane == "emotions":
                inset = fig.add_axes((0.01 + 0.98 * head_w, 0.01 + 0.98 * (y - h + 0.004),
                                      0.98 * (1 - head_w), 0.98 * h * 0.5))
                inset.patch.set_alpha(0)
                draw_curve(inset, jm, compact=True)
            y -= h
        ax.text(0, 0.004, "Opportunités = suggestions à compléter, pas des constats. Détail et verbatims : export HTML.",
                fontsize=7, color="#666666")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def render_png(maps: dict[str, JourneyMap], out_dir: str | Path) -> list[Path]:
    out = prepare_dir(out_dir)
    paths = []
    for persona, stem in file_stems(maps).items():
        for suffix, data in (("", map_png(maps[persona])), ("-emotions", curve_png(maps[persona]))):
            path = out / f"{stem}{suffix}.png"
            path.write_bytes(data)
            paths.append(path)
    return paths
