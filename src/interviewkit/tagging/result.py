"""What the tagger returns: :class:`TagResult` (one per segment) and the :class:`Cue` matches behind it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

EXPORT_COLUMNS = ("stage", "channel", "emotion", "valence", "irritant", "moments", "lane", "confidence", "evidence")
MULTI_FIELDS = ("stage", "channel", "moments")


@dataclass
class Cue:
    """One pattern match in a segment (or in its context).

    ``start``/``end`` are token offsets, ``start_char``/``end_char`` character
    offsets in the text the match was found in (the segment, or the context when
    ``source == "context"``). ``negated``/``intensified``/``downtoned`` are set by
    the negation and intensity layers; ``negated_by`` holds the negation cue text.
    """

    field: str
    label: str
    rule: str
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    weight: float = 1.0
    valence: int | None = None
    on_negation: str | None = None
    negated: bool = False
    negated_by: str | None = None
    intensified: bool = False
    downtoned: bool = False
    source: str = "segment"

    def evidence(self, field_name: str | None = None, label: str | None = None, weight: float | None = None) -> dict[str, Any]:
        ev: dict[str, Any] = {
            "field": field_name or self.field,
            "label": label if label is not None else self.label,
            "rule": self.rule,
            "start": self.start_char,
            "end": self.end_char,
            "text": self.text,
            "weight": round(self.weight if weight is None else weight, 2),
        }
        if self.negated:
            ev["negated"] = True
            if self.negated_by:
                ev["negated_by"] = self.negated_by
        if self.intensified:
            ev["intensified"] = True
        if self.source != "segment":
            ev["source"] = self.source
        return ev


@dataclass
class TagResult:
    """Journey tags of one segment, with a confidence per field and the evidence behind them.

    >>> r = TagResult(stage=["support"], channel=["phone"], emotion="anger", valence=-1, irritant=1,
    ...               moments=["irritating"], lane="customer", confidence={"stage": 0.8}, evidence=[])
    >>> r.to_row()["stage"], r.to_row()["channel"], r.to_row()["valence"]
    ('support', 'phone', -1)
    """

    stage: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    emotion: str = "neutral"
    valence: int = 0
    irritant: int = 0
    moments: list[str] = field(default_factory=list)
    lane: str = "customer"
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_row(self) -> dict[str, Any]:
        """Export columns: multi-valued ids ``;``-joined, confidence and evidence as compact JSON."""
        return {
            "stage": ";".join(self.stage),
            "channel": ";".join(self.channel),
            "emotion": self.emotion,
            "valence": int(self.valence),
            "irritant": int(self.irritant),
            "moments": ";".join(self.moments),
            "lane": self.lane,
            "confidence": json.dumps({k: round(float(v), 2) for k, v in self.confidence.items()},
                                     separators=(",", ":")),
            "evidence": json.dumps(self.evidence, ensure_ascii=False, separators=(",", ":")),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": list(self.stage), "channel": list(self.channel), "emotion": self.emotion,
            "valence": int(self.valence), "irritant": int(self.irritant), "moments": list(self.moments),
            "lane": self.lane, "confidence": dict(self.confidence), "evidence": list(self.evidence),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TagResult:
        """Inverse of :meth:`to_row` (tolerates missing confidence/evidence)."""

        def split(v: Any) -> list[str]:
            if v is None or (isinstance(v, float) and v != v):
                return []
            return [x.strip() for x in str(v).split(";") if x.strip()]

        def loads(v: Any, default: Any) -> Any:
            try:
                return json.loads(v) if isinstance(v, str) and v else default
            except ValueError:
                return default

        return cls(stage=split(row.get("stage")), channel=split(row.get("channel")),
                   emotion=str(row.get("emotion") or "neutral"), valence=int(row.get("valence") or 0),
                   irritant=int(row.get("irritant") or 0), moments=split(row.get("moments")),
                   lane=str(row.get("lane") or "customer"), confidence=loads(row.get("confidence"), {}),
                   evidence=loads(row.get("evidence"), []))
