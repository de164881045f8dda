"""Saving a model without pickle, and the SQL layer for the project store."""
from __future__ import annotations

import json
import pickle
import sqlite3

import numpy as np
import pandas as pd
import pytest

from interviewkit.errors import InputError, StoreError
from interviewkit.topics import IrritantTopicModel, apply_curation, load_result, save_result, store
from interviewkit.topics import curation as C


@pytest.fixture
def no_pickle(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pickle must not be used")

    for name in ("dump", "dumps", "load", "loads"):
        monkeypatch.setattr(pickle, name, refuse)


def test_persistence_round_trip_without_pickle(tfidf_model, tmp_path, no_pickle):
    res = tfidf_model.result_
    folder = tmp_path / "topics" / "run-1"
    tfidf_model.save(folder, include_bertopic=True)
    files = {p.name for p in folder.iterdir() if p.is_file()}
    assert files <= {"topics_model.json"} | {p.name for p in folder.glob("*.npy")}
    assert {"topics_model.json", "centroids.npy", "embeddings.npy"} <= files
    for npy in folder.glob("*.npy"):
        np.load(npy, allow_pickle=False)  # plain arrays only
    assert (folder / "bertopic").is_dir() and any((folder / "bertopic").glob("*.safetensors"))
    json.loads((folder / "topics_model.json").read_text(encoding="utf-8"))

    back = load_result(folder)
    pd.testing.assert_frame_equal(back.topics, res.topics)
    pd.testing.assert_frame_equal(back.assignments, res.assignments)
    pd.testing.assert_frame_equal(back.meta.reset_index(drop=True), res.meta.reset_index(drop=True),
                                  check_dtype=False)
    assert back.message == res.message and back.settings == json.loads(json.dumps(res.settings))
    assert set(back.centroids) == set(res.centroids)
    for t in res.centroids:
        assert np.array_equal(back.centroids[t], res.centroids[t])
    assert back.keyword_scores == res.keyword_scores and back.radii == res.radii
    assert np.array_equal(back.embeddings, res.embeddings)
    model = IrritantTopicModel.load(folder)
    pd.testing.assert_frame_equal(model.topics_, res.topics)
    assert model.bertopic_ is None and model.status_ == "ok"


def test_loading_a_bad_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError) as err:
        load_result(tmp_path)
    assert err.value.code == "E707"
    (tmp_path / "topics_model.json").write_text('{"format": "interviewkit-topics", "version": 99}')
    with pytest.raises(InputError, match="newer"):
        load_result(tmp_path)


def test_store_round_trip_and_append_only_decisions(tfidf_model):
    conn = sqlite3.connect(":memory:")
    store.ensure_schema(conn)
    res = tfidf_model.result_
    run1 = store.save_run(conn, res)
    run2 = store.save_run(conn, res)
    assert run2 == run1 + 1
    back = store.load_run(conn)  # latest
    assert back.run_id == run2
    pd.testing.assert_frame_equal(back.topics, res.topics)
    pd.testing.assert_frame_equal(back.assignments, res.assignments)
    assert back.settings["n_neighbors_effective"] == res.settings["n_neighbors_effective"]
    assert store.load_run(conn, run1).run_id == run1
    with pytest.raises(StoreError) as err:
        store.load_run(conn, 999)
    assert err.value.code == "E710"
    assert list(store.list_runs(conn)["run_id"]) == [run1, run2]

    d1 = store.record_decision(conn, C.rename(res, 0, "Libellé choisi"), coder="claire")
    d2 = store.record_decision(conn, {"action": "undo", "target_id": d1}, coder="hugo")
    d3 = store.record_decision(conn, C.mark_not_irritant(res, 1), coder="claire")
    assert [d1, d2, d3] == [1, 2, 3]
    decisions = store.list_decisions(conn)
    assert [d["action"] for d in decisions] == ["rename", "undo", "set_irritant"]
    assert decisions[0]["coder"] == "claire" and decisions[0]["decision_id"] == 1
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE topic_decisions SET coder = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM topic_decisions")
    cur = apply_curation(back, decisions, segments=None if back.meta is not None else _segments(res))
    assert "Libellé choisi" not in set(cur.topics["label"])  # undone
    assert not bool(cur.topics.set_index("topic_id").at[1, "is_irritant"])
    # a stored run keeps its keywords through a merge and a split (no texts to recompute them)
    merged = apply_curation(back, [C.merge(res, [0, 1], label="fusion"), C.split(res, 2, res.members(2)[:3])],
                            segments=_segments(res))
    fusion = merged.topics.loc[merged.topics["label"] == "fusion"]
    assert len(fusion) == 1 and int(fusion["topic_id"].iloc[0]) in (0, 1)
    old = res.topics.set_index("topic_id")["keywords"]
    assert fusion["keywords"].iloc[0] and set(fusion["keywords"].iloc[0]) <= set(old[0]) | set(old[1])
    assert all(len(k) > 0 for k in merged.topics["keywords"])


def _segments(res):
    meta = res.meta.copy()
    meta["text"] = ""
    return meta


def test_schema_sql_is_idempotent():
    conn = sqlite3.connect(":memory:")
    conn.executescript(store.SCHEMA_SQL)
    conn.executescript(store.SCHEMA_SQL)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"topic_runs", "topics", "segment_topics", "topic_decisions"} <= tables
