"""Checks that no original kept in the pseudonym key appears in texts (exports).

There is deliberately no function that puts originals back into texts: the
key is only used to keep pseudonyms stable and, here, to prove that exports
do not leak.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from .detectors import detect_emails, normalise_address, normalise_email
from .filters import default_filters
from .keyfile import PseudonymKey
from .text import fold


@dataclass(frozen=True)
class Leak:
    """An original from the key found in ``texts[index]`` at ``[start, end)``.

    Only the pseudonym is given, never the original (the report may be logged).
    """

    index: int
    kind: str
    pseudonym: str
    start: int
    end: int


_NON_DIGIT = re.compile(r"\D")
_WORD = re.compile(r"[^\W_]+")
_DIGIT_RUN = re.compile(r"\d+(?:[\s.\-/()]{1,3}\d+)*")


def _compact(text: str) -> tuple[str, list[int]]:
    """ASCII letters and digits of ``text`` (upper-cased) and their offsets."""
    chars, where = [], []
    for i, c in enumerate(text):
        if c.isascii() and c.isalnum():
            chars.append(c.upper())
            where.append(i)
    return "".join(chars), where


def _token_leaks(text: str, folded_tokens: list[tuple[str, int, int]], needle: list[str],
                 capital_only: bool) -> Iterable[tuple[int, int]]:
    n = len(needle)
    for i in range(len(folded_tokens) - n + 1):
        if [t[0] for t in folded_tokens[i:i + n]] == needle:
            start, end = folded_tokens[i][1], folded_tokens[i + n - 1][2]
            if capital_only and not text[start].isupper():
                continue
            yield start, end


def _alnum_leaks(text: str, compact: str, where: list[int], needle: str) -> Iterable[tuple[int, int]]:
    if len(needle) < 5:
        return
    pos = compact.find(needle)
    while pos >= 0:
        start, end = where[pos], where[pos + len(needle) - 1] + 1
        if not (start > 0 and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            yield start, end
        pos = compact.find(needle, pos + 1)


def scan_for_leaks(texts: Iterable[str], key_path: str | Path) -> list[Leak]:
    """Every place where an original recorded in the key at ``key_path`` appears in ``texts``.

    Matching ignores case, accents, spacing and separators: a phone stored as
    ``+33612345678`` is found written ``06 12 34 56 78``; a name as ``SOPHIE``.
    A name part that is also an ordinary word ("petit") counts only when
    capitalised. Raises E601/E602 when the key is damaged.
    """
    key = PseudonymKey.load(key_path)
    ambiguous = default_filters().ambiguous_name_words
    entries = list(key.originals())
    leaks: list[Leak] = []
    for index, text in enumerate(texts):
        folded = fold(text)
        tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
        address_tokens = [(normalise_address(t) or t, s, e) for t, s, e in tokens]
        alnum, alnum_where = _compact(text)
        runs = [(_NON_DIGIT.sub("", m.group()), m.start(), m.end()) for m in _DIGIT_RUN.finditer(text)]
        emails = {normalise_email(s.text): (s.start, s.end) for s in detect_emails(text)}
        lowered = text.lower()
        found: set[tuple[str, int, int]] = set()
        for kind, original, pseudonym in entries:
            hits: Iterable[tuple[int, int]] = ()
            if kind == "PERS":
                needle = original.split()
                capital_only = len(needle) == 1 and original in ambiguous
                hits = _token_leaks(text, tokens, needle, capital_only)
            elif kind == "ADRESSE":
                hits = _token_leaks(text, address_tokens, original.split(), False)
            elif kind == "EMAIL":
                hits = [emails[original]] if original in emails else []
                pos = lowered.find(original)
                if pos >= 0:
                    hits = list(hits) + [(pos, pos + len(original))]
            elif kind == "TEL":
                try:
                    nsn = phonenumbers.national_significant_number(phonenumbers.parse(original, None))
                except phonenumbers.NumberParseException:
                    nsn = original.lstrip("+")
                hits = [(start, end) for digits, start, end in runs if len(nsn) >= 6 and nsn in digits]
            else:  # IBAN, CARTE, NIR, PLAQUE
                hits = _alnum_leaks(text, alnum, alnum_where, original)
            for start, end in hits:
                if (kind, start, end) not in found:
                    found.add((kind, start, end))
                    leaks.append(Leak(index, kind, pseudonym, start, end))
    return sorted(leaks, key=lambda leak: (leak.index, leak.start, leak.kind))
