"""Notebook 04: persona journey maps — build, preview live, edit, plot the emotion curve, export.

* :func:`evidence_frame`: :func:`interviewkit.evidence.evidence_frame` (what ``interviewkit map`` uses) —
  customer segments, final tags (auto tags overlaid with human decisions), curated irritant topics when
  notebook 03 was run (else the maps group irritants by action, and say so).
* :class:`MapSession`: maps built once; each edit is appended to ``map_edits`` and the edits are
  re-applied to a pristine copy of the built maps (no rebuild: an edit shows at once).
* :class:`MapEditor`: persona picker, the map page (the HTML export, in an ``<iframe srcdoc>`` inside an
  ``ipywidgets.HTML`` so its styles stay apart from JupyterLab's), stage / row / item pickers and the
  edit buttons (replace text, revert, hide, show, approve, reopen, add or edit an opportunity).
* :func:`emotion_curve_figure`: plotly curve of the mean valence per stage (std as error bars).
* :class:`ExportPanel` / :func:`export_maps`: every format at once (HTML, JSON, XLSX, Markdown, PNG, PPTX)
  with links to the files.
"""
from __future__ import annotations

import copy
import getpass
import html
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InterviewkitError
from .messages import message_html, table_html
from .progress import steps_bar
from .steps import StepMissing, friendly, require

EDIT_LABELS = {
    "replace_text": "Remplacer le texte / replace text", "revert_text": "Rétablir le texte / revert text",
    "hide": "Masquer / hide", "show": "Afficher / show", "approve": "Approuver la cellule / approve cell",
    "reopen": "Rouvrir la cellule / reopen cell", "add_opportunity": "Ajouter une opportunité / add opportunity",
    "edit_opportunity": "Modifier l'opportunité / edit opportunity",
}


def _coder() -> str:
    try:
        return getpass.getuser() or "researcher"
    except Exception:  # noqa: BLE001
        return "researcher"


def evidence_frame(project, coder: str | None = None, topics: bool = True) -> pd.DataFrame:
    """The map evidence of the project (:func:`interviewkit.evidence.evidence_frame`: customer segments,
    final tags, curated topics when notebook 03 was run); a message when tagging has not run."""
    from ..evidence import evidence_frame as frame

    require(project, "coding")
    return frame(project, coder=coder, with_topics=topics)


def build_project_maps(project, coder: str | None = None, progress: bool = True, **options: Any):
    """``(maps, base)``: maps with the stored edits applied, and the same maps before edits (pristine)."""
    from ..journeymap import apply_edits, build_maps, load_edits

    with steps_bar("Cartes / maps", ["preuves / evidence", "cartes / maps", "modifications / edits"],
                   disable=not progress) as step:
        step("preuves / evidence")
        evidence = evidence_frame(project, coder)
        step("cartes / maps")
        base = build_maps(evidence, **options)
        step("modifications / edits")
        maps = copy.deepcopy(base)
        apply_edits(maps, load_edits(project))
    return maps, base


def map_page(jm) -> str:
    """The map as a full HTML page (the HTML export of one persona)."""
    from ..journeymap.render_html import map_to_html

    return map_to_html(jm)


def preview_html(jm, height: int = 760) -> str:
    """The map page in an ``<iframe srcdoc>`` (sandboxed: no script), for an ``ipywidgets.HTML``."""
    page = html.escape(map_page(jm), quote=True)
    return (f"<iframe class='ik-map-frame' title='{html.escape(jm.persona, quote=True)}' sandbox='' "
            f"style='width:100%;height:{int(height)}px;border:1px solid #ccc;background:white' "
            f"srcdoc=\"{page}\"></iframe>")


