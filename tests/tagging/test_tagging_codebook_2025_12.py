"""Codebook 2025.12: searching and staying are stages, app failures are use, more channel false friends."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "la recherche de logements pour plusieurs personnes est pénible",
    "je cherche une maison avec piscine pour août",
    "je voudrais louer une maison à Perpignan",
    "je souhaite passer à la fibre chez vous, comment faire ?",
])
def test_searching_and_wanting_to_buy_is_consider(sm_tagger, text):
    assert "consider" in sm_tagger.tag_one(text).stage, text


@pytest.mark.parametrize("text", [
    "je cherche à annuler ma réservation depuis le smartphone",
    "impossible de changer la devise et la langue",
])
def test_seeking_to_do_something_else_or_a_currency_is_not_consider(sm_tagger, text):
    assert "consider" not in sm_tagger.tag_one(text).stage, text


@pytest.mark.parametrize("text", [
    "à notre arrivée l'appartement était sale",
    "location annulée une fois arrivés sur place",
    "hébergement de haute qualité, hôte très accueillant",
])
def test_the_stay_itself_is_deliver(sm_tagger, text):
    assert "deliver" in sm_tagger.tag_one(text).stage, text


def test_an_app_failure_with_no_other_stage_is_use(sm_tagger):
    r = sm_tagger.tag_one("je n'arrive pas à accéder aux fonctions de base depuis l'application mobile")
    assert r.irritant == 1 and r.stage == ["use"]
    assert any(e.get("rule") == "derive.use_when_self_service_fails" for e in r.evidence)


def test_a_site_failure_with_no_other_stage_stays_support(sm_tagger):
    """On the site the coders split between use and support: the rule is for the app only."""
    r = sm_tagger.tag_one("rdv introuvable sur le site depuis des semaines, c'est un scandale")
    assert r.stage == ["support"]


@pytest.mark.parametrize("text, absent", [
    ("la maison était dans un tel état qu'on est repartis", "phone"),
    ("bon moment pour rappeler que la fibre c'est nul", "phone"),
    ("pour rappel nous avions réservé cinq mois avant", "phone"),
    ("moins cher que sur d'autres sites pour la même annonce", "web"),
    ("je suis resté 45 min en ligne pour rien", "web"),
    ("jamais eu de réponse.net aujourd'hui je reçois la facture", "web"),
])
def test_more_false_friends_are_not_channels(sm_tagger, text, absent):
    assert absent not in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text, channel", [
    ("allez voir sur free.fr la page d'aide", "web"),
    ("je l'ai eu au tel ce matin", "phone"),
    ("donnez moi votre numéro de tel", "phone"),
])
def test_real_channel_mentions_still_count(sm_tagger, text, channel):
    assert channel in sm_tagger.tag_one(text).channel, text


@pytest.mark.parametrize("text", [
    "je ne vois pas comment poser une question au propriétaire sur l'application",
    "les mails se mélangent, pas facile de s'y retrouver",
])
def test_not_finding_ones_way_is_confusion(sm_tagger, text):
    assert sm_tagger.tag_one(text).emotion == "confusion", text


@pytest.mark.parametrize("text", [
    "Publicité mensongère et voleurs, la pizza n'était pas au prix affiché",
    "leur publicité sont mensongères, logement sale",
    "depuis que j'ai commandé je reçois des pubs tous les jours",
    "j'appelle et je tombe sur une femme malpolie qui raccroche",
    "j'ai besoin qu'un technicien corrige le problème de signal",
])
def test_discover_false_alarms(sm_tagger, text):
    assert "discover" not in sm_tagger.tag_one(text).stage, text


@pytest.mark.parametrize("text", [
    "j'ai vu une pub sur Insta pour ce forfait",
    "le site m'a été conseillé par des amis",
])
def test_discover_still_found(sm_tagger, text):
    assert "discover" in sm_tagger.tag_one(text).stage, text



@pytest.mark.parametrize("text", [
    "Chambre un peu petite, sinon rien à dire.",
    "Salle de bain à rafraîchir.",
    "Seul bémol : l'insonorisation.",
    "Literie confortable mais isolation phonique un peu faible.",
])
def test_a_reservation_is_a_pain_point(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert r.irritant == 1, text
    assert any(e.get("field") == "irritant" and e.get("rule", "").startswith("irritant.") for e in r.evidence)


def test_a_reservation_does_not_colour_the_emotion_nor_make_a_support_contact(sm_tagger):
    """Cues marked ``valence: 0`` make the irritant, but not the anger, the negative valence or the
    support stage that a pain point told with feeling derives."""
    r = sm_tagger.tag_one("Chambre un peu petite et salle de bain à rafraîchir.")
    assert r.irritant == 1 and r.emotion == "neutral" and r.valence == 0 and "support" not in r.stage
    rules = {e.get("rule") for e in r.evidence}
    assert not rules & {"derive.frustration_when_irritant", "derive.negative_valence_for_irritant",
                        "derive.support_when_pain_point"}
    happy = sm_tagger.tag_one("Super séjour, personnel adorable ! Seul bémol : la chambre un peu petite.")
    assert happy.irritant == 1 and happy.emotion == "joy" and happy.valence > 0
    felt = sm_tagger.tag_one("Toujours pas de réponse, personne ne rappelle.")
    assert felt.irritant == 1 and felt.emotion == "anger" and felt.valence < 0


@pytest.mark.parametrize("text", [
    "Mon train avait deux heures de retard et aucune annonce à bord.",
    "Trajet annulé au dernier moment, on nous a laissés sur le quai.",
])
def test_the_journey_bought_is_deliver(sm_tagger, text):
    assert "deliver" in sm_tagger.tag_one(text).stage, text


@pytest.mark.parametrize("text", [
    "je suis en train de chiffrer ma migration vers un autre opérateur",
    "encore une victime du vol de données chez vous",
])
def test_train_and_vol_false_friends(sm_tagger, text):
    assert "deliver" not in sm_tagger.tag_one(text).stage, text
