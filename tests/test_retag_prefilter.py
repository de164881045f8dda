"""The spaCy-free first pass of a selective re-tag never rules out a segment a changed pattern matches."""
from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
import spacy

from interviewkit.codebook import load_codebook
from interviewkit.project_tagging import doc_strings, doc_to_bytes
from interviewkit.retag_prefilter import KeyFilter, doc_keys, load_split_words, save_split_words, split_words
from interviewkit.wordmatch.specs import WordSpecs

ROOT = Path(__file__).resolve().parents[1]


def fields(patterns, keys, text, lang="fr", exceptions=None, split=frozenset()):
    flt = KeyFilter.build(patterns, WordSpecs(lang, exceptions or {}), set(split))
    return None if flt is None else flt.fields(set(keys), text)


def test_every_word_of_a_term_pattern_must_find_a_form():
    pats = [("channel", "term", "pigeon voyageur")]
    assert fields(pats, {"pigeons", "voyageur"}, "des pigeons voyageurs") == {"channel"}
    assert fields(pats, {"pigeon"}, "un pigeon") == set()


def test_lemmas_inflections_and_exceptions_count():
    assert fields([("stage", "term", "livrer")], {"livrée"}, "livrée") == {"stage"}     # an inflection
    assert fields([("stage", "lemma", "livrer")], {"livrer"}, "livrait") == {"stage"}   # the lemma string
    keys = doc_keys(["bugue", "bugue"], {"bugue": "buguer"})
    assert fields([("irritant", "term", "buguer")], keys, "ça bugue", exceptions={"bugue": "buguer"}) == {"irritant"}


def test_gaps_are_skipped_and_any_word_is_free():
    assert fields([("stage", "term", "appeler ... service")], {"appelé", "le", "service"}, "") == {"stage"}
    assert fields([("stage", "term", "pas * reçu")], {"pas", "reçu"}, "") == {"stage"}


def test_regex_runs_on_the_text():
    pats = [("channel", "regex", r"\b0[1-9](?:\s?\d\d){4}\b")]
    assert fields(pats, set(), "appelez le 01 23 45 67 89") == {"channel"}
    assert fields(pats, set(), "aucun numéro") == set()
    assert fields(pats, set(), None) == {"channel"}                     # no text: cannot rule it out


def test_tokens_patterns():
    simple = [("stage", "tokens", [{"LOWER": "pas"}, {"IS_PUNCT": True}, {"LEMMA": "recevoir"}])]
    assert fields(simple, {"pas", ",", "recevoir"}, "") == {"stage"}
    assert fields(simple, {"pas"}, "") == set()
    with_ops = [("stage", "tokens", [{"LOWER": "jamais", "OP": "?"}, {"LEMMA": {"IN": ["recevoir", "avoir"]}},
                                     {"IS_DIGIT": True}])]
    assert fields(with_ops, {"avoir"}, "") == {"stage"}
    assert fields(with_ops, {"rien"}, "") == set()
    assert fields([("stage", "tokens", [{"IS_DIGIT": True, "OP": "+"}])], {"3"}, "") is None


@pytest.mark.parametrize("value", ["l'appli", "e-mail", "3 jours", "Mme."])
def test_words_the_tokenizer_may_split_leave_it_to_the_exact_probe(value):
    assert fields([("channel", "term", value)], {"x"}, "") is None


def test_special_cases_of_the_tokenizer_leave_it_to_the_exact_probe():
    en = spacy.blank("en")
    split = split_words(en.tokenizer)
    assert "dont" in split and "gonna" in split and "phone" not in split
    assert fields([("stage", "term", "dont")], {"do", "nt"}, "", lang="en", split=split) is None
    assert fields([("stage", "term", "phone")], {"phone"}, "", lang="en", split=split) == {"stage"}
    assert split_words(spacy.blank("fr").tokenizer) == []
    assert KeyFilter.build([("stage", "term", "x")], WordSpecs("fr"), None) is None   # no record: exact probe


def test_split_words_record_round_trip(tmp_path):
    path = tmp_path / "split-words-x.json"
    assert load_split_words(path) is None
    save_split_words(path, spacy.blank("en").tokenizer)
    assert "dont" in load_split_words(path)
    path.write_text("{not json", encoding="utf-8")
    assert load_split_words(path) is None


def test_doc_strings_hold_every_lower_and_lemma(sm_nlp):
    doc = sm_nlp("Le SMS de confirmation n'est JAMAIS arrivé, j'ai rappelé.")
    keys = doc_keys(doc_strings(doc_to_bytes(doc)), {})
    assert {t.lower_ for t in doc} <= keys and {t.lemma_.lower() for t in doc} <= keys


@pytest.fixture(scope="module")
def sm_nlp():
    return spacy.load("fr_core_news_sm", exclude=["parser", "ner"])


def test_no_match_of_a_shipped_pattern_is_ruled_out(sm_nlp):
    """Every label pattern of the shipped codebook, on the gold file, the demo verbatims and the training
    set: each match the rule layer finds passes its pattern's condition, and the conditions rule out
    most segments (the first pass is worth running)."""
    from interviewkit.tagging.matching import field_index

    book = load_codebook()
    texts = pd.read_csv(ROOT / "corpora/gold/gold_segments.csv")["text"].tolist()
    texts += pd.read_csv(ROOT / "corpora/demo/verbatims.csv")["verbatim"].dropna().tolist()
    texts += pd.read_csv(ROOT / "corpora/training/verbatims_fr_written.csv")["text"].tolist()
    exceptions = book.exceptions("fr")
    specs, split = WordSpecs("fr", exceptions), set(split_words(sm_nlp.tokenizer))
    patterns = {}
    for fname, labels in book.labels.items():
        for lid, lab in labels.items():
            for i, pat in enumerate(lab.patterns.get("fr", [])):
                rule = f"{fname}.{lid}.{pat.id}" if pat.id else f"{fname}.{lid}.fr[{i}]"
                patterns[rule] = (fname, pat.kind, pat.value)
    filters = {rule: KeyFilter.build([p], specs, split) for rule, p in patterns.items()}
    readable = sum(f is not None for f in filters.values())
    assert readable >= 0.9 * len(filters)
    index = field_index(book, "fr", sm_nlp.vocab, sm_nlp.make_doc)
    checked = passed = 0
    sample = random.Random(7).sample(sorted(r for r, f in filters.items() if f is not None), 150)
    docs = list(sm_nlp.pipe(texts, batch_size=256))
    for doc in docs:
        keys = doc_keys(doc_strings(doc_to_bytes(doc)), exceptions)
        for m in index(doc):
            flt = filters.get(m.meta.rule)
            if flt is not None:
                checked += 1
                assert m.meta.field in flt.fields(keys, doc.text), (m.meta.rule, doc.text)
        passed += sum(bool(filters[r].fields(keys, doc.text)) for r in sample)
    assert checked > 2000
    assert passed / (len(sample) * len(docs)) < 0.02
