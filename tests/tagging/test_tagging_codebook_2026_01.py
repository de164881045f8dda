"""Codebook 2026.01: bots and shops as channels, selling on a marketplace, plan changes and price rises."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "service client quasi inexistant, un bot qui ne comprend rien",
    "il est demandé de passer par le bot, pas d'autre choix",
    "une IA vous répond toujours la même chose",
    "on tombe que sur l'ia, impossible d'avoir un humain",
    "Assistance virtuelle totalement inefficace",
    "impossible de joindre qui que ce soit via la messagerie",
])
def test_bots_and_the_company_messaging_are_chat(sm_tagger, text):
    assert "chat" in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text", [
    "les heures sombres de notre histoire avec l'IA",
    "j'ai laissé un message via la messagerie vocale",
])
def test_ai_talk_and_voicemail_are_not_chat(sm_tagger, text):
    assert "chat" not in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text", [
    "plusieurs déplacements dans la boutique Free pour une carte SIM",
    "les boutiques sont à plus de 50 km",
    "le livreur a mis mon colis dans un casier Vinted Go à l'autre bout de la ville",
    "je suis allé chercher mon colis dès le lendemain",
])
def test_shops_lockers_and_pick_up_are_store(sm_tagger, text):
    assert "store" in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text", [
    "afin d'aller dans l'onglet boutique de mon espace client",
    "j'ai retrouvé l'article sans avoir à rechercher dans toute la boutique",
    "je n'ai pas de casier judiciaire",
])
def test_online_shop_tabs_are_not_store(sm_tagger, text):
    assert "store" not in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text", [
    "le 3244 ne répond jamais",
    "pour joindre quelqu'un on me facture 0,34e la minute",
])
def test_hotline_numbers_and_premium_rates_are_phone(sm_tagger, text):
    assert "phone" in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text", [
    "ce jeu me rappelle de bons souvenirs",
    "un service client inefficace avec des réponses bateau tel un bot",
    "je paie pour un client standard",
    "je n'arrive plus à jouer au moindre jeu en ligne",
])
def test_phone_and_web_false_friends(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert "phone" not in r.channel and "web" not in r.channel, (text, r.channel)


@pytest.mark.parametrize("text", [
    "Ravie car mes ventes décollent",
    "Mise en vente rapide et précise",
    "pratique pour vendre des vêtements devenus trop petits",
])
def test_selling_on_a_marketplace_is_use_not_purchase(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert "use" in r.stage and "purchase" not in r.stage, (text, r.stage)


@pytest.mark.parametrize("text", [
    "j'ai voulu changer de forfait et on me facture des frais",
    "augmentation importante des forfaits sans prévenir",
    "l'augmentation de 10 € par rapport à la première année",
    "je suis surfacturé depuis trois mois",
])
def test_plan_changes_and_price_rises_are_purchase(sm_tagger, text):
    assert "purchase" in sm_tagger.tag_one(text).stage, text


def test_being_overcharged_is_an_irritant(sm_tagger):
    assert sm_tagger.tag_one("je suis surfacturé").irritant == 1


@pytest.mark.parametrize("text", [
    "ce que je ne comprends pas c'est que vos services n'ont jamais fonctionné",
    "un bot qui ne comprend rien à l'affaire",
])
def test_rhetorical_and_third_person_not_understanding_is_not_confusion(sm_tagger, text):
    assert sm_tagger.tag_one(text).emotion != "confusion", text


def test_understanding_nothing_oneself_stays_confusion(sm_tagger):
    assert sm_tagger.tag_one("je ne comprends rien à cette facture").emotion == "confusion"
