"""Notebook 03: recurring irritants by topic modelling, explored and curated by the researcher.

* :func:`topic_segments`: the segments a run models (``interviewkit.project_topics.topic_input``: final
  tags, irritant segments only by default).
* :func:`fit_topics`: :class:`interviewkit.topics.IrritantTopicModel` with the notebook's controls
  (minimum topic size, seed, outlier target); the run is saved in the store (``topics.store``) and the
  full result (keywords, phrases, vectors, needed to curate) in ``cache/topics/run-<id>/``; the
  embeddings are cached in ``cache/embeddings.sqlite`` (a second fit takes seconds).
* :func:`current_topics`: the latest run with the researchers' curation decisions re-applied.
* :func:`rename_topic`, :func:`merge_topics`, :func:`split_topic`, :func:`set_irritant`,
  :func:`undo_curation`: curation decisions, appended to ``topic_decisions`` (kept across re-fits).
* :class:`TopicExplorer`: keywords, quotes, participants, stage / channel / persona split, curation.
* :func:`heatmap_figure`, :func:`sizes_figure`: plotly figures.

Runs and decisions go through the same store tables and functions as ``interviewkit topics``
(``interviewkit.project_topics``), so the maps, the exports and the CLI see the same curated topics.
"""
from __future__ import annotations

import getpass
import html
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InterviewkitError
from .messages import message_html, table_html
from .progress import steps_bar
from .steps import StepMissing, friendly, require

TOPICS_DIR = "topics"


def default_coder() -> str:
    try:
        return getpass.getuser() or "researcher"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "researcher"


def topic_segments(project, irritants_only: bool = True) -> pd.DataFrame:
    """The segments a topic run models (``interviewkit.project_topics.topic_input``: customer segments of
    current documents with their final stage, channel and irritant), irritant segments only by default."""
    from ..project_topics import topic_input

    require(project, "coding")
    return topic_input(project, all_segments=not irritants_only)


def _run_folder(project, run_id: int) -> Path:
    return project.cache_dir / TOPICS_DIR / f"run-{int(run_id)}"


def fit_topics(project, min_topic_size: int | None = None, seed: int = 42, outlier_target: float = 0.2,
               embedding: str | None = None, irritants_only: bool = True, progress: bool = True, **options: Any):
    """Fit the irritant topics, save the run, return the curated result (see :func:`current_topics`)."""
    from ..topics import IrritantTopicModel, persistence, store
    from ..topics.embeddings import DEFAULT_EMBEDDING

    require(project, "coding")
    with steps_bar("Thèmes / topics", ["segments", "modèle / model (1–2 min la 1re fois)", "enregistrement / save"],
                   disable=not progress) as step:
        step("segments")
        segments = topic_segments(project, irritants_only=irritants_only)
        step("modèle / model")
        model = IrritantTopicModel(embedding=embedding or DEFAULT_EMBEDDING, min_topic_size=min_topic_size,
                                   seed=int(seed), outlier_target=float(outlier_target),
                                   cache_path=str(project.cache_dir / "embeddings.sqlite"), **options)
        model.fit(segments)
        step("enregistrement / save")
        result = model.result_
        run_id = store.save_run(project.conn, result)
        persistence.save_result(result, _run_folder(project, run_id))
    return current_topics(project)


def _decisions(project) -> list[dict]:
    from ..topics import store

    return store.list_decisions(project.conn)


def current_topics(project, run_id: int | None = None):
    """The latest (or ``run_id``) topic run with every curation decision re-applied (``curation_log`` says
    what each did), as ``interviewkit.project_topics.curated_result`` gives it; when the run was fitted
    here, its full result (``cache/topics/run-<id>``: keywords and phrases) lets merges and splits
    recompute keywords and labels. Raises :class:`StepMissing` when no run exists."""
    from ..project_topics import curated_result, has_runs
    from ..topics import apply_curation, persistence, store

    require(project, "coding")
    if not has_runs(project):
        raise StepMissing.for_step("topics")
    base = store.load_run(project.conn, run_id)
    try:
        full = persistence.load_result(_run_folder(project, base.run_id))
    except InterviewkitError:  # fitted elsewhere (`interviewkit topics`) or cache deleted
        return curated_result(project, base.run_id)
    full.run_id = base.run_id
    return apply_curation(full, _decisions(project))


