"""Difference between two topic runs: topics that appeared, vanished, merged, split, or stayed.

Topics of the old and new runs are linked when they share segments: old topic *o* and new topic
*n* are linked if the shared segments are at least ``min_share`` (0.3) of *o*'s segments that
still exist in the new run, or of *n*'s segments that existed in the old run. When the two runs
share no segment at all (e.g. different months), topics are linked by keyword overlap instead
(Jaccard >= ``min_keyword_overlap``). Each connected group of links gives one row:

=============  =====================================================================
``stable``     one old topic <-> one new topic (``renamed`` if the labels differ)
``merged``     several old topics -> one new topic
``split``      one old topic -> several new topics
``regrouped``  several old <-> several new
``vanished``   an old topic with no link
``appeared``   a new topic with no link
=============  =====================================================================

Columns: change, old_topic_ids, new_topic_ids, old_labels, new_labels, old_segments,
new_segments, delta_segments, old_participants, new_participants (distinct participants of the group when the results carry
segment metadata, else the sum of the topics' counts), delta_participants, shared_segments.
"""
from __future__ import annotations

import pandas as pd

from .result import OUTLIER, TopicResult

__all__ = ["diff_runs", "DIFF_COLUMNS"]

DIFF_COLUMNS = ["change", "old_topic_ids", "new_topic_ids", "old_labels", "new_labels", "old_segments",
                "new_segments", "delta_segments", "old_participants", "new_participants", "delta_participants",
                "shared_segments"]


def _members(res: TopicResult) -> dict[int, set[str]]:
    a = res.assignments
    return {int(t): set(g["segment_id"]) for t, g in a[a["topic_id"] != OUTLIER].groupby("topic_id")}


def _links(old: TopicResult, new: TopicResult, min_share: float, min_kw: float) -> set[tuple[int, int]]:
    mo, mn = _members(old), _members(new)
    old_ids = set(old.assignments["segment_id"])
    new_ids = set(new.assignments["segment_id"])
    common = old_ids & new_ids
    links: set[tuple[int, int]] = set()
    if common:
        for o, so in mo.items():
            so_c = so & common
            for n, sn in mn.items():
                sn_c = sn & common
                shared = len(so_c & sn_c)
                if shared and (shared >= min_share * max(1, len(so_c)) or shared >= min_share * max(1, len(sn_c))):
                    links.add((o, n))
        return links
    kw_o = dict(zip(old.topics["topic_id"], old.topics["keywords"]))
    kw_n = dict(zip(new.topics["topic_id"], new.topics["keywords"]))
    for o, ko in kw_o.items():
        for n, kn in kw_n.items():
            union = set(ko) | set(kn)
            if union and len(set(ko) & set(kn)) / len(union) >= min_kw:
                links.add((int(o), int(n)))
    return links


def _participants(res: TopicResult, ids: list[int], members: dict[int, set[str]], stats) -> int:
    """Distinct participants of a group of topics (sum of the topics' counts without metadata)."""
    if res.meta is None:
        return int(sum(stats.at[t, "participants"] for t in ids))
    seg = set().union(*[members.get(t, set()) for t in ids]) if ids else set()
    meta = res.meta
    return int(meta.loc[meta["segment_id"].isin(seg), "participant"].nunique())


def diff_runs(old: TopicResult, new: TopicResult, *, min_share: float = 0.3,
              min_keyword_overlap: float = 0.3) -> pd.DataFrame:
    """One row per group of linked topics (see module docstring), largest changes first."""
    links = _links(old, new, min_share, min_keyword_overlap)
    old_ids = [int(t) for t in old.topics["topic_id"]]
    new_ids = [int(t) for t in new.topics["topic_id"]]
    # connected components over ("o", id) / ("n", id) nodes
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in old_ids:
        find(("o", t))
    for t in new_ids:
        find(("n", t))
    for o, n in links:
        parent[find(("o", o))] = find(("n", n))
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for node in list(parent):
        groups.setdefault(find(node), []).append(node)

    stat_o = old.topics.set_index("topic_id")
    stat_n = new.topics.set_index("topic_id")
    mo, mn = _members(old), _members(new)
    rows = []
    for nodes in groups.values():
        os_ = sorted(i for k, i in nodes if k == "o")
        ns_ = sorted(i for k, i in nodes if k == "n")
        if os_ and ns_:
            if len(os_) == 1 and len(ns_) == 1:
                same = stat_o.at[os_[0], "label"] == stat_n.at[ns_[0], "label"]
                change = "stable" if same else "renamed"
            elif len(ns_) == 1:
                change = "merged"
            elif len(os_) == 1:
                change = "split"
            else:
                change = "regrouped"
        else:
            change = "vanished" if os_ else "appeared"
        seg_o = int(sum(stat_o.at[t, "segments"] for t in os_))
        seg_n = int(sum(stat_n.at[t, "segments"] for t in ns_))
        par_o = _participants(old, os_, mo, stat_o)
        par_n = _participants(new, ns_, mn, stat_n)
        shared = len(set().union(*[mo.get(t, set()) for t in os_]) & set().union(*[mn.get(t, set()) for t in ns_]))
        rows.append({
            "change": change, "old_topic_ids": os_, "new_topic_ids": ns_,
            "old_labels": [str(stat_o.at[t, "label"]) for t in os_],
            "new_labels": [str(stat_n.at[t, "label"]) for t in ns_],
            "old_segments": seg_o, "new_segments": seg_n, "delta_segments": seg_n - seg_o,
            "old_participants": par_o, "new_participants": par_n, "delta_participants": par_n - par_o,
            "shared_segments": shared})
    order = {"appeared": 0, "vanished": 1, "merged": 2, "split": 3, "regrouped": 4, "renamed": 5, "stable": 6}
    rows.sort(key=lambda r: (order[r["change"]], -abs(r["delta_segments"]), r["old_topic_ids"], r["new_topic_ids"]))
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)
