"""Intensity layer: intensifiers, downtoners, capitals, exclamation, contrast."""
from __future__ import annotations


def test_intensifier_raises_valence(lookup_tagger):
    plain = lookup_tagger.tag_one("Je suis déçu.")
    strong = lookup_tagger.tag_one("Je suis vraiment très déçu.")
    assert plain.valence == -1 and strong.valence == -2
    assert any(e.get("intensified") for e in strong.evidence)


def test_capitals_and_exclamation(lookup_tagger):
    calm = lookup_tagger.tag_one("Colis pas livré.")
    shout = lookup_tagger.tag_one("COLIS PAS LIVRÉ !!!")
    assert calm.valence == -1 and shout.valence == -2
    assert any(e.get("intensified") or e["rule"].startswith("intensity.") for e in shout.evidence)
    assert lookup_tagger.tag_one("Colis pas livré !!!").valence == -2
    # an acronym in capitals is not shouting
    assert lookup_tagger.tag_one("Le SAV m'a répondu, problème réglé.").valence >= 0


def test_downtoner_and_negated_intensifier(lookup_tagger, blank_fr, codebook, make_doc):
    from interviewkit.tagging.annotator import JourneyAnnotator

    ann = JourneyAnnotator(codebook, "fr", blank_fr.vocab, blank_fr.make_doc)
    cues, _ = ann.layers(make_doc(blank_fr, "c'est pas très clair"))
    clair = [c for c in cues if c.text == "clair"][0]
    assert clair.downtoned and not clair.intensified
    cues, _ = ann.layers(make_doc(blank_fr, "un peu déçu"))
    assert [c for c in cues if c.text == "déçu"][0].downtoned


def test_contrast_clause_dominates(lookup_tagger):
    r = lookup_tagger.tag_one("Le conseiller était sympa mais toujours aucune solution.")
    assert r.valence < 0 and r.irritant == 1
    r = lookup_tagger.tag_one("Il y a eu du retard mais franchement le livreur était adorable et très pro.")
    assert r.valence > 0
