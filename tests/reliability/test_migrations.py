"""Migrations: a store written at every earlier schema version upgrades to the latest with its data kept,
a backup written first, the versions recorded, and the same schema as a new project.

The versions come from ``interviewkit.store.schema.MIGRATIONS`` at run time, so a new migration is tested
from every earlier version without editing this file. Tables this file has no realistic rows for (added by a
future migration) are filled with generic rows built from their declared columns and foreign keys.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import reliability_helpers as h

import interviewkit as ik
from interviewkit.store import connect, integrity_problems, latest_version, schema_version
from interviewkit.store import connection as store_connection
from interviewkit.store import schema as store_schema

NOW = "2025-03-14T09:30:00+00:00"
TEXT_1 = "Oui alors le lundi matin ma voiture ne démarrait plus du tout. J'ai appelé l'assistance au [TEL-001]."
TEXT_2 = "La dépanneuse est arrivée au bout de quatre heures, personne ne m'a prévenue 😡."

# Realistic rows for every table of the schema as of version 5, with every column they have at the latest
# version; columns a table does not have yet at an older version are left out when it is built.
ROWS: dict[str, list[dict]] = {
    "documents": [
        dict(document_id=1, path="/corpus/P01_entretien.txt", name="P01_entretien.txt", content_hash="a" * 64,
             version=1, is_current=0, format="plain", kind="transcript", language="fr", encoding="utf-8",
             participant_id="P01", pseudonymised=1, metadata_json="{}", warnings_json="[]", ingested_at=NOW),
        dict(document_id=2, path="/corpus/P01_entretien.txt", name="P01_entretien.txt", content_hash="b" * 64,
             version=2, is_current=1, format="plain", kind="transcript", language="fr", encoding="utf-8",
             participant_id="P01", pseudonymised=1, metadata_json='{"title": "Entretien [PERS-001]"}',
             warnings_json='["skipped 1 cue(s) with a malformed timing on line(s) 6"]', ingested_at=NOW),
        dict(document_id=3, path="/corpus/verbatims.csv", name="verbatims.csv", content_hash="c" * 64, version=1,
             is_current=1, format="csv", kind="verbatims", language="fr", encoding="cp1252", participant_id=None,
             pseudonymised=1, metadata_json="{}", warnings_json="[]", ingested_at=NOW),
    ],
    "participants": [
        dict(participant_id="P01", persona="Actif pressé", source="participants file", attributes_json='{"âge": 38}'),
        dict(participant_id="R001", persona="Senior attentif", source="verbatims", attributes_json='{"nps": 2}'),
    ],
    "turns": [
        dict(turn_id=1, document_id=1, idx=0, speaker="INT-01", role="interviewer", role_source="interviewer names",
             participant_id=None, start_s=0.0, end_s=4.0, line=1, text="Vous pouvez me raconter ?",
             attributes_json="{}"),
        dict(turn_id=2, document_id=1, idx=1, speaker="P01", role="participant", role_source="participants file",
             participant_id="P01", start_s=4.5, end_s=30.0, line=2, text=TEXT_1, attributes_json="{}"),
        dict(turn_id=3, document_id=2, idx=0, speaker="P01", role="participant", role_source="researcher",
             participant_id="P01", start_s=None, end_s=None, line=1, text=TEXT_2, attributes_json="{}"),
        dict(turn_id=4, document_id=3, idx=0, speaker="R001", role="participant", role_source="verbatims",
             participant_id="R001", start_s=None, end_s=None, line=2, text="=SOMME(A1) personne ne rappelle.",
             attributes_json='{"nps": 2}'),
    ],
    "segments": [
        dict(segment_id="D0001-T0001-S00", document_id=1, turn_id=2, idx=0, start_char=0, end_char=62,
             start_s=4.5, end_s=20.0, text=TEXT_1[:62], text_hash="1" * 40),
        dict(segment_id="D0001-T0001-S01", document_id=1, turn_id=2, idx=1, start_char=63, end_char=len(TEXT_1),
             start_s=20.0, end_s=30.0, text=TEXT_1[63:], text_hash="2" * 40),
        dict(segment_id="D0002-T0000-S00", document_id=2, turn_id=3, idx=0, start_char=0, end_char=len(TEXT_2),
             start_s=None, end_s=None, text=TEXT_2, text_hash="3" * 40),
        dict(segment_id="D0003-T0000-S00", document_id=3, turn_id=4, idx=0, start_char=0, end_char=32,
             start_s=None, end_s=None, text="=SOMME(A1) personne ne rappelle.", text_hash="4" * 40),
    ],
    "role_overrides": [dict(override_id=1, path="/corpus/P01_entretien.txt", speaker="P01", role="participant",
                            created_at=NOW)],
    "pseudonym_counts": [dict(document_id=1, kind="TEL", count=1), dict(document_id=2, kind="PERS", count=1)],
    "ingest_runs": [dict(run_id=1, started_at=NOW, finished_at=NOW, options_json='{"lang": "auto"}', ingested=2,
                         unchanged=0, failed=1)],
    "ingest_errors": [dict(error_id=1, run_id=1, path="/corpus/vide.txt", code="E102", line=None,
                           message="[E102] /corpus/vide.txt: the file is empty.")],
    "tag_runs": [dict(run_id=1, started_at=NOW, finished_at=NOW, codebook_version="2025.1", codebook_hash="h" * 16,
                      pipeline_id='{"fr": "p1"}', engine="local", tagged=3, reused=0, status="done")],
    "auto_tags": [
        dict(segment_id="D0001-T0001-S00", run_id=1, text_hash="1" * 40, codebook_hash="h" * 16, pipeline_id="p1",
             stage="use;support", channel="phone", emotion="anger", valence=-2, irritant=1, moments="pain_point",
             lane="customer", confidence_json='{"stage": 0.9}', evidence_json='[["support", "appelé"]]'),
        dict(segment_id="D0002-T0000-S00", run_id=1, text_hash="3" * 40, codebook_hash="h" * 16, pipeline_id="p1",
             stage="deliver", channel="", emotion="anger", valence=-1, irritant=1, moments="", lane="customer",
             confidence_json="{}", evidence_json="[]"),
    ],
    "decisions": [
        dict(event_id=1, segment_id="D0001-T0001-S00", action="accept", field="stage", label=None, value_json=None,
             span_start=None, span_end=None, coder="CV", created_at=NOW, codebook_version="2025.1", memo=None,
             target_event_id=None, batch_id="b1", auto_json='["use", "support"]'),
        dict(event_id=2, segment_id="D0001-T0001-S00", action="add", field="code", label="relances",
             value_json="true", span_start=10, span_end=40, coder="CV", created_at=NOW, codebook_version="2025.1",
             memo="à revoir avec Hugo", target_event_id=None, batch_id=None, auto_json=None),
        dict(event_id=3, segment_id="D0001-T0001-S00", action="undo", field=None, label=None, value_json=None, span_start=None,
             span_end=None, coder="CV", created_at=NOW, codebook_version=None, memo=None, target_event_id=2,
             batch_id=None, auto_json=None),
    ],
    "map_edits": [dict(edit_id=1, created_at=NOW, coder="CV", persona="Actif pressé", stage="support", lane="actions",
                       item_key="k1", action="replace_text", payload_json='{"text": "Joindre l\'assistance"}')],
    "topic_runs": [dict(run_id=1, created_at=NOW, settings_json='{"min_topic_size": 5, "seed": 42}',
                        embedding="paraphrase-multilingual-MiniLM-L12-v2", n_segments=3, outlier_share=0.33,
                        message="2 thèmes, 1 segment hors thème", status="ok")],
    "topics": [
        dict(run_id=1, topic_id=0, label="Rappels jamais faits", keywords_json='["rappeler", "jamais", "attente"]',
             segments=2, participants=1, is_irritant=1, representative_json='["D0001-T0001-S00"]'),
        dict(run_id=1, topic_id=-1, label="Hors thème", keywords_json="[]", segments=1, participants=1, is_irritant=0,
             representative_json="[]"),
    ],
    "segment_topics": [dict(run_id=1, segment_id="D0001-T0001-S00", topic_id=0, probability=0.87),
                       dict(run_id=1, segment_id="D0002-T0000-S00", topic_id=0, probability=0.64),
                       dict(run_id=1, segment_id="D0003-T0000-S00", topic_id=-1, probability=0.12)],
    "topic_decisions": [dict(decision_id=1, created_at=NOW, coder="CV", action="rename",
                             payload_json='{"topic_id": 0, "label": "Relances sans réponse"}')],
}


def _apply(conn: sqlite3.Connection, upto: int) -> None:
    """A store as interviewkit wrote it at version ``upto``: only ``MIGRATIONS[:upto]`` applied."""
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, sql in sorted(store_schema.MIGRATIONS)[:upto]:
        for statement in store_connection._statements(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, NOW))


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_version'"
        " ORDER BY rowid")]


def _columns(conn: sqlite3.Connection, table: str) -> list[sqlite3.Row]:
    return conn.execute(f"PRAGMA table_info({table})").fetchall()


def _check_values(conn: sqlite3.Connection, table: str) -> dict[str, list[object]]:
    """``col IN (a, b)`` CHECK constraints of a table: column -> allowed literals."""
    import ast
    import re

    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    out = {}
    for col, values in re.findall(r"(\w+)\s+IN\s*\(([^()]*)\)", sql, re.IGNORECASE):
        try:
            out[col] = list(ast.literal_eval(f"[{values}]"))
        except (ValueError, SyntaxError):
            continue
    return out


def _generic_rows(conn: sqlite3.Connection, table: str) -> list[dict]:
    """Two rows for a table this test does not know (a future migration), from its columns, foreign keys
    and ``IN (...)`` checks."""
    fks = {r[3]: (r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
    checks = _check_values(conn, table)
    rows = []
    for k in (1, 2):
        row = {}
        for col in _columns(conn, table):
            name, ctype, notnull, default, pk = col[1], (col[2] or "").upper(), col[3], col[4], col[5]
            if name in fks:
                parent, parent_col = fks[name]
                found = conn.execute(f"SELECT {parent_col or 'rowid'} FROM {parent} LIMIT 1 OFFSET ?", (k - 1,)).fetchone()
                found = found or conn.execute(f"SELECT {parent_col or 'rowid'} FROM {parent} LIMIT 1").fetchone()
                row[name] = found[0] if found else None
            elif name in checks and checks[name]:
                row[name] = checks[name][(k - 1) % len(checks[name])]
            elif default is not None and not pk:
                continue
            elif "INT" in ctype:
                row[name] = k
            elif "REAL" in ctype or "FLOA" in ctype:
                row[name] = k + 0.5
            elif "BLOB" in ctype:
                row[name] = b"\x00donn\xc3\xa9es"
            else:
                row[name] = f"valeur {k} é"
        rows.append(row)
    return rows


def _fill(conn: sqlite3.Connection) -> dict[str, int]:
    """Insert the realistic rows (only the columns the table has at this version); returns rows per table."""
    counts = {}
    for table in _tables(conn):
        names = {c[1] for c in _columns(conn, table)}
        rows = ROWS.get(table) or _generic_rows(conn, table)
        for row in rows:
            row = {k: v for k, v in row.items() if k in names}
            conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        counts[table] = len(rows)
    return counts


def _snapshot(db: Path) -> dict[str, list[dict]]:
    conn = sqlite3.connect(str(db))
    conn.row_factory = sqlite3.Row
    try:
        return {t: [dict(r) for r in conn.execute(f"SELECT rowid AS _rowid, * FROM {t} ORDER BY rowid")]
                for t in _tables(conn)}
    finally:
        conn.close()


def _schema(db: Path) -> dict[str, object]:
    """Tables with their columns (name, type, not null, default, pk), indexes and triggers."""
    conn = sqlite3.connect(str(db))
    try:
        out: dict[str, object] = {}
        for t in _tables(conn) + ["schema_version"]:
            out[t] = [tuple(c)[1:] for c in _columns(conn, t)]
        for kind in ("index", "trigger"):
            out[kind] = sorted((r[0], r[1]) for r in conn.execute(
                f"SELECT name, tbl_name FROM sqlite_master WHERE type = '{kind}' AND name NOT LIKE 'sqlite_%'"))
        return out
    finally:
        conn.close()


def _old_store(tmp_path: Path, version: int) -> Path:
    folder = tmp_path / f"projet-v{version}"
    (folder / "private").mkdir(parents=True)
    db = folder / "interviewkit.sqlite"
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")
    _apply(conn, version)
    counts = _fill(conn)
    conn.execute("COMMIT")
    assert all(counts.values()) and integrity_problems(conn) == []
    conn.close()
    return folder


def _versions() -> list[int]:
    return list(range(1, latest_version()))


def test_every_table_of_the_latest_schema_has_realistic_rows_here():
    """Not a failure for new tables (they get generic rows), a reminder printed in the report."""
    conn = sqlite3.connect(":memory:")
    _apply(conn, latest_version())
    generic = [t for t in _tables(conn) if t not in ROWS]
    if generic:
        pytest.skip(f"tables filled with generic rows (add realistic ones to ROWS): {generic}")


@pytest.mark.parametrize("version", _versions())
def test_upgrade_from_every_earlier_version_keeps_the_data(tmp_path, version):
    _check_upgrade(tmp_path, version)


FUTURE = [
    """
