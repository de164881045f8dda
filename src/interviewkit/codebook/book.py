"""The :class:`Codebook`: queries, content hash, YAML output and saving, and validated edits."""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from interviewkit.codebook.model import DeriveRule, FieldSpec, Label, LexiconSpec, ModelSpec, Pattern
from interviewkit.codebook.heads import PACKAGE_PREFIX, resolve_model_path
from interviewkit.codebook.schema import CODEBOOK_VERSION, CUE_KINDS, LABEL_FIELDS, PATTERN_KINDS
from interviewkit.codebook.yamlio import _Dumper, _flowify
from interviewkit.errors import ConfigError


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
        self.models: list[ModelSpec] = []
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
        """Content hash (16 hex chars) of the codebook, its lexicon and model files; changes on any edit."""
        payload = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(payload.encode("utf-8"))
        for lex in self.lexicons:
            digest.update(lex.content_hash.encode("ascii"))
        for mod in self.models:
            digest.update(mod.content_hash.encode("ascii"))
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
        if self.models:
            out["models"] = [m.to_obj() for m in self.models]
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
            for mod in clone.models:
                if not mod.path.startswith(PACKAGE_PREFIX):
                    src = resolve_model_path(mod.path, self.path.parent if self.path else None)
                    dest_name = f"model_{mod.id}_{Path(mod.path).name}"
                    (path.parent / dest_name).write_bytes(src.read_bytes())
                    mod.path = dest_name
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
        from interviewkit.codebook.validate import _Validator  # validate imports this module

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
        from interviewkit.codebook.validate import _Validator  # validate imports this module

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
