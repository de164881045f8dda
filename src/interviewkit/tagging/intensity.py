"""Intensity layer: intensifiers, downtoners, shouting, and contrast emphasis.

* An intensifier cue ("très", "vraiment", "trop", "super"...) marks the field
  cues starting within its window as ``intensified`` (weight x1.3 and one more
  step of valence); when the intensifier itself is negated ("pas très clair")
  the cue is ``downtoned`` instead.
* A downtoner ("un peu", "plutôt", "assez") marks cues as ``downtoned`` (x0.7).
* A cue written in capitals ("NUL", "SCANDALEUX") is intensified.
* Segment-level emphasis raises |valence| by one step: an exclamation mark after a word, "!!",
  "???", a word of 5+ capitals that is not an acronym, a mostly-capitals text,
  or a stretched word ("nuuul", "trooop").
* Contrast cues ("mais", "par contre") make the clause after them count more
  for emotion and valence (x1.5) and the one before less (x0.7).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc
from spacy.vocab import Vocab

from interviewkit.codebook import Codebook
from interviewkit.tagging.matching import cue_index
from interviewkit.tagging.negation import Scope
from interviewkit.tagging.result import Cue

_EXCLAIM = re.compile(r"!{2,}|\?{3,}|[!?]{2,}|(?<=\w)\s?!")
_CAPS_WORD = re.compile(r"(?<![\w-])[A-ZÀÂÇÉÈÊËÎÏÔÛÙÜŸ]{5,}(?![\w-])")
_STRETCH = re.compile(r"([a-zàâçéèêëîïôûùüÿ])\1{2,}", re.IGNORECASE)
ACRONYMS = {
    "SAV", "SMS", "MMS", "RDV", "EDF", "GDF", "GRDF", "SNCF", "RATP", "CAF", "CPAM", "SFR", "RIB", "IBAN", "TGV",
    "TER", "FAQ", "ATM", "URSSAF", "MAIF", "MACIF", "MAAF", "GMF", "AXA", "BNP", "LCL", "CIC", "HSBC", "ENGIE",
    "TOTAL", "ORANGE", "FREE", "BOUYGUES", "LIDL", "FNAC", "DARTY", "IKEA", "AMAZON", "PDF", "CB", "TTC", "HT",
    "USA", "UK", "OK", "KO", "VTC", "WIFI", "ADSL", "SIM", "PIN", "NHS", "BT", "EE", "UPS", "DHL", "DPD",
}


@dataclass
class Emphasis:
    """Segment-level intensity (``level`` 0 or 1), contrast marker positions and evidence entries."""

    level: int = 0
    contrast_at: list[int] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


class IntensityLayer:
    def __init__(self, codebook: Codebook, lang: str, vocab: Vocab, make_doc: Callable[[str], Doc]) -> None:
        self.intensifiers = cue_index(codebook, "intensifier", lang, vocab, make_doc)
        self.downtoners = cue_index(codebook, "downtoner", lang, vocab, make_doc)
        self.contrast = cue_index(codebook, "contrast", lang, vocab, make_doc)
        acronyms = set(ACRONYMS)
        for labels in codebook.labels.values():
            for lab in labels.values():
                for p in lab.patterns.get(lang, []):
                    if p.kind == "lower" and isinstance(p.value, str) and len(p.value) <= 6:
                        acronyms.add(p.value.upper())
        self.acronyms = acronyms

    def apply(self, doc: Doc, cues: list[Cue], scopes: list[Scope], keys=None, breaks: set[int] | None = None) -> Emphasis:
        breaks = breaks or set()
        emph = Emphasis()
        for m in self.intensifiers(doc, keys):
            negated = any(s.covers(m.start, m.end) for s in scopes)
            window = m.meta.window or 2
            for c in cues:
                if m.end <= c.start < m.end + window + 0 and not any(b in breaks for b in range(m.end, c.start)):
                    if negated:
                        c.downtoned = True
                    else:
                        c.intensified = True
        for m in self.downtoners(doc, keys):
            window = m.meta.window or 2
            for c in cues:
                if m.end <= c.start < m.end + window:
                    c.downtoned = True
                    c.intensified = False
        for c in cues:
            if len(c.text) >= 3 and c.text.isupper() and any(ch.isalpha() for ch in c.text) and c.text.replace(" ", "") not in self.acronyms:
                c.intensified = True
        emph.contrast_at = [m.start for m in self.contrast(doc, keys)]

        text = keys.text if keys is not None else doc.text
        m = _EXCLAIM.search(text)
        if m:
            emph.level = 1
            emph.evidence.append({"field": "valence", "rule": "intensity.punctuation", "start": m.start(),
                                  "end": m.end(), "text": m.group(0)})
        letters = [ch for ch in text if ch.isalpha()]
        upper = sum(1 for ch in letters if ch.isupper())
        if len(letters) >= 12 and upper / len(letters) > 0.6:
            emph.level = 1
            emph.evidence.append({"field": "valence", "rule": "intensity.capitals", "start": 0, "end": len(text),
                                  "text": text[:40]})
        else:
            for cm in _CAPS_WORD.finditer(text):
                if cm.group(0) not in self.acronyms:
                    emph.level = 1
                    emph.evidence.append({"field": "valence", "rule": "intensity.capitals", "start": cm.start(),
                                          "end": cm.end(), "text": cm.group(0)})
                    break
        sm = _STRETCH.search(text)
        if sm and not sm.group(0).lower().startswith(("www", "xxx")):
            emph.level = 1
            emph.evidence.append({"field": "valence", "rule": "intensity.stretched", "start": sm.start(),
                                  "end": sm.end(), "text": sm.group(0)})
        return emph
