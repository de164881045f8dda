"""Opening the project's SQLite store: pragmas, migrations, write transactions, backups.

Every connection uses WAL journaling (readers never block the writer), a long
busy timeout (a second notebook waits instead of failing with "database is
locked"), foreign keys on, and ``synchronous=NORMAL`` (durable at each
checkpoint; a committed transaction survives a process kill).
"""
from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreError
from .schema import MIGRATIONS, latest_version

DB_NAME = "interviewkit.sqlite"
BUSY_TIMEOUT_S = 60.0


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(db_path: Path) -> sqlite3.Connection:
    """Open the store at ``db_path`` with the project's pragmas (no migration)."""
    conn = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: takes the write lock up front, retries while busy."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise StoreError(
                    "E402",
                    "the project store stayed locked by another process",
                    hint="close the other notebook or command writing to this project, then retry",
                ) from exc
            time.sleep(0.05)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone()
    if not has_table:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def backup(conn: sqlite3.Connection, dest: Path) -> Path:
    """Write a consistent copy of the store to ``dest`` (SQLite online backup; safe while others write)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".tmp")
    if tmp.exists():
        tmp.unlink()
    target = sqlite3.connect(str(tmp))
    try:
        conn.backup(target)
    finally:
        target.close()
    tmp.replace(dest)
    return dest


def migrate(conn: sqlite3.Connection, db_path: Path, backups_dir: Path) -> list[int]:
    """Bring the store to the latest schema; returns the versions applied.

    A store written by a newer interviewkit is refused (E401) rather than
    opened and damaged. Before upgrading an existing store a backup is written
    to ``backups_dir``.
    """
    current = schema_version(conn)
    latest = latest_version()
    if current > latest:
        raise StoreError(
            "E401",
            f"the project store has schema version {current}, newer than this interviewkit supports",
            path=db_path,
            value=current,
            allowed=[f"<= {latest}"],
            hint="upgrade interviewkit (pip install -U interviewkit) to open this project",
        )
    if current == latest:
        return []
    if current > 0:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        backup(conn, backups_dir / f"before-migration-v{current}-to-v{latest}-{stamp}.sqlite")
    applied = []
    with write_transaction(conn):
        if current == 0:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        current = schema_version(conn)
        for version, sql in sorted(MIGRATIONS):
            if version <= current:
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, utcnow()))
            applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    out, buf = [], []
    for line in sql.splitlines():
        buf.append(line)
        if line.rstrip().endswith(";") and sqlite3.complete_statement("\n".join(buf)):
            out.append("\n".join(buf))
            buf = []
    if "".join(buf).strip():
        out.append("\n".join(buf))
    return out


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """SQLite's own integrity and foreign-key checks; empty when the store is sound."""
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    for row in conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: table {row[0]} rowid {row[1]} -> {row[2]}")
    return problems
