"""Consistent pseudonymisation of texts at ingestion.

>>> p = Pseudonymiser(None, nlp=False, known_people={"Sophie Lemaire": "P01"})
>>> out = p.pseudonymise("sophie m'a écrit depuis sophie.l@free.fr, rappelez le 06 12 34 56 78")
>>> out.text
"P01 m'a écrit depuis [EMAIL-001], rappelez le [TEL-001]"
>>> [(r.kind, r.pseudonym) for r in out.replacements]
[('PERS', 'P01'), ('EMAIL', '[EMAIL-001]'), ('TEL', '[TEL-001]')]
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .detectors import detect_structured, normalise
from .filters import NameFilters, load_filters
from .keyfile import PseudonymKey
from .names import (
    KnownNameMatcher,
    after_place_word,
    gazetteer_names,
    merge_person_spans,
    name_parts,
    ner_person_spans,
    title_names,
)
from .text import KINDS, PrivacyError, Span, fold, normalise_name, resolve_overlaps

DEFAULT_MODEL = "fr_core_news_md"
#: Texts longer than this are split (at line breaks when possible) before NER.
NER_CHUNK_CHARS = 50_000
#: Runs of this many punctuation/symbol characters without a space ("((((", "«»«»") never reach NER:
#: spaCy's tokenizer is quadratic on such a token, and they hold no name.
PUNCT_RUN = 100
_PUNCT_RUN = re.compile(r"[^\w\s]{%d,}" % PUNCT_RUN)
#: Speaker labels that name a role, not a person (kept out of the names looked for in the text).
ROLE_LABELS = frozenset({
    "client", "cliente", "conseiller", "conseillere", "agent", "animateur", "animatrice", "moderateur",
    "moderatrice", "repondant", "repondante", "interviewe", "interviewee", "homme", "femme", "inconnu", "inconnue",
    "voix", "question", "reponse", "moi", "utilisateur", "utilisatrice", "usager", "journaliste", "chercheur",
    "chercheuse", "host", "guest", "customer", "user", "respondent", "moderator", "unknown", "interviewer",
    "participant", "participante", "speaker", "intervenant", "intervenante", "locuteur", "locutrice",
})
_FILE_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Replacement:
    """Where a pseudonym replaced personal data. Holds no original text."""

    start_original: int
    end_original: int
    start_new: int
    end_new: int
    kind: str
    pseudonym: str


@dataclass(frozen=True)
class PseudonymisedText:
    """A pseudonymised text and its replacements: safe to store (no originals)."""

    text: str
    replacements: list[Replacement] = field(default_factory=list)


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` pieces of at most ``size`` characters, cut at a line break or space."""
    start = 0
    while len(text) - start > size:
        cut = text.rfind("\n", start, start + size)
        if cut <= start:
            cut = text.rfind(" ", start, start + size)
        cut = start + size if cut <= start else cut + 1
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _ner_pieces(text: str, size: int) -> Iterator[tuple[int, str]]:
    """:func:`_chunks` pieces with long punctuation runs left out (offsets kept)."""
    for off, piece in _chunks(text, size):
        pos = 0
        for run in _PUNCT_RUN.finditer(piece):
            if run.start() > pos:
                yield off + pos, piece[pos:run.start()]
            pos = run.end()
        if pos < len(piece):
            yield off + pos, piece[pos:]