def emotion_curve_figure(jm):
    """Mean valence per stage (−2…+2) with the std across participants as error bars; stages without
    enough evidence are left out of the line (gaps)."""
    import plotly.graph_objects as go

    curve = jm.emotion_curve()
    labels = [c["label"] for c in curve]
    means = [c["mean"] for c in curve]
    stds = [c["std"] if c["std"] is not None else 0 for c in curve]
    fig = go.Figure(go.Scatter(
        x=labels, y=means, mode="lines+markers", connectgaps=False, name="valence",
        error_y=dict(type="data", array=stds, visible=True), line=dict(color="#2471a3"),
        customdata=[c["n_participants"] for c in curve],
        hovertemplate="%{x}<br>valence %{y:.2f}<br>%{customdata} participants<extra></extra>"))
    fig.add_hline(y=0, line_dash="dash", line_color="#999")
    fig.update_layout(title=f"Courbe émotionnelle — {jm.persona}", yaxis=dict(range=[-2.3, 2.3], title="valence"),
                      height=380, margin=dict(l=60, r=20, t=50, b=80))
    return fig


def default_export_dir(project) -> Path:
    """``./exports/<project folder name>/`` next to the notebooks (links open in JupyterLab)."""
    return Path.cwd() / "exports" / project.path.name


def export_maps(project, maps, out_dir: str | Path | None = None, formats=None) -> dict[str, list[Path]]:
    """Write every format (default) into ``out_dir`` (default ``./exports/<project>/cartes``)."""
    from ..journeymap import FORMATS, render

    out = Path(out_dir) if out_dir is not None else default_export_dir(project) / "cartes"
    return render(maps, out, formats=list(formats or FORMATS))


def links_html(written: dict[str, list[Path]], base: Path | None = None) -> str:
    """Links to the written files: relative to ``base`` (the notebook's folder) when they are below it,
    so JupyterLab opens them; absolute paths otherwise."""
    base = (base or Path.cwd()).resolve()
    items = []
    for fmt, paths in written.items():
        for p in paths:
            p = Path(p).resolve()
            try:
                rel = p.relative_to(base).as_posix()
                link = f"<a class='ik-export-link' href='{html.escape(rel, quote=True)}' target='_blank'>" \
                       f"{html.escape(rel)}</a>"
            except ValueError:
                link = f"<code class='ik-export-link'>{html.escape(str(p))}</code>"
            items.append(f"<li><b>{html.escape(fmt)}</b> : {link}</li>")
    return "<ul class='ik-export-links'>" + "".join(items) + "</ul>"


class MapSession:
    """Built maps plus the project's edits; :meth:`edit` records one and re-applies them all."""

    def __init__(self, project, coder: str | None = None, progress: bool = True, **options: Any) -> None:
        require(project, "coding")
        self.project = project
        self.coder = coder or _coder()
        self.options = options
        self.maps, self.base = build_project_maps(project, progress=progress, **options)

    @property
    def personas(self) -> list[str]:
        return list(self.maps)

    def reapply(self) -> None:
        from ..journeymap import apply_edits, load_edits

        maps = copy.deepcopy(self.base)
        apply_edits(maps, load_edits(self.project))
        self.maps = maps

    def rebuild(self, progress: bool = True) -> None:
        self.maps, self.base = build_project_maps(self.project, progress=progress, **self.options)

    def edit(self, persona: str, stage: str, lane: str, action: str, item_key: str = "",
             text: str | None = None) -> int:
        """Record an edit (see :func:`interviewkit.journeymap.record_edit`) and show it at once."""
        from ..journeymap import record_edit

        payload = {"text": text} if text is not None and action in ("replace_text", "edit_opportunity",
                                                                    "add_opportunity") else None
        fingerprint = None
        if action == "approve":
            fingerprint = self.maps[persona].cell(stage, lane).fingerprint
        edit_id = record_edit(self.project, persona, stage, lane, action, item_key=item_key, payload=payload,
                              coder=self.coder, fingerprint=fingerprint, stages=self.maps[persona].stages)
        self.reapply()
        return edit_id

    def items(self, persona: str, stage: str, lane: str) -> list[tuple[str, str]]:
        """(display, key) of the items of a cell, hidden and extra ones included."""
        cell = self.maps[persona].cell(stage, lane)
        out = []
        for item in list(cell.items) + list(cell.more_items):
            flags = (" [masqué / hidden]" if item.hidden else "") + (" [modifié / edited]" if item.edited else "")
            extra = " [hors carte / not shown]" if item in cell.more_items else ""
            out.append((f"{item.label[:90]}{flags}{extra}", item.key))
        return out

    def edits_table(self) -> pd.DataFrame:
        from ..journeymap import edits_frame

        return edits_frame(self.project)


