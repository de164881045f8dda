"""Plotly figures of a topic run. Each function returns a ``plotly.graph_objects.Figure``;
``write_html`` embeds plotly.js in the file (works offline; never a CDN link) and ``write_json``
writes the figure as JSON (small; open it with ``plotly.io.read_json``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .result import OUTLIER, TopicResult
from .views import as_matrix, topic_by, topic_table

__all__ = ["topic_sizes_figure", "topic_heatmap_figure", "topic_map_figure", "write_html", "write_json"]


def topic_sizes_figure(result: TopicResult, *, by: str = "participants"):
    """Horizontal bars: participants (or segments) per topic, irritants in red."""
    import plotly.graph_objects as go

    if by not in ("participants", "segments"):
        raise ConfigError("E705", "unknown size measure", value=by, allowed=["participants", "segments"])
    t = topic_table(result).sort_values(by, ascending=True)
    colors = ["#c0392b" if irr else "#7f8c8d" for irr in t["is_irritant"]]
    fig = go.Figure(go.Bar(
        x=t[by], y=[f"{lab} ({tid})" for tid, lab in zip(t["topic_id"], t["label"])], orientation="h",
        marker_color=colors, customdata=np.stack([t["segments"], t["participants"], t["keywords"]], axis=-1)
        if len(t) else None,
        hovertemplate="%{y}<br>segments: %{customdata[0]}<br>participants: %{customdata[1]}"
                      "<br>%{customdata[2]}<extra></extra>"))
    fig.update_layout(title=f"Thèmes ({'participants' if by == 'participants' else 'segments'})",
                      xaxis_title=by, height=max(300, 40 * len(t) + 120), margin=dict(l=260))
    return fig


def topic_heatmap_figure(result: TopicResult, by: str = "stage", *, segments: pd.DataFrame | None = None,
                         value: str = "participant_share"):
    """Heatmap topic x stage (or channel / persona) of ``value`` (participant_share, participants, segments)."""
    import plotly.graph_objects as go

    long = topic_by(result, by, segments)
    m = as_matrix(long, value=value)
    fig = go.Figure(go.Heatmap(z=m.to_numpy(dtype=float) if len(m) else [[]], x=[str(c) for c in m.columns],
                               y=list(m.index), colorscale="Reds",
                               hovertemplate=f"%{{y}}<br>{by}: %{{x}}<br>{value}: %{{z:.2f}}<extra></extra>"))
    fig.update_layout(title=f"Thèmes × {by} ({value})", xaxis_title=by, height=max(300, 35 * len(m) + 150),
                      margin=dict(l=260))
    return fig


def topic_map_figure(result: TopicResult, *, show_segments: bool = True):
    """2-D map of the run: segments (PCA of their vectors, deterministic) coloured by topic, and the
    topics placed at their members' mean position with their label."""
    import plotly.graph_objects as go
    from sklearn.decomposition import PCA

    if result.embeddings is None or not len(result.topics):
        raise ConfigError("E705", "the topic map needs a fitted result with embeddings and topics",
                          hint="fit the model (results loaded from the SQL store carry no vectors)")
    emb = np.asarray(result.embeddings)
    topics = result.assignments["topic_id"].to_numpy()
    xy = PCA(n_components=2, random_state=0).fit_transform(emb)
    fig = go.Figure()
    if show_segments:
        for t in sorted(set(topics.tolist())):
            mask = topics == t
            fig.add_trace(go.Scattergl(
                x=xy[mask, 0], y=xy[mask, 1], mode="markers", name=result.label_of(int(t)),
                marker=dict(size=5, opacity=0.35 if t == OUTLIER else 0.6),
                text=result.assignments["segment_id"].to_numpy()[mask], hovertemplate="%{text}<extra></extra>"))
    stats = result.topics.set_index("topic_id")
    centres = [(t, xy[topics == t].mean(axis=0)) for t in stats.index if (topics == t).any()]
    fig.add_trace(go.Scatter(
        x=[c[0] for _, c in centres], y=[c[1] for _, c in centres], mode="markers+text", name="thèmes",
        text=[stats.at[t, "label"] for t, _ in centres], textposition="top center",
        marker=dict(size=[8 + 2 * np.sqrt(stats.at[t, "segments"]) for t, _ in centres], color="#222",
                    opacity=0.7)))
    fig.update_layout(title="Carte des thèmes", xaxis=dict(visible=False), yaxis=dict(visible=False), height=650)
    return fig


def write_html(fig, path) -> Path:
    """Self-contained HTML (plotly.js inline, ~4.5 MB): opens without network access."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)
    return path


def write_json(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_json(str(path))
    return path
