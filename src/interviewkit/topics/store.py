"""SQL for topic runs and curation decisions in the project store (the lead adds ``SCHEMA_SQL`` to the
store's migrations; every function takes an open ``sqlite3.Connection`` and commits its own writes).

Tables:

* ``topic_runs(run_id, created_at, settings_json, embedding, n_segments, outlier_share, message, status)``
* ``topics(run_id, topic_id, label, keywords_json, segments, participants, is_irritant,
  representative_json)``
* ``segment_topics(run_id, segment_id, topic_id, probability)``
* ``topic_decisions(decision_id INTEGER PK, created_at, coder, action, payload_json)``, append-only:
  triggers refuse UPDATE and DELETE; a decision is cancelled by recording an ``undo`` decision.

``load_run`` returns a ``TopicResult`` without segment metadata, centroids or embeddings (those live
in the saved model folder, see ``persistence``); views and curation take ``segments=`` for it.
"""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd

from ..errors import StoreError
from .curation import decision_from_dict, decision_to_dict
from .result import ASSIGNMENT_COLUMNS, TOPIC_COLUMNS, TopicResult, now_iso

__all__ = ["SCHEMA_SQL", "ensure_schema", "save_run", "load_run", "list_runs", "record_decision",
           "list_decisions"]

from ..store.schema import MIGRATION_5 as SCHEMA_SQL  # the topic tables are a store migration



def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the topic tables if missing (for tests and stand-alone use; the store uses migrations)."""
    conn.executescript(SCHEMA_SQL)


def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False, default=lambda o: o.item() if isinstance(o, np.generic) else str(o))


def save_run(conn: sqlite3.Connection, result: TopicResult) -> int:
    """Insert a run, its topics and its segment assignments in one transaction; return ``run_id``."""
    try:
        with conn:
            cur = conn.execute(
                "INSERT INTO topic_runs (created_at, settings_json, embedding, n_segments, outlier_share, message,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (result.created_at or now_iso(), _json(result.settings), result.embedding, result.n_segments,
                 None if result.outlier_share is None else float(result.outlier_share), result.message,
                 result.status))
            run_id = int(cur.lastrowid)
            conn.executemany(
                "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, int(r["topic_id"]), str(r["label"]), _json(list(r["keywords"])), int(r["segments"]),
                  int(r["participants"]), int(bool(r["is_irritant"])), _json(list(r["representative_segment_ids"])))
                 for _, r in result.topics.iterrows()])
            conn.executemany(
                "INSERT INTO segment_topics VALUES (?, ?, ?, ?)",
                [(run_id, str(s), int(t), float(p)) for s, t, p in
                 zip(result.assignments["segment_id"], result.assignments["topic_id"],
                     result.assignments["probability"])])
    except sqlite3.DatabaseError as exc:
        raise StoreError("E710", f"could not save the topic run: {exc}",
                         hint="check that the store has the topic tables (SCHEMA_SQL)") from exc
    result.run_id = run_id
    return run_id


def list_runs(conn: sqlite3.Connection) -> pd.DataFrame:
    return pd.read_sql_query("SELECT run_id, created_at, embedding, n_segments, outlier_share, status, message "
                             "FROM topic_runs ORDER BY run_id", conn)


def load_run(conn: sqlite3.Connection, run_id: int | None = None) -> TopicResult:
    """The run ``run_id`` (default: the latest) as a ``TopicResult`` (no metadata, centroids, embeddings)."""
    try:
        if run_id is None:
            row = conn.execute("SELECT * FROM topic_runs ORDER BY run_id DESC LIMIT 1").fetchone()
        else:
            row = conn.execute("SELECT * FROM topic_runs WHERE run_id = ?", (int(run_id),)).fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError("E710", f"could not read topic runs: {exc}") from exc
    if row is None:
        raise StoreError("E710", "no such topic run" if run_id is not None else "no topic run in this store",
                         value=run_id, hint="run the topic model first")
    rid, created, settings, embedding, _n, outlier, message, status = row
    topics = pd.DataFrame(
        [(t, lab, json.loads(kw), s, p, bool(irr), json.loads(rep)) for t, lab, kw, s, p, irr, rep in conn.execute(
            "SELECT topic_id, label, keywords_json, segments, participants, is_irritant, representative_json "
            "FROM topics WHERE run_id = ? ORDER BY topic_id", (rid,))], columns=TOPIC_COLUMNS)
    assignments = pd.DataFrame(conn.execute(
        "SELECT segment_id, topic_id, probability FROM segment_topics WHERE run_id = ? ORDER BY rowid", (rid,)
    ).fetchall(), columns=ASSIGNMENT_COLUMNS)
    assignments["segment_id"] = assignments["segment_id"].astype(object)
    assignments["topic_id"] = assignments["topic_id"].astype(np.int64)
    assignments["probability"] = assignments["probability"].astype(float)
    # keyword order stands for the c-TF-IDF scores the store does not keep (used when merging topics)
    scores = {int(t): [(w, 1.0 / (i + 1)) for i, w in enumerate(kw)]
              for t, kw in zip(topics["topic_id"], topics["keywords"])}
    return TopicResult(topics=topics, assignments=assignments, outlier_share=outlier, message=message,
                       status=status, embedding=embedding, settings=json.loads(settings), created_at=created,
                       run_id=int(rid), keyword_scores=scores)


def record_decision(conn: sqlite3.Connection, decision, coder: str, created_at: str | None = None) -> int:
    """Append a curation decision (dataclass or dict); return its ``decision_id``."""
    payload = decision_to_dict(decision)
    decision_from_dict(payload)  # validates (E708)
    payload = {k: v for k, v in payload.items() if k not in ("decision_id", "created_at", "coder")}
    with conn:
        cur = conn.execute(
            "INSERT INTO topic_decisions (created_at, coder, action, payload_json) VALUES (?, ?, ?, ?)",
            (created_at or now_iso(), str(coder), payload["action"], _json(payload)))
    return int(cur.lastrowid)


def list_decisions(conn: sqlite3.Connection) -> list[dict]:
    """All decisions in order, as dicts: the decision fields plus decision_id, created_at, coder
    (ready for ``apply_curation``)."""
    out = []
    for did, created, coder, action, payload in conn.execute(
            "SELECT decision_id, created_at, coder, action, payload_json FROM topic_decisions ORDER BY decision_id"):
        d = json.loads(payload)
        d.update(decision_id=int(did), created_at=created, coder=coder, action=action)
        out.append(d)
    return out