class MapEditor:
    """Persona picker, live preview, edit controls and the emotion curve of one persona."""

    def __init__(self, session: MapSession, persona: str | None = None, height: int = 760) -> None:
        import ipywidgets as w

        from ..journeymap import LANES

        self.session = session
        self.height = height
        personas = session.personas
        self.persona = w.Dropdown(options=personas, value=persona if persona in personas else personas[0],
                                  description="Persona")
        self.persona.add_class("ik-persona")
        jm = session.maps[self.persona.value]
        self.stage = w.Dropdown(options=[(jm.stage_label(s), s) for s in jm.stages], description="Étape")
        self.lane = w.Dropdown(options=[(jm.lane_label(x), x) for x in LANES], description="Ligne")
        self.item = w.Dropdown(description="Élément", layout=w.Layout(width="70%"))
        self.text = w.Text(description="Texte", layout=w.Layout(width="70%"),
                           placeholder="nouveau texte / new text (remplacer, opportunité)")
        self.preview = w.HTML()
        self.preview.add_class("ik-map-preview")
        self.cell_info = w.HTML()
        self.status = w.HTML()
        self.buttons = {}
        for action, label in EDIT_LABELS.items():
            b = w.Button(description=label, layout=w.Layout(width="auto"))
            b.add_class(f"ik-map-{action.replace('_', '-')}")
            b.on_click(lambda _, a=action: self.apply(a))
            self.buttons[action] = b
        self.persona.observe(lambda _: self.render(), names="value")
        self.stage.observe(lambda _: self._items(), names="value")
        self.lane.observe(lambda _: self._items(), names="value")
        self.curve = w.Output()
        self.widget = w.VBox([
            w.HTML("<b>Carte d'expérience / journey map</b> — aperçu en direct / live preview"), self.persona,
            self.preview,
            w.HTML("<b>Modifier une cellule / edit a cell</b> (enregistré, ré-appliqué après reconstruction / "
                   "stored, re-applied after rebuilds)"),
            w.HBox([self.stage, self.lane]), self.cell_info, self.item, self.text,
            w.HBox([self.buttons[a] for a in ("replace_text", "revert_text", "hide", "show")]),
            w.HBox([self.buttons[a] for a in ("approve", "reopen", "add_opportunity", "edit_opportunity")]),
            self.status, w.HTML("<b>Courbe émotionnelle / emotion curve</b>"), self.curve])
        self.render()

    @property
    def map(self):
        return self.session.maps[self.persona.value]

    def render(self) -> None:
        self.preview.value = preview_html(self.map, self.height)
        self._items()
        self.curve.clear_output(wait=True)
        with self.curve:
            from .figures import show_figure

            show_figure(emotion_curve_figure(self.map))

    def _items(self) -> None:
        if self.stage.value is None or self.lane.value is None:
            return
        cell = self.map.cell(self.stage.value, self.lane.value)
        self.item.options = [("(cellule / cell)", "")] + self.session.items(self.persona.value, self.stage.value,
                                                                            self.lane.value)
        note = f" — {html.escape(cell.note)}" if cell.note else ""
        self.cell_info.value = (f"<small>{cell.n_participants} participants · {cell.n_segments} segments · statut "
                                f"{html.escape(cell.status)}{note}</small>")

    def apply(self, action: str) -> int | None:
        text = self.text.value.strip() or None
        key = self.item.value or ""
        if action in ("replace_text", "edit_opportunity", "add_opportunity") and not text:
            self.status.value = message_html("warning", "Écrivez d'abord le texte.", "Type the text first.")
            return None
        if action in ("approve", "reopen", "add_opportunity"):
            key = ""  # cell-level edits (an added opportunity gets its own key)
        try:
            edit_id = self.session.edit(self.persona.value, self.stage.value, self.lane.value, action, key, text)
        except InterviewkitError as exc:
            self.status.value = message_html("error", "Modification refusée.", "Edit refused.", detail=str(exc))
            return None
        self.status.value = message_html("success", f"Modification n° {edit_id} enregistrée.",
                                         f"Edit #{edit_id} saved.", detail=EDIT_LABELS[action])
        self.text.value = ""
        stage, lane = self.stage.value, self.lane.value
        self.render()
        self.stage.value, self.lane.value = stage, lane
        return edit_id


