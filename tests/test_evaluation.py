"""evaluate(): hand-computed P/R/F1, macro-F1, kappa, MAE, confusion; joins; errors."""
from __future__ import annotations

import pandas as pd
import pytest

from interviewkit.errors import InputError
from interviewkit.evaluation import cohen_kappa, evaluate

GOLD = pd.DataFrame({
    "segment_id": ["s1", "s2", "s3", "s4"],
    "stage": ["support", "deliver;support", "", "purchase"],
    "emotion": ["anger", "anger", "joy", "neutral"],
    "irritant": [1, 1, 0, 0],
    "valence": [-1, -2, 1, 0],
})
PRED = pd.DataFrame({
    "segment_id": ["s4", "s3", "s2", "s1"],  # other order: joined on segment_id
    "stage": ["purchase;deliver", "support", "deliver", "support"],
    "emotion": ["joy", "joy", "sadness", "anger"],
    "irritant": ["0", "1", "0", "1"],
    "valence": [0, 2, -1, -1],
})


def test_multi_label_scores_by_hand():
    rep = evaluate(GOLD, PRED)
    fs = rep.fields["stage"]
    support, deliver, purchase = fs.label("support"), fs.label("deliver"), fs.label("purchase")
    assert (support.tp, support.fp, support.fn) == (1, 1, 1)
    assert support.precision == 0.5 and support.recall == 0.5 and support.f1 == 0.5
    assert (deliver.tp, deliver.fp, deliver.fn) == (1, 1, 0) and deliver.f1 == pytest.approx(2 / 3)
    assert purchase.f1 == 1.0
    assert fs.macro_f1 == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert rep.summary()["stage_macro_f1"] == 0.722


def test_single_label_accuracy_kappa_confusion():
    rep = evaluate(GOLD, PRED)
    emo = rep.fields["emotion"]
    assert emo.accuracy == 0.5
    assert emo.kappa == pytest.approx(1 / 3)
    assert emo.macro_f1 == pytest.approx((2 / 3 + 0 + 2 / 3 + 0) / 4)
    cm = rep.emotion_confusion
    assert cm.loc["anger", "anger"] == 1 and cm.loc["anger", "sadness"] == 1 and cm.loc["neutral", "joy"] == 1
    assert int(cm.values.sum()) == 4


def test_irritant_and_valence():
    s = evaluate(GOLD, PRED).summary()
    assert s["irritant_f1"] == 0.5 and s["irritant_accuracy"] == 0.5 and s["irritant_kappa"] == 0.0
    assert s["valence_mae"] == 0.5 and s["valence_accuracy"] == 0.5


def test_kappa_edge_cases():
    assert cohen_kappa(["a", "a"], ["a", "a"]) == 1.0
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)


def test_join_priority_and_row_order():
    gold = GOLD.assign(id=["x", "y", "z", "w"])
    pred = PRED.drop(columns="segment_id").assign(id=["w", "z", "y", "x"])
    rep = evaluate(gold, pred)
    assert rep.join == "id" and rep.summary()["valence_mae"] == 0.5
    rep = evaluate(GOLD.drop(columns="segment_id"), PRED.drop(columns="segment_id").iloc[::-1])
    assert rep.join == "row order" and rep.n == 4 and rep.summary()["valence_mae"] == 0.5
    partial = evaluate(GOLD, PRED.iloc[:3])
    assert partial.n == 3 and partial.unmatched_gold == 1
    with pytest.raises(InputError) as err:
        evaluate(GOLD.drop(columns="segment_id"), PRED.drop(columns="segment_id").iloc[:3])
    assert err.value.code == "E512" and "segment_id" in str(err.value)


def test_missing_columns_name_the_file(tmp_path):
    g, p = tmp_path / "gold.csv", tmp_path / "pred.csv"
    GOLD.to_csv(g, index=False)
    PRED.drop(columns="emotion").to_csv(p, index=False)
    with pytest.raises(InputError) as err:
        evaluate(g, p)
    assert err.value.code == "E511" and "pred.csv" in str(err.value) and "emotion" in str(err.value)
    rep = evaluate(g, p, fields=["stage", "valence"])
    assert set(rep.fields) == {"stage", "valence"}
    with pytest.raises(InputError) as err:
        evaluate(g, tmp_path / "none.csv")
    assert err.value.code == "E510"


def test_inter_coder_agreement_is_symmetric():
    a = GOLD.assign(lane=["customer", "frontstage", "customer", "backstage"])
    b = PRED.assign(lane=["backstage", "customer", "customer", "customer"])
    ab, ba = evaluate(a, b).summary(), evaluate(b, a).summary()
    assert ab["emotion_kappa"] == ba["emotion_kappa"] and ab["lane_kappa"] == ba["lane_kappa"]
    assert ab["stage_macro_f1"] == ba["stage_macro_f1"]


def test_report_outputs():
    rep = evaluate(GOLD, PRED)
    frame = rep.to_frame()
    assert list(frame.columns[:6]) == ["field", "label", "precision", "recall", "f1", "support"]
    assert set(frame["field"]) == {"stage", "emotion", "irritant"}
    md = rep.to_markdown()
    assert "| stage | support | 0.500 | 0.500 | 0.500 | 2 |" in md and "Emotion confusion" in md
    assert evaluate(GOLD, GOLD).summary()["emotion_kappa"] == 1.0
    split = evaluate(GOLD.assign(split=["dev", "test", "dev", "dev"]), PRED, split="dev")
    assert split.n == 3
