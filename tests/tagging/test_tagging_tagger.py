"""JourneyTagger end to end: results, evidence, context, re-tagging after a codebook edit, profiles."""
from __future__ import annotations

import json

import pytest

from interviewkit.codebook import load_codebook
from interviewkit.errors import ConfigError
from interviewkit.tagging import EXPORT_COLUMNS, JourneyTagger, TagResult


def test_customer_speech_examples(sm_tagger):
    cases = {
        "J'ai appelé le service client, personne ne m'a rappelé.": (["support"], ["phone"], 1),
        "appli qui bug tjrs, pb avec le sav": (None, ["app"], 1),
        "Toujours pas reçu mon colis au bout de trois semaines": (["deliver"], [], 1),
        "On me renvoie de service en service, conseillere injoignable": (["support"], None, 1),
        "Je suis allée en agence, la conseillère était adorable.": (None, ["store"], 0),
        "J'ai reçu un texto de confirmation": (None, ["sms"], 0),
        "Je vais résilier mon abonnement": (["leave"], [], None),
        "Je recommande !": (["leave"], [], 0),
        "j'ai relancé 3 fois par mail": (["support"], ["email"], 1),
        "Remboursé en 48h, rien à redire.": (["support"], [], 0),
        "C'est SCANDALEUX": (None, None, 1),
    }
    for text, (stage, channel, irritant) in cases.items():
        r = sm_tagger.tag_one(text)
        if stage is not None:
            assert r.stage == stage, (text, r.stage)
        if channel is not None:
            assert r.channel == channel, (text, r.channel)
        if irritant is not None:
            assert r.irritant == irritant, (text, r.irritant)


def test_tag_result_row_and_evidence_offsets(lookup_tagger):
    text = "Toujours pas reçu mon colis, j'ai appelé le SAV trois fois !!!"
    r = lookup_tagger.tag_one(text)
    row = r.to_row()
    assert list(row) == list(EXPORT_COLUMNS)
    assert row["stage"] == ";".join(r.stage) and isinstance(row["valence"], int)
    ev = json.loads(row["evidence"])
    assert " " not in row["evidence"].split('"text"')[0]  # compact separators
    assert ev and all({"field", "label", "rule"} <= set(e) for e in ev)
    for e in ev:
        if "start" in e and e.get("source") is None:
            assert text[e["start"]:e["end"]] == e["text"]
    assert set(json.loads(row["confidence"])) >= {"stage", "channel", "emotion", "valence", "irritant", "lane"}
    assert all(0.0 <= v <= 1.0 for v in r.confidence.values())
    assert TagResult.from_row(row).stage == r.stage


def test_context_fills_stage_only_with_lower_confidence(lookup_tagger):
    seg = "Ça a pris trois semaines."
    alone = lookup_tagger.tag_one(seg)
    assert alone.channel == [] and alone.stage == []
    ctx = "J'ai commandé un frigo sur le site."
    with_ctx = lookup_tagger.tag_one(seg, context=ctx)
    assert with_ctx.stage == ["purchase"]
    assert with_ctx.channel == []  # a channel must be named by the segment itself
    assert with_ctx.confidence["stage"] < 0.5
    assert any(e.get("source") == "context" and e["field"] == "stage" for e in with_ctx.evidence)
    # context is not used when the segment has its own stage
    own = lookup_tagger.tag_one("J'ai appelé le SAV.", context=ctx)
    assert own.stage == ["support"] and own.channel == ["phone"]
    # batch API with contexts, and annotate() on a parsed Doc with a text context
    rs = list(lookup_tagger.tag([seg, seg], contexts=[None, ctx]))
    assert rs[0].stage == [] and rs[1].stage == ["purchase"]
    doc = next(lookup_tagger.parse([seg]))
    assert lookup_tagger.annotate(doc, context=ctx).stage == ["purchase"]


def test_context_replaces_a_default_stage(sm_tagger):
    """A pain point with no stage cue defaults to support; the previous sentence of the turn knows better."""
    seg = "Trois semaines sans nouvelles !"
    alone = sm_tagger.tag_one(seg)
    assert alone.stage == ["support"] and alone.irritant == 1
    assert all(e.get("source") == "derived" for e in alone.evidence if e["field"] == "stage")
    r = sm_tagger.tag_one(seg, context="Le livreur devait passer lundi pour la machine à laver.")
    assert r.stage == ["deliver"] and r.irritant == 1
    assert r.confidence["stage"] < alone.confidence["stage"] + 0.2
    assert {e.get("source") for e in r.evidence if e["field"] == "stage"} == {"context"}


