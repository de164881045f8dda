"""Bilingual messages (French first, then English) shown in notebooks instead of tracebacks.

>>> html = message_html("missing", "Lancez d'abord le carnet 02.", "Run notebook 02 first.")
>>> "ik-message-missing" in html and "Lancez d&#x27;abord" in html
True
"""
from __future__ import annotations

import html as _html
from typing import Any

KINDS = {
    "info": ("#eef5fb", "#2471a3", "ℹ"),
    "success": ("#eafaf1", "#1e8449", "✓"),
    "warning": ("#fef9e7", "#b7950b", "⚠"),
    "error": ("#fdedec", "#b03a2e", "✗"),
    "missing": ("#fef5e7", "#ca6f1e", "⏳"),
}


def message_html(kind: str, fr: str, en: str = "", detail: str = "") -> str:
    """A coloured box: French line in bold, English line below, optional detail (all HTML-escaped)."""
    bg, fg, icon = KINDS.get(kind, KINDS["info"])
    parts = [f"<div class='ik-message ik-message-{kind}' style='background:{bg};border-left:4px solid {fg};"
             f"padding:8px 12px;margin:6px 0;color:#222'>",
             f"<b style='color:{fg}'>{icon}</b> <b>{_html.escape(fr)}</b>"]
    if en:
        parts.append(f"<br><span style='color:#555'>{_html.escape(en)}</span>")
    if detail:
        parts.append(f"<br><small style='color:#777'>{_html.escape(detail)}</small>")
    parts.append("</div>")
    return "".join(parts)


def show_message(kind: str, fr: str, en: str = "", detail: str = "") -> None:
    """Display :func:`message_html` in the notebook (plain print outside IPython)."""
    try:
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython ships with the notebook stack
        print(f"{fr}\n{en}\n{detail}".strip())
        return
    display(HTML(message_html(kind, fr, en, detail)))


def message_widget(kind: str, fr: str, en: str = "", detail: str = "") -> Any:
    """The same box as an ``ipywidgets.HTML`` (to put inside composite widgets)."""
    import ipywidgets as w

    return w.HTML(message_html(kind, fr, en, detail))


_TABLE_STYLE = ("<style>table.ik-table td, table.ik-table th {text-align: left !important; vertical-align: top; "
                "padding: 2px 8px}</style>")


def table_html(df, max_rows: int = 50, escape: bool = True, classes: str = "ik-table") -> str:
    """A pandas DataFrame as a compact HTML table (escaped; index hidden)."""
    if df is None or not len(df):
        return "<i>(vide / empty)</i>"
    shown = df.head(max_rows)
    out = _TABLE_STYLE + shown.to_html(index=False, escape=escape, classes=classes, border=0, na_rep="")
    out = out.replace('<tr style="text-align: right;">', "<tr>")
    if len(df) > max_rows:
        out += f"<small>… {len(df) - max_rows} ligne(s) de plus / more row(s)</small>"
    return out
