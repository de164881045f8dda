"""Detection of personal data and consistent pseudonymisation (GDPR), done at ingestion.

Public API::

    Pseudonymiser(key_path, nlp=None, known_people=None, extra_names=(), allow_names=(),
                  *, filters_path=None, region="FR")
        .prepare() -> self       read key and word lists now (fail early on E601-E603/E608)
        .pseudonymise(text) -> PseudonymisedText
        .pseudonymise_many(texts, batch_size=64) -> list[PseudonymisedText]
        .detect(text) / .detect_many(texts) -> spans (in memory only: they hold originals)
        .pseudonym_for(name, kind="PERS") -> str
        .add_person(speaker_label) -> str | None   find this speaker's name (and its parts) in texts
        .pseudonymise_file_name(name) -> str       "P01_sophie_x.txt" -> "P01_P01_x.txt"
        .save() -> Path          key file, atomic, mode 0600
        .report() -> pandas.DataFrame   counts per kind, no originals
    scan_for_leaks(texts, key_path) -> list[Leak]
    detect_emails / detect_phones / detect_addresses / detect_ibans / detect_cards /
    detect_plates / detect_nirs (text) -> list[Span]; detect_structured(text) -> all of them

Modules: text (spans, folding, overlap rule), detectors + addresses (rules),
filters (YAML word lists in interviewkit/data/privacy/), names (person names),
keyfile (the key), pseudonymiser, leaks, quality (measurement on a seeded corpus),
documents (stored document names and source tags), lock (project lock around key use).

Kinds and pseudonyms: PERS ``[PERS-001]`` (participants: their id, e.g. ``P03``),
EMAIL ``[EMAIL-001]``, TEL ``[TEL-001]``, ADRESSE ``[ADRESSE-001]``,
IBAN ``[IBAN-001]``, CARTE ``[CARTE-001]``, PLAQUE ``[PLAQUE-001]``, NIR ``[NIR-001]``.
There is deliberately no function that restores originals.

Errors (:class:`PrivacyError`, an :class:`~interviewkit.errors.InterviewkitError`):
E601 key file unreadable or not JSON, E602 key file structure damaged, E603 key
newer than this version, E604 save without a key path, E605 key changed by
another run with clashing pseudonyms, E606 spaCy model/pipeline unusable,
E607 key file cannot be written, E608 name filter file invalid, E609 bad
argument to ``pseudonym_for``, E610 document secret damaged.
"""
from __future__ import annotations

from .detectors import (
    detect_addresses,
    detect_cards,
    detect_emails,
    detect_ibans,
    detect_nirs,
    detect_phones,
    detect_plates,
    detect_structured,
    nir_key_ok,
    normalise,
)
from .filters import NameFilters, default_filters, load_filters
from .documents import document_secret, source_tag
from .keyfile import KEY_VERSION, PseudonymKey
from .lock import project_lock
from .leaks import Leak, scan_for_leaks
from .names import KnownNameMatcher, ner_person_spans, title_names
from .pseudonymiser import DEFAULT_MODEL, Pseudonymiser, PseudonymisedText, Replacement
from .text import KINDS, PrivacyError, Span, fold, normalise_name, resolve_overlaps

__all__ = [
    "DEFAULT_MODEL", "KEY_VERSION", "KINDS", "KnownNameMatcher", "Leak", "NameFilters", "PrivacyError",
    "PseudonymKey", "PseudonymisedText", "Pseudonymiser", "Replacement", "Span",
    "default_filters", "document_secret", "project_lock", "source_tag", "detect_addresses", "detect_cards", "detect_emails", "detect_ibans", "detect_nirs",
    "detect_phones", "detect_plates", "detect_structured", "fold", "load_filters", "ner_person_spans",
    "nir_key_ok", "normalise", "normalise_name", "resolve_overlaps", "scan_for_leaks", "title_names",
]
