"""Anchors: words a pattern cannot match without, so that a pattern only runs on texts holding one.

Regular expressions are the costliest patterns of a codebook: each one scans the whole text of every
segment. :func:`regex_anchors` reads a compiled expression and returns groups of literal strings: any text
it matches holds at least one string of every group (an empty tuple when it cannot tell); substring
tests are far cheaper than the scan. Both sides are case-folded, which is looser than the expressions' own
case-insensitive matching, so a text is never skipped wrongly. :func:`token_anchors` does the same for
a raw spaCy Matcher pattern (one required token's LOWER or LEMMA values). Anchors only ever skip work:
a pattern with no anchor always runs, and a text that holds an anchor is matched exactly as before.

>>> import re
>>> [sorted(group) for group in regex_anchors(re.compile(r"\\b(?:en|par|via)\\s+(?:dm|mp|privé)\\b", re.I))]
[['en', 'par', 'via'], ['dm', 'mp', 'privé']]
>>> regex_anchors(re.compile(r"\\d+(?:\\s*h)?"))
()
"""
from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}


def regex_anchors(rx: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Groups of case-folded literals; every text ``rx`` matches holds one string of each group."""
    try:
        tree = _parser.parse(rx.pattern, rx.flags)
    except (re.error, TypeError, ValueError):  # pragma: no cover - a compiled pattern always parses
        return ()
    return tuple(_groups(list(tree)))


def selectivity(cands: frozenset[str]) -> tuple[int, int]:
    """Rank of an anchor group: the longer its shortest string, and the fewer strings, the rarer."""
    return min(len(s) for s in cands), -len(cands)


def _required(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The most selective group of literals one of which any match of this sequence contains."""
    return max(_groups(items), key=selectivity, default=None)


def _groups(items: list[tuple[Any, Any]]) -> list[frozenset[str]]:
    """Every group of literals one of which any match of this sequence contains."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        if run:
            candidates.append(frozenset(("".join(run).casefold(),)))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if op is C.AT:  # \b, ^, $ consume nothing: the literals around them stay adjacent
            continue
        close()
        found: frozenset[str] | None = None
        if op is C.SUBPATTERN:
            found = _required(list(av[-1]))
        elif op is getattr(C, "ATOMIC_GROUP", None):
            found = _required(list(av))
        elif op is C.BRANCH:
            alternatives = [_required(list(alt)) for alt in av[1]]
            if alternatives and all(alternatives):
                found = frozenset().union(*alternatives)  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            found = _required(list(av[2]))
        if found:
            candidates.append(found)
    close()
    return candidates


def token_anchors(pattern: list[dict[str, Any]]) -> tuple[frozenset[str], frozenset[str]] | None:
    """(lower-case LOWER values, lower-case LEMMA values) of the first token the pattern requires
    (no ``OP``, or ``+``); ``None`` when no token is required with plain values."""
    for tok in pattern:
        if tok.get("OP", "1") not in ("1", "+"):
            continue
        for attr in ("LOWER", "LEMMA"):
            val = tok.get(attr)
            if isinstance(val, str):
                vals = [val]
            elif isinstance(val, dict) and list(val) == ["IN"]:
                vals = [v for v in val["IN"] if isinstance(v, str)]
                if len(vals) != len(val["IN"]):
                    continue
            else:
                continue
            lowered = frozenset(v.lower() for v in vals)
            return (lowered, frozenset()) if attr == "LOWER" else (frozenset(), lowered)
    return None
