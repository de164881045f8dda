"""Building one cell per lane from a stage's evidence segments.

Every builder receives the segments of one persona at one stage (a prepared
evidence frame, see :mod:`.evidence`) and returns a :class:`Cell`. A cell whose
evidence is under the thresholds keeps its counts and segment ids, holds no
item, and says ``pas assez d'éléments`` with the numbers; the team can lower
the thresholds, never the builder invent content.
"""
from __future__ import annotations

from collections import Counter, namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from statistics import mean, stdev

import pandas as pd

from .model import (
    CHANNEL_LABELS, EMOTION_LABELS, NOTE_NOTHING, NOTE_TOO_LITTLE, ActionItem, BackstageItem, Cell,
    EmotionItem, Item, TouchpointItem,
)
from .phrases import BACKSTAGE_SUBJECTS, CUSTOMER_SUBJECTS, Phrase, best_phrase
from .quotes import pick_quotes


@dataclass(frozen=True)
class Options:
    """Thresholds and sizes (see docs/journeymap.md)."""

    min_participants: int = 2
    min_segments: int = 3
    max_items: int = 5
    max_quotes: int = 2
    min_item_participants: int = 1
    emotion_basis: str = "expressive"  # or "all"
    quote_max_chars: int = 280


@dataclass
class Context:
    options: Options
    phrases: dict[str, tuple[Phrase, ...]]
    stage_label: str = ""
    has_topics: bool = True
    notes: list[str] = field(default_factory=list)


_Rec = namedtuple("_Rec", ["segment_id", "participant", "text", "valence", "emotion", "channel", "moments",
                           "topic_id", "topic_label"])


def records(rows: pd.DataFrame) -> list:
    """Rows as light named tuples (much faster to loop over than ``itertuples`` on object columns)."""
    return [_Rec(*vals) for vals in zip(*(rows[c].tolist() for c in _Rec._fields))]


def ids(rows: pd.DataFrame) -> list[str]:
    return [str(s) for s in rows["segment_id"]]


def people(rows: pd.DataFrame) -> list[str]:
    return sorted({str(p) for p in rows["participant"]})


def new_cell(stage: str, lane: str, rows: pd.DataFrame) -> Cell:
    return Cell(stage=stage, lane=lane, segment_ids=ids(rows), participants=people(rows))


def judge(cell: Cell, opts: Options, what: str = "") -> bool:
    """Mark ``cell`` sufficient or not; an insufficient cell gets the note with its numbers."""
    if cell.n_segments == 0:
        cell.sufficient, cell.note = False, NOTE_NOTHING + (f" ({what})" if what else "")
        return False
    if cell.n_participants < opts.min_participants or cell.n_segments < opts.min_segments:
        p, s = cell.n_participants, cell.n_segments
        cell.sufficient = False
        cell.note = (f"{NOTE_TOO_LITTLE} : {p} participant{'s' if p > 1 else ''}, {s} segment{'s' if s > 1 else ''}"
                     f" (seuil : {opts.min_participants} participants et {opts.min_segments} segments)")
        return False
    cell.sufficient = True
    return True


def rank_items(cell: Cell, items: Iterable[Item], opts: Options, keep_order: bool = False) -> None:
    """Most participants first (then segments, label); beyond ``max_items`` or too thin -> ``more_items``."""
    items = list(items)
    if not keep_order:
        items.sort(key=lambda i: (-i.n_participants, -i.n_segments, i.label.casefold(), i.key))
    shown = [i for i in items if i.n_participants >= opts.min_item_participants][: opts.max_items]
    cell.items = shown
    cell.more_items = [i for i in items if i not in shown]


def group_rows(recs: list, keys_of: Callable[[object], list[tuple[str, str]]]):
    """{key: (record positions, Counter of labels)} in first-seen order."""
    groups: dict[str, tuple[list[int], Counter]] = {}
    for pos, row in enumerate(recs):
        for key, label in keys_of(row):
            positions, labels = groups.setdefault(key, ([], Counter()))
            if not positions or positions[-1] != pos:
                positions.append(pos)
            labels[label] += 1
    return groups


def best_label(labels: Counter) -> str:
    """Most frequent written form; ties: shortest, then alphabetical."""
    return sorted(labels.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]


def item_fields(recs: list, positions: list[int], ctx: Context, intense: bool = False) -> dict:
    sub = [recs[p] for p in positions]
    return {"segment_ids": [str(r.segment_id) for r in sub], "participants": sorted({str(r.participant) for r in sub}),
            "quotes": pick_quotes(sub, ctx.options.max_quotes, intense=intense,
                                  max_chars=ctx.options.quote_max_chars)}


# ------------------------------------------------------------------------------------ lanes

