import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def fr_senter():
    """The real French sentence pipeline, loaded once per test session."""
    from interviewkit.segment import load_segmenter_pipeline

    return load_segmenter_pipeline("fr")
