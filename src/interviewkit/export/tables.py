"""Writing DataFrames for researchers: CSV, XLSX and Parquet, safe to open in a spreadsheet.

Spreadsheet formula injection is prevented: in XLSX every text cell is written
as a string cell (a verbatim starting with ``=``, ``+``, ``-`` or ``@`` stays
text); in CSV such a cell is prefixed with an apostrophe, which Excel and
LibreOffice show as text. Parquet keeps values untouched (it is read by code,
not by a spreadsheet).

>>> escape_csv_cell("=HYPERLINK(1)")
"'=HYPERLINK(1)"
>>> escape_csv_cell("très bien")
'très bien'
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ConfigError

FORMATS = ("csv", "xlsx", "parquet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Lists become ``;``-joined text, dicts JSON: what a spreadsheet can hold."""
    import json

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            sample = out[col].dropna().head(50)
            if any(isinstance(v, (list, tuple, set)) for v in sample):
                out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v)
            elif any(isinstance(v, dict) for v in sample):
                out[col] = out[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
    return out


def write_table(df: pd.DataFrame, out: str | Path, fmt: str | None = None, sheet_name: str = "data") -> Path:
    """Write ``df`` to ``out`` as csv (UTF-8 with BOM, for Excel), xlsx or parquet."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ConfigError("E252", "unknown export format", value=fmt, allowed=FORMATS,
                          hint="use --format csv, xlsx or parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    flat = _flatten(df)
    if fmt == "csv":
        flat.map(escape_csv_cell).to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "parquet":
        flat.to_parquet(out, index=False)
    else:
        write_xlsx({sheet_name: flat}, out)
    return out


def write_xlsx(sheets: dict[str, pd.DataFrame], out: str | Path) -> Path:
    """Several DataFrames as sheets of one workbook; text cells are never formulas."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([xlsx_text(c) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([None if _isna(v) else (v if isinstance(v, (int, float, bool)) else xlsx_text(v)) for v in row])
        for cells in ws.iter_rows(min_row=1):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for i, col in enumerate(df.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200).tolist()]) + 2
            ws.column_dimensions[get_column_letter(i)].width = min(width, 80)
        ws.freeze_panes = "A2"
    wb.save(out)
    return Path(out)


def xlsx_text(value: object) -> str:
    """``value`` as text a worksheet can hold: the control characters XML forbids (form feed, vertical tab,
    escape... which transcripts exported from PDFs or terminals carry and the readers keep) become spaces
    instead of making openpyxl refuse the whole export (IllegalCharacterError)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(" ", str(value))


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
