"""Negation layer: find negation cues and their scope, mark the cues they cover.

French negation is often split ("je ne suis pas satisfait"), often half-dropped
in speech ("ça marche pas", "jamais reçu") and often carried by a determiner or
a pronoun ("aucun retour", "sans réponse", "personne ne m'a rappelé"). Each
negation cue of the codebook has a scope direction and a window in tokens:
``forward`` covers the words after the cue, ``backward`` the words before it
(spoken "ça marche pas"), ``both`` both. A scope stops at punctuation and at
``scope_break`` words (mais, et, que, parce...). ``pseudo`` cues ("pas mal",
"sans doute", "rien à redire") block the negation cues they overlap.

A field cue is *negated* when it starts inside a scope and does not overlap
the negation cue itself (so a pattern such as "toujours pas" that contains
its own negation is not negated again). What a negated cue then does is the
decision layer's business (``on_negation``: keep, drop, only, flip).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc
from spacy.vocab import Vocab

from interviewkit.codebook import Codebook
from interviewkit.tagging.matching import cue_index
from interviewkit.tagging.result import Cue

_NOT_BREAKING = {"'", "\u2019", "-", '"', "«", "»"}


@dataclass
class Scope:
    """A negation cue ``[cue_start, cue_end)`` covering tokens ``[start, cue_start)`` and ``[cue_end, end)``."""

    cue_start: int
    cue_end: int
    start: int
    end: int
    text: str
    rule: str

    def covers(self, token_start: int, token_end: int) -> bool:
        if token_start < self.cue_end and token_end > self.cue_start:
            return False
        return (self.cue_end <= token_start < self.end) or (self.start <= token_start and token_end <= self.cue_start)


class NegationLayer:
    def __init__(self, codebook: Codebook, lang: str, vocab: Vocab, make_doc: Callable[[str], Doc]) -> None:
        self.cues = cue_index(codebook, "negation", lang, vocab, make_doc)
        self.breaks = cue_index(codebook, "scope_break", lang, vocab, make_doc)

    def break_tokens(self, doc: Doc, keys=None) -> set[int]:
        if keys is not None:
            out = {i for i, (p, low) in enumerate(zip(keys.punct, keys.lowers)) if p and low not in _NOT_BREAKING}
        else:
            out = {t.i for t in doc if t.is_punct and t.text not in _NOT_BREAKING}
        for m in self.breaks(doc, keys):
            out.update(range(m.start, m.end))
        return out

    def scopes(self, doc: Doc, keys=None, breaks: set[int] | None = None,
               pseudo_out: list[tuple[int, int]] | None = None) -> list[Scope]:
        """Negation scopes; the token spans of ``pseudo`` cues are appended to ``pseudo_out`` when given."""
        matches = self.cues(doc, keys)
        if not matches:
            return []
        pseudo = [(m.start, m.end) for m in matches if m.meta.pseudo]
        if pseudo_out is not None:
            pseudo_out.extend(pseudo)
        if breaks is None:
            breaks = self.break_tokens(doc, keys)
        n = len(doc)
        out: list[Scope] = []
        for m in matches:
            if m.meta.pseudo or any(m.start < pe and m.end > ps for ps, pe in pseudo):
                continue
            window = m.meta.window or 4
            direction = m.meta.scope or "forward"
            end = m.end
            if direction in ("forward", "both"):
                j = m.end
                while j < n and j < m.end + window and j not in breaks:
                    j += 1
                end = j
            start = m.start
            if direction in ("backward", "both"):
                back = window if direction == "backward" else min(window, 3)
                j = m.start - 1
                while j >= 0 and j >= m.start - back and j not in breaks:
                    j -= 1
                start = j + 1
            text = keys.text[keys.starts[m.start]:keys.ends[m.end - 1]] if keys is not None else doc[m.start:m.end].text
            out.append(Scope(m.start, m.end, start, end, text, m.meta.rule))
        return out

    def apply(self, doc: Doc, cues: list[Cue], keys=None, breaks: set[int] | None = None) -> list[Scope]:
        """Mark ``cues`` covered by a negation scope; return the scopes."""
        pseudo: list[tuple[int, int]] = []
        scopes = self.scopes(doc, keys, breaks, pseudo)
        if scopes:
            negation_tokens = {i for s in scopes for i in range(s.cue_start, s.cue_end)}
            for c in cues:
                if any(i in negation_tokens for i in range(c.start, c.end)):
                    continue  # the pattern carries its own negation ("toujours pas", "pas de réponse")
                if any(c.start < pe and c.end > ps for ps, pe in pseudo):
                    continue  # inside a fixed expression: "je n'ai rien à redire" is not negated
                for s in scopes:
                    if s.covers(c.start, c.end):
                        c.negated = True
                        c.negated_by = s.text
                        break
        return scopes
