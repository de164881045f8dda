"""Score journey tags against a gold standard, or two human coders against each other.

>>> import pandas as pd
>>> gold = pd.DataFrame({"id": [1, 2], "stage": ["support", "deliver;support"], "emotion": ["anger", "joy"],
...                      "irritant": [1, 0], "valence": [-1, 1]})
>>> pred = pd.DataFrame({"id": [2, 1], "stage": ["deliver", "support"], "emotion": ["joy", "anger"],
...                      "irritant": [0, 1], "valence": [2, -1]})
>>> rep = evaluate(gold, pred)
>>> rep.summary()["stage_macro_f1"], rep.summary()["valence_mae"], rep.summary()["emotion_kappa"]
(0.833, 0.5, 1.0)

Multi-valued fields (stage, channel, moments) are scored label by label
(each label is a yes/no decision per segment). Single-valued fields (emotion,
lane, irritant) get per-label scores (one label against the rest), accuracy
and Cohen's kappa. Valence gets the mean absolute error. Macro-F1 averages
the F1 of the labels that occur in gold or in pred. Rows are joined on the
first id column both tables have (``segment_id``, ``gold_id``, ``id``), else
on row order when both have the same length.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from interviewkit.errors import InputError

MULTI_FIELDS = ("stage", "channel", "moments")
SINGLE_FIELDS = ("emotion", "lane")
BINARY_FIELDS = ("irritant",)
NUMERIC_FIELDS = ("valence",)
FIELDS = MULTI_FIELDS + SINGLE_FIELDS + BINARY_FIELDS + NUMERIC_FIELDS
ID_COLUMNS = ("segment_id", "gold_id", "id")
_SPLIT = re.compile(r"[;,|]")


@dataclass
class LabelScore:
    field: str
    label: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class FieldScore:
    field: str
    kind: str
    n: int
    labels: list[LabelScore] = field(default_factory=list)
    accuracy: float | None = None
    kappa: float | None = None
    mae: float | None = None

    @property
    def macro_f1(self) -> float | None:
        scored = [ls for ls in self.labels if ls.tp + ls.fp + ls.fn > 0]
        return sum(ls.f1 for ls in scored) / len(scored) if scored else None

    @property
    def micro_f1(self) -> float | None:
        tp = sum(ls.tp for ls in self.labels)
        fp = sum(ls.fp for ls in self.labels)
        fn = sum(ls.fn for ls in self.labels)
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None

    def label(self, label: str) -> LabelScore | None:
        return next((ls for ls in self.labels if ls.label == label), None)


@dataclass
class EvaluationReport:
    """Scores per field and label; ``to_frame``, ``summary`` and ``to_markdown`` present them."""

    n: int
    join: str
    fields: dict[str, FieldScore]
    emotion_confusion: pd.DataFrame | None = None
    unmatched_gold: int = 0
    unmatched_pred: int = 0
    gold_name: str = "gold"
    pred_name: str = "pred"

    def to_frame(self) -> pd.DataFrame:
        """One row per (field, label): precision, recall, f1, support, tp, fp, fn."""
        rows = []
        for fs in self.fields.values():
            for ls in fs.labels:
                rows.append({"field": fs.field, "label": ls.label, "precision": round(ls.precision, 4),
                             "recall": round(ls.recall, 4), "f1": round(ls.f1, 4), "support": ls.support,
                             "tp": ls.tp, "fp": ls.fp, "fn": ls.fn})
        return pd.DataFrame(rows, columns=["field", "label", "precision", "recall", "f1", "support", "tp", "fp", "fn"])

    def summary(self) -> dict[str, Any]:
        """Headline figures: macro-F1 per field, irritant F1, accuracy and kappa, valence MAE (3 decimals)."""
        out: dict[str, Any] = {"n": self.n, "join": self.join}
        for name, fs in self.fields.items():
            if fs.kind in ("multi", "single", "binary") and fs.macro_f1 is not None:
                out[f"{name}_macro_f1"] = _r(fs.macro_f1)
            if fs.kind == "multi" and fs.micro_f1 is not None:
                out[f"{name}_micro_f1"] = _r(fs.micro_f1)
            if fs.kind == "binary":
                pos = fs.label("1")
                out[f"{name}_f1"] = _r(pos.f1) if pos else 0.0
                out[f"{name}_precision"] = _r(pos.precision) if pos else 0.0
                out[f"{name}_recall"] = _r(pos.recall) if pos else 0.0
            if fs.accuracy is not None:
                out[f"{name}_accuracy"] = _r(fs.accuracy)
            if fs.kappa is not None:
                out[f"{name}_kappa"] = _r(fs.kappa)
            if fs.mae is not None:
                out[f"{name}_mae"] = _r(fs.mae)
        return out

    def to_markdown(self) -> str:
        lines = [f"# Evaluation: {self.pred_name} against {self.gold_name}", "",
                 f"{self.n} segments compared (joined on {self.join})."]
        if self.unmatched_gold or self.unmatched_pred:
            lines.append(f"Unmatched: {self.unmatched_gold} gold rows, {self.unmatched_pred} predicted rows.")
        lines += ["", "| figure | value |", "|---|---|"]
        for k, v in self.summary().items():
            if k not in ("n", "join"):
                lines.append(f"| {k} | {v} |")
        lines += ["", "| field | label | precision | recall | F1 | support |", "|---|---|---|---|---|---|"]
        for _, r in self.to_frame().iterrows():
            lines.append(f"| {r['field']} | {r['label']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['support']} |")
        if self.emotion_confusion is not None and len(self.emotion_confusion):
            cm = self.emotion_confusion
            lines += ["", "Emotion confusion (rows: gold, columns: predicted)", "",
                      "| gold \\ pred | " + " | ".join(map(str, cm.columns)) + " |",
                      "|---|" + "---|" * len(cm.columns)]
            for idx, row in cm.iterrows():
                lines.append(f"| {idx} | " + " | ".join(str(int(v)) for v in row) + " |")
        return "\n".join(lines) + "\n"


def _r(x: float) -> float:
    return round(float(x), 3)


# --------------------------------------------------------------------------- parsing helpers


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()) or v is pd.NA


def parse_multi(v: Any) -> set[str]:
    if _is_missing(v):
        return set()
    if isinstance(v, (list, tuple, set, frozenset)):
        return {str(x).strip().lower() for x in v if str(x).strip()}
    return {x.strip().lower() for x in _SPLIT.split(str(v)) if x.strip()}


def parse_single(v: Any) -> str:
    if _is_missing(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip().lower()


def parse_binary(v: Any) -> str:
    s = parse_single(v)
    if s in ("1", "true", "yes", "oui", "y", "x", "1.0"):
        return "1"
    return "0"


def _read(obj: pd.DataFrame | str | Path, role: str) -> tuple[pd.DataFrame, str]:
    if isinstance(obj, pd.DataFrame):
        return obj, role
    path = Path(obj)
    if not path.is_file():
        raise InputError("E510", f"{role} file not found", path=path, hint="check the path")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suffix in (".csv", ".tsv", ".txt"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="utf-8-sig")
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            raise InputError("E510", f"unsupported {role} file type {suffix!r}", path=path,
                             allowed=[".csv", ".tsv", ".xlsx", ".parquet"], hint="export the table as CSV or XLSX")
    except InputError:
        raise
    except Exception as exc:
        raise InputError("E510", f"cannot read the {role} table: {exc}", path=path,
                         hint="save it as UTF-8 CSV or XLSX") from exc
    return df, str(path)


# --------------------------------------------------------------------------- scoring


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two equally long label lists (1.0 when both are constant and equal)."""
    n = len(a)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    labels = set(a) | set(b)
    pe = sum((a.count(k) / n) * (b.count(k) / n) for k in labels)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def _score_sets(name: str, gold: list[set[str]], pred: list[set[str]]) -> FieldScore:
    labels = sorted(set().union(*gold, *pred)) if gold else []
    fs = FieldScore(name, "multi", len(gold))
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred) if lab in g and lab not in p)
        fs.labels.append(LabelScore(name, lab, tp, fp, fn))
    return fs