def _record(project, decision, coder: str | None):
    from ..project_topics import record_curation

    record_curation(project, decision, coder or default_coder())
    return current_topics(project)


def rename_topic(project, topic_id: int, label: str, coder: str | None = None):
    from ..topics import curation

    label = str(label).strip()
    if not label:
        raise StepMissing("topics", "Écrivez le nouveau nom du thème.", "Type the topic's new name.")
    return _record(project, curation.rename(current_topics(project), int(topic_id), label), coder)


def merge_topics(project, topic_ids, label: str | None = None, coder: str | None = None):
    from ..topics import curation

    ids = [int(t) for t in topic_ids]
    if len(ids) < 2:
        raise StepMissing("topics", "Choisissez au moins deux thèmes à fusionner.", "Pick at least two topics to merge.")
    return _record(project, curation.merge(current_topics(project), ids, (label or "").strip() or None), coder)


def split_topic(project, topic_id: int, segment_ids, label: str | None = None, coder: str | None = None):
    from ..topics import curation

    ids = [str(s) for s in segment_ids]
    if not ids:
        raise StepMissing("topics", "Choisissez les segments qui forment le nouveau thème.",
                          "Pick the segments that make the new topic.")
    result = current_topics(project)
    label = (label or "").strip() or f"{result.label_of(int(topic_id))} (2)"  # named: same label everywhere
    return _record(project, curation.split(result, int(topic_id), ids, label), coder)


def set_irritant(project, topic_id: int, is_irritant: bool, coder: str | None = None):
    from ..topics import curation

    result = current_topics(project)
    return _record(project, curation.SetIrritant(curation.topic_ref(result, int(topic_id)), bool(is_irritant)), coder)


def undo_curation(project, coder: str | None = None):
    """Cancel the latest curation decision not cancelled yet (an ``undo`` decision is appended)."""
    from ..topics import curation

    decisions = _decisions(project)
    undone = {int(d["target_id"]) for d in decisions if d["action"] == "undo"}
    live = [d for d in decisions if d["action"] != "undo" and d["decision_id"] not in undone]
    if not live:
        raise StepMissing("topics", "Aucune décision à annuler.", "No decision to undo.")
    return _record(project, curation.Undo(int(live[-1]["decision_id"])), coder)


# ------------------------------------------------------------------------------------------ views

def topic_overview(result) -> pd.DataFrame:
    """Topics sorted by participants: topic_id, label, participants, segments, irritant, keywords."""
    from ..topics import views

    t = views.topic_table(result)
    return t[["topic_id", "label", "participants", "segments", "is_irritant", "keywords"]]


def topic_details(project, result, topic_id: int) -> dict[str, Any]:
    """One topic: row (label, counts, keywords), quotes (representatives first), participants, and the
    stage / channel / persona splits (long tables from ``topics.views.topic_by``)."""
    from ..topics import views

    topic_id = int(topic_id)
    row = result.topics.loc[result.topics["topic_id"] == topic_id]
    if not len(row):
        raise StepMissing("topics", f"Le thème {topic_id} n'existe plus (thèmes recalculés ?).",
                          f"Topic {topic_id} no longer exists (topics recomputed?).")
    row = row.iloc[0]
    members = result.members(topic_id)
    texts = project.query("SELECT s.segment_id, s.text, d.name AS document, t.participant_id AS participant "
                          "FROM segments s JOIN turns t ON t.turn_id = s.turn_id JOIN documents d "
                          "ON d.document_id = s.document_id").set_index("segment_id")
    reps = [s for s in row["representative_segment_ids"] if s in texts.index]
    order = reps + [s for s in members if s not in set(reps) and s in texts.index]
    quotes = texts.loc[order].reset_index()
    quotes["representative"] = quotes["segment_id"].isin(reps)
    splits = {}
    for by in ("stage", "channel", "persona"):
        long = views.topic_by(result, by)
        splits[by] = long[long["topic_id"] == topic_id][[by, "segments", "participants", "participant_share"]]
    participants = sorted(set(quotes["participant"].dropna().astype(str)))
    return {"topic_id": topic_id, "label": str(row["label"]), "keywords": list(row["keywords"]),
            "segments": int(row["segments"]), "participants": participants, "is_irritant": bool(row["is_irritant"]),
            "quotes": quotes, "splits": splits}


