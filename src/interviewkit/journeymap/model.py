"""The journey map model: a persona's map is a grid of cells (lanes x stages), each cell holds items.

Every item carries the ids of the segments it rests on (``segment_ids``) and
the distinct participants behind them; opportunities are the only items that
are not evidence (``is_evidence = False``): they are drafted suggestions the
team completes. A cell with too little evidence keeps its counts and segment
ids, holds no item, and says so in ``note``.

>>> cell = Cell(stage="purchase", lane="touchpoints", segment_ids=["s1", "s2"], participants=["P01"])
>>> cell.n_segments, cell.n_participants, cell.status
(2, 1, 'draft')
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from ..errors import InterviewkitError

SCHEMA_VERSION = "1.0"
ALL_PARTICIPANTS = "Tous les participants"

# Codebook order and French labels (the shipped journey codebook; tests keep them in sync).
STAGES = ("discover", "consider", "purchase", "deliver", "use", "support", "leave")
STAGE_LABELS = {
    "discover": "Découverte", "consider": "Considération", "purchase": "Achat",
    "deliver": "Livraison / réalisation", "use": "Usage", "support": "Assistance / SAV",
    "leave": "Fidélité / départ",
}
CHANNELS = ("web", "app", "email", "phone", "store", "chat", "sms", "social", "mail")
CHANNEL_LABELS = {
    "web": "Site web", "app": "Application mobile", "email": "E-mail", "phone": "Téléphone",
    "store": "Lieu physique", "chat": "Chat / messagerie", "sms": "SMS", "social": "Réseaux sociaux",
    "mail": "Courrier postal",
}
EMOTIONS = ("joy", "trust", "surprise", "anger", "sadness", "fear", "confusion", "neutral")
EMOTION_LABELS = {
    "joy": "Joie / satisfaction", "trust": "Confiance / réassurance", "surprise": "Surprise",
    "anger": "Colère / frustration", "sadness": "Tristesse / déception", "fear": "Peur / inquiétude",
    "confusion": "Confusion / incompréhension", "neutral": "Neutre",
}
MOMENTS = ("moment_of_truth", "enchanting", "irritating", "breaking_point")
MOMENT_LABELS = {
    "moment_of_truth": "Moment de vérité", "enchanting": "Moment enchanteur",
    "irritating": "Moment irritant", "breaking_point": "Point de rupture",
}
SEGMENT_LANES = ("customer", "frontstage", "backstage")

# Rows of the map.
LANES = ("actions", "touchpoints", "emotions", "irritants", "moments", "backstage", "opportunities")
LANE_LABELS = {
    "actions": "Actions et objectifs", "touchpoints": "Points de contact", "emotions": "Émotions",
    "irritants": "Irritants", "moments": "Moments clés", "backstage": "Coulisses (back-office)",
    "opportunities": "Opportunités (brouillon)",
}
CELL_STATUSES = ("draft", "approved", "edited")
NOTE_TOO_LITTLE = "pas assez d'éléments"
NOTE_NOTHING = "aucun élément"
OPPORTUNITY_NOTE = "Suggestions à compléter par l'équipe : ce ne sont pas des constats."


class MapError(InterviewkitError):
    """Bad evidence frame, parameter or edit for journey maps (codes E9xx)."""


def fingerprint(values: list[str]) -> str:
    """Short stable hash of a list of ids (order-insensitive)."""
    return hashlib.sha256("\n".join(sorted(values)).encode("utf-8")).hexdigest()[:16]


@dataclass
class Quote:
    """A verbatim: the segment text with its participant pseudonym and segment id."""

    segment_id: str
    participant: str
    text: str
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"segment_id": self.segment_id, "participant": self.participant, "text": self.text,
                "truncated": self.truncated}


@dataclass(kw_only=True)
class Item:
    """One entry of a cell; ``key`` is stable across rebuilds (edits target it)."""

    key: str
    label: str
    segment_ids: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    hidden: bool = False
    edited: bool = False
    generated_label: str | None = None
    edit_ids: list[int] = field(default_factory=list)

    kind: ClassVar[str] = "item"
    is_evidence: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.generated_label is None:
            self.generated_label = self.label

    @property
    def n_segments(self) -> int:
        return len(self.segment_ids)

    @property
    def n_participants(self) -> int:
        return len(self.participants)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "is_evidence": self.is_evidence}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = [q.to_dict() for q in value] if f.name == "quotes" else value
        out["n_segments"] = self.n_segments
        out["n_participants"] = self.n_participants
        return out


@dataclass(kw_only=True)
class ActionItem(Item):
    """A customer action or goal: verb lemma + complement, grouped by lemma key."""

    verb: str = ""
    variants: list[str] = field(default_factory=list)
    kind: ClassVar[str] = "action"


@dataclass(kw_only=True)
class TouchpointItem(Item):
    channel: str = ""
    kind: ClassVar[str] = "touchpoint"


@dataclass(kw_only=True)
class EmotionItem(Item):
    """``key == "valence"``: the stage's mean valence; ``key == "emotion:<id>"``: a dominant emotion."""

    emotion: str | None = None
    mean_valence: float | None = None
    std_valence: float | None = None
    kind: ClassVar[str] = "emotion"


@dataclass(kw_only=True)
class IrritantItem(Item):
    """Grouped by BERTopic topic (``grouping="topic"``), else by action (``"action"``), else ``"other"``."""

    grouping: str = "topic"
    topic_id: int | None = None
    topic_label: str | None = None
    kind: ClassVar[str] = "irritant"


@dataclass(kw_only=True)
class MomentItem(Item):
    moment: str = ""
    kind: ClassVar[str] = "moment"


