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
"""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from interviewkit.errors import ConfigError

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
    "no_stage", "no_channel", "has_cues",
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


def default_codebook_path() -> Path:
    """Path of the codebook shipped with interviewkit (``journey_fr_en.yml``)."""
    return Path(__file__).parent / "data" / "codebooks" / "journey_fr_en.yml"


# --------------------------------------------------------------------------- model


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


class Codebook:
    """A validated codebook. Build it with :func:`load_codebook`."""

    def __init__(self) -> None:
        self.codebook_version = CODEBOOK_VERSION
        self.version = "0"
        self.name = "codebook"
        self.description = ""
        self.languages: list[str] = []
        self.fields: dict[str, FieldSpec] = {}
        self.labels: dict[str, dict[str, Label]] = {f: {} for f in LABEL_FIELDS}
        self.cues: dict[str, dict[str, list[Pattern]]] = {k: {} for k in CUE_KINDS}
        self.lemma_exceptions: dict[str, dict[str, str]] = {}
        self.lexicons: list[LexiconSpec] = []
        self.derive: list[DeriveRule] = []
        self.path: Path | None = None

    # ----------------------------------------------------------------- queries
    def label_ids(self, field_name: str) -> list[str]:
        """Label ids of a field, in codebook order."""
        return list(self.labels.get(field_name, {}))

    def label(self, field_name: str, label_id: str) -> Label:
        return self.labels[field_name][label_id]

    def patterns(self, field_name: str, label_id: str, lang: str) -> list[Pattern]:
        return self.labels[field_name][label_id].patterns.get(lang, [])

    def cue_patterns(self, kind: str, lang: str) -> list[Pattern]:
        return self.cues.get(kind, {}).get(lang, [])

    def exceptions(self, lang: str) -> dict[str, str]:
        return self.lemma_exceptions.get(lang, {})

    @property
    def hash(self) -> str:
        """Content hash (16 hex chars) of the codebook and its lexicon files; changes on any edit."""
        payload = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(payload.encode("utf-8"))
        for lex in self.lexicons:
            digest.update(lex.content_hash.encode("ascii"))
        return digest.hexdigest()[:16]

    # ----------------------------------------------------------------- output
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "codebook_version": self.codebook_version,
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "languages": list(self.languages),
            "fields": {},
            "labels": {},
            "cues": {},
            "lemma_exceptions": {k: dict(v) for k, v in self.lemma_exceptions.items()},
            "lexicons": [lex.to_obj() for lex in self.lexicons],
            "derive": [r.to_obj() for r in self.derive],
        }
        for name, spec in self.fields.items():
            fo: dict[str, Any] = {"threshold": spec.threshold, "on_negation": spec.on_negation}
            if spec.default is not None:
                fo["default"] = spec.default
            if spec.negated_to is not None:
                fo["negated_to"] = spec.negated_to
            if spec.counts_as is not None:
                fo["counts_as"] = spec.counts_as
                fo["counts_as_weight"] = spec.counts_as_weight
            if spec.description:
                fo["description"] = spec.description
            out["fields"][name] = fo
        for fname, labels in self.labels.items():
            if labels:
                out["labels"][fname] = {lid: lab.to_obj() for lid, lab in labels.items()}
        for kind, per_lang in self.cues.items():
            if per_lang:
                out["cues"][kind] = {lang: [p.to_obj() for p in pats] for lang, pats in per_lang.items()}
        return out

    def to_yaml(self) -> str:
        """The codebook as YAML text (comments of the source file are not kept)."""
        return yaml.dump(_flowify(self.to_dict()), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)

    def save(self, path: str | Path, copy_lexicons: bool = True) -> Path:
        """Write the codebook to ``path`` (a ``.yml`` file or a folder, then ``codebook.yml``).

        With ``copy_lexicons`` the lexicon files are copied next to it and referenced by
        name, so the folder is self-contained (used by the spaCy components' ``to_disk``).
        """
        path = Path(path)
        if path.suffix.lower() not in (".yml", ".yaml"):
            path.mkdir(parents=True, exist_ok=True)
            path = path / "codebook.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        clone = self.copy()
        if copy_lexicons:
            for i, lex in enumerate(clone.lexicons):
                src = self._resolve(lex.path)
                dest_name = f"lexicon_{i}_{Path(lex.path).name}"
                (path.parent / dest_name).write_bytes(src.read_bytes())
                lex.path = dest_name
        path.write_text(clone.to_yaml(), encoding="utf-8")
        return path

    def copy(self) -> Codebook:
        return copy.deepcopy(self)

    def _resolve(self, rel: str) -> Path:
        p = Path(rel).expanduser()
        if not p.is_absolute() and self.path is not None:
            p = self.path.parent / p
        return p

    # ----------------------------------------------------------------- edits
    def add_pattern(
        self,
        field_name: str,
        label_id: str,
        value: Any,
        *,
        kind: str = "term",
        lang: str = "fr",
        weight: float = 1.0,
        **options: Any,
    ) -> Pattern:
        """Add a pattern to a label (validated like a file entry) and return it.

        ``options`` may hold ``id``, ``on_negation``, ``valence``, ``note``.
        Raises :class:`ConfigError` on a bad field, label, kind, value or option.
        """
        where = self._edit_where()
        if field_name not in LABEL_FIELDS:
            raise ConfigError("E308", f"add_pattern: unknown field {field_name!r}", path=where,
                              value=field_name, allowed=LABEL_FIELDS, hint="use one of the journey fields")
        if label_id not in self.labels[field_name]:
            raise ConfigError("E312", f"add_pattern: field {field_name!r} has no label {label_id!r}", path=where,
                              value=label_id, allowed=self.label_ids(field_name),
                              hint="add the label first or pick an existing one")
        if lang not in self.languages:
            raise ConfigError("E313", f"add_pattern: language {lang!r} is not declared in `languages`", path=where,
                              value=lang, allowed=self.languages, hint="add it to `languages` first")
        if kind not in PATTERN_KINDS:
            raise ConfigError("E309", f"add_pattern: unknown pattern kind {kind!r}", path=where, value=kind,
                              allowed=PATTERN_KINDS, hint="use term (default), lemma, phrase, lower, regex or tokens")
        lab = self.labels[field_name][label_id]
        idx = len(lab.patterns.get(lang, []))
        entry = {kind: value, "weight": weight, **options}
        v = _Validator(where, {}, self)
        pat = v.pattern(entry, f"labels.{field_name}.{label_id}.patterns.{lang}[{idx}]", field_name, cue=False)
        lab.patterns.setdefault(lang, []).append(pat)
        return pat

    def remove_pattern(self, field_name: str, label_id: str, index: int, lang: str = "fr") -> Pattern:
        """Remove and return pattern ``index`` of a label."""
        return self.labels[field_name][label_id].patterns[lang].pop(index)

    def add_cue(self, kind: str, value: Any, *, pattern_kind: str = "term", lang: str = "fr", **options: Any) -> Pattern:
        """Add a negation/intensifier/downtoner/contrast/scope_break cue."""
        where = self._edit_where()
        if kind not in CUE_KINDS:
            raise ConfigError("E303", f"add_cue: unknown cue kind {kind!r}", path=where, value=kind, allowed=CUE_KINDS,
                              hint="use one of the cue kinds")
        idx = len(self.cues[kind].get(lang, []))
        v = _Validator(where, {}, self)
        pat = v.pattern({pattern_kind: value, **options}, f"cues.{kind}.{lang}[{idx}]", None, cue=True)
        self.cues[kind].setdefault(lang, []).append(pat)
        return pat

    def add_lemma_exception(self, form: str, lemma: str, lang: str = "fr") -> None:
        """Make ``form`` (any case) count as lemma ``lemma``."""
        self.lemma_exceptions.setdefault(lang, {})[form.lower()] = lemma

    def _edit_where(self) -> str:
        return str(self.path) if self.path else "<codebook>"

    def __repr__(self) -> str:
        return f"Codebook(name={self.name!r}, version={self.version!r}, hash={self.hash!r})"


# --------------------------------------------------------------------------- YAML helpers


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Flow(dict):
    """A mapping dumped in YAML flow style (``{lemma: x, weight: 0.5}``)."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


def _flowify(obj: Any, parent: str = "", in_list: bool = False) -> Any:
    """Mark pattern entries and derive conditions for YAML flow style (one pattern per line)."""
    if isinstance(obj, dict):
        inner = {k: _flowify(v, str(k)) for k, v in obj.items()}
        if parent in ("when", "set", "add", "fields_entry") or (in_list and "when" not in obj and "path" not in obj):
            return _Flow(inner)
        return inner
    if isinstance(obj, list):
        return [_flowify(v, parent, True) for v in obj]
    return obj


def _line_index(text: str) -> dict[str, int]:
    """Map key paths (``labels.channel.sms.patterns.fr[3]``) to 1-based line numbers."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return lines

    def walk(node: Any, path: str) -> None:
        if node is None:
            return
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                key = str(knode.value)
                sub = f"{path}.{key}" if path else key
                lines[sub] = knode.start_mark.line + 1
                walk(vnode, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                sub = f"{path}[{i}]"
                lines[sub] = item.start_mark.line + 1
                walk(item, sub)

    walk(root, "")
    return lines


# --------------------------------------------------------------------------- validation


class _Validator:
    """Turns the raw YAML mapping into a :class:`Codebook`, raising precise ConfigErrors."""

    def __init__(self, where: str, lines: dict[str, int] | str, codebook: Codebook | None = None) -> None:
        self.where = where
        self._lines = lines  # a key-path -> line map, or the YAML text to build it from when an error occurs
        self.cb = codebook

    @property
    def lines(self) -> dict[str, int]:
        if isinstance(self._lines, str):
            self._lines = _line_index(self._lines)
        return self._lines

    # -- error helpers
    def fail(self, code: str, keypath: str, message: str, *, value: Any = None,
             allowed: Iterable[Any] | None = None, hint: str | None = None) -> None:
        line = None
        probe = keypath
        while probe:
            if probe in self.lines:
                line = self.lines[probe]
                break
            shorter = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if shorter == probe:
                break
            probe = shorter
        msg = f"{keypath}: {message}" if keypath else message
        raise ConfigError(code, msg, path=self.where, line=line, value=value, allowed=allowed, hint=hint)

    def mapping(self, obj: Any, keypath: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict:
        if not isinstance(obj, dict):
            self.fail("E305", keypath, f"expected a mapping, found {type(obj).__name__}", value=obj,
                      hint="write `key: value` entries under this key")
        allowed = list(allowed)
        for key in obj:
            if not isinstance(key, str) or key not in allowed:
                sub = f"{keypath}.{key}" if keypath else str(key)
                close = _closest(str(key), allowed)
                self.fail("E303", sub, f"unknown key {key!r}", value=key, allowed=allowed,
                          hint=(f"did you mean {close!r}? " if close else "") + "remove or rename the key")
        for key in required:
            if key not in obj:
                self.fail("E304", keypath, f"missing required key {key!r}", allowed=allowed,
                          hint=f"add `{key}:` under `{keypath or 'the top level'}`")
        return obj

    def number(self, val: Any, keypath: str, lo: float, hi: float, *, nonzero: bool = False) -> float:
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not (lo <= val <= hi) or (nonzero and val == 0):
            self.fail("E305", keypath, f"expected a number between {lo} and {hi}" + (" (not 0)" if nonzero else ""),
                      value=val, hint=f"write a number such as {1.0 if hi >= 1 else hi}")
        return float(val)

    def integer(self, val: Any, keypath: str, lo: int, hi: int) -> int:
        if isinstance(val, bool) or not isinstance(val, int) or not (lo <= val <= hi):
            self.fail("E305", keypath, f"expected an integer from {lo} to {hi}", value=val,
                      allowed=list(range(lo, hi + 1)) if hi - lo < 10 else None, hint="write a whole number")
        return int(val)

    def string(self, val: Any, keypath: str, *, empty_ok: bool = True) -> str:
        if not isinstance(val, str) or (not empty_ok and not val.strip()):
            self.fail("E305", keypath, "expected a non-empty text" if not empty_ok else "expected a text", value=val,
                      hint="quote the value if it contains ':' or '#'")
        return val

    def ident(self, val: Any, keypath: str, what: str) -> str:
        if not isinstance(val, str) or not _ID.match(val):
            self.fail("E308", keypath, f"invalid {what} {val!r}", value=val,
                      hint="use lower-case letters, digits and '_', starting with a letter (max 40 chars)")
        return val

    # -- pieces
    def pattern(self, entry: Any, keypath: str, field_name: str | None, *, cue: bool) -> Pattern:
        if isinstance(entry, str):
            entry = {"term": entry}
        if not isinstance(entry, dict):
            self.fail("E309", keypath, "a pattern must be a text or a mapping with one of the pattern kinds",
                      value=entry, allowed=PATTERN_KINDS, hint="write e.g. `- {lemma: rappeler, weight: 0.8}`")
        kinds = [k for k in entry if k in PATTERN_KINDS]
        opts = CUE_OPTION_KEYS if cue else PATTERN_OPTION_KEYS
        for key in entry:
            if key not in PATTERN_KINDS and key not in opts:
                close = _closest(str(key), list(PATTERN_KINDS) + list(opts))
                self.fail("E303", f"{keypath}.{key}", f"unknown key {key!r}", value=key,
                          allowed=list(PATTERN_KINDS) + list(opts),
                          hint=(f"did you mean {close!r}? " if close else "") + "remove or rename the key")
        if len(kinds) != 1:
            self.fail("E309", keypath, f"a pattern needs exactly one kind key, found {len(kinds)}",
                      value=sorted(entry), allowed=PATTERN_KINDS, hint="keep one of term/lemma/phrase/lower/regex/tokens")
        kind = kinds[0]
        value = entry[kind]
        if kind == "tokens":
            value = self.token_pattern(value, f"{keypath}.tokens")
        elif kind == "regex":
            value = self.string(value, f"{keypath}.regex", empty_ok=False)
            try:
                re.compile(value, re.IGNORECASE)
            except re.error as exc:
                self.fail("E306", f"{keypath}.regex", f"regular expression does not compile: {exc}", value=value,
                          hint="fix the expression (escape '(' '[' '.' '?' with a backslash when meant literally)")
        else:
            value = self.string(value, f"{keypath}.{kind}", empty_ok=False).strip()
            if value.replace("...", "").replace("*", "").strip() == "":
                self.fail("E305", f"{keypath}.{kind}", "a pattern needs at least one word", value=value,
                          hint="write the words to match")
        pat = Pattern(kind=kind, value=value)
        if "weight" in entry:
            pat.weight = self.number(entry["weight"], f"{keypath}.weight", -5.0, 5.0, nonzero=True)
        if "id" in entry:
            pat.id = self.ident(entry["id"], f"{keypath}.id", "pattern id")
        if "note" in entry:
            pat.note = self.string(entry["note"], f"{keypath}.note")
        if not cue:
            if "on_negation" in entry:
                pol = entry["on_negation"]
                if not isinstance(pol, str):
                    self.fail("E305", f"{keypath}.on_negation", "expected a text", value=pol,
                              allowed=NEGATION_POLICIES)
                pat.on_negation = pol  # label ids are checked once all labels are known
            if "valence" in entry:
                pat.valence = self.integer(entry["valence"], f"{keypath}.valence", -2, 2)
        else:
            if "scope" in entry:
                if entry["scope"] not in SCOPES:
                    self.fail("E305", f"{keypath}.scope", "unknown scope", value=entry["scope"], allowed=SCOPES,
                              hint="forward = the words after the cue, backward = before, both")
                pat.scope = entry["scope"]
            if "window" in entry:
                pat.window = self.integer(entry["window"], f"{keypath}.window", 1, 12)
            if "pseudo" in entry:
                if not isinstance(entry["pseudo"], bool):
                    self.fail("E305", f"{keypath}.pseudo", "expected true or false", value=entry["pseudo"],
                              allowed=[True, False])
                pat.pseudo = entry["pseudo"]
        return pat

    def token_pattern(self, value: Any, keypath: str) -> list[dict]:
        if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
            self.fail("E311", keypath, "a tokens pattern is a non-empty list of spaCy token mappings", value=value,
                      hint="write e.g. `tokens: [{LOWER: plus}, {IS_PUNCT: true}]`")
        from spacy.schemas import validate_token_pattern

        errors = validate_token_pattern(value)
        if errors:
            self.fail("E311", keypath, "invalid spaCy token pattern: " + "; ".join(errors[:3]), value=value,
                      hint="see https://spacy.io/usage/rule-based-matching#adding-patterns-attributes")
        return value

    def lexicon(self, entry: Any, keypath: str, languages: list[str], emotions: list[str], base: Path | None) -> LexiconSpec:
        entry = self.mapping(entry, keypath, LEXICON_KEYS, required=("path", "lang", "emotions"))
        lex = LexiconSpec(path=self.string(entry["path"], f"{keypath}.path", empty_ok=False),
                          lang=self.string(entry["lang"], f"{keypath}.lang"))
        if lex.lang not in languages:
            self.fail("E313", f"{keypath}.lang", "language not declared in `languages`", value=lex.lang, allowed=languages,
                      hint="add it to `languages` or fix the code")
        fmt = entry.get("format", "wide")
        if fmt not in ("wide", "long"):
            self.fail("E305", f"{keypath}.format", "unknown lexicon format", value=fmt, allowed=["wide", "long"],
                      hint="wide = one row per word with 0/1 columns; long = word,emotion,association rows")
        lex.format = fmt
        mapping = self.mapping(entry["emotions"], f"{keypath}.emotions", [str(k) for k in entry["emotions"]]
                               if isinstance(entry["emotions"], dict) else [])
        for src, dst in mapping.items():
            if dst not in emotions:
                self.fail("E312", f"{keypath}.emotions.{src}", "maps to an unknown emotion label", value=dst,
                          allowed=emotions, hint="map each lexicon emotion to one of the codebook's emotion ids")
        lex.emotions = {str(k): str(v) for k, v in mapping.items()}
        for key in ("word_column", "emotion_column", "encoding", "name"):
            if key in entry:
                setattr(lex, key, self.string(entry[key], f"{keypath}.{key}", empty_ok=False))
        for key in ("positive", "negative", "association_column", "delimiter"):
            if key in entry:
                val = entry[key]
                if val is not None:
                    val = self.string(val, f"{keypath}.{key}", empty_ok=False)
                setattr(lex, key, val)
        if "weight" in entry:
            lex.weight = self.number(entry["weight"], f"{keypath}.weight", 0.01, 5.0)
        if "match" in entry:
            if entry["match"] not in ("term", "lemma", "lower"):
                self.fail("E305", f"{keypath}.match", "unknown match mode", value=entry["match"],
                          allowed=["term", "lemma", "lower"], hint="term matches lemma or written form")
            lex.match = entry["match"]
        src = Path(lex.path).expanduser()
        if not src.is_absolute() and base is not None:
            src = base / src
        _read_lexicon(lex, src, self, keypath)
        return lex

    def derive_rule(self, entry: Any, keypath: str, cb: Codebook) -> DeriveRule:
        entry = self.mapping(entry, keypath, DERIVE_KEYS, required=("id", "when"))
        rule = DeriveRule(id=self.ident(entry["id"], f"{keypath}.id", "rule id"), when={})
        when = self.mapping(entry["when"], f"{keypath}.when", DERIVE_CONDITIONS)
        for key, val in when.items():
            kp = f"{keypath}.when.{key}"
            if key in ("valence_min", "valence_max"):
                rule.when[key] = self.integer(val, kp, -2, 2)
            elif key == "irritant":
                rule.when[key] = self.integer(val, kp, 0, 1)
            elif key in ("no_stage", "no_channel"):
                if not isinstance(val, bool):
                    self.fail("E305", kp, "expected true or false", value=val, allowed=[True, False])
                rule.when[key] = val
            elif key == "has_cues":
                rule.when[key] = self._label_list(val, kp, LABEL_FIELDS, is_fields=True)
            else:
                rule.when[key] = self._label_list(val, kp, cb.label_ids(key))
        if "set" in entry:
            for key, val in self.mapping(entry["set"], f"{keypath}.set", SETTABLE).items():
                kp = f"{keypath}.set.{key}"
                if key == "valence":
                    rule.set[key] = self.integer(val, kp, -2, 2)
                elif key == "irritant":
                    rule.set[key] = self.integer(val, kp, 0, 1)
                else:
                    if val not in cb.label_ids(key):
                        self.fail("E312", kp, f"unknown {key} label", value=val, allowed=cb.label_ids(key))
                    rule.set[key] = val
        if "add" in entry:
            for key, val in self.mapping(entry["add"], f"{keypath}.add", ADDABLE).items():
                rule.add[key] = self._label_list(val, f"{keypath}.add.{key}", cb.label_ids(key))
        if not rule.set and not rule.add:
            self.fail("E304", keypath, "a derive rule needs `set` or `add`", allowed=DERIVE_ACTIONS,
                      hint="e.g. `add: {moments: [irritating]}`")
        if "note" in entry:
            rule.note = self.string(entry["note"], f"{keypath}.note")
        return rule

    def _label_list(self, val: Any, kp: str, allowed: Iterable[str], is_fields: bool = False) -> list[str]:
        allowed = list(allowed)
        vals = [val] if isinstance(val, str) else val
        if not isinstance(vals, list) or not vals:
            self.fail("E305", kp, "expected a label id or a list of label ids", value=val, allowed=allowed)
        for v in vals:
            if v not in allowed:
                self.fail("E312", kp, f"unknown {'field' if is_fields else 'label'} {v!r}", value=v, allowed=allowed,
                          hint="use ids defined in the codebook")
        return list(vals)

    # -- whole file
    def codebook(self, data: Any, path: Path | None) -> Codebook:
        if not isinstance(data, dict):
            self.fail("E302", "", "the codebook must be a YAML mapping at the top level", value=type(data).__name__,
                      hint="start the file with `codebook_version: 1`")
        self.mapping(data, "", TOP_KEYS, required=("codebook_version", "version", "languages", "labels"))
        cbv = data["codebook_version"]
        if cbv != CODEBOOK_VERSION:
            self.fail("E307", "codebook_version", "unsupported codebook schema version", value=cbv,
                      allowed=[CODEBOOK_VERSION], hint="set `codebook_version: 1` (the file format this version reads)")
        cb = Codebook()
        self.cb = cb
        cb.path = path
        ver = data["version"]
        if isinstance(ver, (int, float)) and not isinstance(ver, bool):
            ver = str(ver)
        cb.version = self.string(ver, "version", empty_ok=False)
        cb.name = self.string(data.get("name", path.stem if path else "codebook"), "name")
        cb.description = self.string(data.get("description", "") or "", "description")
        langs = data["languages"]
        if not isinstance(langs, list) or not langs or not all(isinstance(x, str) and _LANG.match(x) for x in langs):
            self.fail("E305", "languages", "expected a list of language codes", value=langs, hint="e.g. `languages: [fr, en]`")
        cb.languages = list(langs)

        fields_raw = self.mapping(data.get("fields") or {}, "fields", LABEL_FIELDS)
        for fname in LABEL_FIELDS:
            settings = dict(DEFAULT_FIELD_SETTINGS[fname])
            raw = self.mapping(fields_raw.get(fname) or {}, f"fields.{fname}", FIELD_KEYS)
            if "threshold" in raw:
                settings["threshold"] = self.number(raw["threshold"], f"fields.{fname}.threshold", 0.01, 20.0)
            if "on_negation" in raw:
                if raw["on_negation"] not in NEGATION_POLICIES:
                    self.fail("E305", f"fields.{fname}.on_negation", "unknown negation policy", value=raw["on_negation"],
                              allowed=NEGATION_POLICIES,
                              hint="keep = ignore negation, drop = a negated cue does not count, flip = use the label's negated_to")
                settings["on_negation"] = raw["on_negation"]
            if "default" in raw:
                settings["default"] = raw["default"]
            cb.fields[fname] = FieldSpec(fname, settings["threshold"], settings["default"], settings["on_negation"],
                                         raw.get("description"), raw.get("negated_to"), raw.get("counts_as"))
            if "counts_as_weight" in raw:
                cb.fields[fname].counts_as_weight = self.number(raw["counts_as_weight"],
                                                                f"fields.{fname}.counts_as_weight", 0.0, 5.0)

        labels_raw = self.mapping(data["labels"], "labels", LABEL_FIELDS)
        for fname in LABEL_FIELDS:
            if fname not in labels_raw:
                self.fail("E304", "labels", f"missing field {fname!r}", allowed=LABEL_FIELDS,
                          hint=f"define at least one label under `labels.{fname}`")
            entries = self.mapping(labels_raw[fname], f"labels.{fname}", [str(k) for k in (labels_raw[fname] or {})]
                                   if isinstance(labels_raw[fname], dict) else [])
            if not entries:
                self.fail("E304", f"labels.{fname}", "no labels defined", hint="define at least one label")
            for lid, raw in entries.items():
                kp = f"labels.{fname}.{lid}"
                self.ident(lid, kp, "label id")
                raw = self.mapping(raw, kp, LABEL_KEYS, required=("label_fr", "label_en"))
                lab = Label(id=lid, label_fr=self.string(raw["label_fr"], f"{kp}.label_fr", empty_ok=False),
                            label_en=self.string(raw["label_en"], f"{kp}.label_en", empty_ok=False),
                            description_fr=self.string(raw.get("description_fr", "") or "", f"{kp}.description_fr"),
                            description_en=self.string(raw.get("description_en", "") or "", f"{kp}.description_en"))
                if "valence" in raw:
                    if fname != "emotion":
                        self.fail("E303", f"{kp}.valence", "`valence` is only allowed on emotion labels", value="valence",
                                  hint="remove the key")
                    lab.valence = self.integer(raw["valence"], f"{kp}.valence", -2, 2)
                if "negated_to" in raw:
                    if fname != "emotion":
                        self.fail("E303", f"{kp}.negated_to", "`negated_to` is only allowed on emotion labels",
                                  value="negated_to", hint="remove the key")
                    lab.negated_to = self.string(raw["negated_to"], f"{kp}.negated_to", empty_ok=False)
                pats = self.mapping(raw.get("patterns") or {}, f"{kp}.patterns", cb.languages)
                for lang, items in pats.items():
                    if items is None:
                        items = []
                    if not isinstance(items, list):
                        self.fail("E305", f"{kp}.patterns.{lang}", "expected a list of patterns", value=items,
                                  hint="write one `- pattern` per line")
                    lab.patterns[lang] = [self.pattern(it, f"{kp}.patterns.{lang}[{i}]", fname, cue=False)
                                          for i, it in enumerate(items)]
                cb.labels[fname][lid] = lab

        # cross references
        for fname, spec in cb.fields.items():
            if spec.default is not None and spec.default not in cb.labels[fname]:
                self.fail("E312", f"fields.{fname}.default", "default is not a label of this field", value=spec.default,
                          allowed=cb.label_ids(fname))
            if spec.negated_to is not None and (fname != "irritant" or spec.negated_to not in cb.labels["emotion"]):
                self.fail("E312", f"fields.{fname}.negated_to",
                          "only `fields.irritant.negated_to` is allowed, naming an emotion label",
                          value=spec.negated_to, allowed=cb.label_ids("emotion"),
                          hint="the emotion credited when an irritant cue is negated (\"aucun problème\")")
            if spec.counts_as is not None and (fname != "irritant" or spec.counts_as not in cb.labels["emotion"]):
                self.fail("E312", f"fields.{fname}.counts_as",
                          "only `fields.irritant.counts_as` is allowed, naming an emotion label",
                          value=spec.counts_as, allowed=cb.label_ids("emotion"),
                          hint="irritant cues then also count for that emotion (weight x counts_as_weight)")
            if fname in SINGLE_FIELDS and spec.default is None:
                self.fail("E304", f"fields.{fname}", "a single-label field needs a `default` label",
                          allowed=cb.label_ids(fname), hint=f"add `default:` under `fields.{fname}`")
        for fname, labels in cb.labels.items():
            for lid, lab in labels.items():
                if lab.negated_to is not None and lab.negated_to not in labels:
                    self.fail("E312", f"labels.{fname}.{lid}.negated_to", "unknown emotion label", value=lab.negated_to,
                              allowed=cb.label_ids(fname))
                for lang, pats in lab.patterns.items():
                    for i, p in enumerate(pats):
                        if p.on_negation is not None and p.on_negation not in NEGATION_POLICIES and p.on_negation not in labels:
                            self.fail("E305", f"labels.{fname}.{lid}.patterns.{lang}[{i}].on_negation",
                                      "unknown negation policy or label", value=p.on_negation,
                                      allowed=list(NEGATION_POLICIES) + cb.label_ids(fname),
                                      hint="keep, drop, only (counts only when negated), flip, or a label id of the same field")
                        if p.valence is not None and fname != "emotion":
                            self.fail("E303", f"labels.{fname}.{lid}.patterns.{lang}[{i}].valence",
                                      "`valence` is only allowed on emotion patterns", value="valence", hint="remove the key")

        cues_raw = self.mapping(data.get("cues") or {}, "cues", CUE_KINDS)
        for kind, per_lang in cues_raw.items():
            per_lang = self.mapping(per_lang or {}, f"cues.{kind}", cb.languages)
            for lang, items in per_lang.items():
                if not isinstance(items, list):
                    self.fail("E305", f"cues.{kind}.{lang}", "expected a list of cues", value=items)
                cb.cues[kind][lang] = [self.pattern(it, f"cues.{kind}.{lang}[{i}]", None, cue=True)
                                       for i, it in enumerate(items)]

        exc_raw = self.mapping(data.get("lemma_exceptions") or {}, "lemma_exceptions", cb.languages)
        for lang, table in exc_raw.items():
            table = self.mapping(table or {}, f"lemma_exceptions.{lang}", [str(k) for k in (table or {})]
                                 if isinstance(table, dict) else [])
            out = {}
            for form, lemma in table.items():
                if not isinstance(form, str) or not isinstance(lemma, str) or not lemma.strip() or " " in form.strip():
                    self.fail("E305", f"lemma_exceptions.{lang}.{form}", "expected `form: lemma` (one word each)",
                              value={form: lemma}, hint="e.g. `sms: sms`")
                out[form.strip().lower()] = lemma.strip()
            cb.lemma_exceptions[lang] = out

        lex_raw = data.get("lexicons") or []
        if not isinstance(lex_raw, list):
            self.fail("E305", "lexicons", "expected a list of lexicon entries", value=lex_raw)
        base = path.parent if path else None
        cb.lexicons = [self.lexicon(e, f"lexicons[{i}]", cb.languages, cb.label_ids("emotion"), base)
                       for i, e in enumerate(lex_raw)]

        der_raw = data.get("derive") or []
        if not isinstance(der_raw, list):
            self.fail("E305", "derive", "expected a list of rules", value=der_raw)
        cb.derive = [self.derive_rule(e, f"derive[{i}]", cb) for i, e in enumerate(der_raw)]
        seen: set[str] = set()
        for i, r in enumerate(cb.derive):
            if r.id in seen:
                self.fail("E308", f"derive[{i}].id", "duplicate rule id", value=r.id, hint="give each rule its own id")
            seen.add(r.id)
        return cb


def _closest(key: str, allowed: list[str]) -> str | None:
    import difflib

    hit = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    return hit[0] if hit else None


def _read_lexicon(lex: LexiconSpec, src: Path, v: _Validator, keypath: str) -> None:
    """Read an emotion lexicon CSV into ``lex.entries``: word -> (emotion ids, polarity)."""
    if not src.is_file():
        v.fail("E310", f"{keypath}.path", f"lexicon file not found: {src}", value=str(src),
               hint="give a path relative to the codebook file or an absolute path")
    raw = src.read_bytes()
    lex.content_hash = hashlib.sha256(raw).hexdigest()[:16]
    try:
        text = raw.decode(lex.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        v.fail("E310", f"{keypath}.encoding", f"cannot decode {src.name}: {exc}", value=lex.encoding,
               hint="set `encoding:` (e.g. utf-8, latin-1)")
    text = text.lstrip("\ufeff")
    delim = lex.delimiter
    if not delim:
        first = text.split("\n", 1)[0]
        delim = max([",", ";", "\t"], key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    cols = reader.fieldnames or []

    def need(col: str | None, what: str) -> None:
        if col is not None and col not in cols:
            v.fail("E310", f"{keypath}.{what}", f"column {col!r} not found in {src.name}", value=col, allowed=cols,
                   hint=f"set `{what}:` to one of the file's columns")

    need(lex.word_column, "word_column")
    entries: dict[str, tuple[set[str], int]] = {}

    def truthy(x: Any) -> bool:
        return str(x).strip().lower() in ("1", "1.0", "true", "yes", "x", "oui")

    if lex.format == "wide":
        for col in lex.emotions:
            need(col, f"emotions.{col}")
        need(lex.positive, "positive")
        need(lex.negative, "negative")
        for row in reader:
            word = (row.get(lex.word_column) or "").strip().lower()
            if not word:
                continue
            emos = {dst for src_col, dst in lex.emotions.items() if truthy(row.get(src_col, ""))}
            pol = (1 if lex.positive and truthy(row.get(lex.positive, "")) else 0) - (
                1 if lex.negative and truthy(row.get(lex.negative, "")) else 0)
            if emos or pol:
                old = entries.get(word, (set(), 0))
                entries[word] = (old[0] | emos, pol or old[1])
    else:
        need(lex.emotion_column, "emotion_column")
        if lex.association_column is not None and lex.association_column not in cols:
            lex.association_column = None
        for row in reader:
            word = (row.get(lex.word_column) or "").strip().lower()
            emo = (row.get(lex.emotion_column) or "").strip()
            if not word or not emo:
                continue
            if lex.association_column is not None and not truthy(row.get(lex.association_column, "")):
                continue
            old = entries.get(word, (set(), 0))
            emos, pol = set(old[0]), old[1]
            if lex.positive and emo == lex.positive:
                pol = 1
            elif lex.negative and emo == lex.negative:
                pol = -1
            elif emo in lex.emotions:
                emos.add(lex.emotions[emo])
            entries[word] = (emos, pol)
    if not entries:
        v.fail("E310", f"{keypath}.path", f"no usable entries in {src.name}", value=str(src),
               hint="check `format`, the column names and the `emotions` mapping")
    lex.entries = {w: (tuple(sorted(e)), p) for w, (e, p) in entries.items()}


# --------------------------------------------------------------------------- loading


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook YAML file (the shipped default when ``path`` is None).

    Raises :class:`ConfigError` (E301 missing file, E302 YAML syntax, E303 unknown key,
    E304 missing key, E305 bad value, E306 bad regex, E307 schema version, E308 bad id,
    E309 bad pattern entry, E310 lexicon, E311 spaCy token pattern, E312 unknown label,
    E313 undeclared language).
    """
    p = Path(path) if path is not None else default_codebook_path()
    if p.is_dir():
        p = p / "codebook.yml"
    if not p.is_file():
        raise ConfigError("E301", "codebook file not found", path=p,
                          hint="check the path, or omit it to use the default codebook")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("E301", f"cannot read the codebook: {exc}", path=p, hint="save the file as UTF-8") from exc
    return codebook_from_text(text, path=p)


def codebook_from_text(text: str, path: str | Path | None = None) -> Codebook:
    """Validate YAML text as a codebook (``path`` is used in messages and to resolve lexicon paths)."""
    where = str(path) if path is not None else "<codebook>"
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError("E302", f"YAML syntax error: {problem}", path=where, line=line,
                          hint="check indentation and quote values containing ':' '#' or '{'") from exc
    v = _Validator(where, text)
    return v.codebook(data, Path(path) if path is not None else None)
