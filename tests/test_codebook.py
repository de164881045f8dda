"""Codebook loading, validation errors (E3xx), editing, hashing and lexicon import."""
from __future__ import annotations

import copy

import pytest
import yaml

from interviewkit.codebook import (
    CODEBOOK_VERSION,
    Codebook,
    codebook_from_text,
    default_codebook_path,
    load_codebook,
)
from interviewkit.errors import ConfigError


@pytest.fixture(scope="module")
def base() -> dict:
    return load_codebook().to_dict()


def write(tmp_path, data, name="cb.yml") -> str:
    p = tmp_path / name
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    p.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(p)


def fails(tmp_path, data, code):
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as err:
        load_codebook(path)
    assert err.value.code == code, str(err.value)
    assert "cb.yml" in str(err.value)
    return err.value


def test_default_codebook_is_complete():
    cb = load_codebook()
    assert default_codebook_path().is_file() and cb.codebook_version == CODEBOOK_VERSION
    assert cb.label_ids("stage") == ["discover", "consider", "purchase", "deliver", "use", "support", "leave"]
    assert cb.label_ids("channel") == ["web", "app", "email", "phone", "store", "chat", "sms", "social", "mail"]
    assert set(cb.label_ids("emotion")) == {"joy", "trust", "surprise", "anger", "sadness", "fear", "confusion", "neutral"}
    assert cb.label_ids("moments") == ["moment_of_truth", "enchanting", "irritating", "breaking_point"]
    assert cb.label_ids("lane") == ["customer", "frontstage", "backstage"]
    for field, labels in cb.labels.items():
        for lab in labels.values():
            assert lab.label_fr and lab.label_en and lab.description_fr and lab.description_en, (field, lab.id)
    assert cb.exceptions("fr")["sms"] == "sms" and cb.exceptions("fr")["bugue"] == "buguer"
    assert cb.cue_patterns("negation", "fr") and cb.cue_patterns("intensifier", "en")


def test_yaml_round_trip_and_hash(tmp_path):
    cb = load_codebook()
    again = codebook_from_text(cb.to_yaml(), path=tmp_path / "x.yml")
    assert again.hash == cb.hash and again.to_dict() == cb.to_dict()
    saved = cb.save(tmp_path / "folder")
    assert saved.name == "codebook.yml" and load_codebook(tmp_path / "folder").hash == cb.hash
    edited = cb.copy()
    edited.add_pattern("channel", "sms", "pigeon", lang="fr", weight=0.5)
    assert edited.hash != cb.hash and cb.hash == again.hash
    edited.version = "2"
    assert len(edited.hash) == 16


def test_add_pattern_validates(tmp_path):
    cb = load_codebook()
    p = cb.add_pattern("channel", "sms", r"\bwhats?app\b", kind="regex", lang="fr", weight=0.8, id="wa")
    assert (p.kind, p.weight, p.id) == ("regex", 0.8, "wa")
    n = len(cb.patterns("channel", "sms", "fr"))
    with pytest.raises(ConfigError) as err:
        cb.add_pattern("channel", "sms", "(unclosed", kind="regex", lang="fr")
    assert err.value.code == "E306" and f"labels.channel.sms.patterns.fr[{n}].regex" in str(err.value)
    assert "(unclosed" in str(err.value)
    with pytest.raises(ConfigError) as err:
        cb.add_pattern("channel", "fax", "fax")
    assert err.value.code == "E312" and "sms" in str(err.value)
    with pytest.raises(ConfigError) as err:
        cb.add_pattern("channel", "sms", "x", lang="de")
    assert err.value.code == "E313"
    with pytest.raises(ConfigError) as err:
        cb.add_pattern("channel", "sms", "x", weight=9)
    assert err.value.code == "E305"
    with pytest.raises(ConfigError) as err:
        cb.add_pattern("channel", "sms", "x", kind="glob")
    assert err.value.code == "E309"
    cb.add_cue("negation", "nada", lang="fr")
    cb.add_lemma_exception("TXT", "texto")
    assert cb.exceptions("fr")["txt"] == "texto"


def test_e301_missing_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_codebook(tmp_path / "nope.yml")
    assert err.value.code == "E301" and "nope.yml" in str(err.value)