@dataclass(kw_only=True)
class BackstageItem(Item):
    grouping: str = "action"
    kind: ClassVar[str] = "backstage"


@dataclass(kw_only=True)
class OpportunityItem(Item):
    """A drafted suggestion (template sentence), never evidence; ``based_on`` names its source items."""

    draft: bool = True
    source: str = "generated"  # or "researcher" (added by an edit)
    based_on: list[dict[str, Any]] = field(default_factory=list)
    source_segment_ids: list[str] = field(default_factory=list)
    kind: ClassVar[str] = "opportunity"
    is_evidence: ClassVar[bool] = False


@dataclass
class Cell:
    """The (stage, lane) cell: its evidence segments, items shown, items left out, status and note."""

    stage: str
    lane: str
    items: list[Item] = field(default_factory=list)
    segment_ids: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    status: str = "draft"
    note: str | None = None
    sufficient: bool = True
    more_items: list[Item] = field(default_factory=list)
    edit_ids: list[int] = field(default_factory=list)
    review_note: str | None = None

    @property
    def n_segments(self) -> int:
        return len(self.segment_ids)

    @property
    def n_participants(self) -> int:
        return len(self.participants)

    @property
    def visible_items(self) -> list[Item]:
        return [i for i in self.items if not i.hidden]

    @property
    def fingerprint(self) -> str:
        """Hash of the evidence and item keys: an approval recorded with it goes stale when it changes."""
        return fingerprint(self.segment_ids + ["item:" + i.key for i in self.items])

    def find(self, key: str) -> Item | None:
        for item in self.items + self.more_items:
            if item.key == key:
                return item
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage, "lane": self.lane, "status": self.status, "note": self.note,
            "review_note": self.review_note, "sufficient": self.sufficient,
            "n_segments": self.n_segments, "n_participants": self.n_participants,
            "segment_ids": list(self.segment_ids), "participants": list(self.participants),
            "items": [i.to_dict() for i in self.items], "n_more_items": len(self.more_items),
            "edit_ids": list(self.edit_ids), "fingerprint": self.fingerprint,
        }


@dataclass
class SegmentRef:
    """A segment the map refers to (evidence appendix)."""

    segment_id: str
    participant: str
    document: str
    text: str
    turn_index: int | None = None
    segment_index: int | None = None
    start: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"segment_id": self.segment_id, "participant": self.participant, "document": self.document,
                "turn_index": self.turn_index, "segment_index": self.segment_index, "start": self.start,
                "text": self.text}


@dataclass
class JourneyMap:
    """One persona's draft journey map (``persona == ALL_PARTICIPANTS`` for everyone)."""

    persona: str
    stages: list[str]
    lanes: list[str]
    cells: list[Cell]
    participants: list[str]
    segments: dict[str, SegmentRef]
    schema_version: str = SCHEMA_VERSION
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    evidence_fingerprint: str = ""
    n_segments_without_stage: int = 0
    applied_edits: list[int] = field(default_factory=list)
    orphaned_edits: list[dict[str, Any]] = field(default_factory=list)
    stale_edits: list[int] = field(default_factory=list)

    def cell(self, stage: str, lane: str) -> Cell:
        for c in self.cells:
            if c.stage == stage and c.lane == lane:
                return c
        raise MapError("E908", "no such cell on the map", value=(stage, lane),
                       allowed=[f"{s}/{l}" for s in self.stages for l in self.lanes])

    def has_cell(self, stage: str, lane: str) -> bool:
        return stage in self.stages and lane in self.lanes

    @property
    def n_segments(self) -> int:
        """Distinct evidence segments placed on the map."""
        return len({s for c in self.cells for s in c.segment_ids})

    def stage_label(self, stage: str) -> str:
        return self.labels.get("stages", {}).get(stage, stage)

    def lane_label(self, lane: str) -> str:
        return self.labels.get("lanes", {}).get(lane, lane)

    def emotion_curve(self) -> list[dict[str, Any]]:
        """Per stage: mean valence, std and participants (``mean`` None when the cell lacks evidence)."""
        out = []
        for stage in self.stages:
            cell = self.cell(stage, "emotions") if "emotions" in self.lanes else None
            item = cell.find("valence") if cell is not None else None
            ok = isinstance(item, EmotionItem) and not item.hidden and item in cell.items
            out.append({
                "stage": stage, "label": self.stage_label(stage),
                "mean": item.mean_valence if ok else None, "std": item.std_valence if ok else None,
                "n_participants": item.n_participants if ok else (cell.n_participants if cell else 0),
            })
        return out

    def quoted_segment_ids(self) -> list[str]:
        """Segments quoted in visible items, in map order (the evidence appendix)."""
        seen: dict[str, None] = {}
        for lane in self.lanes:
            for stage in self.stages:
                for item in self.cell(stage, lane).visible_items:
                    for q in item.quotes:
                        seen.setdefault(q.segment_id, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version, "persona": self.persona,
            "stages": [{"id": s, "label": self.stage_label(s)} for s in self.stages],
            "lanes": [{"id": l, "label": self.lane_label(l)} for l in self.lanes],
            "participants": list(self.participants), "n_segments": self.n_segments,
            "n_segments_without_stage": self.n_segments_without_stage,
            "parameters": dict(self.parameters), "warnings": list(self.warnings),
            "evidence_fingerprint": self.evidence_fingerprint,
            "emotion_curve": self.emotion_curve(),
            "cells": [c.to_dict() for c in self.cells],
            "segments": [self.segments[k].to_dict() for k in sorted(self.segments)],
            "applied_edits": list(self.applied_edits), "orphaned_edits": list(self.orphaned_edits),
            "stale_edits": list(self.stale_edits),
        }
