"""What each word of a pattern may match: its accepted LOWER forms and LEMMA values.

Pure Python (no spaCy), so that a codebook edit can be checked against cached segments before any
pipeline is loaded (:mod:`interviewkit.retag_prefilter`). :class:`~interviewkit.tagging.matching.PatternIndex` compiles its
``term``/``lemma``/``phrase``/``lower`` sequences and simple ``tokens`` patterns with the same code.

A spec is ``(lowers, lemmas)``: a token matches when its LOWER is in ``lowers`` or its corrected
lower-case LEMMA is in ``lemmas``; ``None`` is a ``...`` gap, ``(∅, {"*"})`` any one token and
``(∅, {PUNCT_MARK})`` a punctuation token.

>>> specs = WordSpecs("fr", {"bugue": "buguer"})
>>> low, lem = specs.word("term", "livrer")
>>> "livrée" in low and "livrer" in lem
True
>>> specs.word("term", "buguer")[0] >= {"bugue"}   # the lemma exception's written form
True
>>> specs.word("phrase", "reçu")
(frozenset({'recu', 'reçu'}), frozenset())
>>> WordSpecs.token_pattern([{"LOWER": "pas"}, {"IS_PUNCT": True}])[1]
(frozenset(), frozenset({'\\x00punct'}))
"""
from __future__ import annotations

from typing import Any

from interviewkit.wordmatch.text import FUNCTION_WORDS, inflections, lemma_variants, lower_variants, strip_accents

PUNCT_MARK = "\x00punct"
ANY = "*"

Spec = tuple[frozenset[str], frozenset[str]]


class WordSpecs:
    """Builds specs for one language and its lemma exceptions (``form -> lemma``)."""

    def __init__(self, lang: str, exceptions: dict[str, str] | None = None) -> None:
        self.lang = lang
        self.exceptions = dict(exceptions or {})
        self.function_words = FUNCTION_WORDS.get(lang, set())
        self.forms_by_lemma: dict[str, set[str]] = {}
        for form, lemma in self.exceptions.items():
            for key in lower_variants(lemma):
                self.forms_by_lemma.setdefault(key, set()).add(form)

    def word(self, kind: str, w: str) -> Spec:
        """The spec of one pattern word (not a gap) for a ``term``, ``lemma``, ``phrase`` or ``lower`` pattern."""
        if w == ANY:
            return frozenset(), frozenset((ANY,))
        low = w.lower()
        is_function = low in self.function_words or "'" in low or "\u2019" in low or len(low) <= 1
        lowers: set[str] = set()
        lemmas: set[str] = set()
        if kind in ("phrase", "lower") or is_function:
            lowers = lower_variants(low)
        else:
            if kind == "term":
                lowers = inflections(low, self.lang)
                for key in lower_variants(low):
                    for form in self.forms_by_lemma.get(key, ()):
                        lowers |= lower_variants(form)
            lemmas = {x.lower() for x in lemma_variants(low)}
            exc = self.exceptions.get(low) or self.exceptions.get(strip_accents(low))
            if exc:
                lemmas |= {x.lower() for x in lemma_variants(exc)}
        return frozenset(lowers), frozenset(lemmas)

    def sequence(self, kind: str, words: list[str]) -> list[Spec | None]:
        """Specs of a tokenised pattern (``...`` becomes ``None``)."""
        return [None if w == "..." else self.word(kind, w) for w in words]

    @staticmethod
    def token_pattern(pattern: list[dict[str, Any]]) -> list[Spec] | None:
        """Specs of a raw token pattern made of LOWER/LEMMA (text or IN list), ``IS_PUNCT: true`` or ``{}``;
        None when it needs spaCy's Matcher (operators, other attributes)."""
        specs: list[Spec] = []
        for tok in pattern:
            if not tok:
                specs.append((frozenset(), frozenset((ANY,))))
                continue
            if tok == {"IS_PUNCT": True}:
                specs.append((frozenset(), frozenset((PUNCT_MARK,))))
                continue
            if len(tok) != 1 or next(iter(tok)) not in ("LOWER", "LEMMA"):
                return None
            attr, val = next(iter(tok.items()))
            if isinstance(val, str):
                vals = [val]
            elif isinstance(val, dict) and list(val) == ["IN"] and all(isinstance(v, str) for v in val["IN"]):
                vals = val["IN"]
            else:
                return None
            if attr == "LOWER":
                specs.append((frozenset(x for v in vals for x in lower_variants(v)), frozenset()))
            else:
                specs.append((frozenset(), frozenset(v.lower() for v in vals)))
        if not specs or specs[0][1] & {ANY, PUNCT_MARK}:
            return None
        return specs
