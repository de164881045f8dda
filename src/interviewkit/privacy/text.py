"""Shared pieces of the privacy package: spans, kinds, folding, overlap rules.

>>> fold("Élodie  D’Aubigné")
"elodie  d'aubigne"
>>> normalise_name("Jean-Pierre  LAMBERT")
'jean pierre lambert'
>>> resolve_overlaps([Span(0, 14, "PERS", "Sophie Lemaire"), Span(7, 14, "PERS", "Lemaire")])
[Span(start=0, end=14, kind='PERS', text='Sophie Lemaire')]
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import NamedTuple

from ..errors import InterviewkitError

#: Kinds of personal data, in tie-break priority order (most specific first):
#: when two detections overlap, the longer wins; at equal length the kind that
#: comes first here wins (an IBAN beats a card number, a card beats a phone...).
KINDS: tuple[str, ...] = ("EMAIL", "IBAN", "NIR", "CARTE", "TEL", "PLAQUE", "ADRESSE", "PERS")
_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}


class PrivacyError(InterviewkitError):
    """The pseudonym key, the filter lists or the NER pipeline cannot be used (codes E6xx)."""


class Span(NamedTuple):
    """A detected piece of personal data: ``text[start:end] == text`` of the source.

    Spans hold the original string: they live only in memory, never in the store.
    """

    start: int
    end: int
    kind: str
    text: str


_FOLD_EXTRA = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u0153": "o", "\u0152": "o", "\u00e6": "a", "\u00c6": "a", "\u00df": "s",
}


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _FOLD_EXTRA:
        return _FOLD_EXTRA[char]
    base = unicodedata.normalize("NFD", char)[0]
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Lower-case ``text`` and remove accents, keeping one character per character.

    Offsets in the folded string are offsets in ``text`` (``len`` is unchanged),
    so a regex run on the folded text gives spans of the original.
    """
    return "".join(_fold_char(c) for c in text)


_NON_ALNUM = re.compile(r"[\W_]+")


def normalise_name(text: str) -> str:
    """Key form of a name or word list entry: folded, punctuation and hyphens as single spaces."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


# Word processors put no-break and thin spaces and typographic dashes inside
# numbers ("06\u00a012\u00a034..."): detectors see them as plain spaces and
# hyphens. The replacement keeps every offset; spans give the original text.
_PLAIN_SEPARATORS = str.maketrans({
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2008": " ", "\u200a": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
})


def plain_separators(detect: Callable[..., list[Span]]) -> Callable[..., list[Span]]:
    """Run ``detect`` on ``text`` with those separators made plain; spans keep the original text."""

    @wraps(detect)
    def wrapper(text: str, *args, **kwargs) -> list[Span]:
        plain = text.translate(_PLAIN_SEPARATORS)
        if plain == text:
            return detect(text, *args, **kwargs)
        return [Span(s.start, s.end, s.kind, text[s.start:s.end]) for s in detect(plain, *args, **kwargs)]

    return wrapper


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep non-overlapping spans, sorted by start.

    Rule: longer spans first; at equal length the kind earlier in :data:`KINDS`;
    then the earlier start. A span overlapping one already kept is dropped. So
    "12 avenue Jean Jaurès" (address) beats "Jean Jaurès" (person) and an IBAN
    beats the card-like digits inside it. The rule depends only on the spans,
    never on detector order, so results are deterministic.
    """
    ordered = sorted(set(spans), key=lambda s: (-(s.end - s.start), _PRIORITY.get(s.kind, 99), s.start))
    kept: list[Span] = []
    for span in ordered:
        if span.end <= span.start:
            continue
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