class ExportPanel:
    """« Exporter » button: every format of every map, then links to the files."""

    def __init__(self, session: MapSession, out_dir: str | Path | None = None) -> None:
        import ipywidgets as w

        self.session = session
        self.out_dir = Path(out_dir) if out_dir is not None else default_export_dir(session.project) / "cartes"
        self.button = w.Button(description="Exporter toutes les cartes / export all maps", button_style="primary",
                               icon="download", layout=w.Layout(width="auto"))
        self.button.add_class("ik-export-maps")
        self.button.on_click(lambda _: self.export())
        self.links = w.HTML(f"<small>Dossier / folder : <code>{html.escape(str(self.out_dir))}</code></small>")
        self.written: dict[str, list[Path]] = {}
        self.widget = w.VBox([self.button, self.links])

    def export(self) -> dict[str, list[Path]]:
        try:
            self.written = export_maps(self.session.project, self.session.maps, self.out_dir)
        except InterviewkitError as exc:
            self.links.value = message_html("error", "Export impossible.", "Export failed.", detail=str(exc))
            return {}
        n = sum(len(v) for v in self.written.values())
        self.links.value = message_html("success", f"{n} fichier(s) écrit(s).", f"{n} file(s) written.",
                                        detail=str(self.out_dir)) + links_html(self.written)
        return self.written


@friendly
def map_session(project, coder: str | None = None, progress: bool = True, **options: Any):
    """Build the maps (a message when tagging has not run); returns a :class:`MapSession`."""
    from IPython.display import HTML, display

    session = MapSession(project, coder=coder, progress=progress, **options)
    from ..journeymap import project_edit_report

    report = project_edit_report(session.maps)
    rows = [{"persona": p, "participants": len(m.participants), "segments": m.n_segments,
             "cellules approuvées / approved": sum(c.status == "approved" for c in m.cells),
             "cellules modifiées / edited": sum(c.status == "edited" for c in m.cells)}
            for p, m in session.maps.items()]
    warnings = sorted({w for m in session.maps.values() for w in m.warnings})
    out = message_html("success", f"{len(session.maps)} carte(s) construite(s).", report.summary(),
                       detail=" · ".join(warnings))
    display(HTML(out + table_html(pd.DataFrame(rows))))
    return session


@friendly
def map_editor(session: MapSession | None, persona: str | None = None):
    if session is None:
        raise StepMissing.for_step("coding")
    return MapEditor(session, persona).widget


@friendly
def export_panel(session: MapSession | None, out_dir: str | Path | None = None):
    if session is None:
        raise StepMissing.for_step("coding")
    return ExportPanel(session, out_dir).widget



@friendly
def show_emotion_curve(session: MapSession | None, persona: str | None = None):
    """Notebook cell: the emotion curve of one persona (default: « Tous les participants »)."""
    from .figures import show_figure

    if session is None:
        raise StepMissing.for_step("coding")
    name = persona if persona in session.maps else next(iter(session.maps))
    show_figure(emotion_curve_figure(session.maps[name]))


@friendly
def export_now(session: MapSession | None, out_dir: str | Path | None = None):
    """Notebook cell: export every format at once and show the links (same as the button)."""
    from IPython.display import HTML, display

    if session is None:
        raise StepMissing.for_step("coding")
    panel = ExportPanel(session, out_dir)
    written = panel.export()
    display(HTML(panel.links.value))
    return written
