"""Durability: real processes SIGKILLed in the middle of ingestion, tagging, a burst of review decisions and
(when the command exists) topic modelling. After the kill every committed row is still there, SQLite's
integrity check and `interviewkit check` pass, and running the step again completes it without redoing
what was committed (ingestion skips stored documents, tagging tags only the rest)."""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import reliability_helpers as h

import interviewkit as ik

pytestmark = pytest.mark.slow

DEMO_FILES = ["P01_sophie_panne_voiture.txt", "P02_marc_vehicule_pret.txt", "P03_jeanne_poignees_porte.txt",
              "P04_karim_abonnement_train.vtt", "P05_lucie_fibre.srt", "P06_gerard_carte_bloquee.docx",
              "verbatims.csv", "participants.csv", "corpus.yml"]
STORE_TABLES = {"documents": "document_id", "turns": "turn_id", "segments": "segment_id",
                "pseudonym_counts": "document_id, kind", "participants": "participant_id"}


def _copy_project(src: Path, dest: Path) -> Path:
    """A copy of a project nobody writes to: the WAL is checkpointed into the file first (copying the file
    alone while committed pages are still in ``-wal`` would lose them; `interviewkit backup` is the safe way)."""
    conn = sqlite3.connect(str(src / "interviewkit.sqlite"))
    assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    conn.close()
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return dest


