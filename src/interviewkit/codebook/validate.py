"""Strict validation of a parsed codebook file: precise :class:`ConfigError` (E3xx) with file, line and key path."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from interviewkit.codebook.book import Codebook
from interviewkit.codebook.lexicons import _read_lexicon
from interviewkit.codebook.heads import MODEL_FIELDS, LinearHead, file_hash, resolve_model_path
from interviewkit.codebook.model import DeriveRule, FieldSpec, Label, LexiconSpec, ModelSpec, Pattern
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
    MODEL_KEYS,
    NEGATION_POLICIES,
    PATTERN_KINDS,
    PATTERN_OPTION_KEYS,
    SCOPES,
    SETTABLE,
    SINGLE_FIELDS,
    TOP_KEYS,
)
from interviewkit.codebook.yamlio import _line_index
from interviewkit.errors import ConfigError


def token_pattern_digest(value: Any) -> str:
    """A key for a spaCy token pattern: patterns with the same key get the same validation result (for
    one spaCy version), so a caller may remember the valid ones and spare importing spaCy."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class _Validator:
    """Turns the raw YAML mapping into a :class:`Codebook`, raising precise ConfigErrors."""

    def __init__(self, where: str, lines: dict[str, int] | str, codebook: Codebook | None = None,
                 valid_token_patterns: set[str] | None = None) -> None:
        self.where = where
        self._lines = lines  # a key-path -> line map, or the YAML text to build it from when an error occurs
        self.cb = codebook
        self.valid_token_patterns = valid_token_patterns

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
        known = self.valid_token_patterns
        digest = token_pattern_digest(value)
        if known is not None and digest in known:
            return value
        from spacy.schemas import validate_token_pattern

        errors = validate_token_pattern(value)
        if errors:
            self.fail("E311", keypath, "invalid spaCy token pattern: " + "; ".join(errors[:3]), value=value,
                      hint="see https://spacy.io/usage/rule-based-matching#adding-patterns-attributes")
        if known is not None:
            known.add(digest)
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

    def model(self, entry: Any, keypath: str, languages: list[str], base: Path | None) -> ModelSpec:
        entry = self.mapping(entry, keypath, MODEL_KEYS, required=("id", "field", "path", "lang"))
        spec = ModelSpec(id=self.ident(entry["id"], f"{keypath}.id", "model id"), field=str(entry["field"]),
                         path=self.string(entry["path"], f"{keypath}.path", empty_ok=False),
                         lang=self.string(entry["lang"], f"{keypath}.lang"))
        if spec.field not in MODEL_FIELDS:
            self.fail("E314", f"{keypath}.field", "the model layer cannot vote on this field", value=spec.field,
                      allowed=list(MODEL_FIELDS), hint="models vote on the irritant field only")
        if spec.lang not in languages:
            self.fail("E313", f"{keypath}.lang", "language not declared in `languages`", value=spec.lang,
                      allowed=languages, hint="add it to `languages` or fix the code")
        if "weight" in entry:
            spec.weight = self.number(entry["weight"], f"{keypath}.weight", 0.0, 50.0)
        if "center" in entry:
            spec.center = self.number(entry["center"], f"{keypath}.center", 0.0, 1.0)
        if "note" in entry:
            spec.note = self.string(entry["note"], f"{keypath}.note")
        src = resolve_model_path(spec.path, base)
        if not src.is_file():
            self.fail("E314", f"{keypath}.path", f"model file not found: {src}", value=spec.path,
                      hint="a path relative to the codebook, an absolute path, or interviewkit:NAME for a shipped "
                           "model (e.g. interviewkit:irritant_e5_fr_v1.json)")
        try:
            spec.head = LinearHead.load(src)
        except ConfigError as exc:
            self.fail("E314", f"{keypath}.path", exc.message, value=spec.path, hint=exc.hint)
        if spec.head.field != spec.field:
            self.fail("E314", f"{keypath}.field", f"the model file predicts {spec.head.field!r}", value=spec.field,
                      allowed=[spec.head.field], hint="set `field` to what the model file predicts")
        spec.content_hash = file_hash(src)
        return spec

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
            elif key in ("no_stage", "no_channel", "emotion_by_default", "irritant_felt"):
                if not isinstance(val, bool):
                    self.fail("E305", kp, "expected true or false", value=val, allowed=[True, False])
                rule.when[key] = val
            elif key == "has_cues":
                rule.when[key] = self._label_list(val, kp, LABEL_FIELDS, what="field")
            elif key == "patterns":
                known = {pat.id for f in LABEL_FIELDS for lab in cb.labels[f].values()
                         for pats in lab.patterns.values() for pat in pats if pat.id}
                rule.when[key] = self._label_list(val, kp, sorted(known), what="pattern id",
                                                  hint="name patterns that carry an `id:` in `labels`")
            elif key == "cues":
                fields = self.mapping(val, kp, LABEL_FIELDS)
                rule.when[key] = {f: self._label_list(v, f"{kp}.{f}", cb.label_ids(f)) for f, v in fields.items()}
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

    def _label_list(self, val: Any, kp: str, allowed: Iterable[str], what: str = "label",
                    hint: str = "use ids defined in the codebook") -> list[str]:
        allowed = list(allowed)
        vals = [val] if isinstance(val, str) else val
        if not isinstance(vals, list) or not vals:
            self.fail("E305", kp, "expected a label id or a list of label ids", value=val, allowed=allowed)
        for v in vals:
            if v not in allowed:
                self.fail("E312", kp, f"unknown {what} {v!r}", value=v, allowed=allowed, hint=hint)
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
                        if p.valence is not None and fname == "irritant" and p.valence != 0:
                            self.fail("E303", f"labels.{fname}.{lid}.patterns.{lang}[{i}].valence",
                                      "on an irritant pattern `valence` can only be 0 (a pain point told without feeling)",
                                      value=p.valence, allowed=[0], hint="use 0, or remove the key")
                        elif p.valence is not None and fname not in ("emotion", "irritant"):
                            self.fail("E303", f"labels.{fname}.{lid}.patterns.{lang}[{i}].valence",
                                      "`valence` is only allowed on emotion patterns (and `valence: 0` on irritant patterns)",
                                      value="valence", hint="remove the key")

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

        mod_raw = data.get("models") or []
        if not isinstance(mod_raw, list):
            self.fail("E305", "models", "expected a list of model entries", value=mod_raw)
        cb.models = [self.model(e, f"models[{i}]", cb.languages, base) for i, e in enumerate(mod_raw)]
        ids = [m.id for m in cb.models]
        for i, mid in enumerate(ids):
            if mid in ids[:i]:
                self.fail("E308", f"models[{i}].id", "duplicate model id", value=mid, hint="give each model its own id")

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
