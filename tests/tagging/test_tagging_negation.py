"""Negation layer on hand-made Docs, then its effect on tags."""
from __future__ import annotations

import pytest

from interviewkit.tagging.annotator import JourneyAnnotator


@pytest.fixture(scope="module")
def ann(codebook, blank_fr):
    return JourneyAnnotator(codebook, "fr", blank_fr.vocab, blank_fr.make_doc)


LEMMAS = {"reçu": "recevoir", "rappelé": "rappeler", "marche": "marcher", "fonctionne": "fonctionner",
          "suis": "être", "satisfait": "satisfait", "répondu": "répondre"}


def negated(ann, make_doc, nlp, text):
    doc = make_doc(nlp, text, LEMMAS)
    cues, _ = ann.layers(doc)
    return {c.text.lower() for c in cues if c.negated}, {c.text.lower() for c in cues if not c.negated}


@pytest.mark.parametrize("text, word", [
    ("jamais reçu mon colis", "reçu"),
    ("je n'ai jamais reçu mon colis", "reçu"),
    ("ça ne fonctionne plus", "fonctionne"),
    ("aucun retour du conseiller", "retour"),
    ("mail sans réponse", "réponse"),
    ("je ne suis pas du tout satisfait", "satisfait"),
    ("personne ne m'a rappelé", "rappelé"),
    ("ça marche pas", "marche"),          # spoken French, "ne" dropped: backward scope
    ("plus de réseau depuis hier", "réseau"),
])
def test_negation_scopes(ann, make_doc, blank_fr, text, word):
    neg, _ = negated(ann, make_doc, blank_fr, text)
    assert word in neg


def test_scope_stops_at_break_words_and_punctuation(ann, make_doc, blank_fr):
    neg, pos = negated(ann, make_doc, blank_fr, "pas de souci, mais le colis n'est pas livré")
    assert "souci" in neg
    neg, pos = negated(ann, make_doc, blank_fr, "je n'ai pas compris mais j'ai reçu mon colis")
    assert "reçu" in pos


def test_pseudo_negation_and_self_negating_patterns(ann, make_doc, blank_fr):
    _, pos = negated(ann, make_doc, blank_fr, "c'est pas mal du tout")
    assert "pas mal" in pos
    doc = make_doc(blank_fr, "je n'ai toujours pas reçu mon colis", LEMMAS)
    cues, _ = ann.layers(doc)
    tp = [c for c in cues if c.text.lower() == "toujours pas"]
    assert tp and not tp[0].negated   # the pattern carries its own negation


def test_negation_changes_the_tags(lookup_tagger):
    ok = lookup_tagger.tag_one("Je suis satisfait du service.")
    ko = lookup_tagger.tag_one("Je ne suis pas du tout satisfait du service.")
    assert (ok.emotion, ok.irritant) == ("joy", 0) and ok.valence > 0
    assert ko.emotion == "anger" and ko.valence < 0 and ko.irritant == 1
    assert any(e.get("negated") for e in ko.evidence if e["field"] == "emotion")
    # a negated problem is relief, not a pain point
    fine = lookup_tagger.tag_one("Aucun problème, jamais eu de souci avec eux.")
    assert fine.irritant == 0 and fine.valence >= 0
    # unmet expectations count only when negated
    assert lookup_tagger.tag_one("Toujours pas reçu mon colis.").irritant == 1
    assert lookup_tagger.tag_one("J'ai reçu mon colis.").irritant == 0
    assert lookup_tagger.tag_one("Personne ne m'a rappelé.").irritant == 1
