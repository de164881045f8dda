"""Anchors skip a regex or a raw Matcher pattern only on texts it cannot match."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from interviewkit.codebook import Pattern
from interviewkit.wordmatch.anchors import regex_anchors, token_anchors
from interviewkit.tagging.matching import PatternIndex, RuleMeta

ROOT = Path(__file__).resolve().parents[2]


def groups(pattern: str) -> list[list[str]]:
    return [sorted(g) for g in regex_anchors(re.compile(pattern, re.IGNORECASE))]


@pytest.mark.parametrize("pattern, expected", [
    (r"\bfree\s+down\b", [["free"], ["down"]]),
    (r"\b(?:en|par|via)\s+(?:dm|mp|priv[ée])\b", [["en", "par", "via"], ["dm", "mp", "priv"]]),
    (r"\bping\s+(?:à|a|de)?\s*\d+", [["ping"]]),               # an optional group requires nothing
    (r"(?:ma|la)\s+co\b", [["la", "ma"], ["co"]]),
    (r"(?:^|\s)(?::-?\(+|😢)", [[":", "😢"]]),                 # "^" alone in a branch: no anchor there
    (r"(?<![\w.])@[A-Za-z_]\w+", [["@"]]),
    (r"\bDÉÇU\b", [["déçu"]]),                                 # case-folded
    (r"(?:ab)+x{2,3}", [["ab"], ["x"]]),
    (r"\d+(?:\s*h)?", []),
    (r"[345]G?", []),
])
def test_regex_anchors(pattern, expected):
    assert groups(pattern) == expected


def test_token_anchors_take_the_first_required_token():
    pat = [{"LOWER": {"IN": ["ne", "n'"]}, "OP": "?"}, {"LEMMA": {"IN": ["Acheter", "commander"]}}, {"LOWER": "plus"}]
    assert token_anchors(pat) == (frozenset(), frozenset({"acheter", "commander"}))
    assert token_anchors([{"IS_DIGIT": True}, {"LOWER": "euros", "OP": "*"}]) is None


def _codebook_regexes() -> list[re.Pattern[str]]:
    from interviewkit.codebook import CUE_KINDS, load_codebook

    out = []
    cb = load_codebook()
    for labels in cb.labels.values():
        for lab in labels.values():
            for pats in lab.patterns.values():
                out += [re.compile(p.value, re.IGNORECASE) for p in pats if p.kind == "regex"]
    for kind in CUE_KINDS:
        for lang in ("fr", "en"):
            out += [re.compile(p.value, re.IGNORECASE) for p in cb.cue_patterns(kind, lang) if p.kind == "regex"]
    return out


def test_no_text_a_codebook_regex_matches_is_skipped():
    """Every shipped regex, on every text of the gold file, the demo verbatims and the training set:
    wherever the expression matches, each of its anchor groups has a string in the text."""
    texts = pd.read_csv(ROOT / "corpora/gold/gold_segments.csv")["text"].tolist()
    texts += pd.read_csv(ROOT / "corpora/demo/verbatims.csv")["verbatim"].dropna().tolist()
    texts += pd.read_csv(ROOT / "corpora/training/verbatims_fr_written.csv")["text"].tolist()
    texts += ["FREE DOWN ENCORE", "Ma CO saute", "ping à 300", "@free aidez moi", "J'ai eu 3 APPELS", "SOS"]
    regexes = _codebook_regexes()
    assert len(regexes) > 90
    checked = 0
    for rx in regexes:
        anchor_groups = regex_anchors(rx)
        for text in texts:
            if rx.search(text):
                folded = text.casefold()
                assert all(any(a in folded for a in g) for g in anchor_groups), (rx.pattern, text)
                checked += 1
    assert checked > 500


def _index(nlp, *patterns):
    idx = PatternIndex(nlp.vocab, nlp.make_doc, "fr", {})
    for i, (kind, value) in enumerate(patterns):
        idx.add(Pattern(kind=kind, value=value), RuleMeta(rule=f"r{i}", field="stage", label=f"l{i}"))
    return idx


def test_index_runs_a_regex_only_where_its_anchors_are(blank_fr, make_doc, monkeypatch):
    idx = _index(blank_fr, ("regex", r"\bfree\s+down\b"), ("regex", r"\b\d{3,}\b"))
    ran: list[str] = []
    real = idx._regexes_to_run

    def spy(text):
        chosen = real(text)
        ran.extend(rx.pattern for rx, _ in chosen)
        return chosen

    monkeypatch.setattr(idx, "_regexes_to_run", spy)
    doc = make_doc(blank_fr, "FREE DOWN depuis 120 minutes")
    assert [(m.meta.rule, doc[m.start:m.end].text) for m in idx(doc)] == [("r0", "FREE DOWN"), ("r1", "120")]
    ran.clear()
    doc = make_doc(blank_fr, "la box est tombée en panne")
    assert idx(doc) == []
    assert ran == [r"\b\d{3,}\b"]  # no anchor: always tried; the anchored one was skipped


def test_matcher_anchor_uses_the_lemma_before_exceptions(blank_fr, make_doc):
    """A raw pattern on a lemma that a lemma exception rewrites still runs (the Matcher reads the raw lemma)."""
    idx = PatternIndex(blank_fr.vocab, blank_fr.make_doc, "fr", {"bugue": "buguer"})
    pat = [{"LEMMA": "bugu"}, {"LOWER": "encore", "OP": "?"}]
    idx.add(Pattern(kind="tokens", value=pat), RuleMeta(rule="r0", field="stage", label="use"))
    doc = make_doc(blank_fr, "ça bugue encore", {"bugue": "bugu"})
    assert [doc[m.start:m.end].text for m in idx(doc)] == ["bugue encore"]
    doc = make_doc(blank_fr, "ça marche", {})
    assert idx(doc) == []
