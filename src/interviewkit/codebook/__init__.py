"""Journey codebook: labels, per-language patterns and cues, in a YAML file a researcher can edit.

A codebook says which labels exist for each journey field (stage, channel,
emotion, irritant, moments, lane), how each label reads in French and
English, and which patterns in a segment are evidence for it. It also lists
the negation, intensifier, downtoner, contrast and scope-break cues, lemma
exceptions (surface forms the statistical lemmatiser gets wrong, e.g. "SMS"
-> "sm"), optional external emotion lexicons and ``derive`` rules (e.g. "an
irritant with a negative valence is an irritating moment").

Files are validated strictly: an unknown key, a bad value or a regular
expression that does not compile raises :class:`ConfigError` (codes E3xx)
naming the file, the line, the key path (``labels.channel.sms.patterns.fr[3]``),
what is allowed and how to fix it.

>>> cb = load_codebook()
>>> sorted(cb.label_ids("stage"))[:3]
['consider', 'deliver', 'discover']
>>> p = cb.add_pattern("channel", "sms", "pigeon voyageur", lang="fr", weight=0.5)
>>> p.kind, p.value, p.weight
('term', 'pigeon voyageur', 0.5)

Modules: ``schema`` (format constants, allowed keys), ``model`` (Pattern, Label,
FieldSpec, LexiconSpec, DeriveRule), ``book`` (:class:`Codebook`), ``validate``
(E3xx checks), ``lexicons`` (CSV lexicon import), ``yamlio`` (YAML load/dump,
line numbers), ``loading`` (:func:`load_codebook`). Import from this package.
"""
from __future__ import annotations

# Private helpers are re-exported too: the names of the former single module ``codebook.py`` stay importable.
from interviewkit.codebook.book import Codebook
from interviewkit.codebook.lexicons import _read_lexicon
from interviewkit.codebook.loading import codebook_from_text, default_codebook_path, load_codebook
from interviewkit.codebook.model import DeriveRule, FieldSpec, Label, LexiconSpec, Pattern
from interviewkit.codebook.schema import (
    _ID,
    _LANG,
    ADDABLE,
    CODEBOOK_VERSION,
    CUE_KINDS,
    CUE_OPTION_KEYS,
    DEFAULT_FIELD_SETTINGS,
    DERIVE_ACTIONS,
    DERIVE_CONDITIONS,
    DERIVE_KEYS,
    FIELD_KEYS,
    LABEL_FIELDS,
    LABEL_KEYS,
    LEXICON_KEYS,
    MULTI_FIELDS,
    NEGATION_POLICIES,
    PATTERN_KINDS,
    PATTERN_OPTION_KEYS,
    SCOPES,
    SETTABLE,
    SINGLE_FIELDS,
    TOP_KEYS,
)
from interviewkit.codebook.validate import _closest, _Validator
from interviewkit.codebook.yamlio import _Dumper, _flowify, _Flow, _line_index, _Loader, _represent_flow

__all__ = [
    "ADDABLE", "CODEBOOK_VERSION", "CUE_KINDS", "CUE_OPTION_KEYS", "DEFAULT_FIELD_SETTINGS", "DERIVE_ACTIONS",
    "DERIVE_CONDITIONS", "DERIVE_KEYS", "FIELD_KEYS", "LABEL_FIELDS", "LABEL_KEYS", "LEXICON_KEYS", "MULTI_FIELDS",
    "NEGATION_POLICIES", "PATTERN_KINDS", "PATTERN_OPTION_KEYS", "SCOPES", "SETTABLE", "SINGLE_FIELDS", "TOP_KEYS",
    "Codebook", "DeriveRule", "FieldSpec", "Label", "LexiconSpec", "Pattern",
    "codebook_from_text", "default_codebook_path", "load_codebook",
]
