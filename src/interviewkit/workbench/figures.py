"""Showing plotly figures so that they work in JupyterLab and in exported HTML alike.

:func:`show_figure` displays one output with two representations: the plotly MIME bundle (drawn by the
``jupyterlab-plotly`` extension, interactive) and an HTML ``<div>`` without plotly.js (used by nbconvert;
:func:`interviewkit.workbench.report.export_report` puts plotly.js once in the page head, so the report
opens offline).
"""
from __future__ import annotations

from typing import Any

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def figure_bundle(fig) -> dict[str, Any]:
    """``{mime: data}`` for ``IPython.display.display(..., raw=True)``."""
    import json

    import plotly.io as pio

    return {
        PLOTLY_MIME: json.loads(pio.to_json(fig, validate=False)),
        "text/html": fig.to_html(include_plotlyjs=False, full_html=False,
                                 config={"displaylogo": False, "responsive": True}),
        "text/plain": f"<figure: {fig.layout.title.text or 'plotly'}>",
    }


def show_figure(fig) -> None:
    from IPython.display import display

    display(figure_bundle(fig), raw=True)
