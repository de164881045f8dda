"""Codebook 2025.11: words that look like a journey cue but are not one, and malfunction reports."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "salut freebox bloqué étape 3 aussi ?",
    "il se passe quoi encore ? free down",
    "j'ai encore eu 2 coupure en début d'après midi",
    "200 de ping depuis que je suis chez vous, c'est une blague",
    "rendez moi ma co, ça fait 3 jours",
])
def test_a_malfunction_with_no_other_stage_is_use_not_support(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert r.irritant == 1 and r.stage == ["use"], (text, r.stage)
    assert any(e.get("rule") == "derive.use_when_malfunction" or e.get("label") == "use" for e in r.evidence)


def test_a_pain_point_without_a_use_cue_stays_support(sm_tagger):
    r = sm_tagger.tag_one("c'est vraiment de la merde que des problèmes")
    assert r.stage == ["support"] and r.irritant == 1


@pytest.mark.parametrize("text, absent", [
    ("je viens de commander une caisse de transport pour chat, 10e de frais de livraison", {"store", "chat"}),
    ("vous n'avez pas d'agences mais tout se fait en ligne", {"store"}),
    ("colis bien livré à 700 bornes de chez moi", {"store"}),
    ("gare au porte monnaie si on oublie de se désabonner", {"store"}),
    ("le colis indiqué livré dans ma boîte aux lettres est absent", {"mail"}),
    ("on me demande mon adresse postale pour la fibre", {"mail"}),
])
def test_false_friends_are_not_channels(sm_tagger, text, absent):
    assert not absent & set(sm_tagger.tag_one(text).channel), text


@pytest.mark.parametrize("text, channel", [
    ("Super accueil et conseils de qualité", "store"),
    ("je suis venu dans vos bureaux rendre la box", "store"),
    ("il faut envoyer un recommandé pour chaque réclamation", "mail"),
    ("contactez moi en pv svp", "social"),
    ("j'ai reçu un courrier dans ma boîte aux lettres", "mail"),
])
def test_places_letters_and_private_messages_are_channels(sm_tagger, text, channel):
    assert channel in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text, has_discover", [
    ("la page mon assistance, n'en parlons pas !", False),
    ("faut en parler 2 minutes là", False),
    ("une amie m'en a parlé et j'ai souscrit", True),
    ("Alors, en fait, j'ai déménagé en janvier.", True),
    ("1 mois que j'ai déménagé et ma co internet est instable", False),
    ("j'ai découvert que le colis était vide", False),
    ("le site m'a été conseillé par des amis", True),
])
def test_hearing_about_the_offer_is_discover_talking_about_it_is_not(sm_tagger, text, has_discover):
    assert ("discover" in sm_tagger.tag_one(text).stage) is has_discover, text


def test_advice_is_consider_and_a_plea_is_exasperation(sm_tagger):
    assert "consider" in sm_tagger.tag_one("J'ai été très bien conseillé, merci").stage
    assert "consider" in sm_tagger.tag_one("des conseils adaptés à mon budget").stage
    assert sm_tagger.tag_one("remettez la wifi pitié").emotion == "anger"
    assert sm_tagger.tag_one("C'est quand même navrant d'en arriver là.").emotion == "sadness"
    assert sm_tagger.tag_one("C'est navrant pour un simple virement !").emotion != "joy"
