"""Compile codebook patterns into matchers and find them in parsed Docs.

Three matchers run on each Doc:

* a :class:`spacy.matcher.PhraseMatcher` on ``LOWER`` for ``phrase`` and
  ``lower`` patterns (accent-stripped and apostrophe variants are added);
* a :class:`spacy.matcher.Matcher` for raw ``tokens`` patterns;
* a first-token-indexed sequence matcher for ``term`` and ``lemma`` patterns,
  where each word may match its LEMMA *or* its written (LOWER) form, with
  common inflections, lemma exceptions and ``*``/``...`` gaps. spaCy's Matcher
  cannot OR two attributes in one token and tries every pattern at every token,
  which is too slow for a two-thousand-pattern codebook; indexing on the first
  word keeps the rule layers at a few tens of microseconds per segment.

``regex`` patterns run on the Doc text; matches are snapped to token boundaries. A regex, and a raw
Matcher pattern, only runs on a text holding one of its anchors (see :mod:`.anchors`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from spacy.attrs import IDX, IS_PUNCT, LEMMA, LENGTH, LOWER
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from interviewkit.codebook import Codebook, Pattern
from interviewkit.wordmatch.anchors import regex_anchors, selectivity, token_anchors
from interviewkit.wordmatch.text import lower_variants, strip_accents
from interviewkit.wordmatch.specs import PUNCT_MARK, WordSpecs

GAP_MAX = 3


@dataclass
class RuleMeta:
    """What a match means: the rule id, the field and label (or cue kind), and the pattern options."""

    rule: str
    field: str
    label: str
    weight: float = 1.0
    valence: int | None = None
    on_negation: str | None = None
    scope: str | None = None
    window: int | None = None
    pseudo: bool = False
    lexicon: dict[str, tuple[tuple[str, ...], int]] | None = None


class TokenKeys(NamedTuple):
    lowers: list[str]
    lemmas: list[str]
    punct: list[bool]
    text: str
    starts: list[int]
    ends: list[int]
    raw_lemmas: list[str]


@dataclass
class Match:
    meta: RuleMeta
    start: int
    end: int


class _Seq:
    """A compiled word sequence: specs are (lower_set, lemma_set) or ``None`` for a gap."""

    __slots__ = ("specs", "meta")

    def __init__(self, specs: list[tuple[frozenset[str], frozenset[str]] | None], meta: RuleMeta) -> None:
        self.specs = specs
        self.meta = meta


class PatternIndex:
    """All patterns of one layer (field patterns, or one cue kind) for one language."""

    def __init__(self, vocab: Vocab, make_doc: Callable[[str], Doc], lang: str, exceptions: dict[str, str] | None = None) -> None:
        self.vocab = vocab
        self.make_doc = make_doc
        self.lang = lang
        self.exceptions = dict(exceptions or {})
        self.specs = WordSpecs(lang, exceptions)
        self.phrase = PhraseMatcher(vocab, attr="LOWER")
        self.matcher = Matcher(vocab)
        self._n_phrase = 0
        self._n_matcher = 0
        # (expression, meta, anchor groups checked after the one it is indexed by)
        self.regexes: list[tuple[re.Pattern[str], RuleMeta, tuple[frozenset[str], ...]]] = []
        self._regex_by_anchor: dict[str, list[int]] = {}
        self._regex_always: list[int] = []
        self._anchors: tuple[str, ...] = ()
        self._matcher_lowers: set[str] = set()
        self._matcher_lemmas: set[str] = set()
        self._matcher_always = False
        self.meta_by_key: dict[int, RuleMeta] = {}
        self.seqs: list[_Seq] = []
        self.by_lower: dict[str, list[int]] = {}
        self.by_lemma: dict[str, list[int]] = {}
        self._n = 0

    # ------------------------------------------------------------------ compile
    def add(self, pattern: Pattern, meta: RuleMeta) -> None:
        kind, value = pattern.kind, pattern.value
        if kind == "regex":
            rx = re.compile(value, re.IGNORECASE)
            groups = regex_anchors(rx)
            i = len(self.regexes)
            if groups:
                best = max(groups, key=selectivity)
                for a in best:
                    self._regex_by_anchor.setdefault(a, []).append(i)
                self._anchors = tuple(sorted(set(self._anchors) | best))
                groups = tuple(g for g in groups if g is not best)
            else:
                self._regex_always.append(i)
            self.regexes.append((rx, meta, groups))
        elif kind == "tokens":
            specs = WordSpecs.token_pattern(value)
            if specs is not None:
                self._index_specs(specs, meta)
            else:
                key = self._key(meta)
                self.matcher.add(key, [value])
                self._n_matcher += 1
                anchors = token_anchors(value)
                if anchors is None:
                    self._matcher_always = True
                else:
                    self._matcher_lowers |= anchors[0]
                    self._matcher_lemmas |= anchors[1]
        elif kind in ("phrase", "lower") and "..." not in value and "*" not in value.split():
            key = self._key(meta)
            words = value.split() if kind == "lower" else self._words(value)
            variants = {tuple(ws) for ws in _variant_sequences(words)}
            self.phrase.add(key, [Doc(self.vocab, words=list(ws)) for ws in sorted(variants) if ws])
            self._n_phrase += 1
        else:
            self._add_sequence(kind, value, meta)

    def add_words(self, words: Iterable[str], meta: RuleMeta, mode: str = "term") -> None:
        """Add many single words for one meaning at once (lexicons): one index entry per word."""
        for w in words:
            self._add_sequence(mode, w, meta)

    def _key(self, meta: RuleMeta) -> str:
        self._n += 1
        key = f"__ik_{id(self)}_{self._n}"
        self.meta_by_key[self.vocab.strings.add(key)] = meta
        return key

    def _words(self, value: str) -> list[str]:
        """Split a pattern text into words with the pipeline tokenizer, keeping ``*`` and ``...`` as gaps."""
        out: list[str] = []
        value = re.sub(r"(['\u2019])\s+", r"\1", value)
        for i, part in enumerate(value.split("...")):
            if i:
                out.append("...")
            for j, chunk in enumerate(part.split(" * ")):
                if j:
                    out.append("*")
                chunk = chunk.strip()
                if chunk == "*":
                    out.append("*")
                elif chunk:
                    if chunk[-1] in "'\u2019":  # a trailing elision ("manque d'") only splits before a word
                        out.extend(t.text for t in self.make_doc(chunk + "x")[:-1] if not t.is_space)
                    else:
                        out.extend(t.text for t in self.make_doc(chunk) if not t.is_space)
        while out and out[0] in ("...", "*"):
            out.pop(0)
        while out and out[-1] == "...":
            out.pop()
        return out

    def _add_sequence(self, kind: str, value: str, meta: RuleMeta) -> None:
        words = self._words(value)
        if words:
            self._index_specs(self.specs.sequence(kind, words), meta)

    def _index_specs(self, specs: list, meta: RuleMeta) -> None:
        idx = len(self.seqs)
        self.seqs.append(_Seq(specs, meta))
        first = specs[0]
        assert first is not None
        if "*" in first[1]:
            return
        for key in first[0]:
            self.by_lower.setdefault(key, []).append(idx)
        for key in first[1]:
            self.by_lemma.setdefault(key, []).append(idx)

    # ------------------------------------------------------------------ match
    def token_keys(self, doc: Doc) -> TokenKeys:
        """LOWER forms, corrected lower-case LEMMAs (lemma exceptions applied), punctuation flags, text.

        Read through ``Doc.to_array`` (no Token objects), the costliest step of the rule layers.
        """
        arr = doc.to_array([LOWER, LEMMA, IS_PUNCT, IDX, LENGTH]).tolist()
        strings = doc.vocab.strings
        exc = self.exceptions
        lowers = [strings[row[0]] for row in arr]
        raw_lemmas = [strings[row[1]].lower() for row in arr]
        lemmas = raw_lemmas
        if exc:
            lemmas = [fixed.lower() if (fixed := exc.get(low)) else lem for low, lem in zip(lowers, raw_lemmas)]
        punct = [bool(row[2]) for row in arr]
        starts = [row[3] for row in arr]
        ends = [row[3] + row[4] for row in arr]
        return TokenKeys(lowers, lemmas, punct, doc.text, starts, ends, raw_lemmas)

    def __call__(self, doc: Doc, keys: TokenKeys | None = None) -> list[Match]:
        out: list[Match] = []
        if self._n_phrase:
            for key, s, e in self.phrase(doc):
                out.append(Match(self.meta_by_key[key], s, e))
        if self.regexes or self.seqs or self._n_matcher:
            keys = keys if keys is not None else self.token_keys(doc)
        if self._n_matcher and (self._matcher_always or not self._matcher_lowers.isdisjoint(keys.lowers)
                                or not self._matcher_lemmas.isdisjoint(keys.lemmas)
                                or not self._matcher_lemmas.isdisjoint(keys.raw_lemmas)):
            for key, s, e in self.matcher(doc):
                out.append(Match(self.meta_by_key[key], s, e))
        for rx, meta in self._regexes_to_run(keys.text) if keys is not None else ():
            for m in rx.finditer(keys.text):
                if m.end() <= m.start():
                    continue
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and len(span):
                    out.append(Match(meta, span.start, span.end))
        if self.seqs:
            lowers, lemmas, punct = keys.lowers, keys.lemmas, keys.punct
            n = len(lowers)
            by_lower, by_lemma, seqs = self.by_lower, self.by_lemma, self.seqs
            for i in range(n):
                cands = by_lower.get(lowers[i])
                cands2 = by_lemma.get(lemmas[i])
                if not cands and not cands2:
                    continue
                pids = cands2 if not cands else (cands if not cands2 else set(cands + cands2))
                for pid in pids:
                    seq = seqs[pid]
                    end = _match_from(seq.specs, 1, i + 1, lowers, lemmas, punct, n)
                    if end >= 0:
                        out.append(Match(seq.meta, i, end))
        return _dedupe(out)


    def _regexes_to_run(self, text: str) -> list[tuple[re.Pattern[str], RuleMeta]]:
        """The expressions whose every anchor group has a string in ``text``, in codebook order."""
        folded = text.casefold()
        ids = set(self._regex_always)
        for a in filter(folded.__contains__, self._anchors):
            ids.update(self._regex_by_anchor[a])
        out = []
        for i in sorted(ids):
            rx, meta, others = self.regexes[i]
            if all(any(a in folded for a in g) for g in others):
                out.append((rx, meta))
        return out


def _variant_sequences(words: list[str]) -> list[list[str]]:
    """Lower-case word sequences with accented/unaccented and both-apostrophe variants (capped at 32)."""
    seqs: list[list[str]] = [[]]
    for w in words:
        vs = sorted(lower_variants(w))
        seqs = [s + [v] for s in seqs for v in vs][:32]
    return seqs


def _match_from(specs: list, si: int, ti: int, lowers: list[str], lemmas: list[str], punct: list[bool], n: int) -> int:
    """End token of a match of ``specs[si:]`` starting at token ``ti`` (-1 if none); gaps are lazy."""
    while si < len(specs):
        spec = specs[si]
        if spec is None:
            for k in range(GAP_MAX + 1):
                if k and (ti + k - 1 >= n or punct[ti + k - 1]):
                    break
                end = _match_from(specs, si + 1, ti + k, lowers, lemmas, punct, n)
                if end >= 0:
                    return end
            return -1
        if ti >= n:
            return -1
        low_set, lem_set = spec
        if "*" in lem_set:
            if punct[ti]:
                return -1
        elif PUNCT_MARK in lem_set:
            if not punct[ti]:
                return -1
        elif lowers[ti] not in low_set and lemmas[ti] not in lem_set:
            return -1
        si += 1
        ti += 1
    return ti


def _dedupe(matches: list[Match]) -> list[Match]:
    """Per rule keep the longest non-overlapping matches (variants of one pattern can overlap)."""
    by_rule: dict[int, list[Match]] = {}
    for m in matches:
        by_rule.setdefault(id(m.meta), []).append(m)
    out: list[Match] = []
    for group in by_rule.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        group.sort(key=lambda m: (m.start, -(m.end - m.start)))
        taken: list[Match] = []
        for m in group:
            if all(m.end <= t.start or m.start >= t.end for t in taken):
                taken.append(m)
        out.extend(taken)
    out.sort(key=lambda m: (m.start, m.end, m.meta.rule))  # ties never depend on the codebook's layout
    return out


# --------------------------------------------------------------------------- builders


def field_index(codebook: Codebook, lang: str, vocab: Vocab, make_doc: Callable[[str], Doc]) -> PatternIndex:
    """Index of every label pattern of every field (plus lexicon words) for ``lang``."""
    idx = PatternIndex(vocab, make_doc, lang, codebook.exceptions(lang))
    for fname, labels in codebook.labels.items():
        for lid, lab in labels.items():
            for i, pat in enumerate(lab.patterns.get(lang, [])):
                rule = f"{fname}.{lid}.{pat.id}" if pat.id else f"{fname}.{lid}.{lang}[{i}]"
                valence = pat.valence
                idx.add(pat, RuleMeta(rule=rule, field=fname, label=lid, weight=pat.weight, valence=valence,
                                      on_negation=pat.on_negation))
    for li, lex in enumerate(codebook.lexicons):
        if lex.lang != lang:
            continue
        name = lex.name or f"lexicon[{li}]"
        meta = RuleMeta(rule=name, field="_lexicon", label="", weight=lex.weight, lexicon=lex.entries)
        words = [w for w in lex.entries if " " not in w]
        mode = "lemma" if lex.match == "lemma" else ("lower" if lex.match == "lower" else "term")
        if mode == "lower":
            for w in words:
                idx._add_sequence("lower", w, meta)
        else:
            idx.add_words(words, meta, mode)
        for w in lex.entries:
            if " " in w:
                idx.add(Pattern(kind="phrase", value=w), meta)
    return idx


def cue_index(codebook: Codebook, kind: str, lang: str, vocab: Vocab, make_doc: Callable[[str], Doc]) -> PatternIndex:
    """Index of one cue kind (negation, intensifier, downtoner, contrast, scope_break)."""
    idx = PatternIndex(vocab, make_doc, lang, codebook.exceptions(lang))
    for i, pat in enumerate(codebook.cue_patterns(kind, lang)):
        rule = f"cues.{kind}.{pat.id}" if pat.id else f"cues.{kind}.{lang}[{i}]"
        idx.add(pat, RuleMeta(rule=rule, field=f"_{kind}", label=kind, weight=pat.weight, scope=pat.scope,
                              window=pat.window, pseudo=pat.pseudo))
    return idx


def lexicon_cues(meta: RuleMeta, word_lower: str, word_lemma: str, default_valence: dict[str, int]) -> list[tuple[str, float, int | None]]:
    """(label, weight, valence) triples for a lexicon match (one per emotion; '_valence' when polarity only)."""
    entries: Any = meta.lexicon or {}
    entry = entries.get(word_lemma) or entries.get(word_lower) or entries.get(strip_accents(word_lower))
    if entry is None:
        return []
    emotions, polarity = entry
    if not emotions:
        return [("_valence", meta.weight, polarity)] if polarity else []
    share = meta.weight / len(emotions)
    return [(e, share, polarity if polarity else default_valence.get(e, 0)) for e in emotions]
