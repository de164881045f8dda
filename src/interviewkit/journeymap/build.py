"""``build_maps``: one draft journey map per persona, plus "Tous les participants".

Store-independent: the input is the evidence DataFrame described in
:mod:`.evidence`; the output is deterministic (same evidence, same maps,
whatever the row order). A segment tagged with several stages counts in each;
a segment without a stage is not placed (the map reports how many).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pandas as pd

from .evidence import prepare_evidence
from .lanes import Context, Options, actions_cell, backstage_cell, emotions_cell, touchpoints_cell
from .lanes_issues import irritants_cell, moments_cell, opportunities_cell
from .model import (
    ALL_PARTICIPANTS, CHANNEL_LABELS, EMOTION_LABELS, LANE_LABELS, LANES, MOMENT_LABELS, SCHEMA_VERSION,
    STAGE_LABELS, STAGES, Cell, JourneyMap, MapError, SegmentRef, fingerprint,
)
from .phrases import Phrase, PhraseExtractor, default_extractor

_FRENCH = {"fr", "", None}


def persona_sort_key(name: str) -> tuple[str, str]:
    """Accent- and case-insensitive order ("Étudiant" sorts with "E")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold(), name


def build_maps(
    evidence_df: pd.DataFrame,
    personas: Sequence[str] | None = None,
    min_participants: int = 2,
    min_segments: int = 3,
    *,
    max_items: int = 5,
    max_quotes: int = 2,
    min_item_participants: int = 1,
    emotion_basis: str = "expressive",
    quote_max_chars: int = 280,
    persona_column: str = "persona",
    include_all: bool = True,
    stages: Sequence[str] | None = None,
    stage_labels: dict[str, str] | None = None,
    extractor: PhraseExtractor | None = None,
) -> dict[str, JourneyMap]:
    """Maps keyed by persona name: "Tous les participants" first, then personas (alphabetical).

    ``personas`` restricts the personas built (unknown names raise E906);
    ``persona_column`` picks another participant attribute to split on.
    Thresholds: a cell needs ``min_participants`` distinct participants AND
    ``min_segments`` segments, else it holds no item and says so.
    """
    opts = _options(min_participants, min_segments, max_items, max_quotes, min_item_participants,
                    emotion_basis, quote_max_chars)
    stage_ids = list(stages) if stages is not None else list(STAGES)
    labels = {
        "stages": {s: (stage_labels or {}).get(s, STAGE_LABELS.get(s, s)) for s in stage_ids},
        "lanes": dict(LANE_LABELS), "channels": dict(CHANNEL_LABELS), "emotions": dict(EMOTION_LABELS),
        "moments": dict(MOMENT_LABELS),
    }
    df, warnings = prepare_evidence(evidence_df, stages=stage_ids, persona_column=persona_column)
    known = sorted({p for p in df["persona"] if p is not None}, key=persona_sort_key)
    if ALL_PARTICIPANTS in known:
        raise MapError("E906", f"a persona may not be called « {ALL_PARTICIPANTS} » (reserved for the overall map)",
                       value=ALL_PARTICIPANTS, hint="rename that persona in the participants file")
    if personas is None:
        chosen = known
    else:
        unknown = [p for p in personas if p not in known and p != ALL_PARTICIPANTS]
        if unknown:
            raise MapError("E906", "unknown persona", value=unknown[0], allowed=known,
                           hint="use a persona of the participants file (or None for all)")
        chosen = [p for p in known if p in set(personas)]
    phrases, phrase_warnings = _phrases(df, extractor)
    warnings = warnings + phrase_warnings
    has_topics = bool(df["topic_id"].map(lambda v: v is not None and v != -1).any()
                      or df["topic_label"].map(bool).any())
    if not has_topics and bool(df["irritant"].any()):
        warnings.append("Thèmes d'irritants absents : les irritants sont regroupés par action.")
    parameters = {
        "min_participants": opts.min_participants, "min_segments": opts.min_segments,
        "max_items": opts.max_items, "max_quotes": opts.max_quotes,
        "min_item_participants": opts.min_item_participants, "emotion_basis": opts.emotion_basis,
        "quote_max_chars": opts.quote_max_chars, "persona_column": persona_column,
    }
    out: dict[str, JourneyMap] = {}
    targets = ([ALL_PARTICIPANTS] if include_all else []) + chosen
    for persona in targets:
        rows = df if persona == ALL_PARTICIPANTS else df[df["persona"] == persona]
        ctx = Context(options=opts, phrases=phrases, has_topics=has_topics)
        out[persona] = build_map(rows, persona, stage_ids, labels, ctx, parameters, list(warnings))
    return out


