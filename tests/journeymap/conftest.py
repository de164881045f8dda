"""Fixtures of the journey-map tests."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jm_evidence import make_frame  # noqa: E402


@pytest.fixture
def evidence() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="session")
def built_maps():
    from interviewkit.journeymap import build_maps

    return build_maps(make_frame())
