"""Learned layer: training, spaCy (de)serialisation, combination modes, per-layer evaluation."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from interviewkit.tagging import TagResult
from interviewkit.tagging.learned import HybridTagger, LearnedTagger, combine, evaluate_layers

DATA = Path(__file__).parents[1] / "data" / "tagging_dev.csv"


def synthetic() -> pd.DataFrame:
    rows = []
    for i in range(20):
        rows.append({"text": f"le colis numéro {i} est arrivé en retard", "stage": "deliver", "channel": "",
                     "emotion": "anger", "irritant": 1, "valence": -1, "moments": "irritating", "lane": "backstage"})
        rows.append({"text": f"facture {i} payée sur le site, merci", "stage": "purchase", "channel": "web",
                     "emotion": "joy", "irritant": 0, "valence": 1, "moments": "", "lane": "customer"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def model():
    return LearnedTagger.train(synthetic(), epochs=8)


def test_training_learns_and_predicts(model):
    a, b = model.predict(["mon colis est arrivé en retard", "facture payée sur le site"])
    assert a["stage"]["deliver"] > 0.5 > a["stage"]["purchase"]
    assert b["stage"]["purchase"] > 0.5 and b["channel"]["web"] > 0.5
    assert max(a["emotion"], key=a["emotion"].get) == "anger" and max(b["emotion"], key=b["emotion"].get) == "joy"
    assert sum(a["emotion"].values()) == pytest.approx(1.0, abs=1e-3)  # textcat: one label per segment
    assert set(a) == {"stage", "channel", "emotion", "irritant", "valence", "moments", "lane"}
    r = next(model.predict_results(["COLIS arrivé en RETARD"]))  # normalised input (case)
    assert r.stage == ["deliver"] and r.irritant == 1


def test_to_disk_from_disk_without_pickle(model, tmp_path):
    path = model.to_disk(tmp_path / "learned")
    assert not list(path.rglob("*.pkl")) and (path / "config.cfg").is_file()
    again = LearnedTagger.from_disk(path)
    texts = ["colis en retard", "facture payée"]
    assert list(again.predict(texts)) == list(model.predict(texts))


def _rule(**kw) -> TagResult:
    base = dict(stage=[], channel=[], emotion="neutral", valence=0, irritant=0, moments=[], lane="customer",
                confidence={}, evidence=[])
    base.update(kw)
    return TagResult(**base)


SCORES = {"stage": {"deliver": 0.9, "support": 0.2}, "emotion": {"joy": 0.8, "anger": 0.2},
          "irritant": {"0": 0.1, "1": 0.9}, "valence": {"-1": 0.8, "0": 0.2}}


def test_combination_modes():
    fired = _rule(stage=["support"], evidence=[{"field": "stage", "label": "support", "rule": "r"}])
    empty = _rule()
    assert combine(fired, SCORES).stage == ["support"]                       # rules win with evidence
    filled = combine(empty, SCORES)
    assert filled.stage == ["deliver"] and filled.emotion == "joy" and filled.irritant == 1 and filled.valence == -1
    assert any(e["source"] == "learned" for e in filled.evidence)
    assert combine(fired, SCORES, mode="learned_first").stage == ["deliver"]
    assert combine(fired, SCORES, mode="union").stage == ["deliver", "support"]
    assert combine(fired, SCORES, mode="rules") is fired
    assert combine(fired, SCORES, mode="learned").stage == ["deliver"]
    assert combine(empty, SCORES, threshold=0.95).stage == []                 # below threshold: nothing
    assert combine(empty, SCORES, threshold={"irritant": 0.95}).irritant == 0
    angry = _rule(emotion="anger", irritant=1, valence=-2,
                  evidence=[{"field": "emotion", "label": "anger", "rule": "r"}])
    kept = combine(angry, SCORES)
    assert (kept.emotion, kept.irritant, kept.valence) == ("anger", 1, -2)


def test_evaluate_layers_and_hybrid(model, lookup_tagger):
    gold = pd.read_csv(DATA, dtype=str, keep_default_na=False).head(40)
    reps = evaluate_layers(gold, lookup_tagger, model)
    assert set(reps) == {"rules", "learned", "rules_first"}
    assert reps["rules"].summary() != reps["learned"].summary()
    assert reps["rules"].summary()["channel_macro_f1"] > reps["learned"].summary().get("channel_macro_f1", 0)
    hybrid = HybridTagger(lookup_tagger, model)
    out = list(hybrid.tag(["Toujours pas reçu mon colis", "Facture payée"]))
    assert out[0].stage == ["deliver"] and len(out) == 2
