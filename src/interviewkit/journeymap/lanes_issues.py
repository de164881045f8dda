"""Irritants, key moments and drafted opportunities of a stage.

Irritants are grouped by their BERTopic topic (``topic_id`` >= 0 or a
``topic_label``); irritant segments without a topic (outliers, topics not
computed) are grouped by their main action phrase instead, and the item says
so (``grouping="action"``); what has neither lands in "Autres irritants".

Opportunities are *drafts*: a French template sentence built from the top
irritants and from breaking points, ending with "…" for the team to complete.
They are never evidence (``is_evidence=False``) and keep the source items they
come from in ``based_on``.
"""
from __future__ import annotations

import pandas as pd

from .lanes import Context, best_label, group_rows, item_fields, judge, new_cell, rank_items, records
from .model import (
    MOMENT_LABELS, MOMENTS, OPPORTUNITY_NOTE, Cell, IrritantItem, Item, MomentItem, OpportunityItem,
)
from .phrases import best_phrase, normalise_key

OTHER_IRRITANTS = "Autres irritants (non regroupés)"
MOMENT_ORDER = ("moment_of_truth", "breaking_point", "enchanting", "irritating")
MAX_OPPORTUNITIES_FROM_IRRITANTS = 2


def topic_key(topic_id, topic_label) -> tuple[str, str] | None:
    """(item key, label) of a segment's topic, or None for outliers / no topic."""
    if topic_id is not None and int(topic_id) == -1:
        return None
    if topic_label:
        return "topic:" + normalise_key(topic_label), str(topic_label)
    if topic_id is not None:
        return f"topic:{int(topic_id)}", f"Thème {int(topic_id)}"
    return None


def irritants_cell(stage: str, rows: pd.DataFrame, ctx: Context) -> Cell:
    pool = rows[rows["irritant"]]
    cell = new_cell(stage, "irritants", pool)
    if not judge(cell, ctx.options, "irritant mentionné"):
        return cell
    topics: dict[str, tuple[int | None, str | None]] = {}

    def keys_of(row):
        found = topic_key(row.topic_id, row.topic_label)
        if found is not None:
            topics.setdefault(found[0], (row.topic_id, row.topic_label))
            return [found]
        phrase = best_phrase(ctx.phrases.get(row.segment_id, ()))
        if phrase is not None:
            return [(f"action:{phrase.key}", phrase.label)]
        return [("other", OTHER_IRRITANTS)]

    items, recs = [], records(pool)
    for key, (positions, labels) in group_rows(recs, keys_of).items():
        grouping = "topic" if key.startswith("topic:") else ("other" if key == "other" else "action")
        tid, tlabel = topics.get(key, (None, None))
        items.append(IrritantItem(key=key, label=best_label(labels), grouping=grouping,
                                  topic_id=None if tid is None else int(tid), topic_label=tlabel,
                                  **item_fields(recs, positions, ctx, intense=True)))
    rank_items(cell, items, ctx.options)
    # "Autres" never outranks a real group in the shown list
    others = [i for i in cell.items if i.key == "other"]
    if others and len(cell.items) > 1:
        cell.items = [i for i in cell.items if i.key != "other"] + others
    by_action = sum(1 for i in cell.items if getattr(i, "grouping", "") == "action")
    if by_action and not ctx.has_topics:
        cell.note = "thèmes absents : irritants regroupés par action"
    elif by_action:
        cell.note = "irritants hors thèmes regroupés par action"
    return cell


def moments_cell(stage: str, rows: pd.DataFrame, ctx: Context) -> Cell:
    pool = rows[rows["moments"].map(len) > 0]
    cell = new_cell(stage, "moments", pool)
    if not judge(cell, ctx.options, "moment clé"):
        return cell
    recs = records(pool)
    groups = group_rows(recs, lambda row: [(f"moment:{m}", MOMENT_LABELS.get(m, m)) for m in row.moments])
    items = []
    order = [m for m in MOMENT_ORDER if m in MOMENTS] + [m for m in MOMENTS if m not in MOMENT_ORDER]
    for moment in order:
        key = f"moment:{moment}"
        if key in groups:
            positions, labels = groups[key]
            items.append(MomentItem(key=key, label=best_label(labels), moment=moment,
                                    **item_fields(recs, positions, ctx, intense=True)))
    rank_items(cell, items, ctx.options, keep_order=True)
    return cell


def _participants_phrase(n: int) -> str:
    return f"{n} participant{'s' if n > 1 else ''}"


def opportunities_cell(stage: str, irritants: Cell, moments: Cell, rows: pd.DataFrame, ctx: Context) -> Cell:
    """Draft suggestions from the top irritants and the breaking points of the stage."""
    cell = Cell(stage=stage, lane="opportunities")
    items: list[Item] = []
    need = ctx.options.min_participants
    sources = [i for i in irritants.items if getattr(i, "grouping", "") != "other" and i.n_participants >= need]
    for src in sources[:MAX_OPPORTUNITIES_FROM_IRRITANTS]:
        text = f"Réduire « {src.label} » ({_participants_phrase(src.n_participants)}) : …"
        items.append(_opportunity(f"opp:{src.key}", text, "irritants", src))
    breaking = moments.find("moment:breaking_point")
    if breaking is not None and breaking in moments.items and breaking.n_participants >= need:
        # name the breaking point by the action most of its participants share (at least two), else the stage
        owners = dict(zip(rows["segment_id"], rows["participant"]))
        shared: dict[str, tuple[set, list[str]]] = {}
        for sid in breaking.segment_ids:
            p = best_phrase(ctx.phrases.get(sid, ()))
            if p is not None:
                people, labels = shared.setdefault(p.key, (set(), []))
                people.add(owners.get(sid))
                labels.append(p.label)
        n = _participants_phrase(breaking.n_participants)
        ranked = sorted(shared.items(), key=lambda kv: (-len(kv[1][0]), kv[0]))
        if ranked and len(ranked[0][1][0]) >= 2:
            label = sorted(ranked[0][1][1], key=lambda s: (len(s), s))[0]
            text = f"Éviter le point de rupture « {label} » ({n}) : …"
        else:
            text = f"Éviter le point de rupture à l'étape « {ctx.stage_label} » ({n}) : …"
        items.append(_opportunity("opp:moment:breaking_point", text, "moments", breaking))
    cell.items = items
    cell.sufficient = bool(items)
    cell.note = OPPORTUNITY_NOTE if items else (
        f"aucune suggestion : pas d'irritant ni de point de rupture cité par au moins {need} participants")
    return cell


def _opportunity(key: str, text: str, lane: str, src: Item) -> OpportunityItem:
    return OpportunityItem(
        key=key, label=text,
        based_on=[{"lane": lane, "key": src.key, "label": src.label, "n_participants": src.n_participants,
                   "n_segments": src.n_segments}],
        source_segment_ids=list(src.segment_ids),
    )