def _score_single(name: str, kind: str, gold: list[str], pred: list[str]) -> FieldScore:
    fs = _score_sets(name, [{g} if g else set() for g in gold], [{p} if p else set() for p in pred])
    fs.kind = kind
    fs.accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else None
    fs.kappa = cohen_kappa(gold, pred) if gold else None
    return fs


def evaluate(gold: pd.DataFrame | str | Path, pred: pd.DataFrame | str | Path, id_column: str | None = None,
             fields: Iterable[str] | None = None, split: str | None = None) -> EvaluationReport:
    """Compare ``pred`` with ``gold`` (DataFrames or CSV/XLSX paths); see the module docstring.

    ``fields`` defaults to the journey fields present in gold; each must also be
    in pred. ``split`` keeps only gold rows whose ``split`` column equals it.
    Raises :class:`InputError` E510 (unreadable file), E511 (missing columns),
    E512 (rows cannot be aligned), E513 (bad value).
    """
    gdf, gname = _read(gold, "gold")
    pdf, pname = _read(pred, "pred")
    if split is not None:
        if "split" not in gdf.columns:
            raise InputError("E511", "gold has no `split` column", path=gname, allowed=list(gdf.columns),
                             hint="drop the split argument or add the column")
        gdf = gdf[gdf["split"].astype(str) == split]
    wanted = list(fields) if fields is not None else [f for f in FIELDS if f in gdf.columns]
    for f in wanted:
        if f not in FIELDS:
            raise InputError("E511", f"unknown field {f!r}", value=f, allowed=FIELDS, hint="use journey field names")
        if f not in gdf.columns:
            raise InputError("E511", f"column {f!r} missing", path=gname, allowed=list(gdf.columns),
                             hint=f"add a {f!r} column to the gold table or leave it out of `fields`")
    if not wanted:
        raise InputError("E511", "no journey column found", path=gname, allowed=list(FIELDS),
                         hint="the gold table needs at least one of the journey columns")
    missing = [f for f in wanted if f not in pdf.columns]
    if missing:
        raise InputError("E511", f"column(s) {', '.join(missing)} missing", path=pname, allowed=list(pdf.columns),
                         hint="tag the file again with all journey columns, or pass fields=[...]")

    g, p, join, ug, up = _align(gdf, pdf, id_column, gname, pname)
    report_fields: dict[str, FieldScore] = {}
    confusion = None
    for f in wanted:
        gv, pv = g[f].tolist(), p[f].tolist()
        if f in MULTI_FIELDS:
            report_fields[f] = _score_sets(f, [parse_multi(x) for x in gv], [parse_multi(x) for x in pv])
        elif f in SINGLE_FIELDS:
            gs, ps = [parse_single(x) for x in gv], [parse_single(x) for x in pv]
            report_fields[f] = _score_single(f, "single", gs, ps)
            if f == "emotion":
                labels = sorted(set(gs) | set(ps))
                confusion = pd.DataFrame(0, index=labels, columns=labels)
                for a, b in zip(gs, ps):
                    confusion.loc[a, b] += 1
                confusion.index.name, confusion.columns.name = "gold", "pred"
        elif f in BINARY_FIELDS:
            report_fields[f] = _score_single(f, "binary", [parse_binary(x) for x in gv], [parse_binary(x) for x in pv])
        else:
            gn = _numbers(gv, f, gname)
            pn = _numbers(pv, f, pname)
            pairs = [(a, b) for a, b in zip(gn, pn) if a is not None and b is not None]
            fs = FieldScore(f, "numeric", len(pairs))
            if pairs:
                fs.mae = sum(abs(a - b) for a, b in pairs) / len(pairs)
                fs.accuracy = sum(a == b for a, b in pairs) / len(pairs)
            report_fields[f] = fs
    return EvaluationReport(n=len(g), join=join, fields=report_fields, emotion_confusion=confusion,
                            unmatched_gold=ug, unmatched_pred=up, gold_name=gname, pred_name=pname)


