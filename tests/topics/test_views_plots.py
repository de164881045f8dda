"""Views (topic x stage / channel / persona) and plotly figures."""
from __future__ import annotations

import pandas as pd
import pytest

from interviewkit.errors import ConfigError
from interviewkit.topics import TopicResult, plots, views


@pytest.fixture
def small_result():
    meta = pd.DataFrame({
        "segment_id": ["a", "b", "c", "d", "e", "f"],
        "participant": ["P1", "P1", "P2", "P3", "P3", "P4"],
        "persona": ["pressé", "pressé", None, "prudent", "prudent", "prudent"],
        "document": "doc", "stage": ["s1;s2", "s2", "s1", "", "s2", "s1"],
        "channel": ["appli", "tel", "appli", "appli", "tel;appli", "tel"],
        "irritant": [1, 1, 1, 0, 1, 1], "language": "fr"})
    topics = pd.DataFrame([
        {"topic_id": 0, "label": "attente du devis", "keywords": ["devis", "attendre"], "segments": 3,
         "participants": 2, "is_irritant": True, "representative_segment_ids": ["a", "c"]},
        {"topic_id": 1, "label": "QR code", "keywords": ["qr"], "segments": 2, "participants": 2,
         "is_irritant": True, "representative_segment_ids": ["d", "f"]}])
    assignments = pd.DataFrame({"segment_id": list("abcdef"), "topic_id": [0, 0, 0, 1, -1, 1],
                                "probability": [0.9, 0.8, 0.7, 0.9, 0.0, 0.6]})
    return TopicResult(topics, assignments, 1 / 6, "ok", meta=meta)


def test_topic_table(small_result):
    t = views.topic_table(small_result)
    assert list(t["topic_id"]) == [0, 1]
    assert t.loc[0, "participant_share"] == 0.5 and t.loc[0, "keywords"] == "devis, attendre"
    assert t.loc[0, "segment_share"] == 0.5


def test_topic_table_without_metadata_takes_participants_from_segments_or_leaves_the_share_empty(small_result):
    meta = small_result.meta
    small_result.meta = None
    t = views.topic_table(small_result, segments=meta.assign(text="…"))
    assert t.loc[0, "participant_share"] == 0.5, "2 of the run's 4 participants, not 2 of the largest topic's 2"
    assert views.topic_table(small_result)["participant_share"].isna().all()


def test_topic_by_stage_counts_each_value_and_participant_shares(small_result):
    st = views.topic_stage(small_result).set_index(["topic_id", "stage"])
    # topic 0: a (s1;s2, P1), b (s2, P1), c (s1, P2)
    assert st.loc[(0, "s1"), "segments"] == 2 and st.loc[(0, "s1"), "participants"] == 2
    assert st.loc[(0, "s2"), "segments"] == 2 and st.loc[(0, "s2"), "participants"] == 1
    # participants at s1 in the run: P1, P2, P4 -> 2 of 3 mention topic 0
    assert st.loc[(0, "s1"), "group_participants"] == 3
    assert st.loc[(0, "s1"), "participant_share"] == pytest.approx(2 / 3)
    assert st.loc[(1, "(none)"), "segments"] == 1  # empty stage cell
    assert st.loc[(0, "s1"), "segment_share"] == pytest.approx(2 / 3)
    ch = views.topic_channel(small_result)
    assert set(ch["channel"]) == {"appli", "tel"}
    pe = views.topic_persona(small_result).set_index(["topic_id", "persona"])
    assert pe.loc[(0, "(none)"), "participants"] == 1 and pe.loc[(1, "prudent"), "participants"] == 2
    m = views.as_matrix(views.topic_stage(small_result), value="segments")
    assert m.loc["0 · attente du devis", "s1"] == 2


def test_segment_topics_and_missing_metadata(small_result):
    seg = views.segment_topics(small_result)
    assert list(seg.columns[:4]) == ["segment_id", "topic_id", "label", "probability"]
    assert seg.set_index("segment_id").at["e", "label"] == "(hors thème)"
    bare = TopicResult(small_result.topics, small_result.assignments, 0.0, "")
    with pytest.raises(ConfigError, match="segments"):
        views.topic_stage(bare)


def test_figures_and_offline_html(tfidf_model, corpus, tmp_path):
    res = tfidf_model.result_
    figs = [plots.topic_sizes_figure(res), plots.topic_heatmap_figure(res, "stage"),
            plots.topic_heatmap_figure(res, "persona", value="participants"), plots.topic_map_figure(res)]
    for fig in figs:
        assert fig.__class__.__name__ == "Figure" and len(fig.data) >= 1
    html = plots.write_html(figs[0], tmp_path / "sizes.html").read_text(encoding="utf-8")
    assert '<script src="https://cdn' not in html and 'src="http' not in html
    assert len(html) > 1_000_000  # plotly.js embedded
    import plotly.io as pio

    back = pio.read_json(plots.write_json(figs[1], tmp_path / "heat.json"))
    assert back.data[0].type == "heatmap"
