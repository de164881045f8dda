"""Notebook 05: the stakeholder report — top irritants, persona summaries, charts, quotes — and its export.

Every section is a function returning plain data (unit-tested) plus a ``show_*`` cell helper. The
report reads what earlier notebooks produced: final tags (02), curated topics (03, optional: without them
irritants are counted by journey stage) and the edited journey maps (04 edits are re-applied).

:func:`export_report` executes ``notebooks/05_report.ipynb`` on a project with nbclient and converts it to
one HTML file with the code hidden (nbconvert ``exclude_input``, the ``--no-input`` option), plotly.js
inlined once in the page head: the file opens offline and fetches nothing.
"""
from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InterviewkitError
from .figures import show_figure
from .messages import message_html, table_html
from .steps import StepMissing, friendly, project_status, require

REPORT_NOTEBOOK = "05_report.ipynb"


def _pct(x: float) -> str:
    return f"{round(100 * float(x))} %"


def overview(project) -> dict[str, Any]:
    """Corpus figures: documents, interviews, respondents, customer segments, personas, tagged, reviewed."""
    require(project, "coding")
    info = project.info()
    status = project_status(project)
    return {"documents": info["documents"], "interviews": info["documents_by_kind"].get("transcript", 0),
            "participants": info["participants"], "respondents": info["respondents"], "personas": info["personas"],
            "customer_segments": status["customer_segments"], "tagged": status["tagged"],
            "decisions": status["decisions"], "coders": status["coders"], "topic_runs": status["topic_runs"]}


def overview_html(data: dict[str, Any]) -> str:
    personas = ", ".join(html.escape(p) for p in data["personas"]) or "—"
    return (f"<div class='ik-report-overview'><p>Ce rapport s'appuie sur <b>{data['interviews']} entretiens</b> et "
            f"<b>{data['respondents']} réponses d'enquête</b>, soit {data['customer_segments']} phrases de clients "
            f"codées par étape du parcours, canal et émotion ({data['decisions']} décisions de revue humaine). "
            f"Personas : {personas}.</p><p><i>This report rests on {data['interviews']} interviews and "
            f"{data['respondents']} survey answers ({data['customer_segments']} customer sentences).</i></p></div>")


def top_irritants(project, n: int = 10) -> tuple[pd.DataFrame, str]:
    """``(table, source)``: the recurring irritants. ``source`` is ``"topics"`` (curated irritant topics of
    notebook 03: theme, participants, share, segments, main stage, a quote) or ``"stages"`` (no topics yet:
    irritant segments per journey stage)."""
    from ..topics import views

    from .maps import evidence_frame
    from .topics import current_topics

    try:
        result = current_topics(project)
    except StepMissing:
        result = None
    if result is not None and len(result.topics):
        t = views.topic_table(result)
        t = t[t["is_irritant"].astype(bool)].head(n)
        stage = views.topic_by(result, "stage")
        stage = stage[stage["stage"] != views.NONE_VALUE]
        main = stage.sort_values(["topic_id", "participants"], ascending=[True, False]).groupby("topic_id").head(1)
        main_of = dict(zip(main["topic_id"], main["stage"]))
        texts = project.query("SELECT segment_id, text FROM segments").set_index("segment_id")["text"]
        quote = [next((texts[s] for s in reps if s in texts.index), "") for reps in t["representative_segment_ids"]]
        table = pd.DataFrame({"thème / theme": t["label"], "participants": t["participants"],
                              "part des participants / share": [_pct(x) for x in t["participant_share"]],
                              "segments": t["segments"], "étape principale / main stage":
                                  [_stage_label(main_of.get(i, "")) for i in t["topic_id"]],
                              "citation / quote": quote})
        return table.reset_index(drop=True), "topics"
    ev = evidence_frame(project, topics=False)
    irr = ev[ev["irritant"] == 1].assign(stage=lambda d: d["stage"].str.split(";")).explode("stage")
    irr = irr[irr["stage"].fillna("") != ""]
    g = irr.groupby("stage").agg(participants=("participant", "nunique"), segments=("segment_id", "nunique"))
    g = g.sort_values(["participants", "segments"], ascending=False).head(n).reset_index()
    total = max(1, ev["participant"].nunique())
    table = pd.DataFrame({"étape / stage": [_stage_label(s) for s in g["stage"]], "participants": g["participants"],
                          "part des participants / share": [_pct(p / total) for p in g["participants"]],
                          "segments": g["segments"]})
    return table, "stages"


