"""The project store's schema as an ordered list of migrations.

Each migration is applied once, in order, inside one transaction, and recorded
in ``schema_version``. Never edit a released migration: add a new one.
Tables added by later features (tags, decisions, topics, maps) come as further
migrations so that an older project upgrades in place.
"""
from __future__ import annotations

MIGRATION_1 = """
CREATE TABLE documents (
    document_id     INTEGER PRIMARY KEY,
    path            TEXT NOT NULL,
    name            TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    version         INTEGER NOT NULL,
    is_current      INTEGER NOT NULL DEFAULT 1,
    format          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    language        TEXT,
    encoding        TEXT,
    participant_id  TEXT,
    pseudonymised   INTEGER NOT NULL,
    metadata_json   TEXT NOT NULL DEFAULT '{}',
    warnings_json   TEXT NOT NULL DEFAULT '[]',
    ingested_at     TEXT NOT NULL,
    UNIQUE (path, version)
);
CREATE INDEX documents_hash ON documents (content_hash);
CREATE INDEX documents_current ON documents (is_current, path);

CREATE TABLE participants (
    participant_id  TEXT PRIMARY KEY,
    persona         TEXT,
    source          TEXT NOT NULL,
    attributes_json TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE turns (
    turn_id         INTEGER PRIMARY KEY,
    document_id     INTEGER NOT NULL REFERENCES documents (document_id),
    idx             INTEGER NOT NULL,
    speaker         TEXT,
    role            TEXT NOT NULL CHECK (role IN ('interviewer', 'participant', 'unknown')),
    role_source     TEXT NOT NULL,
    participant_id  TEXT,
    start_s         REAL,
    end_s           REAL,
    line            INTEGER,
    text            TEXT NOT NULL,
    attributes_json TEXT NOT NULL DEFAULT '{}',
    UNIQUE (document_id, idx)
);

CREATE TABLE segments (
    segment_id      TEXT PRIMARY KEY,
    document_id     INTEGER NOT NULL REFERENCES documents (document_id),
    turn_id         INTEGER NOT NULL REFERENCES turns (turn_id),
    idx             INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    start_s         REAL,
    end_s           REAL,
    text            TEXT NOT NULL,
    text_hash       TEXT NOT NULL
);
CREATE INDEX segments_document ON segments (document_id);
CREATE INDEX segments_turn ON segments (turn_id);

CREATE TABLE role_overrides (
    override_id     INTEGER PRIMARY KEY,
    path            TEXT NOT NULL,
    speaker         TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('interviewer', 'participant', 'unknown')),
    created_at      TEXT NOT NULL
);

CREATE TABLE pseudonym_counts (
    document_id     INTEGER NOT NULL REFERENCES documents (document_id),
    kind            TEXT NOT NULL,
    count           INTEGER NOT NULL,
    PRIMARY KEY (document_id, kind)
);

CREATE TABLE ingest_runs (
    run_id          INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    options_json    TEXT NOT NULL DEFAULT '{}',
    ingested        INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ingest_errors (
    error_id        INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES ingest_runs (run_id),
    path            TEXT NOT NULL,
    code            TEXT NOT NULL,
    line            INTEGER,
    message         TEXT NOT NULL
);
"""

MIGRATION_2 = """
CREATE TABLE tag_runs (
    run_id           INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    codebook_version TEXT NOT NULL,
    codebook_hash    TEXT NOT NULL,
    pipeline_id      TEXT NOT NULL,
    engine           TEXT NOT NULL DEFAULT 'local',
    tagged           INTEGER NOT NULL DEFAULT 0,
    reused           INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'running'
);

CREATE TABLE auto_tags (
    segment_id       TEXT PRIMARY KEY REFERENCES segments (segment_id),
    run_id           INTEGER NOT NULL REFERENCES tag_runs (run_id),
    text_hash        TEXT NOT NULL,
    codebook_hash    TEXT NOT NULL,
    pipeline_id      TEXT NOT NULL,
    stage            TEXT NOT NULL DEFAULT '',
    channel          TEXT NOT NULL DEFAULT '',
    emotion          TEXT NOT NULL DEFAULT 'neutral',
    valence          INTEGER NOT NULL DEFAULT 0,
    irritant         INTEGER NOT NULL DEFAULT 0,
    moments          TEXT NOT NULL DEFAULT '',
    lane             TEXT NOT NULL DEFAULT 'customer',
    confidence_json  TEXT NOT NULL DEFAULT '{}',
    evidence_json    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX auto_tags_run ON auto_tags (run_id);

CREATE TABLE decisions (
    event_id         INTEGER PRIMARY KEY,
    segment_id       TEXT NOT NULL REFERENCES segments (segment_id),
    action           TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'edit', 'add', 'remove', 'skip',
                                                     'undo', 'redo', 'resolve')),
    field            TEXT,
    label            TEXT,
    value_json       TEXT,
    span_start       INTEGER,
    span_end         INTEGER,
    coder            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    codebook_version TEXT,
    memo             TEXT,
    target_event_id  INTEGER REFERENCES decisions (event_id),
    batch_id         TEXT
);
CREATE INDEX decisions_segment ON decisions (segment_id, event_id);
CREATE INDEX decisions_coder ON decisions (coder, event_id);
"""