def _options(min_participants, min_segments, max_items, max_quotes, min_item_participants, emotion_basis,
             quote_max_chars) -> Options:
    for name, value, lo in (("min_participants", min_participants, 1), ("min_segments", min_segments, 1),
                            ("max_items", max_items, 1), ("max_quotes", max_quotes, 0),
                            ("min_item_participants", min_item_participants, 1),
                            ("quote_max_chars", quote_max_chars, 40)):
        if not isinstance(value, int) or isinstance(value, bool) or value < lo:
            raise MapError("E907", f"{name} must be an integer >= {lo}", value=value,
                           hint=f"pass {name}={max(lo, 2) if 'min' in name else 5}")
    if emotion_basis not in ("expressive", "all"):
        raise MapError("E907", "unknown emotion_basis", value=emotion_basis, allowed=("expressive", "all"))
    return Options(min_participants, min_segments, max_items, max_quotes, min_item_participants,
                   emotion_basis, quote_max_chars)


def _phrases(df: pd.DataFrame, extractor: PhraseExtractor | None) -> tuple[dict[str, tuple[Phrase, ...]], list[str]]:
    """Action phrases of French segments that sit at a stage (the only ones a map uses)."""
    staged = df[df["stage"].map(len) > 0]
    warnings = []
    if "language" in staged.columns:
        lang = staged["language"].map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v))
        other = staged[~lang.isin(_FRENCH)]
        staged = staged[lang.isin(_FRENCH)]
        if len(other):
            warnings.append(f"{len(other)} segments non francophones : aucune action extraite de ces segments.")
    if staged.empty:
        return {}, warnings
    extractor = extractor or default_extractor()
    found = extractor.extract(staged["text"].tolist())
    return dict(zip(staged["segment_id"], found)), warnings


def build_map(rows: pd.DataFrame, persona: str, stages: list[str], labels: dict, ctx: Context,
              parameters: dict, warnings: list[str]) -> JourneyMap:
    """One persona's map from its prepared evidence rows."""
    cells: list[Cell] = []
    by_stage = {s: rows.loc[rows["stage"].map(lambda v, s=s: s in v).astype(bool).to_numpy()] for s in stages}
    for stage in stages:
        sub = by_stage[stage]
        ctx.stage_label = labels["stages"][stage]
        built = {
            "actions": actions_cell(stage, sub, ctx),
            "touchpoints": touchpoints_cell(stage, sub, ctx),
            "emotions": emotions_cell(stage, sub, ctx),
            "irritants": irritants_cell(stage, sub, ctx),
            "moments": moments_cell(stage, sub, ctx),
            "backstage": backstage_cell(stage, sub, ctx),
        }
        built["opportunities"] = opportunities_cell(stage, built["irritants"], built["moments"], sub, ctx)
        cells.extend(built[lane] for lane in LANES)
    order = {lane: i for i, lane in enumerate(LANES)}
    cells.sort(key=lambda c: (order[c.lane], stages.index(c.stage)))
    referenced: set[str] = set()
    for c in cells:
        referenced.update(c.segment_ids)
        for item in c.items + c.more_items:
            referenced.update(item.segment_ids)
            referenced.update(q.segment_id for q in item.quotes)
    lookup = rows[rows["segment_id"].isin(referenced)]
    segments = {
        r.segment_id: SegmentRef(segment_id=r.segment_id, participant=r.participant, document=r.document,
                                 text=r.text, turn_index=r.turn_index, segment_index=r.segment_index, start=r.start)
        for r in lookup.itertuples(index=False)
    }
    tag_cols = ["segment_id", "stage", "channel", "emotion", "valence", "irritant", "moments", "lane",
                "topic_id", "topic_label", "text"]
    signature = ["|".join(map(str, r)) for r in rows[tag_cols].itertuples(index=False)]
    return JourneyMap(
        persona=persona, stages=list(stages), lanes=list(LANES), cells=cells,
        participants=sorted({str(p) for p in rows["participant"]}), segments=segments,
        schema_version=SCHEMA_VERSION, labels=labels, parameters=dict(parameters), warnings=warnings,
        evidence_fingerprint=fingerprint(signature),
        n_segments_without_stage=int((rows["stage"].map(len) == 0).sum()),
    )
