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