def topic_details_html(details: dict[str, Any], max_quotes: int = 8) -> str:
    irr = "irritant" if details["is_irritant"] else "pas un irritant / not an irritant"
    parts = [f"<h4 class='ik-topic-label'>{html.escape(details['label'])}</h4>",
             f"<div><b>Mots-clés / keywords</b> : {html.escape(', '.join(details['keywords']))}</div>",
             f"<div>{details['segments']} segments · {len(details['participants'])} participants ({irr})</div>",
             f"<div><small>Participants : {html.escape(', '.join(details['participants']))}</small></div>",
             "<b>Citations / quotes</b><ul class='ik-quotes'>"]
    for q in details["quotes"].head(max_quotes).itertuples():
        star = "★ " if q.representative else ""
        parts.append(f"<li>{star}« {html.escape(str(q.text))} » <small>— {html.escape(str(q.participant))}, "
                     f"{html.escape(str(q.document))}</small></li>")
    parts.append("</ul>")
    cols = []
    for by, title in (("stage", "Étape / stage"), ("channel", "Canal / channel"), ("persona", "Persona")):
        df = details["splits"][by].copy()
        df["participant_share"] = (df["participant_share"] * 100).round(0).astype(int).astype(str) + " %"
        df.columns = [by, "seg.", "part.", "% part."]
        cols.append(f"<div style='flex:1 1 280px;overflow-x:auto'><b>{title}</b>{table_html(df)}</div>")
    parts.append("<div style='display:flex;gap:16px;flex-wrap:wrap'>" + "".join(cols) + "</div>"
                 "<small>seg. = segments · part. = participants · % part. = part des participants de cette "
                 "étape / ce canal / cette persona qui évoquent le thème (share of the column's participants)</small>")
    return "".join(parts)


def sizes_figure(result, by: str = "participants"):
    from ..topics import plots

    return plots.topic_sizes_figure(result, by=by)


def heatmap_figure(result, by: str = "stage", value: str = "participant_share"):
    """Topic × stage / channel / persona heatmap (share of the participants of the column who mention it)."""
    from ..topics import plots

    return plots.topic_heatmap_figure(result, by=by, value=value)


@friendly
def show_heatmaps(project, bys=("stage", "channel", "persona")):
    """Notebook cell: the topic sizes and one heatmap per breakdown."""
    from .figures import show_figure

    result = current_topics(project)
    if not len(result.topics):
        raise StepMissing("topics", "Aucun thème trouvé : " + result.message, "No topic found: " + result.message)
    show_figure(sizes_figure(result))
    for by in bys:
        show_figure(heatmap_figure(result, by))


