"""Codebook 2026.03: named disappointment is sadness and wins a tie with the pain points' share; habit
in praise is trust; "ce n'est plus ce que c'était" is disappointment; fraud is an accusation."""
from __future__ import annotations

import pytest

from interviewkit.tagging.decide import Decider
from interviewkit.tagging.result import Cue


def test_named_disappointment_outweighs_a_judgement(sm_tagger):
    """The coders' guide: disappointment ('déçu') is sadness, even beside 'médiocre'."""
    r = sm_tagger.tag_one("Déçu. Qualité médiocre, produit reçu très différent de la photo. A éviter.")
    assert r.emotion == "sadness"
    assert any(e["field"] == "emotion" and e.get("text") == "Déçu" for e in r.evidence)


def test_the_tie_break_reads_only_emotion_cues(codebook):
    """Equal scores: the label carried by emotion cues beats the irritant cues counted as anger,
    whatever the label order of the codebook."""
    named = Cue("emotion", "sadness", "r.sad", 0, 1, 0, 4, "déçu", weight=1.0)
    pains = [Cue("irritant", "irritant", f"r.irr{i}", 2 + i, 3 + i, 6 + i, 9 + i, "x", weight=1.0) for i in range(2)]
    items = [(named, "sadness", 1.0, None)] + [(c, "anger", 0.5, None) for c in pains]
    ranked = Decider(codebook)._ranked_emotions(items)
    assert [label for label, _ in ranked] == ["sadness", "anger"]
    items[0] = (Cue("emotion", "anger", "r.ang", 0, 1, 0, 4, "nul", weight=1.0), "anger", 1.0, None)
    items += [(named, "sadness", 2.0, None)]
    assert Decider(codebook)._ranked_emotions(items)[0][0] == "sadness"


@pytest.mark.parametrize("text", [
    "Toujours très contente de cette boutique en ligne et de ses délais",
    "Livraison rapide, tout s'est très bien passé comme à chaque fois",
    "Comme toujours, envoi rapide et articles impeccables !",
])
def test_habit_in_praise_is_trust(sm_tagger, text):
    assert sm_tagger.tag_one(text).emotion == "trust", text


def test_years_as_a_customer_alone_is_not_a_feeling(sm_tagger):
    assert sm_tagger.tag_one("Je conduis plus depuis deux ans, à cause de mes yeux.").emotion == "neutral"


def test_habit_in_a_complaint_is_not_trust(sm_tagger):
    r = sm_tagger.tag_one("Comme toujours, colis en retard et aucune réponse du service client, c'est honteux")
    assert r.emotion != "trust" and r.irritant == 1


@pytest.mark.parametrize("text", [
    "Cette marque, ce n'est plus ce que c'était.",
    "Le site n'est plus ce qu'il était, ils répondent par mail sans aucune aide",
])
def test_not_what_it_was_is_disappointment(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert r.emotion == "sadness" and r.valence < 0, text


def test_how_come_is_confusion(sm_tagger):
    r = sm_tagger.tag_one("ma télé passe toute seule en basse définition, comment ça se fait ?")
    assert r.emotion == "confusion"


def test_very_disappointed_stays_one_notch(sm_tagger):
    """An intensified "déçu" inside "très déçu" does not outweigh the phrase and push the valence to -2."""
    assert sm_tagger.tag_one("vraiment déçue par la taille du sac").valence == -1


def test_fraud_is_an_accusation_not_fear(sm_tagger):
    r = sm_tagger.tag_one("Le service client est nul, ils sont complètement frauduleux")
    assert r.emotion == "anger" and r.irritant == 1
    assert sm_tagger.tag_one("J'ai prévenu le service des fraudes de ma banque.").emotion != "fear"


def test_worrying_news_is_fear(sm_tagger):
    assert sm_tagger.tag_one("je viens de recevoir un courrier inquiétant au sujet de mon ancien contrat").emotion == "fear"


def test_pleading_for_help_is_distress(sm_tagger):
    for text in ("aidez-moi svp, plus de connexion depuis trois semaines", "s'il vous plaît aidez moi, toujours pas de réseau"):
        assert sm_tagger.tag_one(text).emotion == "sadness", text


def test_derive_condition_patterns_is_validated(tmp_path):
    from interviewkit.codebook import load_codebook
    from interviewkit.codebook.loading import default_codebook_path
    from interviewkit.errors import ConfigError
    text = default_codebook_path().read_text(encoding="utf-8")
    assert "patterns: [trust_always_pleased, trust_as_always]" in text
    bad = tmp_path / "cb.yml"
    bad.write_text(text.replace("patterns: [trust_always_pleased, trust_as_always]", "patterns: [no_such_pattern]"),
                   encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_codebook(bad)
    assert "no_such_pattern" in str(err.value) and "trust_as_always" in str(err.value)