def _rows(db: Path, tables: dict[str, str]) -> dict[str, set[tuple]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        return {t: {tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY {order}")} for t, order in tables.items()}
    finally:
        conn.close()


def _assert_sound(project_dir: Path) -> None:
    db = project_dir / "interviewkit.sqlite"
    assert h.integrity(db) == []
    proc = h.cli("check", "--project", project_dir)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-part") / "corpus"
    root.mkdir()
    for name in DEMO_FILES:
        shutil.copy2(h.DEMO / name, root / name)
    return root


@pytest.fixture(scope="module")
def killed_ingestion(corpus, tmp_path_factory):
    """`interviewkit ingest` SIGKILLed once 2 documents are committed; the rows seen just before the kill."""
    project = tmp_path_factory.mktemp("ingest-kill") / "p"
    db = project / "interviewkit.sqlite"
    proc = h.start_cli("ingest", corpus, "--project", project)
    try:
        seen = h.wait_until(lambda: h.ro_count(db, "SELECT COUNT(*) FROM documents") >= 2, 240, 0.02, proc)
        assert seen and proc.poll() is None, "ingestion ended before it could be killed"
        before = _rows(db, STORE_TABLES)
    finally:
        h.sigkill(proc)
    assert proc.returncode == -9
    return {"project": project, "db": db, "before": before, "after": _rows(db, STORE_TABLES),
            "total": len([f for f in DEMO_FILES if f not in ("participants.csv", "corpus.yml")])}


def test_rows_committed_before_the_kill_survive_it(killed_ingestion):
    before, after = killed_ingestion["before"], killed_ingestion["after"]
    for table in STORE_TABLES:
        assert before[table] <= after[table], table  # every committed row is still there, unchanged
    stored = len(after["documents"])
    assert 2 <= stored < killed_ingestion["total"]
    conn = sqlite3.connect(killed_ingestion["db"])
    # no half-written document: each stored one has all its turns and segments (one transaction per file)
    for doc_id, turns, segments in conn.execute(
            "SELECT d.document_id, (SELECT COUNT(*) FROM turns t WHERE t.document_id = d.document_id), "
            "(SELECT COUNT(*) FROM segments s WHERE s.document_id = d.document_id) FROM documents d"):
        assert turns > 0 and segments >= turns // 2, doc_id
    unfinished = conn.execute("SELECT COUNT(*) FROM ingest_runs WHERE finished_at IS NULL").fetchone()[0]
    assert unfinished == 1
    conn.close()
    _assert_sound(killed_ingestion["project"])


@pytest.fixture(scope="module")
def resumed_ingestion(killed_ingestion, corpus):
    stored = len(killed_ingestion["after"]["documents"])
    proc = h.cli("ingest", corpus, "--project", killed_ingestion["project"])
    return {**killed_ingestion, "proc": proc, "stored": stored}


def test_ingesting_again_skips_the_stored_documents_and_completes(resumed_ingestion):
    proc, stored, total = resumed_ingestion["proc"], resumed_ingestion["stored"], resumed_ingestion["total"]
    assert proc.returncode == 0, proc.stderr
    assert f"{total - stored} ingested, {stored} unchanged, 0 failed" in proc.stdout, proc.stdout
    project = ik.open_project(resumed_ingestion["project"], create=False)
    assert project.info()["documents"] == total
    assert project.documents()["version"].max() == 1  # nothing was stored twice
    after = _rows(project.db_path, STORE_TABLES)
    for table in STORE_TABLES:
        assert resumed_ingestion["after"][table] <= after[table], table
    # the pseudonym key was written before each commit: pseudonyms stored before the kill still resolve
    assert set(project.turns()["speaker"].dropna()) >= {"INT-01", "P01"}
    project.close()
    _assert_sound(resumed_ingestion["project"])


# --------------------------------------------------------------------------- tagging

@pytest.fixture(scope="module")
def killed_tagging(resumed_ingestion, tmp_path_factory):
    """`interviewkit tag` SIGKILLed after its first committed batch, then run again to the end."""
    project_dir = _copy_project(resumed_ingestion["project"], tmp_path_factory.mktemp("tag-kill") / "p")
    db = project_dir / "interviewkit.sqlite"
    customer = h.ro_count(db, "SELECT COUNT(*) FROM segments s JOIN turns t ON t.turn_id = s.turn_id "
                              "JOIN documents d ON d.document_id = s.document_id "
                              "WHERE t.role = 'participant' AND d.is_current = 1")
    proc = h.start_cli("tag", "--project", project_dir)
    try:
        seen = h.wait_until(lambda: h.ro_count(db, "SELECT COUNT(*) FROM auto_tags") > 0, 300, 0.02, proc)
        assert seen and proc.poll() is None, "tagging ended before it could be killed"
        before = _rows(db, {"auto_tags": "segment_id"})["auto_tags"]
    finally:
        h.sigkill(proc)
    committed = _rows(db, {"auto_tags": "segment_id"})["auto_tags"]
    runs_after_kill = sqlite3.connect(db).execute("SELECT status FROM tag_runs").fetchall()
    sound_after_kill = (h.integrity(db), h.cli("check", "--project", project_dir).returncode)
    rerun = h.cli("tag", "--project", project_dir)
    return {"project": project_dir, "db": db, "customer": customer, "before": before, "committed": committed,
            "runs_after_kill": runs_after_kill, "sound_after_kill": sound_after_kill, "rerun": rerun}


def test_killed_tagging_keeps_the_committed_batches(killed_tagging):
    run = killed_tagging
    assert run["customer"] > 600  # several batches of 256
    assert run["before"] <= run["committed"] and 0 < len(run["committed"]) < run["customer"]
    assert run["sound_after_kill"] == ([], 0)
    assert run["runs_after_kill"] == [("running",)]  # the killed run is left unfinished, nothing else


def test_tagging_again_tags_only_the_rest(killed_tagging):
    run = killed_tagging
    assert run["rerun"].returncode == 0, run["rerun"].stderr
    match = re.search(r"(\d+) segments tagged, (\d+) unchanged", run["rerun"].stdout)
    assert match, run["rerun"].stdout
    committed = run["committed"]
    assert (int(match[1]), int(match[2])) == (run["customer"] - len(committed), len(committed))
    final = _rows(run["db"], {"auto_tags": "segment_id"})["auto_tags"]
    assert len(final) == run["customer"]
    kept = {r[0]: r for r in final}
    assert all(kept[r[0]] == r for r in committed)  # tags committed before the kill were reused, not redone
    _assert_sound(run["project"])


# --------------------------------------------------------------------------- review decisions

@pytest.fixture(scope="module")
def tagged_project(killed_tagging):
    assert killed_tagging["rerun"].returncode == 0
    return killed_tagging["project"]


def test_killed_burst_of_decisions_keeps_every_acknowledged_one(tagged_project, tmp_path):
    project_dir = _copy_project(tagged_project, tmp_path / "p")
    db = project_dir / "interviewkit.sqlite"
    worker = h.start_worker(tmp_path / "burst.log", "review", project_dir, 100_000, "CV")
    try:
        worker.wait_ready()
        assert h.wait_until(lambda: len(worker.acks()) >= 300, 120, 0.01, worker.proc), worker.stderr()
    finally:
        worker.kill()
    acked = [int(a) for a in worker.acks()]
    stored = [r[0] for r in sqlite3.connect(db).execute("SELECT event_id FROM decisions ORDER BY event_id")]
    assert set(acked) <= set(stored), "an acknowledged decision was lost"
    assert len(stored) - len(acked) <= 1  # at most the one committed while its acknowledgement was written
    _assert_sound(project_dir)

    from interviewkit.review import final_tags, load_events

    project = ik.open_project(project_dir, create=False)
    assert len(load_events(project)) == len(stored)
    final = final_tags(project)
    assert final["codes"].fillna("").str.contains("rafale-").sum() > 0
    project.close()
    # the next session goes on where the killed one stopped
    again = h.start_worker(tmp_path / "again.log", "review", project_dir, 20, "HM")
    assert again.wait(120) == 0, again.stderr()
    more = [int(a) for a in again.acks()]
    assert len(more) == 20 and min(more) > max(stored)
    _assert_sound(project_dir)


# --------------------------------------------------------------------------- topic modelling

def _topic_command(project_dir: Path, corpus: Path, out: Path) -> list[str] | None:
    """`interviewkit topics` when it exists, else `interviewkit run` (whose stage 3 models the topics) when
    the project-level topic module exists, else None."""
    if h.has_command("topics"):  # the fast embedding: this is about the store, not the topics' quality
        return ["topics", "--project", str(project_dir), "--embedding", "tfidf-svd"]
    import importlib.util

    if importlib.util.find_spec("interviewkit.project_topics") is not None:
        return ["run", str(corpus), "--project", str(project_dir), "--out", str(out)]
    return None


def test_killed_topic_modelling_leaves_a_sound_store_and_reruns(tagged_project, corpus, tmp_path):
    import time

    delay = 8.0  # imports and embedding take seconds before any result exists: kill in the middle of them
    for attempt in range(3):
        project_dir = _copy_project(tagged_project, tmp_path / f"p{attempt}")
        command = _topic_command(project_dir, corpus, tmp_path / "out")
        if command is None:
            pytest.skip("neither `interviewkit topics` nor interviewkit.project_topics (used by `interviewkit run`) exists")
        db = project_dir / "interviewkit.sqlite"
        tables_before = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
        started = time.monotonic()
        proc = h.start_cli(*command)
        try:
            if command[0] == "run":  # wait for stage 3 (ingestion and tagging are no-ops on this project)
                for line in proc.stdout:
                    if "[3/4]" in line:
                        break
            h.wait_until(lambda: proc.poll() is not None, delay)
            killed = proc.poll() is None
        finally:
            h.sigkill(proc)
        if killed:
            break
        assert proc.returncode == 0, proc.stderr.read()
        delay = (time.monotonic() - started) / 2  # a fast machine: kill earlier on a fresh copy
    else:
        pytest.fail("topic modelling always ended before it could be killed")
    _assert_sound(project_dir)
    tables_after = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables_before <= tables_after
    proc = h.cli(*command, timeout=600)
    assert proc.returncode == 0, proc.stderr
    _assert_sound(project_dir)