def _stage_label(stage: str) -> str:
    from ..journeymap.model import STAGE_LABELS

    return STAGE_LABELS.get(stage, stage)


def persona_summaries(maps) -> pd.DataFrame:
    """One row per map (persona): participants, segments, lowest and highest stage on the emotion curve,
    top irritants (visible irritant items by participants, researchers' wording), cells approved / total."""
    rows = []
    for persona, jm in maps.items():
        curve = [c for c in jm.emotion_curve() if c["mean"] is not None]
        low = min(curve, key=lambda c: c["mean"]) if curve else None
        high = max(curve, key=lambda c: c["mean"]) if curve else None
        items = []
        for stage in jm.stages:
            for item in jm.cell(stage, "irritants").visible_items:
                items.append((len(set(item.participants)), item.label, jm.stage_label(stage)))
        items.sort(key=lambda x: (-x[0], x[1]))
        seen: list[str] = []
        for _, label, stage in items:
            if label not in seen:
                seen.append(label)
            if len(seen) == 3:
                break
        rows.append({"persona": persona, "participants": len(jm.participants), "segments": jm.n_segments,
                     "moment le plus difficile / lowest": f"{low['label']} ({low['mean']:+.1f})" if low else "—",
                     "moment le plus positif / highest": f"{high['label']} ({high['mean']:+.1f})" if high else "—",
                     "irritants principaux / top irritants": " · ".join(seen) or "—",
                     "cellules approuvées / approved cells": f"{sum(c.status == 'approved' for c in jm.cells)} / "
                                                            f"{len(jm.cells)}"})
    return pd.DataFrame(rows)


def persona_quotes(maps, per_persona: int = 3) -> dict[str, list[dict[str, str]]]:
    """Per persona: one quote for each of its most shared visible irritants (then moments), each from a
    different participant, readable sentences (40–280 characters) first."""
    out: dict[str, list[dict[str, str]]] = {}
    for persona, jm in maps.items():
        items = []
        for rank, lane in enumerate(("irritants", "moments")):
            for s_idx, stage in enumerate(jm.stages):
                for item in jm.cell(stage, lane).visible_items:
                    items.append((rank, -len(set(item.participants)), s_idx, stage, item))
        items.sort(key=lambda x: x[:3])
        quotes: list[dict[str, str]] = []
        people: set[str] = set()
        for _, _, _, stage, item in items:
            candidates = sorted(item.quotes, key=lambda q: not (40 <= len(q.text) <= 280))
            q = next((q for q in candidates if q.participant not in people), None)
            if q is None:
                continue
            quotes.append({"stage": jm.stage_label(stage), "item": item.label, "participant": q.participant,
                           "text": q.text})
            people.add(q.participant)
            if len(quotes) == per_persona:
                break
        out[persona] = quotes
    return out


def emotion_curves_figure(maps):
    """One line per persona: mean valence per stage (from the maps)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for persona, jm in maps.items():
        curve = jm.emotion_curve()
        fig.add_trace(go.Scatter(x=[c["label"] for c in curve], y=[c["mean"] for c in curve], mode="lines+markers",
                                 name=persona, connectgaps=False))
    fig.add_hline(y=0, line_dash="dash", line_color="#999")
    fig.update_layout(title="Courbes émotionnelles par persona / emotion curves", yaxis=dict(range=[-2.3, 2.3],
                      title="valence"), height=420, template="plotly_white")
    return fig


def irritant_heatmap_figure(project):
    """Persona × stage: share of the persona's participants who voiced an irritant at that stage."""
    import plotly.graph_objects as go

    from ..journeymap.model import STAGES
    from .maps import evidence_frame

    ev = evidence_frame(project, topics=False)
    ev["persona"] = ev["persona"].fillna("(sans persona)")
    totals = ev.groupby("persona")["participant"].nunique()
    irr = ev[ev["irritant"] == 1].assign(stage=lambda d: d["stage"].str.split(";")).explode("stage")
    irr = irr[irr["stage"].isin(STAGES)]
    counts = irr.groupby(["persona", "stage"])["participant"].nunique().unstack(fill_value=0)
    counts = counts.reindex(columns=list(STAGES), fill_value=0)
    share = counts.div(totals.reindex(counts.index), axis=0).fillna(0)
    fig = go.Figure(go.Heatmap(z=share.to_numpy(), x=[_stage_label(s) for s in share.columns], y=list(share.index),
                               colorscale="Reds", zmin=0, zmax=1,
                               hovertemplate="%{y}<br>%{x}<br>%{z:.0%} des participants<extra></extra>"))
    fig.update_layout(title="Irritants par persona et étape (part des participants) / irritants by persona and stage",
                      height=320 + 30 * len(share), template="plotly_white")
    return fig


