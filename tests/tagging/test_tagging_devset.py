"""Regression floors on the hand-labelled development sets (tests/data/tagging_dev*.csv).

The floors sit a little below the scores measured when the codebook was tuned
(see docs/tagging.md); a drop below them means a rule or codebook change broke
something. Scores use the "fast" profile (fr_core_news_sm without parser/ner).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from interviewkit.evaluation import evaluate

DATA = Path(__file__).parents[1] / "data"
GOLD = Path(__file__).parents[2] / "corpora" / "gold" / "gold_segments.csv"
COLUMNS = ["id", "text", "stage", "channel", "emotion", "valence", "irritant", "moments", "lane"]


def _scores(tagger, path: Path) -> dict:
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(gold.columns) == COLUMNS
    pred = pd.DataFrame([{"id": i, **r.to_row()} for i, r in zip(gold["id"], tagger.tag(gold["text"].tolist()))])
    return evaluate(gold, pred).summary()


@pytest.fixture(scope="module")
def fr_scores(sm_tagger):
    return _scores(sm_tagger, DATA / "tagging_dev.csv")


@pytest.mark.parametrize("key, floor", [
    ("stage_macro_f1", 0.78), ("channel_macro_f1", 0.92), ("irritant_f1", 0.89), ("emotion_macro_f1", 0.68),
    ("lane_macro_f1", 0.67), ("moments_macro_f1", 0.41),
])
def test_french_dev_floors(fr_scores, key, floor):
    assert fr_scores[key] >= floor, fr_scores


def test_french_dev_valence(fr_scores):
    assert fr_scores["valence_mae"] <= 0.38, fr_scores
    assert fr_scores["n"] >= 250


def test_french_dev_lookup_profile(lookup_tagger):
    s = _scores(lookup_tagger, DATA / "tagging_dev.csv")
    assert s["stage_macro_f1"] >= 0.75 and s["channel_macro_f1"] >= 0.9 and s["irritant_f1"] >= 0.87, s


@pytest.mark.parametrize("key, floor", [
    ("stage_macro_f1", 0.72), ("channel_macro_f1", 0.91), ("irritant_f1", 0.90), ("emotion_macro_f1", 0.65),
    ("lane_macro_f1", 0.53), ("moments_macro_f1", 0.40),
])
def test_french_real_dev_floors(real_scores, key, floor):
    """tagging_dev_real.csv: 250 verbatims in the styles of reviews, tweets, surveys and SMS across sectors."""
    assert real_scores["n"] >= 200
    assert real_scores[key] >= floor, real_scores


def test_french_real_dev_valence(real_scores):
    assert real_scores["valence_mae"] <= 0.36, real_scores


@pytest.fixture(scope="module")
def real_scores(sm_tagger):
    return _scores(sm_tagger, DATA / "tagging_dev_real.csv")


def test_english_dev_floors(en_tagger):
    s = _scores(en_tagger, DATA / "tagging_dev_en.csv")
    assert s["n"] >= 40
    assert s["stage_macro_f1"] >= 0.82 and s["channel_macro_f1"] >= 0.93, s
    assert s["irritant_f1"] >= 0.88 and s["emotion_macro_f1"] >= 0.85 and s["valence_mae"] <= 0.35, s


@pytest.fixture(scope="module")
def gold_dev_scores(sm_tagger):
    """The independently labelled gold file, ``dev`` split only (the ``test`` split is never scored in tests)."""
    if not GOLD.exists():
        pytest.skip("corpora/gold/gold_segments.csv not present")
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    gold = gold[gold["split"] == "dev"].reset_index(drop=True)
    pred = pd.DataFrame([{"gold_id": i, **r.to_row()}
                         for i, r in zip(gold["gold_id"], sm_tagger.tag(gold["text"].tolist()))])
    return evaluate(gold, pred).summary()


@pytest.mark.parametrize("key, floor", [
    ("stage_macro_f1", 0.58), ("channel_macro_f1", 0.82), ("irritant_f1", 0.86), ("emotion_macro_f1", 0.53),
    ("lane_macro_f1", 0.61), ("moments_macro_f1", 0.45),
])
def test_gold_dev_floors(gold_dev_scores, key, floor):
    assert gold_dev_scores["n"] == 172
    assert gold_dev_scores[key] >= floor, gold_dev_scores


def test_gold_dev_valence(gold_dev_scores):
    assert gold_dev_scores["valence_mae"] <= 0.47, gold_dev_scores


def test_gold_dev_context_column_helps_stage(sm_tagger, gold_dev_scores):
    """The gold file's `context` (previous sentence of the same turn) fills stages the sentence lacks."""
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    gold = gold[gold["split"] == "dev"].reset_index(drop=True)
    res = sm_tagger.tag(gold["text"].tolist(), contexts=gold["context"].tolist())
    pred = pd.DataFrame([{"gold_id": i, **r.to_row()} for i, r in zip(gold["gold_id"], res)])
    s = evaluate(gold, pred).summary()
    assert s["stage_macro_f1"] >= gold_dev_scores["stage_macro_f1"] + 0.01, (s, gold_dev_scores)
    assert s["channel_macro_f1"] == gold_dev_scores["channel_macro_f1"]  # context never adds a channel
