"""CSV / TSV / XLSX verbatims: one :class:`Turn` per row with a non-empty text.

A CSV row with more cells than the header (an unquoted delimiter in a free
text) has its extra cells joined back to the last column, with a warning.

Row numbers are those a spreadsheet user sees: the header is row 1 (or the
first non-empty row), the first data row is row 2. Completely empty rows are
skipped but still counted.

Columns:

* text: ``options.text_column`` (case- and accent-insensitive), else the one
  column named like :data:`TEXT_WORDS` (``verbatim``, ``Réponse``,
  ``commentaire_client``...); none or several -> :class:`InputError`;
* participant id: ``options.id_column``, else the first of :data:`ID_NAMES`;
* persona: ``options.persona_column``, else the first of :data:`PERSONA_NAMES`,
  stored as ``attributes['persona']``;
* every other column goes to ``Turn.attributes`` (CSV values stay strings;
  XLSX numbers stay numbers, dates become ISO strings).

Rows whose text is empty are skipped (with a warning) unless the options are a
:class:`TableReadOptions` with ``keep_empty=True``; :func:`read_table` keeps
every row for commands that must write one output row per input row.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.csv"
>>> _ = p.write_text("id;Réponse;NPS\\nR1;Trop cher;3\\nR2;;9\\n", encoding="utf-8")
>>> [(t.line, t.participant, t.text, t.attributes) for t in read_verbatims(p).turns]
[(2, 'R1', 'Trop cher', {'NPS': '3'})]
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewkit.errors import InputError
from interviewkit.io.encoding import decode_text, read_input_bytes
from interviewkit.io.model import VERBATIMS, ParsedDocument, ReadOptions, Turn
from interviewkit.io.plaintext import fold

if TYPE_CHECKING:
    import pandas as pd

TEXT_WORDS = frozenset("""
text texts texte textes verbatim verbatims reponse reponses response responses commentaire
commentaires comment comments answer answers avis feedback feedbacks
""".split())
_META_TOKENS = frozenset("date id nb nombre type code score heure time length longueur langue lang language "
                         "categorie category note count".split())
ID_NAMES = ("participant_id", "respondent_id", "id_participant", "id_repondant", "repondant_id",
            "participant", "respondent", "repondant", "identifiant", "id")
PERSONA_NAMES = ("persona", "personas", "persona_id", "profil", "profile", "segment")
DELIMITERS = (",", ";", "\t", "|")
_FIX = "pass --text-column NAME, or set text_column for this file under 'files:' in corpus.yml"


@dataclass
class TableReadOptions(ReadOptions):
    """:class:`ReadOptions` plus ``keep_empty``: keep rows whose text is empty (as ``text=""``)."""

    keep_empty: bool = False


@dataclass
class Table:
    """A sheet read as strings/numbers: ``header``, ``rows`` as (spreadsheet row, cells)."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    format: str
    encoding: str | None
    warnings: list[str]


def normalise_column(name: str) -> str:
    """``"Réponse libre " -> "reponse_libre"``."""
    return re.sub(r"[^0-9a-z]+", "_", fold(name)).strip("_")


def load_table(path: str | Path, data: bytes | None = None, max_bytes: int | None = None) -> Table:
    """Read a CSV/TSV/XLSX file into a :class:`Table` (first non-empty row = header)."""
    path = Path(path)
    data = read_input_bytes(path, max_bytes) if data is None else data
    if path.suffix.lower() == ".xlsx":
        header_row, raw, warnings, encoding, fmt = *_xlsx_rows(data, path), None, "xlsx"
        delimiter = ""
    else:
        decoded = decode_text(data, path)
        delimiter = sniff_delimiter(decoded.text, prefer="\t" if path.suffix.lower() == ".tsv" else None)
        header_row, raw, warnings = _csv_rows(decoded.text, path, delimiter)
        encoding, fmt = decoded.encoding, "csv"
        warnings = decoded.warnings + warnings
    if header_row is None:
        raise InputError("E146", "the table has no header row (the file or first sheet is empty)", path=path,
                         hint="put the column names on the first row and the answers below")
    number, cells = header_row
    while len(cells) > 1 and _cell_text(cells[-1]) == "" and fmt == "xlsx":
        cells = cells[:-1]  # formatted but empty cells after the last header
    width = max([len(cells)] + [len(r) for _, r in raw]) if fmt == "xlsx" else len(cells)
    header = _header([_cell_text(c) for c in cells] + [""] * (width - len(cells)), warnings)
    rows: list[tuple[int, list[Any]]] = []
    joined: list[int] = []
    for n, r in raw:
        if len(r) > width:  # CSV: unquoted delimiters, most often inside the last (free text) column
            joined.append(n)
            r = r[:width - 1] + [delimiter.join(r[width - 1:])]
        if fmt == "csv":
            r = [cell.strip() for cell in r]
        rows.append((n, r if len(r) == width else r + [""] * (width - len(r))))
    if joined:
        warnings.append(f"{len(joined)} row(s) had more cells than the header; the extra cells were joined to the "
                        f"last column {header[-1]!r} (rows {_rows(joined)}); quote texts that contain the delimiter")
    return Table(header=header, rows=rows, format=fmt, encoding=encoding, warnings=warnings)


