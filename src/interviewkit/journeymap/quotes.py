"""Choosing verbatims for an item: diverse across participants, readable, deterministic.

Candidates are ranked by readability (a full sentence of reasonable length
first), then — for emotions and moments — by intensity (|valence|), then by
their order in the corpus. Participants take turns: the second quote comes
from another participant whenever one exists.

>>> import pandas as pd
>>> rows = pd.DataFrame({"segment_id": ["a", "b", "c"], "participant": ["P1", "P1", "P2"],
...                      "text": ["Trop long ce délai de réponse.", "Encore une relance.", "Personne ne répond."],
...                      "valence": [-1, -1, -2]})
>>> [q.participant for q in pick_quotes(rows, 2)]
['P1', 'P2']
"""
from __future__ import annotations

import pandas as pd

from .model import Quote

MIN_CHARS = 25


def shorten(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut ``text`` at a word boundary to at most ``max_chars`` characters (adds "…")."""
    text = " ".join(str(text).split())
    if len(text) <= max_chars:
        return text, False
    cut = text[: max_chars - 1]
    if " " in cut[max_chars // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…", True


def pick_quotes(rows, k: int, *, intense: bool = False, max_chars: int = 280) -> list[Quote]:
    """Up to ``k`` quotes from ``rows`` (a DataFrame or records with segment_id, participant, text[, valence]),
    one per participant first."""
    if isinstance(rows, pd.DataFrame):
        rows = list(rows.itertuples(index=False))
    if k <= 0 or not rows:
        return []
    scored = []
    for order, row in enumerate(rows):
        text = " ".join(str(row.text).split())
        if not text:
            continue
        readable = 0 if MIN_CHARS <= len(text) <= max_chars else 1
        strength = -abs(int(getattr(row, "valence", 0) or 0)) if intense else 0
        scored.append(((readable, strength, order), row))
    scored.sort(key=lambda x: x[0])
    by_participant: dict[str, list] = {}
    for score, row in scored:
        by_participant.setdefault(str(row.participant), []).append((score, row))
    turn_order = sorted(by_participant, key=lambda p: (by_participant[p][0][0], p))
    chosen = []
    depth = 0
    while len(chosen) < k and any(len(v) > depth for v in by_participant.values()):
        for p in turn_order:
            if len(chosen) >= k:
                break
            if len(by_participant[p]) > depth:
                chosen.append(by_participant[p][depth][1])
        depth += 1
    out = []
    for row in chosen:
        text, truncated = shorten(row.text, max_chars)
        out.append(Quote(segment_id=str(row.segment_id), participant=str(row.participant), text=text,
                         truncated=truncated))
    return out
