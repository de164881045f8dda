"""A first pass over a codebook edit that needs no spaCy: which segments could a changed pattern match?

:func:`interviewkit.retag.select_for_edit` carries a segment's tags over when no changed pattern matches
it or its context. Matching exactly needs the pipeline's tokenizer (importing spaCy and building the
French tokenizer take about 3 s); most edits touch a few words that most segments do not contain, so a
necessary condition read from the pattern and from the strings stored with each parsed Doc decides most
segments first:

* ``term``, ``lemma`` and ``phrase`` patterns whose words are plain letters, ``lower`` patterns, and
  ``tokens`` patterns of LOWER/LEMMA values: every word (token) must find one of the forms it accepts
  (:class:`~interviewkit.wordmatch.specs.WordSpecs`, the matcher's own rule) among the Doc's strings
  (words and lemmas, lower-cased, lemma exceptions applied);
* other ``tokens`` patterns: one of the values of their first required token;
* ``regex`` patterns: the expression itself, on the segment text (the Doc's text).

A segment failing every condition cannot be matched and is carried over; the others go to the exact probe.
A plain-letters word is one token unless the tokenizer has a special case for it ("gonna", "cannot"):
those are recorded per pipeline (:func:`save_split_words`) whenever a pipeline is loaded, and a
pattern word among them, or a missing record, or a pattern of another shape (apostrophes, hyphens,
digits or gaps in a word pattern) leaves the decision to the exact probe.

>>> f = KeyFilter.build([("channel", "term", "pigeon voyageur")], WordSpecs("fr"), split_words=set())
>>> f.fields({"un", "pigeon", "voyageur"}, "Un pigeon voyageur"), f.fields({"un", "pigeon"}, "Un pigeon")
({'channel'}, set())
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from interviewkit.wordmatch.anchors import token_anchors
from interviewkit.wordmatch.specs import ANY, PUNCT_MARK, WordSpecs

_PLAIN = re.compile(r"[^\W\d_]+")
class KeyFilter:
    """The changed patterns' conditions; :meth:`build` returns None when one cannot be read."""

    def __init__(self) -> None:
        self.word_rules: list[tuple[str, list[frozenset[str]]]] = []  # field, accepted forms per word
        self.regexes: list[tuple[str, re.Pattern[str]]] = []

    @property
    def needs_text(self) -> bool:
        return bool(self.regexes)

    @classmethod
    def build(cls, patterns: Iterable[tuple[str, str, Any]], specs: WordSpecs,
              split_words: set[str] | None) -> KeyFilter | None:
        """``patterns``: (field, kind, value) of each changed pattern."""
        out = cls()
        for field, kind, value in patterns:
            if kind == "regex" and isinstance(value, str):
                out.regexes.append((field, re.compile(value, re.IGNORECASE)))
                continue
            rule = _word_rule(kind, value, specs, split_words)
            if rule is None:
                return None
            out.word_rules.append((field, rule))
        return out

    def fields(self, keys: set[str], text: str | None) -> set[str]:
        """Fields of the changed patterns that may match a Doc with these strings (``keys``) and text."""
        hit = {f for f, rule in self.word_rules if all(not keys.isdisjoint(forms) for forms in rule)}
        for f, rx in self.regexes:
            if f not in hit and (text is None or rx.search(text)):
                hit.add(f)
        return hit


def _word_rule(kind: str, value: Any, specs: WordSpecs, split_words: set[str] | None) -> list[frozenset[str]] | None:
    """Accepted forms per required word of one pattern, or None (decide with the exact probe)."""
    if kind == "tokens" and isinstance(value, list):
        seq = WordSpecs.token_pattern(value)
        if seq is None:
            anchors = token_anchors(value)
            return [anchors[0] | anchors[1]] if anchors is not None else None
        return [low | lem for low, lem in seq if not (lem & {ANY, PUNCT_MARK})]
    if kind not in ("term", "lemma", "phrase", "lower") or not isinstance(value, str) or split_words is None:
        return None
    words = value.split()
    if not words:
        return None
    if kind == "lower" and "..." not in value and "*" not in words:
        return [specs.word("lower", w)[0] for w in words]
    rule = []
    for w in words:
        if w in ("...", ANY):
            continue
        if not _PLAIN.fullmatch(w) or w in split_words:
            return None
        low, lem = specs.word(kind, w)
        rule.append(low | lem)
    return rule or None


def doc_keys(strings: Iterable[str], exceptions: dict[str, str]) -> set[str]:
    """The lower-cased strings of a Doc and the lemmas its lemma exceptions give (a superset of every
    token's LOWER and corrected lemma)."""
    keys = {s.lower() for s in strings}
    if exceptions:
        keys |= {exceptions[k].lower() for k in keys if k in exceptions}
    return keys


# ------------------------------------------------------------------------------ tokenizer special cases

def split_words_path(cache_dir: Path, pipeline_hash: str) -> Path:
    return cache_dir / f"split-words-{pipeline_hash}.json"


def split_words(tokenizer) -> list[str]:
    """Plain-letters strings the tokenizer does not keep as one identical token (its special cases)."""
    from spacy.attrs import ORTH

    out = []
    for key, pieces in tokenizer.rules.items():
        if _PLAIN.fullmatch(key) and [p.get(ORTH, p.get("ORTH")) for p in pieces] != [key]:
            out.append(key)
    return sorted(out)


def save_split_words(path: Path, tokenizer) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(split_words(tokenizer)), encoding="utf-8")
    tmp.replace(path)


def load_split_words(path: Path) -> set[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return set(data) if isinstance(data, list) else None
