"""DOCX transcripts (Word, Teams downloads) read with python-docx, behind a ZIP guard.

Before python-docx sees the bytes, :func:`check_office_zip` refuses: encrypted
(password-protected) Office files and old ``.doc`` files (OLE ``D0 CF 11 E0``
header), truncated or non-ZIP files, and ZIP bombs (total uncompressed size
over :data:`MAX_UNCOMPRESSED`, or a member over :data:`RATIO_MIN_SIZE` bytes
compressed more than :data:`MAX_RATIO`:1).

Content, in document order:

* paragraphs ``Name: text`` (the label heuristic of :mod:`~interviewkit.io.plaintext`);
* Teams-style paragraphs: a speaker paragraph with its time on the same line
  (``Claire Vidal   0:03``) or on the next one, then the text paragraphs;
* tables whose rows are (speaker, text), (time, text) or (time, speaker, text),
  an optional header row being skipped;
* headings are not turns; the core "title" property, else the first Title /
  Heading 1 paragraph, goes to ``metadata['title']``.

``Turn.line`` is the position of the paragraph or table row in the body (1-based).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from interviewkit.errors import InputError
from interviewkit.io.model import TRANSCRIPT, ParsedDocument, Turn
from interviewkit.io.plaintext import (
    Record, choose_speakers, clean_name, count_headers, fold, header_turns, label_turns,
    match_label, parse_timestamp, recurring_name_lines,
)

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_SIZE = 5 * 1024 * 1024
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_CELLS = frozenset("""
locuteur locutrice speaker intervenant intervenante nom name qui texte text verbatim propos
transcription temps time heure horodatage timestamp debut start contenu dialogue participant
""".split())
_KINDS = {"DOCX": ("word/document.xml", "a Word file", "Word"), "XLSX": ("xl/workbook.xml", "an Excel file", "Excel")}


def check_office_zip(data: bytes, path: str | Path | None, kind: str = "DOCX",
                     max_total: int = MAX_UNCOMPRESSED) -> None:
    """Raise :class:`InputError` unless ``data`` is a sane, unencrypted DOCX/XLSX ZIP container."""
    member, what, app = _KINDS[kind]
    if not data:
        raise InputError("E102", "the file is empty", path=path, hint=f"save the {kind} again from {app}")
    if data.startswith(OLE_HEADER):
        if _utf16(b"EncryptionInfo") in data or _utf16(b"WordDocument") not in data and _utf16(b"Workbook") not in data:
            raise InputError("E131", f"the {kind} is password-protected (encrypted)", path=path,
                             hint=f"open it in {app} and save an unprotected copy (without password)")
        raise InputError("E136", f"this is an old {app} 97-2003 file, not a {kind}", path=path,
                         hint=f"open it in {app} and save it as .{kind.lower()}")
    truncated = InputError("E130", f"the {kind} is truncated or not {what}", path=path,
                           hint=f"copy or download the file again, or save it again from {app}")
    if not data.startswith(b"PK"):
        raise truncated
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise truncated from None
    total = sum(info.file_size for info in infos)
    if total > max_total:
        raise InputError("E132", f"the {kind} would expand to {total // 2**20} MB, over the {max_total // 2**20} MB limit "
                         "(possible ZIP bomb)", path=path, hint="check the file; split a very large document")
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError("E131", f"the {kind} is password-protected (encrypted member {info.filename})",
                             path=path, hint=f"open it in {app} and save an unprotected copy")
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError("E133", f"the {kind} member {info.filename} is compressed "
                             f"{info.file_size // max(info.compress_size, 1)}:1 (possible ZIP bomb)",
                             path=path, hint="check where the file comes from; save it again from the application")
    if member not in {info.filename for info in infos}:
        raise InputError("E134", f"the file is a ZIP archive but not {what} (no {member})", path=path,
                         hint=f"check the file extension; save the document again as .{kind.lower()}")


def _utf16(name: bytes) -> bytes:
    return name.decode("ascii").encode("utf-16-le")


def read_docx(path: str | Path, data: bytes | None = None) -> ParsedDocument:
    """Read a DOCX transcript (``data`` = its bytes when already read)."""
    data = Path(path).read_bytes() if data is None else data
    check_office_zip(data, path, "DOCX")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        items = list(document.iter_inner_content())
    except InputError:
        raise
    except Exception as exc:  # python-docx / lxml raise many types on damaged parts
        raise InputError("E134", f"the DOCX could not be opened by python-docx ({type(exc).__name__}: {exc})",
                         path=path, hint="open it in Word and save it again as .docx") from None
    metadata: dict[str, Any] = _core_metadata(document)
    chunks: list[list[Record] | list[Turn]] = []
    position = 0
    for item in items:
        if isinstance(item, Table):
            turns, position = _table_turns(item, position)
            chunks.append(turns)
            continue
        position += 1
        style = fold(getattr(item.style, "name", "") or "")
        text = item.text or ""
        if style.startswith(("heading", "titre", "title")):
            if "title" not in metadata and text.strip() and (style in ("title", "titre") or style.endswith(" 1")):
                metadata["title"] = text.strip()
            records: list[Record] = [(position, "")]
        else:
            records = [(position, part) for part in text.replace("\r", "\n").split("\n")]
        if chunks and chunks[-1] and isinstance(chunks[-1][0], tuple):
            chunks[-1].extend(records)  # type: ignore[arg-type]
        else:
            chunks.append(records)
    turns = _paragraph_turns(chunks, metadata)
    if not turns:
        raise InputError("E107", "no transcript text was found in the DOCX", path=path,
                         hint="check that the document holds the transcript text (not only images or headings)")
    return ParsedDocument(path=Path(path), format="docx", kind=TRANSCRIPT, turns=turns, encoding=None,
                          metadata=metadata)


def _core_metadata(document: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    try:
        props = document.core_properties
        if props.title and props.title.strip():
            meta["title"] = props.title.strip()
        if props.created is not None:
            meta["created"] = props.created.isoformat()
    except Exception:  # damaged docProps/core.xml is not worth refusing the transcript
        pass
    return meta


def _paragraph_turns(chunks: list[Any], metadata: dict[str, Any]) -> list[Turn]:
    all_records = [r for chunk in chunks if chunk and isinstance(chunk[0], tuple) for r in chunk]
    names = recurring_name_lines(all_records)
    speakers = choose_speakers(all_records)
    labels = sum(1 for _, line in all_records if (m := match_label(line)) and m[0] in speakers)
    header_mode = count_headers(all_records, names) >= max(2, labels)
    turns: list[Turn] = []
    for chunk in chunks:
        if not chunk or not isinstance(chunk[0], tuple):
            turns.extend(chunk)
            continue
        if not header_mode:
            turns.extend(label_turns(chunk, speakers))
            continue
        found, preamble = header_turns(chunk, names)
        if not turns and preamble and found:
            text = "\n".join(line.strip() for _, line in preamble if line.strip())
            if text:
                metadata["preamble"] = text
        elif preamble:
            turns.extend(label_turns(preamble, speakers))
        turns.extend(found)
    return turns


def _table_turns(table: Any, position: int) -> tuple[list[Turn], int]:
    turns: list[Turn] = []
    speaker: str | None = None
    for index, row in enumerate(table.rows):
        position += 1
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) not in seen:  # merged cells repeat the same element
                seen.add(id(cell._tc))
                cells.append(cell.text.strip())
        if not any(cells):
            continue
        if index == 0 and all(fold(c).rstrip(" :") in _HEADER_CELLS for c in cells if c):
            continue
        timed = next((i for i, c in enumerate(cells[:2]) if parse_timestamp(c.split("-->")[0]) is not None), None)
        start = parse_timestamp(cells[timed].split("-->")[0]) if timed is not None else None
        rest = [c for i, c in enumerate(cells) if i != timed]
        who: str | None = None
        if len(cells) <= 3 and len(rest) == 2:
            who = clean_name(rest[0].rstrip(": ")) or speaker
            text = rest[1]
        elif len(rest) == 1:
            text = rest[0]
        else:
            text = " ".join(c for c in rest if c)
            label = match_label(text)
            if label is not None:
                who, text = label[0], label[3]
        speaker = who
        if text.strip():
            turns.append(Turn(text=text.strip(), speaker=who, start=start, line=position))
    return turns, position
