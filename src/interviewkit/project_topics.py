"""``interviewkit topics``: recurring irritants of a project, stored and curated.

A run models the customer segments tagged irritant (final tags: a researcher's decision wins), or
all customer segments with ``all_segments=True``. Runs are stored raw; the researchers' curation
decisions (rename, merge, split, move, not an irritant) are stored apart, append-only, and
re-applied to whatever run is read, so a new run keeps the curation.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .project import Project

INPUT_COLUMNS = ["segment_id", "text", "participant", "persona", "document", "stage", "channel", "irritant",
                 "language"]


@dataclass
class TopicRunReport:
    run_id: int
    segments: int
    topics: int
    outlier_share: float | None
    message: str

    def summary(self) -> str:
        share = "-" if self.outlier_share is None else f"{self.outlier_share:.0%}"
        text = f"run {self.run_id}: {self.topics} topics over {self.segments} segments, outliers {share}"
        return text + (f" ({self.message})" if self.message else "")


def topic_input(project: Project, all_segments: bool = False) -> pd.DataFrame:
    """The segments a run models, in the topics package's input contract."""
    from .evidence import evidence_frame

    ev = evidence_frame(project, with_topics=False)
    if not all_segments:
        ev = ev[ev["irritant"] == 1]
    ev = ev.assign(persona=ev["persona"].fillna(""), participant=ev["participant"].fillna(""),
                   language=ev["language"].fillna("fr"))
    return ev[INPUT_COLUMNS].reset_index(drop=True)


def run_project_topics(project: Project, all_segments: bool = False, seed: int = 42,
                       seed_topics: Iterable[str] | None = None, embedding: str | None = None,
                       min_topic_size: int | None = None, outlier_target: float = 0.2) -> TopicRunReport:
    """Fit the irritant topic model on the project's segments and store the run."""
    from .topics import DEFAULT_EMBEDDING, IrritantTopicModel
    from .topics.store import save_run

    segments = topic_input(project, all_segments=all_segments)
    model = IrritantTopicModel(embedding=embedding or DEFAULT_EMBEDDING, seed=seed,
                               seed_topics=list(seed_topics) if seed_topics else None,
                               min_topic_size=min_topic_size, outlier_target=outlier_target,
                               cache_path=project.cache_dir / "embeddings.sqlite")
    model.fit(segments)
    result = model.result_
    run_id = save_run(project.conn, result)
    curated = curated_result(project, run_id)
    topics = curated.topics
    return TopicRunReport(run_id=run_id, segments=len(segments),
                          topics=int((topics["topic_id"] >= 0).sum()) if len(topics) else 0,
                          outlier_share=result.outlier_share, message=result.message)


def has_runs(project: Project) -> bool:
    return project.conn.execute("SELECT COUNT(*) FROM topic_runs").fetchone()[0] > 0


def curated_result(project: Project, run_id: int | None = None):
    """The stored run (latest by default) with every curation decision re-applied."""
    from .topics import apply_curation
    from .topics.store import list_decisions, load_run

    from .topics.result import META_COLUMNS

    result = load_run(project.conn, run_id)
    segments = _run_segments(project, result)
    curated = apply_curation(result, list_decisions(project.conn), segments=segments)
    if curated.meta is None:  # the SQL store keeps no metadata: the run's segments as they are now
        meta = segments.drop_duplicates("segment_id").set_index("segment_id").reindex(curated.assignments["segment_id"])
        curated.meta = meta.reset_index()[META_COLUMNS]
    return curated


def _run_segments(project: Project, result) -> pd.DataFrame:
    segments = topic_input(project, all_segments=True)
    return segments[segments["segment_id"].isin(set(result.assignments["segment_id"]))]


def record_curation(project: Project, decision, coder: str) -> int:
    """Store a curation decision (from ``interviewkit.topics.curation``: rename, merge, split…)."""
    from .topics.store import record_decision

    return record_decision(project.conn, decision, coder)


def curated_assignments(project: Project) -> pd.DataFrame:
    """segment_id, topic_id (-1 = outlier), topic_label of the latest curated run (empty if none)."""
    cols = ["segment_id", "topic_id", "topic_label"]
    if not has_runs(project):
        return pd.DataFrame(columns=cols)
    res = curated_result(project)
    labels = dict(zip(res.topics["topic_id"], res.topics["label"])) if len(res.topics) else {}
    out = res.assignments[["segment_id", "topic_id"]].copy()
    out["topic_label"] = out["topic_id"].map(labels).fillna("")
    return out[cols]


def topic_table(project: Project) -> pd.DataFrame:
    """topic_id, label, keywords, segments, participants, is_irritant (+ shares) of the latest curated run."""
    from .topics.views import topic_table as table

    if not has_runs(project):
        return pd.DataFrame(columns=["topic_id", "label", "keywords", "segments", "participants", "is_irritant"])
    return table(curated_result(project))


def write_plots(project: Project, out: str | Path) -> list[Path]:
    """Topic sizes and topic × stage heatmap as self-contained HTML files (the 2-D topic map needs the
    fitted vectors, which the store does not keep: draw it in a notebook from a fitted model)."""
    from .topics import plots

    res = curated_result(project)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    segments = _run_segments(project, res)
    figures = {"topic_sizes": plots.topic_sizes_figure(res),
               "topic_stage": plots.topic_heatmap_figure(res, "stage", segments=segments)}
    return [plots.write_html(fig, out / f"{name}.html") for name, fig in figures.items()]


def _add_topic_columns(project: Project, segments: pd.DataFrame) -> pd.DataFrame:
    assignments = curated_assignments(project)
    out = segments.merge(assignments, on="segment_id", how="left")
    out["topic_id"] = out["topic_id"].fillna(-1).astype(int)
    out["topic_label"] = out["topic_label"].fillna("")
    return out


def register_exports() -> None:
    from .export import SEGMENT_ENRICHERS, TABLES

    TABLES["topics"] = topic_table
    if _add_topic_columns not in SEGMENT_ENRICHERS:
        SEGMENT_ENRICHERS.insert(0, _add_topic_columns)