def actions_cell(stage: str, rows: pd.DataFrame, ctx: Context) -> Cell:
    """Customer actions: verb + complement phrases said by the customer (subject je/on/none)."""
    pool = rows[rows["lane"] == "customer"]
    cell = new_cell(stage, "actions", pool)
    widened = False
    if not judge(cell, ctx.options, "segment client") and len(rows[rows["lane"] == "frontstage"]):
        pool = rows[rows["lane"].isin(["customer", "frontstage"])]
        cell = new_cell(stage, "actions", pool)
        widened = True
    if not judge(cell, ctx.options, "segment client"):
        return cell

    def keys_of(row):
        return [(p.key, p.label) for p in ctx.phrases.get(row.segment_id, ()) if p.subject in CUSTOMER_SUBJECTS]

    items, recs = [], records(pool)
    for key, (positions, labels) in group_rows(recs, keys_of).items():
        verb = key.split("|")[0].removeprefix("ne pas ")
        variants = sorted(labels, key=lambda v: (-labels[v], v))[:5]
        items.append(ActionItem(key=key, label=best_label(labels), verb=verb, variants=variants,
                                **item_fields(recs, positions, ctx)))
    rank_items(cell, items, ctx.options)
    if widened:
        cell.note = "actions prises aussi dans les segments front-office (trop peu de segments client)"
    if not items:
        cell.note = "aucune action repérée automatiquement dans ces segments"
    return cell


def touchpoints_cell(stage: str, rows: pd.DataFrame, ctx: Context) -> Cell:
    pool = rows[rows["channel"].map(len) > 0]
    cell = new_cell(stage, "touchpoints", pool)
    if not judge(cell, ctx.options, "canal cité"):
        return cell
    recs = records(pool)
    groups = group_rows(recs, lambda row: [(c, CHANNEL_LABELS.get(c, c)) for c in row.channel])
    items = [TouchpointItem(key=k, label=best_label(lab), channel=k, **item_fields(recs, pos, ctx))
             for k, (pos, lab) in groups.items()]
    rank_items(cell, items, ctx.options)
    return cell


def tone(value: float) -> str:
    if value <= -1:
        return "Très négative"
    if value < -0.25:
        return "Plutôt négative"
    if value <= 0.25:
        return "Mitigée ou neutre"
    if value < 1:
        return "Plutôt positive"
    return "Très positive"


def fr_number(value: float) -> str:
    """French decimal comma and a true minus sign: ``-0.5`` -> ``−0,5``."""
    text = f"{value:.1f}".replace(".", ",")
    return text.replace("-", "−") if value < 0 and text != "-0,0" else text.lstrip("-")


def emotions_cell(stage: str, rows: pd.DataFrame, ctx: Context) -> Cell:
    """Mean valence (of participants' own means), its spread and the dominant emotions."""
    if ctx.options.emotion_basis == "all":
        pool = rows
    else:
        pool = rows[(rows["valence"] != 0) | (rows["emotion"] != "neutral")]
    cell = new_cell(stage, "emotions", pool)
    if not judge(cell, ctx.options, "émotion exprimée"):
        return cell
    per_person = pool.groupby("participant", sort=True)["valence"].mean()
    values = [float(v) for v in per_person]
    avg = round(mean(values), 2)
    spread = round(stdev(values), 2) if len(values) > 1 else 0.0
    label = f"{tone(avg)} : moyenne {fr_number(avg)}, écart-type {fr_number(spread)}"
    recs = records(pool)
    valence = EmotionItem(key="valence", label=label, mean_valence=avg, std_valence=spread,
                          **item_fields(recs, list(range(len(recs))), ctx, intense=True))
    felt = [r for r in recs if r.emotion != "neutral"]
    groups = group_rows(felt, lambda row: [(f"emotion:{row.emotion}", EMOTION_LABELS.get(row.emotion, row.emotion))])
    dominant = []
    for key, (positions, labels) in groups.items():
        dominant.append(EmotionItem(key=key, label=best_label(labels), emotion=key.split(":", 1)[1],
                                    mean_valence=round(mean(felt[p].valence for p in positions), 2),
                                    **item_fields(felt, positions, ctx, intense=True)))
    dominant.sort(key=lambda i: (-i.n_participants, -i.n_segments, i.key))
    opts = ctx.options
    rank_items(cell, [valence] + dominant[: max(opts.max_items - 1, 0)], opts, keep_order=True)
    cell.more_items += dominant[max(opts.max_items - 1, 0):]
    return cell


def backstage_cell(stage: str, rows: pd.DataFrame, ctx: Context) -> Cell:
    """Company process steps the customers mention (back-office lane segments), as short phrases."""
    pool = rows[rows["lane"] == "backstage"]
    cell = new_cell(stage, "backstage", pool)
    if not judge(cell, ctx.options, "segment back-office"):
        return cell

    def keys_of(row):
        phrase = best_phrase(ctx.phrases.get(row.segment_id, ()), BACKSTAGE_SUBJECTS)
        if phrase is None:
            return [("backstage:other", "Autres étapes internes mentionnées")]
        return [(f"backstage:{phrase.key}", phrase.label)]

    items, recs = [], records(pool)
    for key, (positions, labels) in group_rows(recs, keys_of).items():
        items.append(BackstageItem(key=key, label=best_label(labels),
                                   grouping="other" if key == "backstage:other" else "action",
                                   **item_fields(recs, positions, ctx)))
    rank_items(cell, items, ctx.options)
    return cell
