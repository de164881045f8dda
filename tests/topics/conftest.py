"""Fixtures of the topic tests: offline mode, the synthetic corpus, a fake embedding backend."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

import topics_fake_backend  # noqa: E402,F401  (registers the "fake-hash" backend)
from corpus_fr import segments_frame  # noqa: E402


@pytest.fixture(scope="session")
def corpus():
    return segments_frame()


@pytest.fixture(scope="session")
def tfidf_model(corpus):
    from interviewkit.topics import IrritantTopicModel

    return IrritantTopicModel(embedding="tfidf-svd").fit(corpus)


@pytest.fixture(scope="session")
def demo_topics_project(tmp_path_factory):
    """The demo corpus ingested and tagged once (``demo_project(topics=False)`` in a temporary folder),
    then one irritant-topics run through ``run_project_topics`` (the ``interviewkit topics`` path)."""
    from interviewkit.project_topics import run_project_topics
    from interviewkit.workbench.project import DEMO_ENV, demo_project

    path = tmp_path_factory.mktemp("demo-topics") / "demo-project"
    old = os.environ.get(DEMO_ENV)
    os.environ[DEMO_ENV] = str(path)
    try:
        project = demo_project(topics=False, progress=False)
    finally:
        if old is None:
            os.environ.pop(DEMO_ENV, None)
        else:
            os.environ[DEMO_ENV] = old
    report = run_project_topics(project)
    yield project, report
    project.close()