def topics_figure(project, n: int = 12):
    """Bars: participants per irritant topic (None when notebook 03 was not run)."""
    import plotly.graph_objects as go

    from ..topics import views

    from .topics import current_topics

    try:
        result = current_topics(project)
    except StepMissing:
        return None
    t = views.topic_table(result)
    t = t[t["is_irritant"].astype(bool)].head(n).iloc[::-1]
    if not len(t):
        return None
    fig = go.Figure(go.Bar(x=t["participants"], y=t["label"], orientation="h", marker_color="#c0392b",
                           hovertemplate="%{y}<br>%{x} participants<extra></extra>"))
    fig.update_layout(title="Irritants récurrents (participants) / recurring irritants", height=120 + 32 * len(t),
                      margin=dict(l=260), template="plotly_white")
    return fig


# ------------------------------------------------------------------------------------------ notebook cells

def _display_html(text: str) -> None:
    from IPython.display import HTML, display

    display(HTML(text))


@friendly
def show_overview(project) -> None:
    _display_html(overview_html(overview(project)))


@friendly
def show_top_irritants(project, n: int = 10):
    table, source = top_irritants(project, n)
    note = "" if source == "topics" else message_html(
        "info", "Thèmes d'irritants non calculés (carnet 03) : les irritants sont comptés par étape.",
        "Irritant topics not computed (notebook 03): irritants are counted by stage.")
    _display_html(note + table_html(table))
    fig = topics_figure(project)
    if fig is not None:
        show_figure(fig)


@friendly
def build_report_maps(project, progress: bool = False):
    """The maps with the researchers' edits (as exported by notebook 04)."""
    from .maps import build_project_maps

    require(project, "coding")
    maps, _ = build_project_maps(project, progress=progress)
    return maps


@friendly
def show_personas(project, maps=None):
    if maps is None:
        raise StepMissing.for_step("coding")
    table = persona_summaries(maps)
    _display_html(table_html(table))
    quotes = persona_quotes(maps)
    parts = []
    for persona, qs in quotes.items():
        if not qs:
            continue
        parts.append(f"<h4>{html.escape(persona)}</h4><ul class='ik-report-quotes'>")
        for q in qs:
            parts.append(f"<li>« {html.escape(q['text'])} » <small>— {html.escape(q['participant'])}, "
                         f"{html.escape(q['stage'])} · {html.escape(q['item'])}</small></li>")
        parts.append("</ul>")
    _display_html("".join(parts))


@friendly
def show_charts(project, maps=None):
    if maps is not None:
        show_figure(emotion_curves_figure(maps))
    show_figure(irritant_heatmap_figure(project))


