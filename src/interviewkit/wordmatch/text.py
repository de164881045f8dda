"""Small text helpers shared by the rule layers: accent stripping and word variants.

>>> strip_accents("Reçu à l’agence")
"Recu a l'agence"
>>> sorted(lower_variants("reçu"))
['recu', 'reçu']
>>> {"livrée", "livre"} <= inflections("livrer", "fr")
True
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

_APOS = {"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'", "\u00b4": "'"}
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}

FUNCTION_WORDS = {
    "fr": {
        "le", "la", "les", "l'", "de", "d'", "du", "des", "un", "une", "à", "au", "aux", "en", "et", "ou",
        "je", "j'", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "m'", "te", "t'", "se",
        "s'", "ne", "n'", "pas", "plus", "que", "qu'", "qui", "ce", "c'", "ça", "y", "mon", "ma", "mes",
        "ton", "ta", "tes", "son", "sa", "ses", "leur", "leurs", "notre", "votre", "nos", "vos", "par",
        "pour", "sur", "dans", "avec", "sans", "chez", "est", "a", "ai", "été", "lui", "eux", "moi",
    },
    "en": {
        "the", "a", "an", "of", "to", "in", "on", "at", "for", "with", "by", "i", "me", "my", "you", "your",
        "it", "its", "is", "are", "was", "were", "be", "not", "and", "or", "they", "them", "their", "we",
        "our", "he", "she", "his", "her", "this", "that", "from", "as", "so", "no",
    },
}


def normalise_apostrophes(text: str) -> str:
    for a, b in _APOS.items():
        text = text.replace(a, b)
    return text


@lru_cache(maxsize=100_000)
def strip_accents(text: str) -> str:
    """Remove diacritics, expand œ/æ and normalise typographic apostrophes."""
    text = normalise_apostrophes(text)
    for a, b in _LIGATURES.items():
        text = text.replace(a, b)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _apostrophe_forms(word: str) -> set[str]:
    out = {word}
    if "'" in word:
        out.add(word.replace("'", "\u2019"))
    if "\u2019" in word:
        out.add(word.replace("\u2019", "'"))
    return out


def lower_variants(word: str) -> set[str]:
    """Lower-case forms of ``word`` with and without accents (and both apostrophes)."""
    low = normalise_apostrophes(word.lower())
    out: set[str] = set()
    for w in (low, strip_accents(low)):
        out |= _apostrophe_forms(w)
    return out


def lemma_variants(word: str) -> set[str]:
    """Forms a LEMMA attribute may take for ``word``: case variants x accent variants."""
    out: set[str] = set()
    for w in lower_variants(word):
        out |= {w, w.upper(), w.capitalize(), w.title()}
    return out


def inflections(word: str, lang: str) -> set[str]:
    """Common inflected written forms of a word given in its base form (lower case).

    French: gender/number for nouns and adjectives, participles and frequent
    finite forms for verbs in -er/-ir/-re. English: -s/-es/-ed/-ing. Only used
    as an extra LOWER alternative of ``term`` words, so the statistical
    lemmatiser's misses ("déçue" -> "déçue", "plante" -> "plant") still match.
    """
    w = normalise_apostrophes(word.lower())
    out = {w}
    if len(w) < 4 or not w.replace("-", "").isalpha():
        return out
    if lang == "fr":
        out |= {w + "s", w + "e", w + "es"}
        if w.endswith("er") and len(w) > 4:  # "cher" is no verb: "chez" must not match it
            st = w[:-2]
            # participles and imperfect/future forms; present forms ("commande", "téléphone") are left to
            # the lemmatiser because they collide with nouns
            out |= {st + s for s in ("é", "ée", "és", "ées", "ait", "ais", "aient", "ons", "ez",
                                      "era", "erait", "erai", "eront", "ant", "ions")}
            if w.endswith(("eler", "eter")):  # appeler -> appelle, renouveler -> renouvelle, jeter -> jette
                dbl = st + st[-1]
                out |= {dbl + s for s in ("e", "es", "ent", "era", "erait", "erai", "eront")}
        elif w.endswith("ir"):
            st = w[:-2]
            out |= {st + s for s in ("i", "ie", "is", "ies", "it", "issent", "issait", "issant")}
        elif w.endswith("re") and not w.endswith("rre"):  # "marre" is no verb: "mars" must not match it
            st = w[:-2]
            out |= {st + s for s in ("u", "ue", "us", "ues", "ent", "ait", "ais", "ant", "ons", "ez")}
            if len(st) >= 4:  # prendre -> prends, prend; short stems make false words
                out |= {st + "s", st + "t"}
        if w.endswith("é"):
            out |= {w + "e", w + "s", w + "es"}
        if w.endswith("eux"):
            out |= {w[:-1] + "se", w[:-1] + "ses"}
        if w.endswith("if"):
            out |= {w[:-1] + "ve", w[:-1] + "ves"}
        if w.endswith("al"):
            out |= {w[:-1] + "ux"}
        if w.endswith(("el", "en", "on", "et")):
            out |= {w + w[-1] + "e", w + w[-1] + "es"}
        if w.endswith("eur"):
            out |= {w[:-1] + "se", w[:-1] + "ses", w[:-3] + "rice", w[:-3] + "rices"}
        if w.endswith("ier") or w.endswith("er") and len(w) > 6:
            out |= {w[:-2] + "ère", w[:-2] + "ères"}
    elif lang == "en":
        out |= {w + "s", w + "es"}
        if w.endswith("e"):
            out |= {w + "d", w[:-1] + "ing"}
        else:
            out |= {w + "ed", w + "ing"}
        if w.endswith("y"):
            out |= {w[:-1] + "ies", w[:-1] + "ied"}
    variants: set[str] = set()
    for form in out:
        variants |= lower_variants(form)
    # an inflected form never stands for a function word ("chez", "des"...)
    return (variants - FUNCTION_WORDS.get(lang, set())) | lower_variants(w)
