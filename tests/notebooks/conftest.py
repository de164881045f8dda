"""Fixtures of the workbench and notebook tests.

* ``small_template``: the small corpus of ``nb_helpers`` ingested (pseudonymised) and tagged once per
  session; ``small_project`` is a fresh copy of it for each test.
* ``jupyter_env``: a temporary ``JUPYTER_PATH`` whose ``python3`` kernel runs this interpreter.
* ``demo_dir``: the demo project, built once per session in a temporary folder
  (``INTERVIEWKIT_DEMO_PROJECT``), for the slow notebook tests and the browser test.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402
from nb_helpers import write_corpus, write_kernelspec  # noqa: E402

import interviewkit as ik  # noqa: E402



@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "corpus")


@pytest.fixture(scope="session")
def small_template(tmp_path_factory, small_corpus) -> Path:
    from interviewkit.workbench.coding import run_tagging
    from interviewkit.workbench.ingest import run_ingest

    path = tmp_path_factory.mktemp("template") / "project"
    p = ik.open_project(path)
    report = run_ingest(p, [small_corpus], progress=False)
    assert not report.failed, report.failed
    run_tagging(p, progress=False)
    p.close()
    return path


@pytest.fixture
def small_project(small_template, tmp_path):
    dest = tmp_path / "project"
    shutil.copytree(small_template, dest)
    p = ik.open_project(dest, create=False)
    yield p
    p.close()


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory):
    """JUPYTER_PATH with a python3 kernelspec pointing to sys.executable (restored afterwards)."""
    root = write_kernelspec(tmp_path_factory.mktemp("jupyter"))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(root) + (os.pathsep + old if old else "")
    yield root
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """The demo project built once (ingest, tag, topics) in a temporary folder; the environment variable
    makes every notebook (``PROJECT = None``) open it."""
    from interviewkit.workbench.project import DEMO_ENV, demo_project

    path = tmp_path_factory.mktemp("demo") / "demo-project"
    old = os.environ.get(DEMO_ENV)
    os.environ[DEMO_ENV] = str(path)
    project = demo_project(progress=False)
    project.close()
    yield path
    if old is None:
        os.environ.pop(DEMO_ENV, None)
    else:
        os.environ[DEMO_ENV] = old
