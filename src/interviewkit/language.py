"""Language of a document (ISO 639-1 code), detected with lingua on a sample of its text.

Only a handful of languages researchers meet in French-speaking studies are
considered, which keeps detection fast and avoids absurd answers on short
spoken text. Below ``min_chars`` of text the answer is ``None`` (unknown).
"""
from __future__ import annotations

from functools import lru_cache

SUPPORTED = ("fr", "en", "de", "es", "it", "nl", "pt")


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, c.upper()) for c in SUPPORTED]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str, min_chars: int = 20, sample_chars: int = 6000) -> str | None:
    """``"fr"``, ``"en"``, … or None when the text is too short to tell.

    >>> detect_language("Alors euh j'ai appelé le service client trois fois, personne ne m'a rappelé.")
    'fr'
    """
    sample = " ".join(text.split())[:sample_chars]
    if len(sample) < min_chars:
        return None
    lang = _detector().detect_language_of(sample)
    if lang is None:
        return None
    return lang.iso_code_639_1.name.lower()
