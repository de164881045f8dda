"""Code a table of survey verbatims: every input row and column kept, journey columns added.

>>> import pandas as pd, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pd.DataFrame({"id": [1, 2], "verbatim": ["Jamais reçu mon colis !!", ""]}).to_csv(d / "in.csv", index=False)
>>> out = code_verbatims(d / "in.csv", "verbatim", d / "out.csv", tagger=JourneyTagger(profile="lookup"))
>>> df = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False, dtype=str)
>>> list(df["stage"]), list(df["irritant"])
(['deliver', ''], ['1', ''])
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from interviewkit.codebook import Codebook
from interviewkit.errors import ConfigError, InputError
from interviewkit.tagging.tagger import JourneyTagger

ADDED_COLUMNS = ("stage", "channel", "emotion", "valence", "irritant", "moments", "lane", "confidence", "evidence")


def _read_table(path: Path) -> pd.DataFrame:
    """Small local CSV/XLSX reader (to be replaced by ``interviewkit.io.tabular.read_table``).

    Every cell is read as text so identifiers and codes keep their exact form.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError("E520", "verbatims file not found", path=path, hint="check the path")
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        if suffix in (".csv", ".tsv", ".txt"):
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "cp1252", "latin-1"):
                try:
                    raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding=enc)
    except (ValueError, OSError) as exc:
        raise InputError("E520", f"cannot read the table: {exc}", path=path,
                         hint="save it as UTF-8 CSV or XLSX") from exc
    raise InputError("E521", f"unsupported file type {suffix!r}", path=path, allowed=[".csv", ".tsv", ".txt", ".xlsx"],
                     hint="export the verbatims as CSV or XLSX")


def code_verbatims(in_path: str | Path, text_column: str, out_path: str | Path, lang: str = "fr",
                   codebook: Codebook | str | Path | None = None, tagger: JourneyTagger | None = None) -> Path:
    """Tag the ``text_column`` of a CSV/XLSX file and write all rows with the journey columns added.

    Rows with an empty text are kept and left untagged (empty cells). The output
    format follows ``out_path``'s extension: ``.xlsx`` or CSV (UTF-8 with BOM, for Excel).
    An input column that already has one of the added names is overwritten.
    """
    in_path, out_path = Path(in_path), Path(out_path)
    if out_path.suffix.lower() not in (".csv", ".xlsx", ".tsv", ".txt"):
        raise ConfigError("E521", "unsupported output file type", path=out_path, value=out_path.suffix,
                          allowed=[".csv", ".xlsx"], hint="name the output file .csv or .xlsx")
    df = _read_table(in_path)
    if text_column not in df.columns:
        raise ConfigError("E522", f"column {text_column!r} not found", path=in_path, value=text_column,
                          allowed=[str(c) for c in df.columns], hint="pass the name of the column holding the verbatims")
    tagger = tagger or JourneyTagger(codebook=codebook, lang=lang)
    texts = ["" if pd.isna(t) else str(t) for t in df[text_column]]
    filled = [i for i, t in enumerate(texts) if t.strip()]
    columns: dict[str, list[object]] = {c: [""] * len(df) for c in ADDED_COLUMNS}
    for i, result in zip(filled, tagger.tag([texts[i] for i in filled])):
        row = result.to_row()
        for c in ADDED_COLUMNS:
            columns[c][i] = row[c]
    out = df.copy()
    for c in ADDED_COLUMNS:
        out[c] = columns[c]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix.lower() == ".xlsx":
        out.to_excel(out_path, index=False)
    else:
        out.to_csv(out_path, index=False, encoding="utf-8-sig", sep="\t" if out_path.suffix.lower() == ".tsv" else ",")
    return out_path
