"""Codebook format: schema version, journey fields, pattern/cue kinds, allowed keys and field defaults."""
from __future__ import annotations

import re
from typing import Any

CODEBOOK_VERSION = 1
LABEL_FIELDS = ("stage", "channel", "emotion", "irritant", "moments", "lane")
MULTI_FIELDS = ("stage", "channel", "moments")
SINGLE_FIELDS = ("emotion", "lane")
PATTERN_KINDS = ("term", "lemma", "phrase", "lower", "regex", "tokens")
CUE_KINDS = ("negation", "intensifier", "downtoner", "contrast", "scope_break")
NEGATION_POLICIES = ("keep", "drop", "only", "flip")
SCOPES = ("forward", "backward", "both")
DERIVE_CONDITIONS = (
    "emotion", "lane", "irritant", "valence_min", "valence_max", "stage", "channel", "moments",
    "no_stage", "no_channel", "has_cues", "cues", "patterns", "emotion_by_default", "irritant_felt",
)
DERIVE_ACTIONS = ("set", "add")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LANG = re.compile(r"^[a-z]{2,3}$")

TOP_KEYS = {
    "codebook_version": "integer schema version of the file format (must be 1)",
    "version": "your version string, bump it when you edit the codebook (e.g. '2025.03-1')",
    "name": "short name",
    "description": "free text",
    "languages": "list of language codes the patterns cover, e.g. [fr, en]",
    "fields": "per-field settings (threshold, default, on_negation)",
    "labels": "label definitions and patterns, per field",
    "cues": "negation / intensifier / downtoner / contrast / scope_break cues, per language",
    "lemma_exceptions": "per language: surface form -> lemma to use",
    "lexicons": "external emotion lexicon files (CSV) to import",
    "models": "model heads (embedding classifiers) voting with the rules on a field",
    "derive": "rules deriving a field from the others",
}
FIELD_KEYS = ("threshold", "default", "on_negation", "negated_to", "counts_as", "counts_as_weight", "description")
LABEL_KEYS = ("label_fr", "label_en", "description_fr", "description_en", "patterns", "valence", "negated_to")
PATTERN_OPTION_KEYS = ("weight", "id", "on_negation", "valence", "note")
CUE_OPTION_KEYS = ("weight", "id", "scope", "window", "pseudo", "note")
LEXICON_KEYS = (
    "path", "lang", "format", "word_column", "emotions", "positive", "negative", "emotion_column",
    "association_column", "weight", "match", "delimiter", "encoding", "name",
)
DERIVE_KEYS = ("id", "when", "set", "add", "note")
MODEL_KEYS = ("id", "field", "path", "lang", "weight", "center", "note")
SETTABLE = ("emotion", "lane", "irritant", "valence")
ADDABLE = MULTI_FIELDS

DEFAULT_FIELD_SETTINGS: dict[str, dict[str, Any]] = {
    "stage": {"threshold": 1.0, "default": None, "on_negation": "keep"},
    "channel": {"threshold": 1.0, "default": None, "on_negation": "keep"},
    "emotion": {"threshold": 0.5, "default": "neutral", "on_negation": "flip"},
    "irritant": {"threshold": 1.0, "default": None, "on_negation": "drop"},
    "moments": {"threshold": 1.0, "default": None, "on_negation": "drop"},
    "lane": {"threshold": 0.8, "default": "customer", "on_negation": "keep"},
}
