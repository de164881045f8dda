"""Codebook entries: patterns/cues, labels, field settings, emotion lexicons and derive rules."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from interviewkit.codebook.schema import MULTI_FIELDS


@dataclass
class Pattern:
    """One pattern (or cue) entry.

    ``kind`` is one of :data:`PATTERN_KINDS`: ``term`` (words matched as lemmas
    or as written), ``lemma`` (a lemma sequence), ``phrase``/``lower`` (words as
    written, case-insensitive), ``regex`` (on the segment text, case-insensitive)
    or ``tokens`` (a raw spaCy Matcher token pattern). In word sequences ``*`` is
    any one token and ``...`` is up to three tokens (no punctuation).
    """

    kind: str
    value: Any
    weight: float = 1.0
    id: str | None = None
    on_negation: str | None = None
    valence: int | None = None
    scope: str | None = None
    window: int | None = None
    pseudo: bool = False
    note: str | None = None

    def to_obj(self) -> Any:
        """The YAML form: a bare string for a plain ``term``, else a mapping."""
        opts = {k: getattr(self, k) for k in ("weight", "id", "on_negation", "valence", "scope", "window", "note")}
        opts = {k: v for k, v in opts.items() if v is not None and not (k == "weight" and v == 1.0)}
        if self.pseudo:
            opts["pseudo"] = True
        if self.kind == "term" and not opts and isinstance(self.value, str):
            return self.value
        out: dict[str, Any] = {self.kind: copy.deepcopy(self.value)}
        out.update(opts)
        return out


@dataclass
class Label:
    """A label of a field, with its names, descriptions and patterns per language."""

    id: str
    label_fr: str
    label_en: str
    description_fr: str = ""
    description_en: str = ""
    patterns: dict[str, list[Pattern]] = field(default_factory=dict)
    valence: int | None = None
    negated_to: str | None = None

    def to_obj(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label_fr": self.label_fr,
            "label_en": self.label_en,
            "description_fr": self.description_fr,
            "description_en": self.description_en,
        }
        if self.valence is not None:
            out["valence"] = self.valence
        if self.negated_to is not None:
            out["negated_to"] = self.negated_to
        out["patterns"] = {lang: [p.to_obj() for p in pats] for lang, pats in self.patterns.items()}
        return out


@dataclass
class FieldSpec:
    name: str
    threshold: float
    default: str | None = None
    on_negation: str = "keep"
    description: str | None = None
    negated_to: str | None = None
    counts_as: str | None = None
    counts_as_weight: float = 0.4

    @property
    def multi(self) -> bool:
        return self.name in MULTI_FIELDS


@dataclass
class LexiconSpec:
    """An external emotion lexicon (CSV) imported into the emotion field.

    ``format: wide`` -- one row per word, one 0/1 column per emotion and
    ``positive``/``negative`` columns; ``format: long`` -- rows ``word,emotion,association``.
    ``emotions`` maps the lexicon's emotion names to codebook emotion ids.
    """

    path: str
    lang: str
    format: str = "wide"
    word_column: str = "word"
    emotions: dict[str, str] = field(default_factory=dict)
    positive: str | None = "positive"
    negative: str | None = "negative"
    emotion_column: str = "emotion"
    association_column: str | None = "association"
    weight: float = 0.5
    match: str = "term"
    delimiter: str | None = None
    encoding: str = "utf-8"
    name: str | None = None
    entries: dict[str, tuple[tuple[str, ...], int]] = field(default_factory=dict, repr=False)
    content_hash: str = ""

    def to_obj(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "lang": self.lang, "format": self.format,
                               "word_column": self.word_column, "emotions": dict(self.emotions)}
        for key in ("positive", "negative", "emotion_column", "association_column", "delimiter", "name"):
            val = getattr(self, key)
            if val is not None:
                out[key] = val
        out.update({"weight": self.weight, "match": self.match, "encoding": self.encoding})
        return out


@dataclass
class ModelSpec:
    """A model head voting on one field: adds ``weight * (p - center)`` to the rules' summed score.

    ``path``: ``interviewkit:NAME`` for a shipped head, else a JSON file relative to the codebook.
    """

    id: str
    field: str
    path: str
    lang: str
    weight: float = 4.0
    center: float = 0.4
    note: str | None = None
    content_hash: str = ""
    head: Any = field(default=None, repr=False, compare=False)

    def to_obj(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "field": self.field, "path": self.path, "lang": self.lang,
                               "weight": self.weight, "center": self.center}
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class DeriveRule:
    """``when`` all conditions hold, ``set`` single fields and/or ``add`` labels to multi fields."""

    id: str
    when: dict[str, Any]
    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, list[str]] = field(default_factory=dict)
    note: str | None = None

    def to_obj(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "when": copy.deepcopy(self.when)}
        if self.set:
            out["set"] = dict(self.set)
        if self.add:
            out["add"] = {k: list(v) for k, v in self.add.items()}
        if self.note:
            out["note"] = self.note
        return out