def test_e302_yaml_syntax(tmp_path):
    p = tmp_path / "cb.yml"
    p.write_text("codebook_version: 1\nlabels: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_codebook(p)
    assert err.value.code == "E302" and err.value.line is not None


def test_e303_unknown_keys_with_path_line_and_suggestion(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["channel"]["sms"]["patterns"]["fr"][3] = {"lower": "sms", "wieght": 1}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(ConfigError) as err:
        codebook_from_text(text, path="cb.yml")
    msg = str(err.value)
    assert err.value.code == "E303" and "labels.channel.sms.patterns.fr[3].wieght" in msg
    assert "weight" in msg and "did you mean 'weight'" in msg
    assert "wieght" in text.splitlines()[err.value.line - 1]
    data = copy.deepcopy(base)
    data["colour"] = "red"
    assert "colour" in str(fails(tmp_path, data, "E303"))


def test_e304_missing_key(tmp_path, base):
    data = copy.deepcopy(base)
    del data["version"]
    assert "version" in str(fails(tmp_path, data, "E304"))


def test_e305_bad_values(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["stage"]["use"]["patterns"]["fr"][0] = {"term": "utiliser", "weight": "lots"}
    assert "labels.stage.use.patterns.fr[0].weight" in str(fails(tmp_path, data, "E305"))
    data = copy.deepcopy(base)
    data["fields"]["stage"]["on_negation"] = "ignore"
    assert "keep" in str(fails(tmp_path, data, "E305"))


def test_e306_bad_regex_names_pattern_and_error(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["channel"]["web"]["patterns"]["fr"].append({"regex": "site[web"})
    err = fails(tmp_path, data, "E306")
    assert "site[web" in str(err) and "unterminated character set" in str(err)


def test_e307_schema_version(tmp_path, base):
    data = copy.deepcopy(base)
    data["codebook_version"] = 2
    assert "1" in str(fails(tmp_path, data, "E307"))


def test_e308_bad_label_id(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["stage"]["Bad-Id"] = copy.deepcopy(data["labels"]["stage"]["use"])
    assert "Bad-Id" in str(fails(tmp_path, data, "E308"))


def test_e309_pattern_kinds(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["stage"]["use"]["patterns"]["fr"][0] = {"term": "a", "lemma": "b"}
    assert "term/lemma/phrase" in str(fails(tmp_path, data, "E309"))


def test_e311_bad_token_pattern(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["stage"]["use"]["patterns"]["fr"].append({"tokens": [{"LOWERR": "x"}]})
    assert "LOWERR" in str(fails(tmp_path, data, "E311"))


def test_valid_token_patterns_are_remembered_and_not_validated_again(tmp_path, base, monkeypatch):
    import spacy.schemas

    data = copy.deepcopy(base)
    data["labels"]["stage"]["use"]["patterns"]["fr"].append({"tokens": [{"LOWER": "appli"}, {"IS_PUNCT": True}]})
    path = write(tmp_path, data)
    memo: set[str] = set()
    load_codebook(path, valid_token_patterns=memo)
    assert memo  # every token pattern of the codebook, this one included
    calls = []
    real = spacy.schemas.validate_token_pattern
    monkeypatch.setattr(spacy.schemas, "validate_token_pattern", lambda v: calls.append(v) or real(v))
    load_codebook(path, valid_token_patterns=memo)
    assert calls == []
    data["labels"]["stage"]["use"]["patterns"]["fr"].append({"tokens": [{"LOWERR": "x"}]})
    with pytest.raises(ConfigError) as err:  # a new pattern is still validated
        load_codebook(write(tmp_path, data), valid_token_patterns=memo)
    assert err.value.code == "E311" and len(calls) == 1


def test_e312_unknown_label_references(tmp_path, base):
    data = copy.deepcopy(base)
    data["derive"][0]["set"] = {"emotion": "rage"}
    assert "rage" in str(fails(tmp_path, data, "E312"))
    data = copy.deepcopy(base)
    data["labels"]["emotion"]["joy"]["negated_to"] = "grumpy"
    fails(tmp_path, data, "E312")


def test_emotion_by_default_condition_is_a_boolean(tmp_path, base):
    data = copy.deepcopy(base)
    rule = next(d for d in data["derive"] if d["id"] == "frustration_when_irritant")
    assert rule["when"]["emotion_by_default"] is True
    rule["when"]["emotion_by_default"] = "yes"
    err = fails(tmp_path, data, "E305")
    assert "emotion_by_default" in str(err) and "yes" in str(err)


def test_cues_condition_names_labels_of_the_field(tmp_path, base):
    rule = next(d for d in base["derive"] if d["id"] == "use_when_malfunction")
    assert rule["when"]["cues"] == {"stage": ["use"]}
    data = copy.deepcopy(base)
    next(d for d in data["derive"] if d["id"] == "use_when_malfunction")["when"]["cues"] = {"stage": ["usage"]}
    err = fails(tmp_path, data, "E312")
    assert "usage" in str(err) and "derive[" in str(err) and "when.cues.stage" in str(err)
    data = copy.deepcopy(base)
    next(d for d in data["derive"] if d["id"] == "use_when_malfunction")["when"]["cues"] = {"mood": ["use"]}
    assert "mood" in str(fails(tmp_path, data, "E303"))


def test_e313_undeclared_language(tmp_path, base):
    data = copy.deepcopy(base)
    data["labels"]["stage"]["use"]["patterns"]["de"] = ["benutzen"]
    assert "de" in str(fails(tmp_path, data, "E303"))
    data = copy.deepcopy(base)
    data["lexicons"] = [{"path": "x.csv", "lang": "de", "emotions": {"joy": "joy"}}]
    fails(tmp_path, data, "E313")


def test_lexicon_import_wide_and_long(tmp_path, base):
    (tmp_path / "wide.csv").write_text(
        "word,anger,fear,joy,sadness,surprise,trust,positive,negative\n"
        "chouette,0,0,1,0,0,0,1,0\nmorose,0,0,0,1,0,0,0,1\nfiasco,0,0,0,0,0,0,0,1\n", encoding="utf-8")
    (tmp_path / "long.csv").write_text(
        "word,emotion,association\nblême,fear,1\nblême,negative,1\nblême,joy,0\n", encoding="utf-8")
    data = copy.deepcopy(base)
    emo = {e: e for e in ("anger", "fear", "joy", "sadness", "surprise", "trust")}
    data["lexicons"] = [{"path": "wide.csv", "lang": "fr", "format": "wide", "emotions": emo, "weight": 1.0},
                        {"path": "long.csv", "lang": "fr", "format": "long", "emotions": emo, "weight": 1.0}]
    cb = load_codebook(write(tmp_path, data))
    assert cb.lexicons[0].entries["morose"] == (("sadness",), -1)
    assert cb.lexicons[0].entries["fiasco"] == ((), -1)
    assert cb.lexicons[1].entries["blême"] == (("fear",), -1)
    import spacy

    from interviewkit.tagging import JourneyTagger

    tagger = JourneyTagger(cb, nlp=spacy.blank("fr"))  # lexicon words also match their written forms
    r = tagger.tag_one("Une journée morose.")
    assert r.emotion == "sadness" and r.valence == -1
    assert any(e["rule"] == "lexicon[0]" for e in r.evidence)
    assert tagger.tag_one("Quel fiasco.").valence == -1
    # save copies lexicon files so the folder is self-contained
    saved = cb.save(tmp_path / "out")
    assert load_codebook(saved).lexicons[0].entries["morose"] == (("sadness",), -1)
    # lexicon content is part of the hash
    h = cb.hash
    (tmp_path / "wide.csv").write_text("word,joy,positive,negative,anger,fear,sadness,surprise,trust\n"
                                       "super,1,1,0,0,0,0,0,0\n", encoding="utf-8")
    assert load_codebook(tmp_path / "cb.yml").hash != h


def test_e310_lexicon_errors(tmp_path, base):
    data = copy.deepcopy(base)
    data["lexicons"] = [{"path": "missing.csv", "lang": "fr", "emotions": {"joy": "joy"}}]
    assert "missing.csv" in str(fails(tmp_path, data, "E310"))
    (tmp_path / "bad.csv").write_text("mot,joie\nchouette,1\n", encoding="utf-8")
    data["lexicons"] = [{"path": "bad.csv", "lang": "fr", "emotions": {"joie": "joy"}}]
    err = fails(tmp_path, data, "E310")
    assert "word" in str(err) and "mot" in str(err)


def test_codebook_class_defaults():
    cb = Codebook()
    assert cb.label_ids("stage") == [] and cb.hash


def test_irritant_patterns_take_valence_zero_only(tmp_path, base):
    pats = base["labels"]["irritant"]["irritant"]["patterns"]["fr"]
    mild = [p for p in pats if isinstance(p, dict) and p.get("valence") == 0]
    assert len(mild) >= 10  # the reservations of codebook 2025.12 survive to_dict
    reloaded = load_codebook(write(tmp_path, copy.deepcopy(base)))
    assert sum(p.valence == 0 for p in reloaded.labels["irritant"]["irritant"].patterns["fr"]) == len(mild)
    data = copy.deepcopy(base)
    i = next(i for i, p in enumerate(pats) if isinstance(p, dict))
    data["labels"]["irritant"]["irritant"]["patterns"]["fr"][i]["valence"] = -1
    err = fails(tmp_path, data, "E303")
    assert f"irritant.irritant.patterns.fr[{i}].valence" in str(err) and "0" in str(err)
    data = copy.deepcopy(base)
    data["labels"]["stage"]["use"]["patterns"]["fr"][0] = {"term": "panne", "valence": 0}
    assert "stage.use.patterns.fr[0].valence" in str(fails(tmp_path, data, "E303"))


def test_irritant_felt_condition_is_a_boolean(tmp_path, base):
    rule = next(d for d in base["derive"] if d["id"] == "support_when_pain_point")
    assert rule["when"]["irritant_felt"] is True
    data = copy.deepcopy(base)
    next(d for d in data["derive"] if d["id"] == "support_when_pain_point")["when"]["irritant_felt"] = "yes"
    assert "irritant_felt" in str(fails(tmp_path, data, "E305"))
