import sqlite3

import pytest

from interviewkit.errors import StoreError
from interviewkit.store import backup, connect, integrity_problems, latest_version, migrate, schema_version
from interviewkit.store import schema as schema_mod


def test_fresh_store_is_migrated_to_latest(tmp_path):
    conn = connect(tmp_path / "s.sqlite")
    applied = migrate(conn, tmp_path / "s.sqlite", tmp_path / "backups")
    assert applied == list(range(1, latest_version() + 1))
    assert schema_version(conn) == latest_version()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrate(conn, tmp_path / "s.sqlite", tmp_path / "backups") == []
    assert integrity_problems(conn) == []


def test_newer_schema_is_refused_with_a_clear_error(tmp_path):
    db = tmp_path / "s.sqlite"
    conn = connect(db)
    migrate(conn, db, tmp_path / "b")
    conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (latest_version() + 5,))
    with pytest.raises(StoreError) as err:
        migrate(conn, db, tmp_path / "b")
    assert err.value.code == "E401"
    assert "upgrade interviewkit" in str(err.value)


def test_upgrade_writes_a_backup_first(tmp_path, monkeypatch):
    db = tmp_path / "s.sqlite"
    conn = connect(db)
    migrate(conn, db, tmp_path / "b")
    extra = (latest_version() + 1, "CREATE TABLE later_feature (x INTEGER);")
    monkeypatch.setattr(schema_mod, "MIGRATIONS", schema_mod.MIGRATIONS + [extra])
    from interviewkit.store import connection

    monkeypatch.setattr(connection, "MIGRATIONS", schema_mod.MIGRATIONS)
    monkeypatch.setattr(connection, "latest_version", lambda: extra[0])
    assert migrate(conn, db, tmp_path / "b") == [extra[0]]
    backups = list((tmp_path / "b").glob("before-migration-*.sqlite"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == extra[0] - 1


def test_backup_is_a_consistent_copy(tmp_path):
    db = tmp_path / "s.sqlite"
    conn = connect(db)
    migrate(conn, db, tmp_path / "b")
    conn.execute("INSERT INTO participants VALUES ('P01', 'Actif pressé', 'test', '{}')")
    dest = backup(conn, tmp_path / "copy.sqlite")
    assert sqlite3.connect(dest).execute("SELECT participant_id FROM participants").fetchall() == [("P01",)]