def test_retag_after_codebook_edit_reuses_parsed_docs(lookup_tagger):
    cb = load_codebook()
    tagger = JourneyTagger(codebook=cb, profile="lookup")
    text = "Je leur ai envoyé un pigeon voyageur."
    doc = next(tagger.parse([text]))
    before_hash, pid = tagger.hash, tagger.pipeline_id
    assert "mail" not in tagger.annotate(doc).channel
    edited = cb.copy()
    edited.add_pattern("channel", "mail", "pigeon voyageur", lang="fr")
    tagger.set_codebook(edited)
    after = tagger.annotate(doc)
    assert after.channel == ["mail"]
    assert any(e["rule"].startswith("channel.mail.fr[") and e["text"] == "pigeon voyageur" for e in after.evidence)
    assert tagger.hash != before_hash and tagger.pipeline_id == pid
    assert doc._.journey is after


def test_profiles_and_pipeline_ids(lookup_tagger, sm_tagger):
    assert "fast" in sm_tagger.pipeline_id and "fr_core_news_sm@3.8" in sm_tagger.pipeline_id
    assert "parser" not in sm_tagger.nlp.pipe_names and "lemmatizer" in sm_tagger.nlp.pipe_names
    assert "lookup" in lookup_tagger.pipeline_id
    with pytest.raises(ConfigError) as err:
        JourneyTagger(profile="turbo")
    assert err.value.code == "E503" and "full" in str(err.value)
    with pytest.raises(ConfigError) as err:
        JourneyTagger(lang="de")
    assert err.value.code == "E504"


def test_empty_and_missing_texts(lookup_tagger):
    rs = list(lookup_tagger.tag(["", None, float("nan"), "   "]))
    assert len(rs) == 4 and all(r.stage == [] and r.emotion == "neutral" and r.irritant == 0 for r in rs)


def test_derive_rules_are_codebook_driven(lookup_tagger):
    peak = "Colis jamais livré, c'est scandaleux !!"
    r = lookup_tagger.tag_one(peak)
    assert r.irritant == 1 and r.valence == -2 and "irritating" in r.moments
    assert any(e["rule"] == "derive.irritating_moment" for e in r.evidence)
    plain = lookup_tagger.tag_one("Colis jamais livré.")  # an ordinary pain point is not a peak
    assert plain.irritant == 1 and plain.valence == -1 and "irritating" not in plain.moments
    cb = load_codebook()
    cb.derive = [d for d in cb.derive if d.id != "irritating_moment"]
    assert "irritating" not in JourneyTagger(cb, profile="lookup").tag_one(peak).moments


def test_calibrated_defaults(lookup_tagger):
    """Defaults that follow the gold conventions: lane from touchpoints, stage from reaching out, idioms."""
    r = lookup_tagger.tag_one("Le jour du rendez-vous, personne.")
    assert r.irritant == 1 and "deliver" in r.stage and r.lane == "frontstage"
    assert any(e["rule"] == "default.lane_irritant" for e in r.evidence)
    r = lookup_tagger.tag_one("Et puis ça a raccroché.")
    assert r.irritant == 1 and "support" in r.stage and r.channel == ["phone"]
    r = lookup_tagger.tag_one("La dame était gentille, je dis pas.")  # "je dis pas" is not a negation
    assert r.irritant == 0 and r.emotion == "trust" and r.valence == 1
    r = lookup_tagger.tag_one("Mais si demain il y a une meilleure offre, je pars.")
    assert r.stage == ["leave"]
    r = lookup_tagger.tag_one("J'ai déménagé en mars.")
    assert r.stage == ["discover"] and r.lane == "customer"


def test_english_path(en_tagger):
    assert "blank+lookup" in en_tagger.pipeline_id
    r = en_tagger.tag_one("I called customer service three times and nobody called me back.")
    assert r.stage == ["support"] and r.channel == ["phone"] and r.irritant == 1
    r = en_tagger.tag_one("Still no refund after three weeks, this is OUTRAGEOUS!!!")
    assert r.irritant == 1 and r.valence == -2 and r.emotion == "anger"
    r = en_tagger.tag_one("The staff in the shop were lovely, I would definitely recommend them.")
    assert "store" in r.channel and "leave" in r.stage and r.valence > 0
    assert en_tagger.tag_one("I'm not happy with the app.").valence < 0