# Review (issue 4): the auto value of the field when a human decided it (to tell "the tagger changed
# its mind since" from "the researcher disagreed"), indexes for undo (target) and bulk (batch) look-ups,
# and decisions made append-only (undo is an event, never a deletion).
MIGRATION_3 = """
ALTER TABLE decisions ADD COLUMN auto_json TEXT;
CREATE INDEX decisions_batch ON decisions (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX decisions_target ON decisions (target_event_id) WHERE target_event_id IS NOT NULL;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only: record a new event (undo, edit) instead');
END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only: record a new event (undo, edit) instead');
END;
"""

# Journey maps (issue 6): researcher edits to map cells, append-only (triggers refuse UPDATE and
# DELETE); re-applied after every rebuild by (persona, stage, lane, item_key).
MIGRATION_4 = """
CREATE TABLE map_edits (
    edit_id          INTEGER PRIMARY KEY,
    created_at       TEXT NOT NULL,
    coder            TEXT NOT NULL,
    persona          TEXT NOT NULL,
    stage            TEXT NOT NULL,
    lane             TEXT NOT NULL,
    item_key         TEXT NOT NULL DEFAULT '',
    action           TEXT NOT NULL,
    payload_json     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX map_edits_target ON map_edits (persona, stage, lane, edit_id);
CREATE TRIGGER map_edits_no_update BEFORE UPDATE ON map_edits
BEGIN
    SELECT RAISE(ABORT, 'map_edits is append-only: record a new edit instead');
END;
CREATE TRIGGER map_edits_no_delete BEFORE DELETE ON map_edits
BEGIN
    SELECT RAISE(ABORT, 'map_edits is append-only: record a new edit instead');
END;
"""

MIGRATION_5 = """
CREATE TABLE IF NOT EXISTS topic_runs (
    run_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    embedding     TEXT NOT NULL,
    n_segments    INTEGER NOT NULL,
    outlier_share REAL,
    message       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'ok'
);
CREATE TABLE IF NOT EXISTS topics (
    run_id              INTEGER NOT NULL REFERENCES topic_runs(run_id) ON DELETE CASCADE,
    topic_id            INTEGER NOT NULL,
    label               TEXT NOT NULL,
    keywords_json       TEXT NOT NULL,
    segments            INTEGER NOT NULL,
    participants        INTEGER NOT NULL,
    is_irritant         INTEGER NOT NULL CHECK (is_irritant IN (0, 1)),
    representative_json TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, topic_id)
);
CREATE TABLE IF NOT EXISTS segment_topics (
    run_id      INTEGER NOT NULL REFERENCES topic_runs(run_id) ON DELETE CASCADE,
    segment_id  TEXT NOT NULL,
    topic_id    INTEGER NOT NULL,
    probability REAL NOT NULL,
    PRIMARY KEY (run_id, segment_id)
);
CREATE INDEX IF NOT EXISTS segment_topics_topic ON segment_topics(run_id, topic_id);
CREATE TABLE IF NOT EXISTS topic_decisions (
    decision_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   TEXT NOT NULL,
    coder        TEXT NOT NULL,
    action       TEXT NOT NULL,
    payload_json TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS topic_decisions_no_update BEFORE UPDATE ON topic_decisions
BEGIN SELECT RAISE(ABORT, 'topic_decisions is append-only: record an undo decision instead'); END;
CREATE TRIGGER IF NOT EXISTS topic_decisions_no_delete BEFORE DELETE ON topic_decisions
BEGIN SELECT RAISE(ABORT, 'topic_decisions is append-only: record an undo decision instead'); END;
"""

MIGRATIONS: list[tuple[int, str]] = [
    (1, MIGRATION_1),
    (2, MIGRATION_2),
    (3, MIGRATION_3),
    (4, MIGRATION_4),
    (5, MIGRATION_5),
]


def register(version: int, sql: str) -> None:
    """Add a migration (used by feature modules); versions must be consecutive."""
    known = {v for v, _ in MIGRATIONS}
    if version in known:
        return
    if version != max(known) + 1:
        raise ValueError(f"migration {version} does not follow {max(known)}")
    MIGRATIONS.append((version, sql))


def latest_version() -> int:
    return max(v for v, _ in MIGRATIONS)