def _rows(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def _header(names: list[str], warnings: list[str]) -> list[str]:
    out: list[str] = []
    seen: Counter[str] = Counter()
    for index, name in enumerate(names, start=1):
        name = name.strip() or f"column_{index}"
        seen[name] += 1
        if seen[name] > 1:
            warnings.append(f"duplicate column name {name!r} renamed {name}_{seen[name]}")
            name = f"{name}_{seen[name]}"
        out.append(name)
    return out


def _csv_rows(text: str, path: Path, delimiter: str) -> tuple[tuple[int, list[Any]] | None, list[tuple[int, list[Any]]], list[str]]:
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)  # process-wide: long verbatims (1 MB cells) must be readable
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: tuple[int, list[Any]] | None = None
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            if not "".join(record).strip():
                continue
            if header is None:
                header = (number, record)
            else:
                rows.append((number, record))
    except csv.Error as exc:
        raise InputError("E144", f"the CSV cannot be parsed ({exc})", path=path, line=reader.line_num,
                         hint="check the quotes on that line, or export the file again as CSV UTF-8") from None
    return header, rows, []


def sniff_delimiter(text: str, prefer: str | None = None) -> str:
    """The delimiter among ``, ; TAB |`` that splits the first lines into the most consistent columns."""
    sample = text[:65536]
    best, best_score = prefer or ",", (0.0, 0)
    for delimiter in ((prefer,) if prefer else ()) + DELIMITERS:
        try:
            counts = [len(r) for _, r in zip(range(30), csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        score = (freq / len(counts), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _xlsx_rows(data: bytes, path: Path) -> tuple[tuple[int, list[Any]] | None, list[tuple[int, list[Any]]], list[str]]:
    from interviewkit.io.docx import check_office_zip

    check_office_zip(data, path, "XLSX")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, lxml errors... on damaged files
        raise InputError("E145", f"the XLSX could not be opened ({type(exc).__name__}: {exc})", path=path,
                         hint="open it in Excel or LibreOffice and save it again as .xlsx") from None
    warnings: list[str] = []
    header: tuple[int, list[Any]] | None = None
    rows: list[tuple[int, list[Any]]] = []
    try:
        if not book.worksheets:
            return None, [], warnings
        sheet = book.worksheets[0]
        if len(book.sheetnames) > 1:
            warnings.append(f"only the first sheet ({sheet.title!r}) was read; other sheets: "
                            + ", ".join(repr(n) for n in book.sheetnames[1:]))
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_value(v) for v in values]
            if not any(c != "" for c in cells):
                continue
            if header is None:
                header = (number, cells)
            else:
                rows.append((number, cells))
    except InputError:
        raise
    except Exception as exc:
        raise InputError("E145", f"the XLSX sheet could not be read ({type(exc).__name__}: {exc})", path=path,
                         hint="open it in Excel or LibreOffice and save it again as .xlsx") from None
    finally:
        book.close()
    return header, rows, warnings


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def find_column(header: list[str], wanted: str, path: str | Path, role: str, code: str = "E140") -> int:
    """Index of the column ``wanted`` (case/accent/punctuation-insensitive) or :class:`InputError`."""
    key = normalise_column(wanted)
    for index, name in enumerate(header):
        if normalise_column(name) == key:
            return index
    raise InputError(code, f"the {role} column {wanted!r} is not in the file", path=path, value=wanted,
                     allowed=header, hint=f"use one of the available columns (check spelling in --{role}-column or corpus.yml)")


def detect_text_column(header: list[str], path: str | Path) -> int:
    """Index of the one column named like a free-text answer, or :class:`InputError` (E141/E142)."""
    names = [normalise_column(h) for h in header]
    exact = [i for i, n in enumerate(names) if n in TEXT_WORDS]
    partial = [i for i, n in enumerate(names) if set(n.split("_")) & TEXT_WORDS and not set(n.split("_")) & _META_TOKENS]
    chosen = exact if exact else partial
    if len(chosen) == 1:
        return chosen[0]
    if chosen:
        raise InputError("E142", "several columns could hold the verbatim text: " + ", ".join(header[i] for i in chosen),
                         path=path, allowed=header, hint=_FIX)
    raise InputError("E141", "no column looks like the verbatim text (text, verbatim, réponse, commentaire, avis...)",
                     path=path, allowed=header, hint=_FIX)


def _optional_column(header: list[str], wanted: str | None, names: tuple[str, ...], path: Path,
                     role: str, exclude: set[int]) -> int | None:
    if wanted:
        return find_column(header, wanted, path, role, "E143")
    normalised = [normalise_column(h) for h in header]
    for name in names:
        if name in normalised and normalised.index(name) not in exclude:
            return normalised.index(name)
    return None


def resolve_columns(table: Table, options: ReadOptions, path: Path) -> tuple[int, int | None, int | None]:
    """``(text, id, persona)`` column indexes for ``table``."""
    text = find_column(table.header, options.text_column, path, "text") if options.text_column \
        else detect_text_column(table.header, path)
    ident = _optional_column(table.header, options.id_column, ID_NAMES, path, "id", {text})
    persona = _optional_column(table.header, options.persona_column, PERSONA_NAMES, path, "persona",
                               {text} | ({ident} if ident is not None else set()))
    return text, ident, persona


def read_verbatims(path: str | Path, options: ReadOptions | None = None, data: bytes | None = None) -> ParsedDocument:
    """Read a CSV/TSV/XLSX of verbatims into a ``kind="verbatims"`` :class:`ParsedDocument`."""
    path = Path(path)
    options = options or ReadOptions()
    table = load_table(path, data, options.max_bytes)
    text_i, id_i, persona_i = resolve_columns(table, options, path)
    keep_empty = getattr(options, "keep_empty", False)
    plan: dict[str, int] = {}  # attribute key -> column index
    if persona_i is not None:
        plan["persona"] = persona_i
    for index, name in enumerate(table.header):
        if index not in (text_i, id_i, persona_i):
            plan[name if name not in plan else f"{name}_{index + 1}"] = index
    turns: list[Turn] = []
    empty: list[int] = []
    for number, cells in table.rows:
        text = _cell_text(cells[text_i])
        if not text and not keep_empty:
            empty.append(number)
            continue
        participant = _cell_text(cells[id_i]) if id_i is not None else ""
        turns.append(Turn(text=text, line=number, participant=participant or None,
                          attributes={key: cells[index] for key, index in plan.items()}))
    warnings = list(table.warnings)
    if empty:
        warnings.append(f"{len(empty)} row(s) with an empty {table.header[text_i]!r} were skipped (rows {_rows(empty)})")
    if not turns:
        raise InputError("E146", f"no row has a text in column {table.header[text_i]!r}", path=path,
                         hint="check that the answers are in that column, or choose another with --text-column")
    metadata = {"text_column": table.header[text_i], "columns": table.header,
                "id_column": table.header[id_i] if id_i is not None else None,
                "persona_column": table.header[persona_i] if persona_i is not None else None}
    return ParsedDocument(path=path, format=table.format, kind=VERBATIMS, turns=turns, encoding=table.encoding,
                          metadata=metadata, warnings=warnings)


def read_table(path: str | Path, text_column: str | None = None, options: ReadOptions | None = None) -> pd.DataFrame:
    """Every non-empty row of a CSV/TSV/XLSX as a pandas DataFrame of strings.

    Columns: ``_row`` (int, the spreadsheet row number) then the file's columns
    in their original order. ``df.attrs`` holds ``text_column``, ``id_column``,
    ``persona_column`` (resolved names, or None) and ``warnings``.
    """
    import pandas as pd

    path = Path(path)
    options = options or ReadOptions()
    if text_column is not None:
        options = ReadOptions(text_column=text_column, id_column=options.id_column,
                              persona_column=options.persona_column, max_bytes=options.max_bytes)
    table = load_table(path, max_bytes=options.max_bytes)
    text_i, id_i, persona_i = resolve_columns(table, options, path)
    columns: dict[str, Any] = {"_row": pd.array([n for n, _ in table.rows], dtype="int64")}
    for index, name in enumerate(table.header):
        columns[name] = pd.array([_cell_text(cells[index]) for _, cells in table.rows], dtype="str")
    frame = pd.DataFrame(columns)
    frame.attrs.update({
        "text_column": table.header[text_i],
        "id_column": table.header[id_i] if id_i is not None else None,
        "persona_column": table.header[persona_i] if persona_i is not None else None,
        "warnings": table.warnings,
    })
    return frame
