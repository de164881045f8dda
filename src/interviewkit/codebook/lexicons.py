"""Import of external emotion lexicons (CSV, wide or long format) into a :class:`LexiconSpec`."""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewkit.codebook.model import LexiconSpec

if TYPE_CHECKING:
    from interviewkit.codebook.validate import _Validator


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