def _numbers(values: list[Any], f: str, where: str) -> list[float | None]:
    out: list[float | None] = []
    for i, v in enumerate(values):
        if _is_missing(v):
            out.append(None)
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            raise InputError("E513", f"column {f!r} row {i + 1}: not a number", path=where, value=v,
                             hint="valence is an integer from -2 to 2") from None
    return out


def _align(gdf: pd.DataFrame, pdf: pd.DataFrame, id_column: str | None, gname: str, pname: str):
    if id_column is not None:
        for df, name in ((gdf, gname), (pdf, pname)):
            if id_column not in df.columns:
                raise InputError("E511", f"id column {id_column!r} missing", path=name, allowed=list(df.columns),
                                 hint="pass id_column=None to join automatically")
        key = id_column
    else:
        key = next((c for c in ID_COLUMNS if c in gdf.columns and c in pdf.columns), None)
    if key is None:
        if len(gdf) != len(pdf):
            raise InputError("E512", f"cannot align rows: no common id column ({', '.join(ID_COLUMNS)}) and "
                             f"{len(gdf)} gold rows vs {len(pdf)} predicted rows", path=pname,
                             hint="add a segment_id / gold_id / id column to both tables, or give them the same rows")
        return gdf.reset_index(drop=True), pdf.reset_index(drop=True), "row order", 0, 0
    gk, pk = gdf[key].astype(str).str.strip(), pdf[key].astype(str).str.strip()
    for keys, name in ((gk, gname), (pk, pname)):
        dup = keys[keys.duplicated()]
        if len(dup):
            raise InputError("E512", f"duplicate ids in column {key!r}", path=name, value=dup.iloc[0],
                             hint="each segment must appear once")
    g = gdf.assign(_key=gk.values).set_index("_key")
    p = pdf.assign(_key=pk.values).set_index("_key")
    common = [k for k in g.index if k in p.index]
    if not common:
        raise InputError("E512", f"no id of column {key!r} is in both tables", path=pname,
                         hint="check that gold and predictions come from the same segments")
    return (g.loc[common].reset_index(drop=True), p.loc[common].reset_index(drop=True), key,
            len(g) - len(common), len(p) - len(common))
