"""Measured detection quality on a seeded corpus (tests/data/pii/corpus.json shape).

Corpus JSON: ``{"known_people": {name: id}, "extra_names": [...], "sentences":
[{"id", "group": "pii" | "tricky", "text", "pii": [[kind, exact substring], ...]}]}``.

Per kind:
- recall: gold spans whose characters are all covered by detections of that kind;
- precision: detections of that kind overlapping a gold span of that kind;
- ``leaked``: gold spans (any kind) with a character covered by no detection at all;
- ``fp_tricky``: detections in the sentences that hold no personal data.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .text import KINDS, Span


def load_corpus(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def gold_spans(sentence: dict[str, Any]) -> list[Span]:
    """Gold spans of a corpus sentence: each substring is looked for after the previous one."""
    spans, pos = [], 0
    for kind, sub in sentence["pii"]:
        start = sentence["text"].find(sub, pos)
        if start < 0:
            raise ValueError(f"{sentence['id']}: {kind} text not found in the sentence")
        spans.append(Span(start, start + len(sub), kind, sub))
        pos = start + len(sub)
    return spans


def _covered(gold: Span, found: list[Span], kind: str | None) -> bool:
    chars = set(range(gold.start, gold.end))
    for s in found:
        if kind is None or s.kind == kind:
            chars -= set(range(s.start, s.end))
    return not chars


def _touches(gold: Span, found: list[Span]) -> bool:
    return any(s.start < gold.end and gold.start < s.end for s in found)


def evaluate(corpus: dict[str, Any], detections: list[list[Span]], groups: tuple[str, ...] = ("pii", "tricky")):
    """Per-kind figures (pandas DataFrame) and the list of misses and false alarms.

    ``detections[i]`` are the spans found in ``corpus["sentences"][i]``. The
    returned details hold sentence ids, kinds and offsets only. Only sentences
    of ``groups`` count (the corpus "limits" group holds known misses).
    """
    import pandas as pd

    rows = {k: {"kind": k, "gold": 0, "found": 0, "recalled": 0, "leaked": 0, "detected": 0,
                "true_positive": 0, "fp_tricky": 0} for k in KINDS}
    details: list[dict[str, Any]] = []
    for sentence, found in zip(corpus["sentences"], detections):
        if sentence.get("group", "pii") not in groups:
            continue
        gold = gold_spans(sentence)
        for g in gold:
            row = rows[g.kind]
            row["gold"] += 1
            if _covered(g, found, g.kind):
                row["recalled"] += 1
            else:
                details.append({"id": sentence["id"], "problem": "missed", "kind": g.kind,
                                "start": g.start, "end": g.end})
            if not _covered(g, found, None):
                row["leaked"] += 1
        for s in found:
            row = rows.setdefault(s.kind, {"kind": s.kind, "gold": 0, "found": 0, "recalled": 0, "leaked": 0,
                                           "detected": 0, "true_positive": 0, "fp_tricky": 0})
            row["detected"] += 1
            if _touches(s, [g for g in gold if g.kind == s.kind]):
                row["true_positive"] += 1
            else:
                details.append({"id": sentence["id"], "problem": "false alarm", "kind": s.kind,
                                "start": s.start, "end": s.end})
            if sentence.get("group") == "tricky":
                row["fp_tricky"] += 1
    table = pd.DataFrame(list(rows.values()))
    table["recall"] = (table["recalled"] / table["gold"]).where(table["gold"] > 0).round(3)
    table["precision"] = (table["true_positive"] / table["detected"]).where(table["detected"] > 0).round(3)
    table = table.drop(columns=["found"])
    return table[["kind", "gold", "recalled", "recall", "detected", "true_positive", "precision", "leaked",
                  "fp_tricky"]], details


def run_corpus(pseudonymiser, corpus: dict[str, Any], groups: tuple[str, ...] = ("pii", "tricky")):
    """Detect with ``pseudonymiser`` on every corpus sentence and :func:`evaluate`."""
    detections = pseudonymiser.detect_many([s["text"] for s in corpus["sentences"]])
    return evaluate(corpus, detections, groups)
