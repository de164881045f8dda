"""`interviewkit check` finds and names damage and orphans; `interviewkit backup` writes a consistent,
verified copy (also while another process writes), never overwrites an earlier one, and never holds the
pseudonym key or its originals."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import reliability_helpers as h

import interviewkit as ik
from interviewkit.errors import StoreError


def _raw(db: Path) -> sqlite3.Connection:
    """A connection that does what a bug, a crash of another tool or a hand edit could do: no foreign keys."""
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def test_check_passes_on_a_sound_project(seeded_copy):
    proc = h.cli("check", "--project", seeded_copy.path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok: integrity check passed, no orphans"


def test_check_names_orphans_and_a_second_current_version(seeded_copy):
    project = seeded_copy
    doc = project.documents().iloc[0]
    seg = project.segments().iloc[0]
    conn = _raw(project.db_path)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO segments (segment_id, document_id, turn_id, idx, start_char, end_char, text, text_hash) "
                 "VALUES ('D0999-T0001-S00', ?, 987654, 0, 0, 5, 'Perdu', 'x')", (int(doc["document_id"]),))
    conn.execute("INSERT INTO decisions (segment_id, action, field, label, coder, created_at) "
                 "VALUES ('D0998-T0000-S00', 'add', 'code', 'fantôme', 'CV', '2025-01-01')")
    conn.execute("""INSERT INTO documents (path, name, content_hash, version, is_current, format, kind, pseudonymised,
                    ingested_at) VALUES (?, ?, 'f00', ?, 1, 'plain', 'transcript', 1, '2025-01-01')""",
                 (doc["path"], doc["name"], int(doc["version"]) + 1))
    conn.execute("UPDATE segments SET text = text || ' (modifié)' WHERE segment_id = ?", (seg["segment_id"],))
    conn.execute("COMMIT")
    conn.close()

    problems = project.check()
    text = "\n".join(problems)
    assert "segments 'D0999-T0001-S00': turn_id 987654 refers to a missing row of turns" in text, text
    assert "decisions" in text and "'D0998-T0000-S00' refers to a missing row of segments" in text, text
    assert f"path {doc['path']} has 2 current versions" in text, text
    assert f"segment {seg['segment_id']}: its text is not characters" in text, text
    proc = h.cli("check", "--project", project.path)
    assert proc.returncode == 1
    assert "D0999-T0001-S00" in proc.stderr and doc["path"] in proc.stderr and seg["segment_id"] in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: 4 integrity problem(s)")


def test_a_store_that_is_not_a_database_is_one_clear_error(tmp_path):
    project = ik.open_project(tmp_path / "p")
    project.close()
    db = tmp_path / "p" / "interviewkit.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    data[:16] = b"pas une base !!!"
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        ik.open_project(tmp_path / "p", create=False)
    assert err.value.code == "E408" and "backups" in str(err.value)
    proc = h.cli("check", "--project", tmp_path / "p")
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: [E408]") and str(db) in lines[0], proc.stderr


def test_a_damaged_page_is_reported_by_check(tmp_path):
    project = ik.open_project(tmp_path / "p")
    with project.transaction():
        project.conn.executemany("INSERT INTO participants VALUES (?, 'Actif pressé', 'test', ?)",
                                 [(f"P{i:04d}", "{\"note\": \"" + "x" * 300 + "\"}") for i in range(400)])
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()
    db = tmp_path / "p" / "interviewkit.sqlite"
    data = bytearray(db.read_bytes())
    page = 4096
    root = sqlite3.connect(str(db)).execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_participants_1'").fetchone()[0]
    start = (root - 1) * page
    data[start + 8:start + page] = b"\xff" * (page - 8)  # the index b-tree page of participants, scrambled
    db.write_bytes(bytes(data))
    project = ik.open_project(tmp_path / "p", create=False)
    problems = project.check()
    assert problems and any("SQLite" in p for p in problems), problems
    project.close()
    proc = h.cli("check", "--project", tmp_path / "p")
    assert proc.returncode == 1 and "problem: SQLite" in proc.stderr and "backups/" in proc.stderr


# --------------------------------------------------------------------------- backups

def test_backups_are_verified_copies_that_never_overwrite_each_other(seeded_copy, tmp_path):
    first = seeded_copy.backup()
    second = seeded_copy.backup()
    third = Path(h.cli("backup", "--project", seeded_copy.path, check=True).stdout.strip())
    assert len({first, second, third}) == 3 and all(p.parent == seeded_copy.backups_dir for p in (first, second, third))
    n = seeded_copy.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    for copy in (first, second, third):
        assert h.integrity(copy) == []
        conn = sqlite3.connect(copy)
        assert conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == n
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # self-contained file
        conn.close()
    assert not list(seeded_copy.backups_dir.glob("*.tmp")) and not list(seeded_copy.backups_dir.glob("*-wal"))
    into_folder = Path(h.cli("backup", "--project", seeded_copy.path, "--out", tmp_path, check=True).stdout.strip())
    assert into_folder.parent == tmp_path and into_folder.suffix == ".sqlite"
    proc = h.cli("backup", "--project", seeded_copy.path, "--out", seeded_copy.private_dir / "copie.sqlite")
    assert proc.returncode == 1 and "[E410]" in proc.stderr
    assert sorted(p.name for p in seeded_copy.private_dir.iterdir()) == [  # what ingestion keeps there
        "document_secret", "pseudonym_key.json", "pseudonymise.lock"]


def test_a_default_backup_holds_neither_the_key_nor_its_originals(seeded, seeded_copy):
    backup = Path(h.cli("backup", "--project", seeded_copy.path, check=True).stdout.strip())
    assert backup.is_file() and backup.parent.name == "backups"
    key_bytes = seeded_copy.key_path.read_bytes()
    raw = backup.read_bytes()
    assert key_bytes not in raw and b'"mapping"' not in raw
    conn = sqlite3.connect(backup)
    dump = "\n".join(conn.iterdump())
    conn.close()
    dump_file = backup.with_suffix(".sql")
    dump_file.write_text(dump, encoding="utf-8")
    leaks = h.substring_leaks([backup, dump_file], seeded["guaranteed"])
    assert leaks == [], leaks
    assert h.key_leaks([dump_file], seeded_copy.key_path) == []
    assert "[TEL-" in dump and "[EMAIL-" in dump and "P01" in dump  # the pseudonymised text is there


def test_backup_while_another_process_writes_is_consistent(seeded_copy, tmp_path):
    """A writer commits 3 decisions per transaction without pause; backups taken meanwhile open, pass the
    integrity check and hold whole transactions only (a multiple of 3 rows, ids 1..n without a gap)."""
    seeded_copy.close()
    writer = h.start_worker(tmp_path / "writer.log", "decisions", seeded_copy.path, 300, 3, "CV")
    try:
        writer.wait_ready()
        assert h.wait_until(lambda: len(writer.acks()) > 30, 30, proc=writer.proc), writer.stderr()
        copies = []
        for _ in range(3):
            proc = h.cli("backup", "--project", seeded_copy.path)
            assert proc.returncode == 0, proc.stderr
            assert "locked" not in proc.stderr
            copies.append(Path(proc.stdout.strip()))
            time.sleep(0.3)
        assert writer.proc.poll() is None, writer.stderr()  # still writing after the last backup
    finally:
        writer.kill()
    assert "locked" not in writer.stderr() and "Traceback" not in writer.stderr()
    acked = [int(a) for a in writer.acks()]
    counts = []
    for copy in copies:
        assert h.integrity(copy) == []
        conn = sqlite3.connect(copy)
        ids = [r[0] for r in conn.execute("SELECT event_id FROM decisions ORDER BY event_id")]
        conn.close()
        assert ids == list(range(1, len(ids) + 1)) and len(ids) % 3 == 0, ids[-5:]
        counts.append(len(ids))
    assert counts == sorted(counts) and counts[0] < counts[-1]  # taken while the writer wrote
    project = ik.open_project(seeded_copy.path, create=False)
    stored = [r[0] for r in project.conn.execute("SELECT event_id FROM decisions ORDER BY event_id")]
    assert stored[:len(acked)] == acked and len(stored) - len(acked) <= 3  # every acknowledged write, whole
    assert len(stored) % 3 == 0
    assert project.check() == []
    project.close()