class TopicExplorer:
    """Pick a topic, read it (keywords, quotes, participants, splits) and curate it."""

    def __init__(self, project, coder: str | None = None) -> None:
        import ipywidgets as w

        self.project = project
        self.coder = coder or default_coder()
        self.result = current_topics(project)
        self.topic = w.Dropdown(description="Thème", layout=w.Layout(width="60%"))
        self.topic.observe(lambda _: self.render(), names="value")
        self.details = w.HTML()
        self.new_label = w.Text(description="Nom", placeholder="nouveau nom / new name")
        self.rename_button = w.Button(description="Renommer / rename")
        self.merge_with = w.SelectMultiple(description="Avec", rows=4, layout=w.Layout(width="60%"))
        self.merge_button = w.Button(description="Fusionner / merge")
        self.split_segments = w.SelectMultiple(description="Segments", rows=6, layout=w.Layout(width="95%"))
        self.split_label = w.Text(description="Nom", placeholder="nom du nouveau thème / new topic name")
        self.split_button = w.Button(description="Séparer / split")
        self.irritant_button = w.Button(description="Irritant ? oui/non / toggle")
        self.undo_button = w.Button(description="Annuler / undo")
        for b, css in ((self.rename_button, "ik-topic-rename"), (self.merge_button, "ik-topic-merge"),
                       (self.split_button, "ik-topic-split"), (self.irritant_button, "ik-topic-irritant"),
                       (self.undo_button, "ik-topic-undo")):
            b.add_class(css)
            b.layout = w.Layout(width="auto")
        self.rename_button.on_click(lambda _: self._do(rename_topic, self.topic.value, self.new_label.value))
        self.merge_button.on_click(lambda _: self._do(merge_topics, [self.topic.value, *self.merge_with.value],
                                                      self.new_label.value or None))
        self.split_button.on_click(lambda _: self._do(split_topic, self.topic.value, list(self.split_segments.value),
                                                      self.split_label.value or None))
        self.irritant_button.on_click(lambda _: self._do(set_irritant, self.topic.value, not self._is_irritant()))
        self.undo_button.on_click(lambda _: self._do(undo_curation))
        self.status = w.HTML()
        self.widget = w.VBox([
            w.HTML("<b>Explorateur de thèmes / topic explorer</b>"), self.topic, self.details,
            w.HTML("<b>Curation</b> (enregistrée, ré-appliquée après chaque recalcul / stored, re-applied after "
                   "every re-fit)"),
            w.HBox([self.new_label, self.rename_button]), w.HBox([self.merge_with, self.merge_button]),
            self.split_segments, w.HBox([self.split_label, self.split_button]),
            w.HBox([self.irritant_button, self.undo_button]), self.status])
        self._options()

    def _is_irritant(self) -> bool:
        row = self.result.topics.loc[self.result.topics["topic_id"] == self.topic.value]
        return bool(row["is_irritant"].iloc[0]) if len(row) else True

    def _options(self, keep: int | None = None) -> None:
        t = topic_overview(self.result)
        options = [(f"{lab} — {p} participants, {s} segments", int(tid))
                   for tid, lab, p, s in zip(t["topic_id"], t["label"], t["participants"], t["segments"])]
        self.topic.options = options
        values = [v for _, v in options]
        if values:
            self.topic.value = keep if keep in values else values[0]
        self.render()

    def render(self) -> None:
        if self.topic.value is None:
            self.details.value = message_html("info", "Aucun thème : " + self.result.message,
                                              "No topic: " + self.result.message)
            return
        d = topic_details(self.project, self.result, self.topic.value)
        self.details.value = topic_details_html(d)
        self.merge_with.options = [(lab, v) for lab, v in self.topic.options if v != self.topic.value]
        self.split_segments.options = [(f"{q.participant} · {str(q.text)[:120]}", q.segment_id)
                                       for q in d["quotes"].itertuples()]

    def _do(self, fn, *args):
        try:
            self.result = fn(self.project, *args, coder=self.coder)
        except InterviewkitError as exc:
            fr = getattr(exc, "fr", "Action impossible.")
            en = getattr(exc, "en", "")
            self.status.value = message_html("warning", fr, en, detail="" if hasattr(exc, "fr") else str(exc))
            return None
        last = self.result.curation_log[-1] if self.result.curation_log else {}
        ids = last.get("topic_ids") or []
        self.status.value = message_html("success", "Décision enregistrée.", "Decision saved.",
                                         detail=f"{last.get('action', '')}: {last.get('status', '')} "
                                                f"{last.get('detail', '')}")
        self.new_label.value = ""
        self.split_label.value = ""
        self._options(keep=ids[-1] if ids else self.topic.value)
        return self.result


