"""Small review projects: inline transcripts ingested without pseudonymisation, auto tags inserted directly."""
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402
from review_helpers import P01, P02, write_auto_tags  # noqa: E402

import interviewkit as ik  # noqa: E402


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    (root / "P01_entretien.txt").write_text(P01, encoding="utf-8")
    (root / "P02_entretien.txt").write_text(P02, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def _template(tmp_path_factory, corpus_dir):
    """One ingested + tagged project, copied for every test (ingestion runs once per session)."""
    path = tmp_path_factory.mktemp("template") / "proj"
    p = ik.open_project(path)
    report = p.ingest([corpus_dir / "P01_entretien.txt", corpus_dir / "P02_entretien.txt"], pseudonymise=False,
                      interviewers=["Claire Vidal"], lang="fr")
    assert not report.failed, report.failed
    write_auto_tags(p)
    p.close()
    return path


@pytest.fixture
def project(_template, tmp_path):
    dest = tmp_path / "proj"
    shutil.copytree(_template, dest)
    p = ik.open_project(dest)
    yield p
    p.close()
