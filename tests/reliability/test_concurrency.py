"""Concurrency: several processes write to one project at the same time (an ingestion, a notebook recording
decisions through ``Project.transaction()``, another correcting speaker roles). No write is lost, none fails
with "database is locked", and the store is sound afterwards."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import reliability_helpers as h

import interviewkit as ik

pytestmark = pytest.mark.slow

OTHER_DEMO_FILES = ["P07_nadia_demenagement_energie.vtt", "P08_thomas_colis_perdu.md", "P09_monique_mutuelle.txt",
                    "P11_antoine_forfait_mobile.txt"]


def _demo_part(root: Path, names: list[str]) -> Path:
    root.mkdir(parents=True)
    for name in names:
        shutil.copy2(h.DEMO / name, root / name)
    return root


def test_ingestion_decisions_and_role_corrections_at_the_same_time(seeded_copy, tmp_path):
    project_dir = seeded_copy.path
    seeded_copy.close()
    db = project_dir / "interviewkit.sqlite"
    corpus = _demo_part(tmp_path / "more", OTHER_DEMO_FILES)
    docs_before = h.ro_count(db, "SELECT COUNT(*) FROM documents")

    decisions = h.start_worker(tmp_path / "decisions.log", "decisions", project_dir, 600, 2, "CV", 0.01)
    roles = h.start_worker(tmp_path / "roles.log", "roles", project_dir, "P01_entretien.txt", "P01", 100_000)
    decisions.wait_ready()
    roles.wait_ready()
    ingest = h.cli("ingest", corpus, "--project", project_dir, "--interviewer", "Claire Vidal",
                   "--interviewer", "Hugo Martin")
    acked_roles_during = len(roles.acks())
    acked_decisions_during = len(decisions.acks())
    roles.kill()  # both writers were still writing when the ingestion finished; stop them now
    decisions.kill()

    assert ingest.returncode == 0, ingest.stderr
    assert f"{len(OTHER_DEMO_FILES)} ingested" in ingest.stdout
    for out in (ingest.stderr, decisions.stderr(), roles.stderr()):
        assert "locked" not in out.lower() and "Traceback" not in out, out
    assert acked_roles_during > 10 and acked_decisions_during > 20  # they really ran alongside

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == docs_before + len(OTHER_DEMO_FILES)
    stored = [r[0] for r in conn.execute("SELECT event_id FROM decisions ORDER BY event_id")]
    acked = [int(a) for a in decisions.acks()]
    assert set(acked) <= set(stored) and len(stored) - len(acked) <= 2  # nothing acknowledged was lost
    role_acks = roles.acks()
    path = conn.execute("SELECT path FROM documents WHERE name = 'P01_entretien.txt' AND is_current = 1").fetchone()[0]
    overrides = conn.execute("SELECT COUNT(*) FROM role_overrides WHERE path = ?", (path,)).fetchone()[0]
    assert len(role_acks) <= overrides <= len(role_acks) + 1
    last_role = conn.execute("SELECT role FROM role_overrides WHERE path = ? ORDER BY override_id DESC LIMIT 1",
                             (path,)).fetchone()[0]
    turn_roles = {r[0] for r in conn.execute(
        "SELECT t.role FROM turns t JOIN documents d ON d.document_id = t.document_id "
        "WHERE d.path = ? AND d.is_current = 1 AND t.speaker = 'P01'", (path,))}
    assert turn_roles == {last_role}  # the last correction is the one in force
    conn.close()
    assert h.integrity(db) == []
    assert h.cli("check", "--project", project_dir).returncode == 0


@pytest.fixture(scope="module")
def two_ingestions(tmp_path_factory):
    """Two notebooks ingest different interviews into a project neither has created yet, at the same time."""
    root = tmp_path_factory.mktemp("two")
    corpora = [_demo_part(root / "a", OTHER_DEMO_FILES[:1]), _demo_part(root / "b", OTHER_DEMO_FILES[3:])]
    project_dir = root / "p"
    procs = [h.start_cli("ingest", corpus, "--project", project_dir, "--interviewer", "Claire Vidal",
                         "--interviewer", "Hugo Martin")
             for corpus in corpora]
    outputs = [p.communicate(timeout=600) for p in procs]
    return {"project": project_dir, "corpora": corpora,
            "runs": [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]}


def test_concurrent_ingestions_never_corrupt_and_a_refused_run_can_be_rerun(two_ingestions):
    """What is guaranteed today: each run either ingests its files or refuses them all with E605 (the pseudonym
    key changed under it) and stores nothing; the store stays sound; running the refused one again works."""
    project_dir = two_ingestions["project"]
    refused = []
    for (rc, out, err), corpus in zip(two_ingestions["runs"], two_ingestions["corpora"]):
        assert "locked" not in err.lower() and "Traceback" not in err, err
        if rc == 0:
            assert "1 ingested, 0 unchanged, 0 failed" in out, (out, err)
        else:
            assert err.count("[E605]") == 1 and "nothing was saved by this run" in err, err
            refused.append(corpus)
    assert len(refused) < 2
    project = ik.open_project(project_dir, create=False)
    assert project.info()["documents"] == 2 - len(refused)
    assert project.check() == []
    project.close()
    for corpus in refused:
        proc = h.cli("ingest", corpus, "--project", project_dir, "--interviewer", "Claire Vidal",
                     "--interviewer", "Hugo Martin")
        assert proc.returncode == 0 and "1 ingested" in proc.stdout, proc.stderr
    project = ik.open_project(project_dir, create=False)
    assert project.info()["documents"] == 2 and project.check() == []
    assert set(project.turns().query("role == 'interviewer'")["speaker"]) == {"INT-01", "INT-02"}
    key = json.loads(project.key_path.read_text(encoding="utf-8"))
    for kind, mapping in key["mapping"].items():
        if kind != "PERS":  # spellings of one person share a pseudonym; nothing else may
            assert len(set(mapping.values())) == len(mapping), kind
    project.close()


def test_two_ingestions_at_the_same_time_both_succeed(two_ingestions):
    assert [rc for rc, _, _ in two_ingestions["runs"]] == [0, 0], [err for _, _, err in two_ingestions["runs"]]