class Pseudonymiser:
    """Detects personal data and replaces it with pseudonyms that are stable across runs.

    Parameters are stored as given (nothing is loaded before first use):

    - ``key_path``: the JSON key file (``PROJECT/private/pseudonym_key.json``);
      None keeps pseudonyms in memory only (``save()`` then raises E604).
    - ``nlp``: a spaCy pipeline with an ``ner`` component, a model name, None
      for :data:`DEFAULT_MODEL` (loaded on first use), or False for no NER
      (known names, titled names and listed first names are still found).
    - ``known_people``: real name -> fixed pseudonym (participants -> their id).
    - ``extra_names``: other names to always find (interviewers, names the user adds).
    - ``allow_names``: words never to treat as person names (brands, places...).
    - ``filters_path``: a YAML file adding to the packaged word lists.
    - ``region``: default region for phone numbers without ``+``.

    Nothing is read before first use; :meth:`prepare` reads the key and word
    lists at once (to fail early on a damaged key). Call :meth:`save` (or use
    the object as a context manager) after
    pseudonymising, before storing the texts, so the key and the store agree.
    """

    def __init__(
        self,
        key_path: Path | None,
        nlp: Any = None,
        known_people: dict[str, str] | None = None,
        extra_names: Iterable[str] = (),
        allow_names: Iterable[str] = (),
        *,
        filters_path: Path | None = None,
        region: str = "FR",
    ) -> None:
        self.key_path = key_path
        self.nlp = nlp
        self.known_people = known_people
        self.extra_names = tuple(extra_names)
        self.allow_names = tuple(allow_names)
        self.filters_path = filters_path
        self.region = region
        self._ready = False

    def __repr__(self) -> str:  # never shows names
        people = len(self.known_people or {})
        key = None if self.key_path is None else str(self.key_path)
        return (f"Pseudonymiser(key_path={key!r}, nlp={self._nlp_label()}, "
                f"known_people=<{people} names>, extra_names=<{len(self.extra_names)} names>)")

    def _nlp_label(self) -> str:
        if self.nlp is None:
            return repr(DEFAULT_MODEL)
        if self.nlp is False or isinstance(self.nlp, str):
            return repr(self.nlp)
        return f"<{type(self.nlp).__name__} {getattr(self.nlp, 'meta', {}).get('name', '')}>"

    # ------------------------------------------------------------------ setup
    def prepare(self) -> Pseudonymiser:
        """Read the key and the word lists now (not at first use), so that a
        damaged key (E601-E603) or filter file (E608) stops an import before it starts."""
        self._setup()
        return self

    def _setup(self) -> None:
        if self._ready:
            return
        self._key = PseudonymKey.load(self.key_path)
        self._filters: NameFilters = load_filters(self.filters_path, self.allow_names)
        self._counts: Counter[str] = Counter()
        self.warnings_: list[str] = []
        self._nlp_obj: Any = None
        self._disabled: list[str] = []
        self._ready = True
        self._register_names()

    def _register_names(self) -> None:
        """Put known people (fixed ids) and extra names in the key, with their unambiguous
        first/last names alone and, for two-word names, the reversed order ("LEMAIRE Sophie")."""
        known = {name: pid for name, pid in (self.known_people or {}).items() if normalise_name(name)}
        known_norms = {normalise_name(n) for n in known}
        extra = [n for n in self.extra_names if normalise_name(n) and normalise_name(n) not in known_norms]
        full_names: dict[str, str] = {}
        for name, pid in known.items():
            norm = normalise_name(name)
            previous = self._key.lookup("PERS", norm)
            if previous is not None and previous != pid:
                self.warnings_.append(
                    f"participant {pid} had pseudonym {previous} in the key; it is now {pid} "
                    f"(texts stored earlier keep {previous})")
            self._key.set("PERS", norm, pid)
            full_names[norm] = pid
        for name in extra:
            full_names[normalise_name(name)] = self.pseudonym_for(name, "PERS")
        part_owners: dict[str, set[str]] = {}
        for name in list(known) + extra:
            pseudonym = full_names[normalise_name(name)]
            parts = name_parts(name)
            for part in parts:
                part_owners.setdefault(part, set()).add(pseudonym)
            if len(parts) == 2:
                reversed_name = f"{parts[1]} {parts[0]}"
                if reversed_name not in full_names and self._key.lookup("PERS", reversed_name) in (None, pseudonym):
                    self._key.set("PERS", reversed_name, pseudonym)
                    full_names[reversed_name] = pseudonym
        parts = []
        for part, owners in part_owners.items():
            if len(owners) == 1 and part not in full_names and part not in self._filters.stop_names:
                self._key.set("PERS", part, next(iter(owners)))
                parts.append(part)
        self._matcher = KnownNameMatcher(full_names, parts, self._filters.ambiguous_name_words,
                                         not_a_surname=self._filters.never_names | self._filters.place_words)
        self._learned = 0

    def _get_matcher(self) -> KnownNameMatcher:
        """Known names plus the multi-word names the key has learned (any case), so
        "Marc Dubois" found once is also found later written "marc dubois"."""
        persons = self._key.mapping.get("PERS", {})
        if self._learned != len(persons):
            full_owner: dict[str, str] = {}
            for name, pseudonym in persons.items():
                if " " in name and name not in self._filters.stop_names:
                    self._matcher.add(name)
                    for part in name.split():
                        full_owner[part] = pseudonym if full_owner.get(part, pseudonym) == pseudonym else ""
            # a first or last name alone that the key gives to one full name ("lemaire" -> P01 with
            # "sophie lemaire" -> P01) is found alone too, even in a run that does not know that participant
            for name, pseudonym in persons.items():
                if " " not in name and full_owner.get(name) == pseudonym and name not in self._matcher.full \
                        and name not in self._filters.stop_names:
                    self._matcher.parts.add(name)
            self._learned = len(persons)
        return self._matcher

    def _get_nlp(self) -> Any:
        if self.nlp is False:
            return None
        if self._nlp_obj is None:
            nlp = self.nlp
            if nlp is None or isinstance(nlp, str):
                import spacy

                name = nlp or DEFAULT_MODEL
                try:
                    nlp = spacy.load(name, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler",
                                                    "tagger", "senter"])
                except OSError as exc:
                    raise PrivacyError(
                        "E606", f"the spaCy model {name!r} needed to find person names is not installed",
                        value=name, hint=f"install it (python -m spacy download {name}) or pass another "
                                          "pipeline as Pseudonymiser(nlp=...)") from exc
            if "ner" not in nlp.pipe_names:
                raise PrivacyError("E606", "the spaCy pipeline given has no 'ner' component",
                                   allowed=["a pipeline with 'ner' (fr_core_news_md, fr_core_news_sm)", "nlp=False"],
                                   hint="pass a pipeline that recognises entities, or nlp=False to skip NER")
            keep = {"ner"}
            for name, component in nlp.pipeline:
                if "ner" in getattr(component, "listening_components", ()) or \
                        nlp.get_pipe_meta(name).factory in ("entity_ruler", "span_ruler"):
                    keep.add(name)
            self._disabled = [n for n in nlp.pipe_names if n not in keep]
            self._nlp_obj = nlp
        return self._nlp_obj

    # ------------------------------------------------------------------ pseudonyms
    def pseudonym_for(self, name: str, kind: str = "PERS") -> str:
        """The pseudonym of ``name`` (an original of ``kind``), created when new.

        Persons: a first or last name alone gets the pseudonym of the only
        known full name containing it ("Sophie" -> P01 when "Sophie Lemaire" is
        P01); when several full names contain it, it gets its own pseudonym.
        """
        self._setup()
        if kind not in KINDS:
            raise PrivacyError("E609", "unknown kind of personal data", value=kind, allowed=KINDS,
                               hint="use one of the kinds listed")
        norm = normalise(kind, name, self.region)
        if kind == "PERS":  # "Mme Durand" (a speaker label) is the same person as "Durand"
            words = norm.split()
            while len(words) > 1 and words[0] in self._filters.title_words:
                words = words[1:]
            norm = " ".join(words)
        if not norm:
            raise PrivacyError("E609", "nothing to pseudonymise in this value (no letters or digits)",
                               hint="pass the name or value itself")
        existing = self._key.lookup(kind, norm)
        if existing is not None:
            return existing
        if kind == "PERS" and " " not in norm:
            owners = {p for full, p in self._key.mapping.get("PERS", {}).items() if " " in full and norm in full.split()}
            if len(owners) == 1:
                pseudonym = owners.pop()
                self._key.set(kind, norm, pseudonym)
                return pseudonym
        return self._key.assign(kind, norm)

    def add_person(self, label: str) -> str | None:
        """Register a speaker label as a person before the texts are pseudonymised; returns its pseudonym.

        The full label and its unambiguous parts ("Quorvith" of "Quorvith Blamzek") are then found in any
        text, in any script, like a participant's name. A label that names a role ("Client", "Speaker 2")
        or holds no letter is not registered (None).
        """
        self._setup()
        norm = normalise_name(label)
        words = [w for w in norm.split() if w not in self._filters.title_words]
        if not words or not any(c.isalpha() for c in norm) or all(w in ROLE_LABELS or w.isdigit() for w in words):
            return None
        if len(words) == 1 and (len(words[0]) < 2 or words[0] in self._filters.never_names
                                or words[0] in self._filters.place_words):
            return None
        pseudonym = self.pseudonym_for(label, "PERS")
        matcher = self._get_matcher()
        full = " ".join(words)
        if len(words) > 1:
            matcher.add(full)
            if self._key.lookup("PERS", full) is None:
                self._key.set("PERS", full, pseudonym)
        for part in (name_parts(full) if len(words) > 1 else words):
            owner = self._key.lookup("PERS", part)
            if owner in (None, pseudonym) and part not in self._filters.stop_names and part not in matcher.full:
                self._key.set("PERS", part, pseudonym)
                matcher.parts.add(part)
        return pseudonym

    def pseudonymise_file_name(self, name: str) -> str:
        """``name`` with each word of its stem that is a person's name replaced by the pseudonym, without
        brackets: "P01_sophie_panne_voiture.txt" -> "P01_P01_panne_voiture.txt" (names known to the key, or
        listed first names, which then get a pseudonym). Consecutive words of one name give one pseudonym."""
        self._setup()
        stem, dot, ext = name.rpartition(".") if "." in name.strip(".") else (name, "", "")
        persons = self._key.mapping.get("PERS", {})
        out: list[str] = []
        cursor, last = 0, None
        for m in _FILE_TOKEN.finditer(stem):
            norm = normalise_name(m.group())
            pseudonym = persons.get(norm)
            if pseudonym is None and norm in self._filters.first_names and len(norm) > 2 \
                    and norm not in self._filters.never_names and norm not in self._filters.place_words \
                    and norm not in self._filters.ambiguous_name_words:
                pseudonym = self.pseudonym_for(m.group(), "PERS")
            if pseudonym is None:
                out.append(stem[cursor:m.end()])
                last = None
            else:
                pseudonym = pseudonym.strip("[]")
                if last == pseudonym and not stem[cursor:m.start()].strip("_- "):
                    out.append("")  # "sophie_lemaire" -> one pseudonym
                else:
                    out.append(stem[cursor:m.start()] + pseudonym)
                last = pseudonym
            cursor = m.end()
        out.append(stem[cursor:])
        return "".join(out) + dot + ext

    # ------------------------------------------------------------------ detection
    def _person_spans(self, text: str, ner: list[Span]) -> list[Span]:
        known = self._get_matcher().find(text, fold(text))
        titled = title_names(text, self._filters)
        listed = gazetteer_names(text, self._filters)
        guessed = [s for s in merge_person_spans(titled, ner, listed)
                   if not after_place_word(text, s.start, self._filters)]
        return merge_person_spans(known, guessed)

    def _ner_spans_many(self, texts: list[str], batch_size: int) -> list[list[Span]]:
        nlp = self._get_nlp()
        results: list[list[Span]] = [[] for _ in texts]
        if nlp is None:
            return results
        size = min(NER_CHUNK_CHARS, nlp.max_length)
        pieces = [(i, off, piece) for i, t in enumerate(texts) for off, piece in _ner_pieces(t, size)
                  if piece.strip()]
        docs = nlp.pipe((p[2] for p in pieces), disable=self._disabled, batch_size=batch_size)
        for (i, off, _), doc in zip(pieces, docs):
            results[i].extend(ner_person_spans(doc, self._filters, offset=off))
        return results

    def _spans(self, text: str, ner: list[Span]) -> list[Span]:
        return resolve_overlaps(detect_structured(text, region=self.region) + self._person_spans(text, ner))

    def detect_many(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Span]]:
        """Spans of personal data per text, overlaps resolved (see :func:`resolve_overlaps`).

        Nothing is added to the key. The spans hold the original strings: use
        them in memory only.
        """
        self._setup()
        texts = list(texts)
        return [self._spans(t, ner) for t, ner in zip(texts, self._ner_spans_many(texts, batch_size))]

    def detect(self, text: str) -> list[Span]:
        """Spans of personal data in ``text`` (in memory only: they hold originals)."""
        return self.detect_many([text])[0]

    # ------------------------------------------------------------------ replacement
    def _apply(self, text: str, spans: list[Span]) -> PseudonymisedText:
        pieces: list[str] = []
        replacements: list[Replacement] = []
        cursor = new_len = 0
        for span in spans:
            pieces.append(text[cursor:span.start])
            new_len += span.start - cursor
            pseudonym = self.pseudonym_for(span.text, span.kind)
            pieces.append(pseudonym)
            replacements.append(Replacement(span.start, span.end, new_len, new_len + len(pseudonym),
                                            span.kind, pseudonym))
            new_len += len(pseudonym)
            cursor = span.end
            self._counts[span.kind] += 1
        pieces.append(text[cursor:])
        return PseudonymisedText("".join(pieces), replacements)

    def pseudonymise(self, text: str) -> PseudonymisedText:
        """``text`` with every detected piece of personal data replaced by its pseudonym."""
        return self.pseudonymise_many([text])[0]

    def pseudonymise_many(self, texts: Iterable[str], batch_size: int = 64) -> list[PseudonymisedText]:
        """Like :meth:`pseudonymise` for many texts; NER runs in batches (``nlp.pipe``).

        Texts are handled in order (names learned from one are looked for in the
        next), so the result equals calling :meth:`pseudonymise` on each in turn.
        """
        self._setup()
        texts = list(texts)
        ner = self._ner_spans_many(texts, batch_size)
        return [self._apply(t, self._spans(t, spans)) for t, spans in zip(texts, ner)]

    # ------------------------------------------------------------------ key and report
    def save(self) -> Path:
        """Write the key file (atomic, mode 0600). Raises E604 without ``key_path``."""
        self._setup()
        return self._key.save()

    def __enter__(self) -> Pseudonymiser:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and self.key_path is not None and self._ready:
            self.save()

    def report(self):
        """pandas DataFrame, one row per kind: ``replacements`` made by this object and
        ``distinct_in_key`` (distinct pseudonyms of that kind in the key). No originals."""
        import pandas as pd

        self._setup()
        rows = []
        for kind in KINDS:
            distinct = len(set(self._key.mapping.get(kind, {}).values()))
            rows.append({"kind": kind, "replacements": self._counts.get(kind, 0), "distinct_in_key": distinct})
        return pd.DataFrame(rows, columns=["kind", "replacements", "distinct_in_key"])
