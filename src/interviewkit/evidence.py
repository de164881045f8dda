"""The evidence frame: customer segments with their final tags and topics, what maps and reports use.

Columns: segment_id, document, participant, persona, role, turn_index, segment_index, start, text
(pseudonymised), language, stage, channel, emotion, valence, irritant, moments, lane, review_status,
codes, and — once topics have been modelled — topic_id (-1 outlier or not modelled) and topic_label.
Tags are the *final* ones: auto tags overlaid with the researchers' decisions (a decision always wins).
"""
from __future__ import annotations

import pandas as pd

from .errors import InterviewkitError


def evidence_frame(project, coder: str | None = None, with_topics: bool = True) -> pd.DataFrame:
    """Customer segments of ``project`` with final tags and the latest topic assignment."""
    from .review.state import final_tags

    segs = project.segments(role="participant")
    if segs.empty:
        raise InterviewkitError("E920", "the project has no customer segments", path=project.path,
                                hint="ingest transcripts or verbatims first (interviewkit ingest)")
    tags = final_tags(project, coder=coder, segment_ids=segs["segment_id"])
    if tags["emotion"].isna().all():
        raise InterviewkitError("E921", "the project's segments are not tagged yet", path=project.path,
                                hint="run `interviewkit tag --project DIR` first")
    tags = tags.drop(columns=[c for c in ("confidence", "evidence") if c in tags.columns])
    df = segs.merge(tags, on="segment_id", how="left")
    topics = _latest_topics(project) if with_topics else pd.DataFrame()
    if not topics.empty:
        df = df.merge(topics, on="segment_id", how="left")
        df["topic_id"] = df["topic_id"].fillna(-1).astype(int)
        df["topic_label"] = df["topic_label"].fillna("")
    for col in ("stage", "channel", "moments", "codes", "emotion", "lane"):
        df[col] = df[col].fillna("")
    df["valence"] = df["valence"].fillna(0).astype(int)
    df["irritant"] = df["irritant"].fillna(0).astype(int)
    return df


def _latest_topics(project) -> pd.DataFrame:
    from .project_topics import curated_assignments

    return curated_assignments(project)
