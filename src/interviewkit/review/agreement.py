"""Agreement between two coders, and between the auto-tagger and humans; resolving disagreements.

Each coder's tags are the auto tags overlaid with *their own* decisions (as in
blind mode), compared on the segments both reviewed (status not
``unreviewed``/``skipped``). Every code is a yes/no question per segment: a
label of stage/channel/moments, a value of emotion/lane/valence, irritant, or
a researcher code. Per code: number of segments ``n``, percent agreement and
Cohen's kappa (``sklearn.metrics.cohen_kappa_score``; NaN when undefined, i.e.
both coders gave one and the same answer everywhere). Single-valued fields also
get a row with label ``(all)``: the multi-class kappa over the field's values.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .events import load_events, record
from .labels import CODE_FIELD, LABELS, MULTI, TAG_FIELDS, LabelSet, ReviewError, split_labels
from .state import atoms, auto_tags_frame, final_tags

ALL = "(all)"
AGREEMENT_COLUMNS = ["field", "label", "n", "agreement", "kappa", "a_yes", "b_yes", "both_yes"]
_UNDECIDED = ("unreviewed", "skipped")


def kappa(a, b) -> float:
    """Cohen's kappa of two label sequences (NaN when undefined)."""
    from sklearn.metrics import cohen_kappa_score

    a, b = list(a), list(b)
    if not a or (len(set(a) | set(b)) < 2):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(a, b))


def _codes(df: pd.DataFrame, labels: LabelSet) -> dict[tuple[str, str], pd.Series]:
    """Binary indicator per (field, label) over the rows of a final-tags frame."""
    out: dict[tuple[str, str], pd.Series] = {}
    for f in TAG_FIELDS:
        col = df[f]
        if labels.kind(f) == MULTI:
            wrapped = ";" + col.fillna("").astype(str) + ";"
            for lab in labels.labels[f]:
                out[(f, lab)] = wrapped.str.contains(f";{lab};", regex=False)
        else:
            for lab in labels.allowed(f):
                if f == "irritant" and lab == "0":
                    continue
                out[(f, lab)] = col.astype(str) == lab
    return out


def _auto_only(project, index: pd.Index) -> pd.DataFrame:
    auto = auto_tags_frame(project).set_index("segment_id").reindex(index)
    return auto.assign(codes="")


def _pair(project, coder_a: str, coder_b: str, labels: LabelSet):
    a = final_tags(project, coder_a, labels).set_index("segment_id")
    b = final_tags(project, coder_b, labels).set_index("segment_id")
    keep = ~a["review_status"].isin(_UNDECIDED) & ~b["review_status"].isin(_UNDECIDED)
    return a[keep], b.loc[a.index[keep]]


def _table(a: pd.DataFrame, b: pd.DataFrame, labels: LabelSet, with_codes: bool) -> pd.DataFrame:
    ca, cb = _codes(a, labels), _codes(b, labels)
    if with_codes:
        names = sorted(set(split_labels(";".join(a["codes"]))) | set(split_labels(";".join(b["codes"]))))
        for name in names:
            ca[(CODE_FIELD, name)] = (";" + a["codes"] + ";").str.contains(f";{name};", regex=False)
            cb[(CODE_FIELD, name)] = (";" + b["codes"] + ";").str.contains(f";{name};", regex=False)
    rows = []
    for key in ca:
        x, y = ca[key].to_numpy(dtype=bool), cb[key].to_numpy(dtype=bool)
        rows.append((*key, len(x), float((x == y).mean()) if len(x) else np.nan, kappa(x, y), int(x.sum()),
                     int(y.sum()), int((x & y).sum())))
    for f in TAG_FIELDS:
        if labels.kind(f) != MULTI:
            x, y = a[f].astype(str).to_numpy(), b[f].astype(str).to_numpy()
            rows.append((f, ALL, len(x), float((x == y).mean()) if len(x) else np.nan, kappa(x, y),
                         np.nan, np.nan, np.nan))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def coder_agreement(project, coder_a: str, coder_b: str, labels: LabelSet = LABELS) -> pd.DataFrame:
    """Per code: n, agreement (share of segments where both say the same), kappa, yes counts."""
    a, b = _pair(project, coder_a, coder_b, labels)
    if a.empty:
        raise ReviewError("E816", "the two coders have no reviewed segment in common", value=(coder_a, coder_b),
                          hint="both coders must review (not skip) the same segments, e.g. in blind mode")
    return _table(a, b, labels, with_codes=True)


def auto_agreement(project, coder: str | None = None, labels: LabelSet = LABELS) -> pd.DataFrame:
    """Auto-tagger vs human (one coder, or everyone's decisions) on reviewed, auto-tagged segments."""
    human = final_tags(project, coder, labels).set_index("segment_id")
    auto = _auto_only(project, human.index)
    keep = ~human["review_status"].isin(_UNDECIDED) & auto["stage"].notna()
    if not keep.any():
        raise ReviewError("E816", "no reviewed auto-tagged segment to compare", value=coder,
                          hint="review some auto-tagged segments first")
    return _table(auto[keep], human[keep], labels, with_codes=False)


def disagreements(project, coder_a: str, coder_b: str, labels: LabelSet = LABELS,
                  include_resolved: bool = False) -> pd.DataFrame:
    """Segment x field where the two coders' values differ (codes compared as sets).

    Columns: segment_id, field, value_a, value_b, resolved (a resolve decision exists), resolution, text.
    """
    a, b = _pair(project, coder_a, coder_b, labels)
    combined = final_tags(project, None, labels, segment_ids=a.index).set_index("segment_id")
    ev = load_events(project, segment_ids=a.index)
    at = atoms(ev, None, labels)
    resolved = set(zip(at.loc[at["action"] == "resolve", "segment_id"], at.loc[at["action"] == "resolve", "field"]))
    texts = project.query("SELECT segment_id, text FROM segments").set_index("segment_id")["text"]
    rows = []
    for f in list(TAG_FIELDS) + ["codes"]:
        va, vb = a[f].astype(str), b[f].astype(str)
        if f in ("stage", "channel", "moments", "codes"):
            va = va.map(lambda v: ";".join(sorted(split_labels(v if v not in ("nan", "<NA>") else ""))))
            vb = vb.map(lambda v: ";".join(sorted(split_labels(v if v not in ("nan", "<NA>") else ""))))
        diff = va != vb
        field_name = CODE_FIELD if f == "codes" else f
        for sid in a.index[diff.to_numpy()]:
            is_res = (sid, field_name) in resolved
            if is_res and not include_resolved:
                continue
            rows.append((sid, field_name, va[sid], vb[sid], is_res,
                         str(combined.loc[sid, f]) if is_res else None, texts.get(sid)))
    return pd.DataFrame(rows, columns=["segment_id", "field", "value_a", "value_b", "resolved", "resolution",
                                       "text"])


def resolve(project, segment_id: str, field: str, value=None, *, coder: str, label: str | None = None,
            memo: str | None = None, labels: LabelSet = LABELS) -> int:
    """Record the consensus on a disagreement (a ``resolve`` event; it outranks both coders' decisions).

    ``value``: the agreed value (label, number, or list of labels for stage/channel/moments);
    for a researcher code give ``label`` and ``value=True`` (keep) or ``False`` (drop).
    """
    if field == CODE_FIELD and label is None:
        raise ReviewError("E807", "resolving a code needs its label", hint="resolve(..., field='code', label='x')")
    return record(project, segment_id, "resolve", field, label, value, coder=coder, memo=memo, labels=labels)
