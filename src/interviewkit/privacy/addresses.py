"""French postal addresses (rule-based, no language model).

>>> [s.text for s in detect_addresses("J'habite au 3 bis avenue Jean Jaurès, 69007 Lyon, depuis 2019.")]
['3 bis avenue Jean Jaurès, 69007 Lyon']
>>> detect_addresses("Je suis à Lyon, 69003.")  # a postcode and a city alone are not an address
[]
"""
from __future__ import annotations

import re
from functools import lru_cache

from .text import Span, fold, plain_separators, resolve_overlaps

_NON_ALNUM_LOWER = re.compile(r"[^0-9a-z]+")
_ELIDED = re.compile(r"(?i)^[dl]['’](.+)$")
_NAME_TOKEN = re.compile(r"[\w'’.\-]+")
_STREET_NUMBER = re.compile(r"\d{1,4}(?:er|e)?")
_LOWER_CITY = re.compile(r"\s+([a-zà-ÿ][a-zà-ÿ'\-]+)")

_STREET_TYPES = {
    # type -> normalised full form
    "rue": "rue", "avenue": "avenue", "av": "avenue", "ave": "avenue", "bd": "boulevard",
    "bld": "boulevard", "blvd": "boulevard", "boulevard": "boulevard", "allee": "allee",
    "chemin": "chemin", "ch": "chemin", "chem": "chemin", "impasse": "impasse", "imp": "impasse",
    "place": "place", "pl": "place", "route": "route", "rte": "route", "quai": "quai",
    "cours": "cours", "crs": "cours", "square": "square", "sq": "square", "passage": "passage",
    "voie": "voie", "residence": "residence", "res": "residence", "lotissement": "lotissement",
    "lot": "lotissement", "chaussee": "chaussee", "sentier": "sentier", "cite": "cite",
    "faubourg": "faubourg", "fbg": "faubourg", "rond point": "rond point", "esplanade": "esplanade",
    "promenade": "promenade", "parvis": "parvis", "hameau": "hameau", "lieu dit": "lieu dit",
    "montee": "montee", "traverse": "traverse", "ruelle": "ruelle", "villa": "villa",
}
# Types that are also ordinary nouns ("3 cours de yoga", "2 place de parking"):
# with them the street name must be capitalised or followed by a postcode.
_AMBIGUOUS_TYPES = frozenset({"cours", "place", "passage", "voie", "villa", "square", "lotissement",
                              "residence", "route", "chemin", "cite", "promenade", "traverse", "lot"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "gal": "general", "gen": "general", "mal": "marechal",
                  "pdt": "president", "dr": "docteur", "pr": "professeur", "bis": "bis", "ter": "ter"}
_TYPE_WORDS = (
    r"rue|avenue|av\.?|ave\.?|bd\.?|bld\.?|blvd\.?|boulevard|all[ée]e|chemin|ch\.|chem\.?|impasse|imp\.?"
    r"|place|pl\.|route|rte\.?|quai|cours|crs\.?|square|sq\.|passage|voie|r[ée]sidence|r[ée]s\.|lotissement"
    r"|lot\.|chauss[ée]e|sentier|cit[ée]|faubourg|fbg\.?|rond-point|esplanade|promenade|parvis|hameau"
    r"|lieu-dit|mont[ée]e|traverse|ruelle|villa"
)
_ADDRESS_ANCHOR = re.compile(
    rf"(?<![\w,.])(\d{{1,4}})(?:\s?(?:bis|ter|quater)\b|[A-Da-d]\b)?,?\s+(?i:({_TYPE_WORDS}))(?![\w-])"
)
_TOKEN = re.compile(r"\s*([^\s,;:!?()\"«»…]+)([,;:!?)»…]?)")
_PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "aux", "au", "sur", "sous", "et"})
_MONTHS = frozenset("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split())
_POSTCODE = re.compile(r"(?:\s*,\s*|\s+)(?:\d{5}|\d{2} \d{3})(?!\d)")
_CITY_WORD = re.compile(r"\s+((?:[A-ZÀ-ÖØ-Þ][\w'’]*)(?:-[\w'’]+)*)")
_CEDEX = re.compile(r"(?i)\s+cedex(?:\s+\d{1,2})?\b")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS  # word list only, no model

    return frozenset(fold(w) for w in STOP_WORDS)


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _street_name_end(text: str, pos: int, street_type: str) -> int | None:
    """End offset of the street name starting at ``pos``, or None when there is none."""
    stop = _stop_words()
    end, caps, lowers, prev = None, False, 0, "type"
    for _ in range(8):
        m = _TOKEN.match(text, pos)
        if not m:
            break
        word, punct = m.group(1), m.group(2)
        word_end = m.start(1) + len(word.rstrip(".'’"))
        core = word
        elided = _ELIDED.match(word)
        if elided:
            core = elided.group(1)
        folded = fold(core.rstrip("."))
        if not elided and folded in _PARTICLES:
            kind = "particle"
        elif _is_cap(core) and _NAME_TOKEN.fullmatch(core) and not core.isdigit():
            kind, caps = "content", True
        elif _STREET_NUMBER.fullmatch(core.rstrip(".")) and (prev == "particle" or prev in _MONTHS):
            kind = "content"
        elif (not caps and core.isalpha() and core.islower() and folded not in stop and lowers < 3
              and prev != "content-cap"):
            kind, lowers = "content", lowers + 1
        else:
            break
        if kind == "content":
            end = word_end
            prev = folded if folded in _MONTHS else ("content-cap" if _is_cap(core) else "content")
        else:
            prev = "particle"
        pos = m.end()
        if punct or word.endswith("."):
            break
    if end is None:
        return None
    if not caps and street_type in _AMBIGUOUS_TYPES and not _POSTCODE.match(text, end):
        return None
    return end


@plain_separators
def detect_addresses(text: str) -> list[Span]:
    """French postal addresses: a number (``3``, ``3 bis``, ``12,``), a street type
    (rue, avenue/av., boulevard/bd, allée, chemin, impasse, place, route, quai,
    cours...), a street name, then optionally a 5-digit postcode and a city.
    A postcode and city without a street before them is not an address."""
    spans = []
    for m in _ADDRESS_ANCHOR.finditer(text):
        street_type = _STREET_TYPES.get(fold(m.group(2)).rstrip(".").replace("-", " "), "rue")
        end = _street_name_end(text, m.end(), street_type)
        if end is None:
            continue
        post = _POSTCODE.match(text, end)
        if post:
            end = post.end()
            city_words = 0
            while city_words < 4:
                c = _CITY_WORD.match(text, end)
                if not c or fold(c.group(1)) == "cedex":
                    break
                end, city_words = c.end(), city_words + 1
            if city_words == 0:
                c = _LOWER_CITY.match(text, end)
                if c and fold(c.group(1)) not in _stop_words():
                    end = c.end()
            cedex = _CEDEX.match(text, end)
            if cedex:
                end = cedex.end()
        spans.append(Span(m.start(), end, "ADRESSE", text[m.start():end]))
    return resolve_overlaps(spans)


def normalise_address(value: str) -> str:
    """Folded words, street types and usual abbreviations written in full."""
    words = _NON_ALNUM_LOWER.sub(" ", fold(value)).split()
    out = []
    for w in words:
        out.append(_STREET_TYPES.get(w) or _ABBREVIATIONS.get(w, w))
    return " ".join(out)
