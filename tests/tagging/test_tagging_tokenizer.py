"""Run-on sentences are split; web addresses, e-mail addresses and abbreviations stay whole."""
from __future__ import annotations

import pytest
import spacy

from interviewkit.tagging.tagger import load_base_pipeline, pipeline_id
from interviewkit.tagging.tokenizer import TOKENIZER_VERSION, split_run_on_sentences


@pytest.fixture(scope="module")
def nlp():
    return split_run_on_sentences(spacy.blank("fr"))


@pytest.mark.parametrize("text, words", [
    ("en magasin.pour essayer", ["en", "magasin", ".", "pour", "essayer"]),
    ("super site!Je recommande", ["super", "site", "!", "Je", "recommande"]),
    ("quoi?!Rien", ["quoi", "?!", "Rien"]),
    ("aujourd'hui.je suis", ["aujourd'hui", ".", "je", "suis"]),
])
def test_run_on_sentences_are_split(nlp, text, words):
    assert [t.text for t in nlp(text)] == words


@pytest.mark.parametrize("text", ["www.free.fr", "réponse.net", "cdiscount.com", "https://vinted.fr/x?y=1",
                                  "sav@darty.com", "c.a.d"])
def test_addresses_and_abbreviations_stay_whole(nlp, text):
    assert [t.text for t in nlp(f"voir {text} merci")] == ["voir", text, "merci"]


def test_idempotent_and_serialisable(nlp):
    again = split_run_on_sentences(nlp)
    assert [t.text for t in again("en magasin.pour")] == ["en", "magasin", ".", "pour"]
    copy = spacy.blank("fr").from_bytes(nlp.to_bytes())
    assert [t.text for t in copy("en magasin.pour, voir free.fr")] == ["en", "magasin", ".", "pour", ",", "voir",
                                                                       "free.fr"]


def test_base_pipelines_split_and_name_their_tokenizer():
    lookup = load_base_pipeline("fr", profile="lookup")
    assert "magasin" in [t.text for t in lookup("achat en magasin.pour essayer")]
    assert pipeline_id(lookup, "fr", "lookup").endswith(TOKENIZER_VERSION)


def test_a_glued_channel_word_is_found(sm_tagger):
    assert "store" in sm_tagger.tag_one("Achat effectué en magasin.pour essayer le vêtement").channel
