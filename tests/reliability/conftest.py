"""Fixtures of the reliability suite (see docs/reliability.md for what each test proves)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402
import reliability_helpers as h  # noqa: E402

import interviewkit as ik  # noqa: E402



@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """The seeded personal-data corpus (5 transcript formats + csv/xlsx verbatims), ingested once per session
    through the real pipeline (pseudonymisation on, the default)."""
    root = tmp_path_factory.mktemp("seeded")
    corpus = h.seeded_pii_corpus(root / "corpus")
    project = ik.open_project(root / "project")
    report = project.ingest([corpus["root"]])
    assert not report.failed, report.failed
    assert len(report.ingested) == 7, report.summary()
    missed = set(h.KNOWN_NER_MISSES.values())
    corpus["guaranteed"] = [(k, v) for k, v in corpus["originals"] if v not in missed]
    corpus["project"] = project
    corpus["project_path"] = project.path
    yield corpus
    project.close()


@pytest.fixture
def seeded_copy(seeded, tmp_path):
    """A private copy of the seeded project (tests that write)."""
    dest = tmp_path / "project"
    busy = seeded["project"].conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    assert busy == 0, "the WAL could not be checkpointed: the copy would miss commits"
    shutil.copytree(seeded["project_path"], dest, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    project = ik.open_project(dest, create=False)
    yield project
    project.close()
