"""Codebook 2026.02: a flight, a ride or a stay taking place is deliver; airports are places; brand names
alone are no channel."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "Mon vol a été annulé à cause des grèves",
    "2 heures de retard et aucune explication",
    "fuite de kérosène découverte juste après l'embarquement",
    "le chauffeur qui a accepté la course ne vient pas",
    "ma valise n'est jamais arrivée",
])
def test_the_trip_taking_place_is_deliver(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert "deliver" in r.stage and "use" not in r.stage, (text, r.stage)


@pytest.mark.parametrize("text", [
    "à l'aéroport on m'a facturé un supplément pour un bagage",
    "arrivée à la réception de l'hôtel, personne ne nous attendait",
])
def test_airport_and_hotel_desk_are_store(sm_tagger, text):
    assert "store" in sm_tagger.tag_one(text).channel, text


def test_realising_is_not_going_somewhere(sm_tagger):
    r = sm_tagger.tag_one("Je me suis rendu compte après 1 an que j'étais abonné")
    assert "store" not in r.channel


def test_a_booking_site_named_alone_is_no_channel(sm_tagger):
    assert sm_tagger.tag_one("Booking me propose un hôtel qui annule 2 jours avant").channel == []
    assert "web" in sm_tagger.tag_one("j'ai réservé sur le site booking").channel

