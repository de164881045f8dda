"""Thin helpers behind the notebooks of ``notebooks/`` (JupyterLab is the researchers' product surface).

The notebooks stay short: each cell calls one function of this package, and the logic lives in the
interviewkit modules (ingest, project_tagging, review, topics, journeymap). What lives here:

* ``project``: the parameter cell's ``PROJECT`` (``None`` = the demo project, built once),
  :func:`demo_project`, :func:`open_notebook`;
* ``steps``: is a step done? clear bilingual messages ("Lancez d'abord le carnet 02…") instead of
  tracebacks (:class:`StepMissing`, :func:`friendly`);
* ``progress``: tqdm progress bars for ingestion, tagging, topics, maps;
* ``ingest``: the import form, the ingestion report, the pseudonymisation preview and the
  "add a missed name" re-pseudonymisation;
* ``coding``: tagging, the codebook editor (live pattern preview on cached Docs), the reviewer widget,
  the agreement dashboard;
* ``topics``: topic modelling from the project, the topic explorer and curation, heatmaps;
* ``maps``: the evidence frame, the map preview/editor, the emotion curve, export buttons;
* ``report``: the stakeholder report (tables, charts, quotes) and :func:`report.export_report`;
* ``notebooks``: papermill-style parameter injection and headless execution (nbclient).

Widgets import ipywidgets only when used; nothing here is needed outside notebooks.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "demo_project": "interviewkit.workbench.project",
    "demo_project_path": "interviewkit.workbench.project",
    "open_notebook": "interviewkit.workbench.project",
    "resolve_project": "interviewkit.workbench.project",
    "StepMissing": "interviewkit.workbench.steps",
    "friendly": "interviewkit.workbench.steps",
    "require": "interviewkit.workbench.steps",
    "project_status": "interviewkit.workbench.steps",
    "show_message": "interviewkit.workbench.messages",
}
_SUBMODULES = ("coding", "figures", "ingest", "maps", "messages", "notebooks", "progress", "project", "report",
               "steps", "topics")

__all__ = [*_LAZY, *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = import_module(f"interviewkit.workbench.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'interviewkit.workbench' has no attribute {name!r}")
