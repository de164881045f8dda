"""A project: a folder holding the SQLite store of record, the private pseudonym key and caches.

>>> import tempfile, interviewkit as ik
>>> p = ik.open_project(tempfile.mkdtemp() + "/demo")
>>> p.info()["documents"]
0

DataFrames returned (columns documented on each method) are the edges other
modules and notebooks build on.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import StoreError
from .store import DB_NAME, backup, connect, integrity_problems, migrate, utcnow, write_transaction

ROLES = ("interviewer", "participant", "unknown")


class Project:
    """Handle on a project folder (``create=True`` makes it when missing)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path).expanduser().resolve()
        self.db_path = self.path / DB_NAME
        if not self.db_path.exists():
            if not create:
                raise StoreError(
                    "E403",
                    "no interviewkit project here",
                    path=self.path,
                    hint="create it with `interviewkit ingest FILES --project DIR` or open_project(DIR)",
                )
            if self.path.exists() and any(self.path.iterdir()) and not (self.path / "private").exists():
                raise StoreError(
                    "E404",
                    "the folder exists, is not empty and is not an interviewkit project",
                    path=self.path,
                    hint="choose an empty or new folder for the project",
                )
            self.path.mkdir(parents=True, exist_ok=True)
        for sub in ("private", "cache", "backups"):
            (self.path / sub).mkdir(exist_ok=True)
        os.chmod(self.private_dir, 0o700)
        self._local = threading.local()
        try:
            self.migrations_applied = migrate(self.conn, self.db_path, self.backups_dir)
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError:  # locked, constraint...: not damage
                raise
            self.close()
            raise StoreError(
                "E408",
                f"the project store cannot be read: {exc}",
                path=self.db_path,
                hint="restore the latest copy from the project's backups/ folder (written by `interviewkit backup` "
                "and before each migration) in place of interviewkit.sqlite",
            ) from None

    # -- locations ---------------------------------------------------------------------------
    @property
    def private_dir(self) -> Path:
        return self.path / "private"

    @property
    def key_path(self) -> Path:
        """The pseudonym key: never exported, never in a default backup."""
        return self.private_dir / "pseudonym_key.json"

    @property
    def cache_dir(self) -> Path:
        return self.path / "cache"

    @property
    def backups_dir(self) -> Path:
        return self.path / "backups"

    @property
    def conn(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 connections must not cross threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.db_path)
            self._local.conn = conn
        return conn

    def transaction(self):
        """Context manager for one atomic write (``BEGIN IMMEDIATE``)."""
        return write_transaction(self.conn)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"

    def query(self, sql: str, params: tuple | dict = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=params)

    # -- ingestion ---------------------------------------------------------------------------
    def ingest(self, paths, **options: Any):
        """Ingest files/folders; see :func:`interviewkit.ingest.ingest` for options."""
        from .ingest import ingest

        return ingest(self, paths, **options)

    # -- tables ------------------------------------------------------------------------------
    def documents(self, current_only: bool = True) -> pd.DataFrame:
        """One row per document version.

        Columns: document_id, path, name, version, is_current, content_hash, format, kind,
        language, encoding, participant, persona, pseudonymised, turns, segments, ingested_at.
        """
        where = "WHERE d.is_current = 1" if current_only else ""
        return self.query(
            f"""SELECT d.document_id, d.path, d.name, d.version, d.is_current, d.content_hash,
                       d.format, d.kind, d.language, d.encoding, d.participant_id AS participant,
                       p.persona, d.pseudonymised,
                       (SELECT COUNT(*) FROM turns t WHERE t.document_id = d.document_id) AS turns,
                       (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.document_id) AS segments,
                       d.ingested_at
                FROM documents d LEFT JOIN participants p ON p.participant_id = d.participant_id
                {where} ORDER BY d.path, d.version"""
        )

    def turns(self, current_only: bool = True) -> pd.DataFrame:
        """One row per speaker turn (or verbatim row).

        Columns: turn_id, document_id, document, turn_index, speaker, role, role_source,
        participant, persona, start, end, line, text (pseudonymised).
        """
        where = "WHERE d.is_current = 1" if current_only else ""
        return self.query(
            f"""SELECT t.turn_id, t.document_id, d.name AS document, t.idx AS turn_index, t.speaker,
                       t.role, t.role_source, t.participant_id AS participant, p.persona,
                       t.start_s AS start, t.end_s AS "end", t.line, t.text
                FROM turns t JOIN documents d ON d.document_id = t.document_id
                LEFT JOIN participants p ON p.participant_id = t.participant_id
                {where} ORDER BY d.path, t.idx"""
        )

    def segments(self, role: str | None = None, current_only: bool = True) -> pd.DataFrame:
        """One row per sentence segment.

        Columns: segment_id, document_id, document, participant, persona, speaker, role,
        turn_id, turn_index, segment_index, start, end (seconds, interpolated within the turn),
        start_char, end_char (offsets in the pseudonymised turn text), text, language, kind.
        ``role="participant"`` keeps customer speech only.
        """
        clauses = []
        params: list[Any] = []
        if current_only:
            clauses.append("d.is_current = 1")
        if role is not None:
            if role not in ROLES:
                raise StoreError("E405", "unknown role", value=role, allowed=ROLES)
            clauses.append("t.role = ?")
            params.append(role)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self.query(
            f"""SELECT s.segment_id, s.document_id, d.name AS document, t.participant_id AS participant,
                       p.persona, t.speaker, t.role, s.turn_id, t.idx AS turn_index, s.idx AS segment_index,
                       s.start_s AS start, s.end_s AS "end", s.start_char, s.end_char, s.text,
                       d.language, d.kind
                FROM segments s JOIN turns t ON t.turn_id = s.turn_id
                JOIN documents d ON d.document_id = s.document_id
                LEFT JOIN participants p ON p.participant_id = t.participant_id
                {where} ORDER BY d.path, t.idx, s.idx""",
            tuple(params),
        )

    def participants(self) -> pd.DataFrame:
        """Columns: participant_id, persona, source (participants file / verbatims / inferred),
        documents (number of current documents or verbatim rows), plus one column per attribute."""
        df = self.query(
            """SELECT p.participant_id, p.persona, p.source, p.attributes_json,
                      (SELECT COUNT(DISTINCT t.document_id) FROM turns t JOIN documents d
                         ON d.document_id = t.document_id
                       WHERE t.participant_id = p.participant_id AND d.is_current = 1) AS documents
               FROM participants p ORDER BY p.participant_id"""
        )
        attrs = pd.DataFrame([json.loads(a) for a in df.pop("attributes_json")], index=df.index)
        attrs = attrs.drop(columns=[c for c in attrs.columns if c in df.columns], errors="ignore")
        return pd.concat([df, attrs], axis=1)

    # -- roles -------------------------------------------------------------------------------
    def set_speaker_role(self, document: str, speaker: str, role: str) -> int:
        """Correct a speaker's role in a document (name or path); returns the turns changed.

        The correction is remembered and re-applied when a new version of the file is ingested.
        """
        if role not in ROLES:
            raise StoreError("E405", "unknown role", value=role, allowed=ROLES, hint="use one of the allowed roles")
        row = self.conn.execute(
            "SELECT document_id, path FROM documents WHERE is_current = 1 AND (name = ? OR path = ?)",
            (document, document),
        ).fetchone()
        if row is None:
            raise StoreError("E406", "no current document with that name", value=document,
                             hint="see `interviewkit info --project DIR` or Project.documents()")
        with self.transaction():
            self.conn.execute(
                "INSERT INTO role_overrides (path, speaker, role, created_at) VALUES (?, ?, ?, ?)",
                (row["path"], speaker, role, utcnow()),
            )
            cur = self.conn.execute(
                "UPDATE turns SET role = ?, role_source = 'researcher' WHERE document_id = ? AND speaker = ?",
                (role, row["document_id"], speaker),
            )
        if cur.rowcount == 0:
            raise StoreError("E407", "no turn of that speaker in the document", value=speaker,
                             allowed=self.turns().query("document_id == @row['document_id']")["speaker"].dropna().unique(),
                             path=document)
        return cur.rowcount

    # -- summary and maintenance -------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Counts for ``interviewkit info``: documents, participants, personas, turns_by_role,
        segments, languages, pseudonymised_items, errors (of the last ingest run)."""
        c = self.conn
        one = lambda sql, *a: c.execute(sql, a).fetchone()[0]  # noqa: E731
        turns_by_role = {r: 0 for r in ROLES}
        for row in c.execute(
            "SELECT t.role, COUNT(*) FROM turns t JOIN documents d ON d.document_id = t.document_id "
            "WHERE d.is_current = 1 GROUP BY t.role"
        ):
            turns_by_role[row[0]] = row[1]
        languages = {
            (r[0] or "unknown"): r[1]
            for r in c.execute("SELECT language, COUNT(*) FROM documents WHERE is_current = 1 GROUP BY language")
        }
        personas = [
            r[0] for r in c.execute("SELECT DISTINCT persona FROM participants WHERE persona IS NOT NULL ORDER BY 1")
        ]
        pseudo = {
            r[0]: r[1]
            for r in c.execute(
                "SELECT pc.kind, SUM(pc.count) FROM pseudonym_counts pc JOIN documents d ON d.document_id = pc.document_id "
                "WHERE d.is_current = 1 GROUP BY pc.kind ORDER BY pc.kind"
            )
        }
        last_run = one("SELECT MAX(run_id) FROM ingest_runs")
        errors = [
            {"path": r["path"], "code": r["code"], "line": r["line"], "message": r["message"]}
            for r in c.execute("SELECT * FROM ingest_errors WHERE run_id = ? ORDER BY path", (last_run,))
        ]
        return {
            "project": str(self.path),
            "documents": one("SELECT COUNT(*) FROM documents WHERE is_current = 1"),
            "document_versions": one("SELECT COUNT(*) FROM documents"),
            "documents_by_kind": {
                r[0]: r[1] for r in c.execute("SELECT kind, COUNT(*) FROM documents WHERE is_current = 1 GROUP BY kind")
            },
            "participants": one("SELECT COUNT(*) FROM participants WHERE source != 'verbatims'"),
            "respondents": one("SELECT COUNT(*) FROM participants WHERE source = 'verbatims'"),
            "personas": personas,
            "turns": sum(turns_by_role.values()),
            "turns_by_role": turns_by_role,
            "segments": one(
                "SELECT COUNT(*) FROM segments s JOIN documents d ON d.document_id = s.document_id "
                "WHERE d.is_current = 1"
            ),
            "languages": languages,
            "pseudonymised_items": sum(pseudo.values()),
            "pseudonymised_by_kind": pseudo,
            "errors": errors,
        }

    def check(self, limit: int = 20) -> list[str]:
        """Integrity problems and orphans, each naming the rows concerned (empty list when the store is sound).

        SQLite's integrity and foreign-key checks, then what foreign keys cannot express: a path with
        several current versions, a segment whose document is not its turn's, a segment whose text is not
        the slice ``[start_char, end_char)`` of its turn, gaps in the recorded schema versions.
        """
        problems = integrity_problems(self.conn, limit=limit)
        if problems and problems[0].startswith("SQLite cannot read"):
            return problems
        named_queries = [
            ("path {0} has {1} current versions (document ids {2}); keep one with is_current = 1",
             "SELECT path, COUNT(*), GROUP_CONCAT(document_id, ', ') FROM documents WHERE is_current = 1 "
             "GROUP BY path HAVING COUNT(*) > 1 ORDER BY path"),
            ("segment {0} belongs to document {1} but its turn {2} to document {3}",
             "SELECT s.segment_id, s.document_id, t.turn_id, t.document_id FROM segments s "
             "JOIN turns t ON t.turn_id = s.turn_id WHERE t.document_id != s.document_id ORDER BY s.segment_id"),
            ("segment {0}: its text is not characters {1}-{2} of turn {3}",
             "SELECT s.segment_id, s.start_char, s.end_char, s.turn_id FROM segments s JOIN turns t "
             "ON t.turn_id = s.turn_id WHERE substr(t.text, s.start_char + 1, s.end_char - s.start_char) != s.text "
             "ORDER BY s.segment_id"),
        ]
        try:
            for template, sql in named_queries:
                rows = self.conn.execute(sql).fetchmany(limit + 1)
                problems += [template.format(*r) for r in rows[:limit]]
                if len(rows) > limit:
                    problems.append("... and more of the same kind")
            versions = [r[0] for r in self.conn.execute("SELECT version FROM schema_version ORDER BY version")]
            if versions != list(range(1, len(versions) + 1)):
                problems.append(f"schema versions recorded are {versions}, not 1..{len(versions)}")
        except sqlite3.DatabaseError as exc:
            problems.append(f"SQLite cannot read the store: {exc}")
        return problems

    def backup(self, dest: str | Path | None = None) -> Path:
        """A consistent copy of the store (not the pseudonym key), safe while notebooks write.

        Default: ``backups/backup-<UTC time>.sqlite`` (never overwriting an earlier backup); ``dest`` may be
        a file or an existing folder. Only ``interviewkit.sqlite`` is copied: ``private/`` (the pseudonym
        key) never is, and a destination inside ``private/`` is refused.
        """
        if dest is None or Path(dest).expanduser().is_dir():
            folder = self.backups_dir if dest is None else Path(dest).expanduser()
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
            dest = folder / f"backup-{stamp}.sqlite"
            n = 2
            while dest.exists():
                dest = folder / f"backup-{stamp}-{n}.sqlite"
                n += 1
        dest = Path(dest).expanduser().resolve()
        if dest == self.db_path or self.private_dir in dest.parents:
            raise StoreError("E410", "a backup cannot replace the store or go into the private folder", path=dest,
                             hint="choose a file outside PROJECT/private, e.g. PROJECT/backups/copie.sqlite")
        return backup(self.conn, dest)


def open_project(path: str | Path, create: bool = True) -> Project:
    """Open (and by default create) the project folder at ``path``."""
    return Project(path, create=create)