@friendly
def topic_explorer(project, coder: str | None = None):
    """The :class:`TopicExplorer` widget (a message when topics were not computed)."""
    return TopicExplorer(project, coder).widget


@friendly
def fit_and_summarise(project, min_topic_size: int | None = None, seed: int = 42, outlier_target: float = 0.2,
                      irritants_only: bool = True, progress: bool = True):
    """Notebook cell: fit, then show the run's message and the topic table."""
    from IPython.display import HTML, display

    result = fit_topics(project, min_topic_size=min_topic_size, seed=seed, outlier_target=outlier_target,
                        irritants_only=irritants_only, progress=progress)
    kind = "success" if len(result.topics) else "warning"
    display(HTML(message_html(kind, f"{len(result.topics)} thème(s) trouvé(s).", result.message)
                 + table_html(topic_overview(result))))
    return result


def _same_settings(result, min_topic_size, seed, outlier_target) -> bool:
    s = result.settings or {}
    return (s.get("min_topic_size") == (None if min_topic_size in (None, 0) else int(min_topic_size))
            and int(s.get("seed", -1)) == int(seed)
            and abs(float(s.get("outlier_target", -1)) - float(outlier_target)) < 1e-9)


@friendly
def topics_for(project, min_topic_size: int | None = None, seed: int = 42, outlier_target: float = 0.2,
               irritants_only: bool = True, recompute: bool = False, progress: bool = True):
    """Notebook cell: reuse the latest topic run when its settings match the parameters (curation kept),
    else fit again; shows the topic table either way."""
    from IPython.display import HTML, display

    require(project, "coding")
    min_topic_size = None if min_topic_size in (None, 0) else int(min_topic_size)
    result = None
    if not recompute:
        try:
            result = current_topics(project)
        except StepMissing:
            result = None
        if result is not None and not _same_settings(result, min_topic_size, seed, outlier_target):
            result = None
    if result is None:
        return fit_and_summarise.__wrapped__(project, min_topic_size, seed, outlier_target, irritants_only, progress)
    display(HTML(message_html("info", f"Thèmes du dernier calcul (n° {result.run_id}) avec {len(_decisions(project))} "
                                      "décision(s) de curation. RECOMPUTE = True pour recalculer.",
                              result.message) + table_html(topic_overview(result))))
    return result


class TopicControls:
    """Minimum topic size, seed, outlier target and a « Recalculer » button (same as the parameters)."""

    def __init__(self, project, min_topic_size: int | None = None, seed: int = 42, outlier_target: float = 0.2) -> None:
        import ipywidgets as w

        self.project = project
        self.min_size = w.BoundedIntText(value=int(min_topic_size or 0), min=0, max=500,
                                         description="Taille min.", tooltip="0 = automatique")
        self.seed = w.IntText(value=int(seed), description="Graine / seed")
        self.outliers = w.FloatSlider(value=float(outlier_target), min=0.0, max=0.6, step=0.05,
                                      description="Hors thème max.", readout_format=".0%")
        self.button = w.Button(description="Recalculer / re-fit", button_style="primary", layout=w.Layout(width="auto"))
        self.button.add_class("ik-topics-fit")
        self.button.on_click(lambda _: self.fit())
        self.output = w.Output()
        self.widget = w.VBox([w.HBox([self.min_size, self.seed, self.outliers, self.button]), self.output])

    def fit(self):
        self.output.clear_output()
        with self.output:
            return fit_and_summarise(self.project, self.min_size.value or None, self.seed.value, self.outliers.value)


@friendly
def topic_controls(project, min_topic_size: int | None = None, seed: int = 42, outlier_target: float = 0.2):
    require(project, "coding")
    return TopicControls(project, min_topic_size, seed, outlier_target).widget