CREATE TABLE topic_assignments (
    segment_id  TEXT NOT NULL REFERENCES segments (segment_id),
    topic_id    INTEGER NOT NULL,
    probability REAL,
    label       TEXT NOT NULL,
    PRIMARY KEY (segment_id, topic_id)
);
""",
    """
ALTER TABLE topic_assignments ADD COLUMN curated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN consent TEXT NOT NULL DEFAULT 'oui';
""",
]


def test_future_migrations_are_tested_from_every_version_without_editing_this_file(tmp_path, monkeypatch):
    """What happens when features register migrations N+1 (a table with a foreign key this file has no rows
    for) and N+2 (new columns): every version upgrades, the generic rows of the new table survive."""
    latest = latest_version()
    future = store_schema.MIGRATIONS + [(latest + 1 + k, sql) for k, sql in enumerate(FUTURE)]
    monkeypatch.setattr(store_schema, "MIGRATIONS", future)
    monkeypatch.setattr(store_connection, "MIGRATIONS", future)
    assert _versions() == list(range(1, latest + 2))
    for version in _versions():
        _check_upgrade(tmp_path / f"v{version}", version)
    conn = sqlite3.connect(str(tmp_path / f"v{latest + 1}" / f"projet-v{latest + 1}" / "interviewkit.sqlite"))
    assert conn.execute("SELECT COUNT(*), SUM(curated) FROM topic_assignments").fetchone() == (2, 0)
    assert {r[0] for r in conn.execute("SELECT consent FROM participants")} == {"oui"}


def _check_upgrade(tmp_path: Path, version: int) -> None:
    latest = latest_version()
    folder = _old_store(tmp_path, version)
    db = folder / "interviewkit.sqlite"
    before = _snapshot(db)

    project = ik.open_project(folder, create=False)
    assert project.migrations_applied == list(range(version + 1, latest + 1))
    conn = project.conn
    assert schema_version(conn) == latest
    recorded = conn.execute("SELECT version, applied_at FROM schema_version ORDER BY version").fetchall()
    assert [r[0] for r in recorded] == list(range(1, latest + 1)) and all(r[1] for r in recorded)

    # the backup written before migrating holds exactly the old store
    backups = list((folder / "backups").glob(f"before-migration-v{version}-to-v{latest}-*.sqlite"))
    assert len(backups) == 1, list((folder / "backups").iterdir())
    assert _snapshot(backups[0]) == before
    assert sqlite3.connect(backups[0]).execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == version
    assert h.integrity(backups[0]) == []

    # every row kept, every old column unchanged; new columns take their defaults
    after = _snapshot(db)
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        for old, new in zip(rows, after[table]):
            assert {k: new[k] for k in old} == old, (table, old, new)
    assert integrity_problems(conn) == [] and project.check() == []

    # the upgraded store is the store a new project has, and it works
    fresh = ik.open_project(tmp_path / f"fresh-{version}")
    assert _schema(db) == _schema(fresh.db_path)
    fresh.close()
    segments = project.segments()
    assert set(segments["segment_id"]) == {"D0002-T0000-S00", "D0003-T0000-S00"}  # current versions only
    assert len(project.segments(current_only=False)) == len(ROWS["segments"])
    assert project.set_speaker_role("P01_entretien.txt", "P01", "unknown") == 1
    project.close()
    assert ik.open_project(folder, create=False).migrations_applied == []  # once only


def test_upgrade_through_the_cli_check(tmp_path):
    folder = _old_store(tmp_path, 1)
    proc = h.cli("check", "--project", folder)
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout
    assert schema_version(connect(folder / "interviewkit.sqlite")) == latest_version()


def test_a_failing_migration_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    latest = latest_version()
    folder = tmp_path / "p"
    ik.open_project(folder).close()
    db = folder / "interviewkit.sqlite"
    conn = sqlite3.connect(str(db))
    conn.execute("INSERT INTO participants VALUES ('P01', 'Actif pressé', 'participants file', '{}')")
    conn.commit()
    conn.close()
    before = _snapshot(db)
    broken = (latest + 1, "CREATE TABLE nouveau (x INTEGER);\nALTER TABLE table_absente ADD COLUMN y TEXT;")
    monkeypatch.setattr(store_connection, "MIGRATIONS", store_schema.MIGRATIONS + [broken])
    monkeypatch.setattr(store_connection, "latest_version", lambda: latest + 1)
    with pytest.raises(sqlite3.OperationalError):
        ik.open_project(folder, create=False)
    monkeypatch.undo()
    assert _snapshot(db) == before  # the table of the first statement was rolled back too
    conn = sqlite3.connect(str(db))
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == latest
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'nouveau'").fetchone()[0] == 0
    conn.close()
    assert len(list((folder / "backups").glob("before-migration-*.sqlite"))) == 1
    project = ik.open_project(folder, create=False)  # still opens with this version
    assert project.check() == []
    project.close()


def test_rows_of_this_file_match_the_latest_schema():
    """Guards the test data itself: every column named in ROWS exists at the latest version."""
    conn = sqlite3.connect(":memory:")
    _apply(conn, latest_version())
    for table, rows in ROWS.items():
        names = {c[1] for c in _columns(conn, table)}
        for row in rows:
            assert set(row) <= names, (table, set(row) - names)
    assert json.loads(ROWS["map_edits"][0]["payload_json"])