def method_note_html(project) -> str:
    """The method paragraph; it says what was actually reviewed (decisions, topic curation, approved cells)."""
    data = overview(project)
    status = project_status(project)
    reviewed = (f"{data['decisions']} décisions de revue par {len(data['coders'])} codeur(s)" if data["decisions"]
                else "aucune revue humaine encore : les codes sont automatiques")
    reviewed_en = (f"{data['decisions']} review decisions by {len(data['coders'])} coder(s)" if data["decisions"]
                   else "no human review yet: the codes are automatic")
    if not status["topic_runs"]:
        topics_fr, topics_en = ("thèmes d'irritants non calculés (irritants comptés par étape)",
                                "irritant topics not computed (irritants counted per stage)")
    elif status["topic_decisions"]:
        topics_fr = (f"thèmes d'irritants par modélisation thématique (BERTopic) relus par les chercheurs "
                     f"({status['topic_decisions']} décision(s) de curation)")
        topics_en = f"irritant topics (BERTopic) curated by the researchers ({status['topic_decisions']} decision(s))"
    else:
        topics_fr = ("thèmes d'irritants par modélisation thématique (BERTopic), noms automatiques pas encore relus "
                     "(carnet 03)")
        topics_en = "irritant topics (BERTopic) with automatic names, not curated yet (notebook 03)"
    return ("<div class='ik-report-method'><small>Méthode : transcriptions pseudonymisées avant analyse ; codage par "
            f"règles (codebook) puis revue humaine ({html.escape(reviewed)}) ; {html.escape(topics_fr)} ; cartes "
            "d'expérience à l'état de brouillon tant que leurs cellules ne sont pas approuvées. Toute affirmation "
            "renvoie à des citations.</small><br><small><i>Method: transcripts pseudonymised before analysis; "
            f"rule-based coding (codebook) then human review ({html.escape(reviewed_en)}); {html.escape(topics_en)}; "
            "journey maps are drafts until their cells are approved. Every statement links to quotes."
            "</i></small></div>")


@friendly
def show_method(project):
    _display_html(method_note_html(project))


# ------------------------------------------------------------------------------------------ export

def plotly_head() -> str:
    from plotly.offline import get_plotlyjs

    return f"<script type='text/javascript'>{get_plotlyjs()}</script>"


def export_report(project, out_html: str | Path, notebook: str | Path | None = None, timeout: int = 1200,
                  kernel_name: str = "python3") -> Path:
    """Run ``05_report.ipynb`` on ``project`` (a Project, a folder, or None for the demo project) and write
    it as one self-contained HTML file without code; returns the path."""
    from .notebooks import find_notebook, notebook_html, run_notebook

    path = Path(getattr(project, "path", project)) if project is not None else None
    nb_path = find_notebook(str(notebook or REPORT_NOTEBOOK))
    out = Path(out_html).expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ik-report-") as cwd:
        nb = run_notebook(nb_path, params={"PROJECT": None if path is None else str(path)}, cwd=cwd,
                          timeout=timeout, kernel_name=kernel_name, store_widget_state=False)
    name = path.name if path is not None else "démonstration"
    page = notebook_html(nb, hide_code=True, title=f"Rapport interviewkit — {name}", head_extra=plotly_head())
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


class ExportReportButton:
    """« Exporter le rapport (HTML) » button for the last cell of notebook 05 (tagged ``ik-no-export``)."""

    def __init__(self, project, out_html: str | Path | None = None) -> None:
        import ipywidgets as w

        from .maps import default_export_dir

        self.project = project
        self.out_html = Path(out_html) if out_html else default_export_dir(project) / "rapport.html"
        self.button = w.Button(description="Exporter le rapport (HTML) / export the report", button_style="primary",
                               icon="file", layout=w.Layout(width="auto"))
        self.button.add_class("ik-export-report")
        self.button.on_click(lambda _: self.export())
        self.status = w.HTML(f"<small>Fichier / file : <code>{html.escape(str(self.out_html))}</code> (1 à 2 "
                             "minutes : le carnet est ré-exécuté sans le code / the notebook is re-run without code)"
                             "</small>")
        self.widget = w.VBox([self.button, self.status])

    def export(self) -> Path | None:
        from .maps import links_html

        self.status.value = message_html("info", "Export en cours…", "Exporting…")
        try:
            path = export_report(self.project, self.out_html)
        except (InterviewkitError, RuntimeError, OSError) as exc:
            self.status.value = message_html("error", "L'export a échoué.", "The export failed.", detail=str(exc))
            return None
        self.status.value = message_html("success", "Rapport exporté.", "Report exported.") + \
            links_html({"html": [path]})
        return path


@friendly
def export_button(project, out_html: str | Path | None = None):
    require(project, "coding")
    return ExportReportButton(project, out_html).widget
