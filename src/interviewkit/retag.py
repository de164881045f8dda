"""Selective re-tagging after a codebook edit.

Every run that tags something keeps a snapshot of its codebook (its dict form and lexicon content
hashes) in ``PROJECT/cache/codebooks/<hash>.json``. When segments were last tagged with codebook A
and the run uses codebook B, :func:`pattern_diff` compares the two snapshots:

* when they differ only in label patterns (added, removed, modified, ignoring the version, names,
  descriptions and label titles, which no rule reads), a segment's tags can change only if a changed
  pattern (an old one or a new one) matches the segment or its context. A probe index compiled from
  the changed patterns alone finds those candidates on the cached Docs; only they are annotated with
  codebook B, every other auto tag row is carried over to B's hash in SQL;
* anything else (cues, fields, thresholds, derive rules, lexicons, model heads, lemma exceptions, label set or
  order, the codebook format, the source of the rule layers in ``tagging/``), or a missing snapshot:
  every segment is annotated again.

Rule ids of patterns without an ``id`` are their index in the label, so removing a pattern changes
the ids of the patterns after it: those count as changed too (the diff is on (rule id, pattern)).
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

SNAPSHOT_DIR = "codebooks"
_PATTERN_OPTIONS = ("weight", "id", "on_negation", "valence", "scope", "window", "note", "pseudo")
_IGNORED_TOP = ("version", "name", "description")
_LABEL_TEXT = ("label_fr", "label_en", "description_fr", "description_en")


# ---------------------------------------------------------------------------------------- snapshots

def _snapshot_path(project, book_hash: str):
    return project.cache_dir / SNAPSHOT_DIR / f"{book_hash}.json"


def save_snapshot(project, book) -> None:
    """Keep ``book``'s dict form and lexicon hashes under ``cache/codebooks/<hash>.json`` (once per hash)."""
    path = _snapshot_path(project, book.hash)
    if path.is_file():
        return
    data = {"hash": book.hash, "codebook": book.to_dict(),
            "lexicon_hashes": [lex.content_hash for lex in book.lexicons],
            "model_hashes": [m.content_hash for m in getattr(book, "models", [])], "rules_source": rules_source()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")  # keeps label order
    tmp.replace(path)


def load_snapshot(project, book_hash: str) -> dict | None:
    """The snapshot saved for ``book_hash``, or None (never saved, deleted, unreadable)."""
    try:
        data = json.loads(_snapshot_path(project, book_hash).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("hash") == book_hash else None


def _snapshot_of(book) -> dict:
    return {"hash": book.hash, "codebook": json.loads(json.dumps(book.to_dict(), default=str)),
            "lexicon_hashes": [lex.content_hash for lex in book.lexicons],
            "model_hashes": [m.content_hash for m in getattr(book, "models", [])], "rules_source": rules_source()}


@lru_cache(maxsize=1)
def rules_source() -> str:
    """Hash of the rule layers' source files (``tagging/`` and ``wordmatch/``): rows tagged by other code
    are never carried over."""
    digest = hashlib.sha1()
    root = Path(__file__).resolve().parent
    for path in sorted([*(root / "tagging").glob("*.py"), *(root / "wordmatch").glob("*.py")]):
        digest.update(path.parent.name.encode("utf-8") + path.name.encode("utf-8") + path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------- diff

def _skeleton(snap: dict) -> dict:
    """Everything a rule reads except the label patterns."""
    cb = copy.deepcopy(snap["codebook"])
    for key in _IGNORED_TOP:
        cb.pop(key, None)
    for lex in cb.get("lexicons", []):
        lex.pop("path", None)  # saving a codebook copies its lexicon files; their contents are hashed apart
    for mod in cb.get("models", []):
        mod.pop("path", None)
    for labels in cb.get("labels", {}).values():
        for lab in labels.values():
            lab.pop("patterns", None)
            for key in _LABEL_TEXT:
                lab.pop(key, None)
    # label order matters to the decision (ties, sorting): keep it explicitly
    cb["label_order"] = {f: list(labels) for f, labels in snap["codebook"].get("labels", {}).items()}
    return {"codebook": cb, "lexicon_hashes": snap.get("lexicon_hashes", []),
            "model_hashes": snap.get("model_hashes", []), "rules_source": snap.get("rules_source")}


def _rule_items(snap: dict) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(field, label, lang) -> [(rule id, pattern as JSON)] in codebook order (rule ids as the tagger makes them)."""
    out: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for fname, labels in snap["codebook"].get("labels", {}).items():
        for lid, lab in labels.items():
            for lang, pats in (lab.get("patterns") or {}).items():
                items = []
                for i, obj in enumerate(pats):
                    pid = obj.get("id") if isinstance(obj, dict) else None
                    rule = f"{fname}.{lid}.{pid}" if pid else f"{fname}.{lid}.{lang}[{i}]"
                    items.append((rule, json.dumps(obj, sort_keys=True, ensure_ascii=False)))
                out[(fname, lid, lang)] = items
    return out


def _common_order(items: list, common: Counter) -> list:
    left, out = Counter(common), []
    for x in items:
        if left[x] > 0:
            left[x] -= 1
            out.append(x)
    return out


def pattern_diff(old: dict, new: dict) -> dict[str, list[tuple[str, str, Any]]] | None:
    """lang -> changed patterns ``(field, label, pattern obj)`` (old removed ones and new added ones)
    between two snapshots; None when anything other than label patterns changed."""
    if old.get("codebook", {}).get("codebook_version") != new["codebook"].get("codebook_version"):
        return None
    if json.dumps(_skeleton(old), sort_keys=True) != json.dumps(_skeleton(new), sort_keys=True):
        return None
    before, after = _rule_items(old), _rule_items(new)
    changed: dict[str, list[tuple[str, str, Any]]] = {}
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, []), after.get(key, [])
        common = Counter(a) & Counter(b)
        if _common_order(a, common) != _common_order(b, common):
            return None  # unchanged patterns moved: the match order may change
        for item in list((Counter(a) - common).elements()) + list((Counter(b) - common).elements()):
            changed.setdefault(key[2], []).append((key[0], key[1], json.loads(item[1])))
    return changed


def _pattern(obj: Any):
    """A :class:`~interviewkit.codebook.Pattern` from its YAML form (as :meth:`Pattern.to_obj` writes it)."""
    from .codebook import Pattern

    if isinstance(obj, str):
        return Pattern(kind="term", value=obj)
    opts = {k: v for k, v in obj.items() if k in _PATTERN_OPTIONS}
    (kind, value), = [(k, v) for k, v in obj.items() if k not in _PATTERN_OPTIONS]
    return Pattern(kind=kind, value=value, **opts)


def probe_index(book, lang: str, changes: list[tuple[str, str, Any]], nlp):
    """A pattern index holding only ``changes`` (no lexicons), on ``book``'s lemma exceptions and cues."""
    from .tagging import JourneyTagger

    probe = copy.copy(book)
    probe.lexicons = []
    probe.labels = {f: {lid: replace(lab, patterns={}) for lid, lab in labels.items()}
                    for f, labels in book.labels.items()}
    for fname, lid, obj in changes:
        probe.labels[fname][lid].patterns.setdefault(lang, []).append(_pattern(obj))
    return JourneyTagger(codebook=probe, lang=lang, model="", profile="lookup", nlp=nlp).annotator.index


# ---------------------------------------------------------------------------------------- selection

def select_for_edit(project, plan, lang: str, tasks: list, get_nlp: Callable[[], Any], cache, report, doc_reader,
                    key_reader=None, split_words: set[str] | None = None) -> list:
    """The tasks of ``tasks`` to annotate; the others (codebook-only changes whose changed patterns match
    neither the segment nor its context) get their auto tag row carried over to the plan's codebook.

    ``key_reader(cache, hashes)`` (text hash -> the strings of its cached Doc) and ``split_words`` (the
    tokenizer's special cases) let :mod:`interviewkit.retag_prefilter` decide most segments first;
    ``get_nlp()`` is called only when some segment needs the exact probe."""
    prev = plan.prev_codebook
    by_old: dict[str, list] = {}
    for t in tasks:
        if t.segment_id in prev:
            by_old.setdefault(prev[t.segment_id], []).append(t)
    if not by_old:
        return tasks
    t0 = time.perf_counter()
    new_snap = _snapshot_of(plan.book)
    carry: list[tuple[str, str, str]] = []  # (segment id, old hash, text hash)
    modes = set()
    for old_hash, group in by_old.items():
        old_snap = load_snapshot(project, old_hash)
        diff = pattern_diff(old_snap, new_snap) if old_snap is not None else None
        if diff is None:
            modes.add("full")
            continue
        modes.add("selective")
        changes = diff.get(lang, [])
        if not changes:
            carry.extend((t.segment_id, old_hash, t.text_hash) for t in group)
            continue
        if key_reader is not None:
            group = _prefilter(project, plan.book, lang, changes, group, cache, key_reader, split_words,
                               lambda t, h=old_hash: carry.append((t.segment_id, h, t.text_hash)))
            report.probed += len(group)
            if not group:
                continue
        nlp = get_nlp()
        index = probe_index(plan.book, lang, changes, nlp)
        for start in range(0, len(group), 500):
            batch = group[start:start + 500]
            hashes = {t.text_hash for t in batch} | {t.context_hash for t in batch if t.context_hash}
            docs = doc_reader(cache, list(hashes), nlp.vocab)
            fields = {h: {m.meta.field for m in index(d)} for h, d in docs.items()}
            for t in batch:
                own = bool(fields[t.text_hash]) if t.text_hash in fields else None
                ctx = _context_hit(fields.get(t.context_hash)) if t.context_hash else False
                if own is None or own or ctx:  # a Doc not cached counts as a candidate
                    report.candidates += 1
                else:
                    carry.append((t.segment_id, old_hash, t.text_hash))
    carried_ids = {c[0] for c in carry}
    report.add_time("probe", time.perf_counter() - t0)
    t1 = time.perf_counter()
    carry_over(project, carry, report.run_id, plan.codebook.hash, plan.pipeline_ids[lang])
    report.add_time("write", time.perf_counter() - t1)
    report.carried += len(carry)
    report.retag_mode = _mode(report.retag_mode, modes)
    return [t for t in tasks if t.segment_id not in carried_ids]


def _prefilter(project, book, lang: str, changes: list, group: list, cache, key_reader, split_words,
               carry: Callable[[Any], None]) -> list:
    """The tasks of ``group`` the spaCy-free conditions cannot rule out; ``carry(task)`` for the others."""
    from .retag_prefilter import KeyFilter, doc_keys
    from .wordmatch.specs import WordSpecs

    exceptions = book.exceptions(lang)
    patterns = [(field, p.kind, p.value) for field, _label, obj in changes for p in (_pattern(obj),)]
    flt = KeyFilter.build(patterns, WordSpecs(lang, exceptions), split_words)
    if flt is None:
        return group
    maybe = []
    for start in range(0, len(group), 2000):
        batch = group[start:start + 2000]
        hashes = list({t.text_hash for t in batch} | {t.context_hash for t in batch if t.context_hash})
        texts = _texts_by_hash(project, hashes) if flt.needs_text else {}
        fields = {h: flt.fields(doc_keys(strings, exceptions), texts.get(h))
                  for h, strings in key_reader(cache, hashes).items()}
        for t in batch:
            own = fields.get(t.text_hash)
            ctx = fields.get(t.context_hash, True) if t.context_hash else False  # any field: the probe narrows
            if own is None or own or ctx:
                maybe.append(t)
            else:
                carry(t)
    return maybe


def _texts_by_hash(project, hashes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(project.conn.execute(f"SELECT text_hash, text FROM segments WHERE text_hash IN ({marks})", chunk))
    return out


def _context_hit(fields: set[str] | None) -> bool:
    """Whether changed patterns found in a context Doc can matter: the context is read for
    ``CONTEXT_FIELDS`` only (any field when that name is gone); a Doc not cached counts."""
    try:
        from .tagging.annotator import CONTEXT_FIELDS
    except ImportError:  # pragma: no cover - be safe if the tagger stops naming them
        return fields is None or bool(fields)
    return fields is None or bool(fields & set(CONTEXT_FIELDS))


def _mode(current: str, modes: set[str]) -> str:
    modes = modes | ({current} if current else set())
    return modes.pop() if len(modes) == 1 else "mixed"


def carry_over(project, rows: Iterable[tuple[str, str, str]], run_id: int, codebook_hash: str, pipeline_id: str,
               batch: int = 2000) -> None:
    """Move auto tag rows ``(segment id, old codebook hash, text hash)`` to ``codebook_hash`` and this run,
    unchanged otherwise (a row re-tagged meanwhile, another text or pipeline, is left alone)."""
    rows = list(rows)
    for i in range(0, len(rows), batch):
        with project.transaction():
            project.conn.executemany(
                "UPDATE auto_tags SET codebook_hash = ?, run_id = ? WHERE segment_id = ? AND codebook_hash = ?"
                " AND text_hash = ? AND pipeline_id = ?",
                [(codebook_hash, run_id, sid, old, th, pipeline_id) for sid, old, th in rows[i:i + batch]])
