"""File readers: transcripts and verbatims -> :class:`~interviewkit.io.model.ParsedDocument`.

Entry points: :func:`detect_format`, :func:`read_document`, :func:`iter_corpus_files`.

Error codes (every reader failure is an :class:`~interviewkit.errors.InputError`
naming the file and, when relevant, the line/row; manifest and participants file
problems are :class:`~interviewkit.errors.ConfigError`):

====  ==============================================================================
E101  file not found, not a regular file, or unreadable (permissions)
E102  file empty (or only blank lines)
E103  file larger than ``ReadOptions.max_bytes``
E104  binary content in a text file (NUL/control bytes, PDF, image, ZIP...)
E105  text encoding not recognised / not decodable cleanly
E106  unsupported file extension or format
E107  no transcript text found (only headings, header block, images...)
E121  VTT/SRT: malformed cue timing and no valid cue (first bad line given)
E122  VTT/SRT: no cue at all
E130  DOCX/XLSX: truncated or not a ZIP/Office file
E131  DOCX/XLSX: password-protected (encrypted) Office file
E132  DOCX/XLSX: total uncompressed size over the limit (ZIP bomb guard)
E133  DOCX/XLSX: absurd compression ratio on a large member (ZIP bomb guard)
E134  DOCX: a ZIP that is not a Word document, or python-docx cannot open it
E136  DOCX/XLSX: old Office 97-2003 binary file (.doc/.xls renamed)
E140  table: the text column asked for is not in the file
E141  table: no column looks like the text column
E142  table: several columns could be the text column (ambiguous)
E143  table: the id/persona column asked for is not in the file
E144  CSV cannot be parsed (quoting)
E145  XLSX cannot be opened or read by openpyxl
E146  table without header, data rows, or any non-empty text
E199  unexpected reader failure (a bug: please report it with the file)
E201  corpus.yml: not valid YAML / not UTF-8
E202  corpus.yml: unknown top-level key
E203  corpus.yml: wrong value type
E204  corpus.yml: a file named in ``participants``/``files`` does not exist
E205  corpus.yml: unsupported ``version``
E206  corpus.yml: unsupported ``language`` or ``format`` value
E207  corpus.yml: unknown per-file option under ``files:``
E208  both corpus.yml and corpus.yaml exist
E209  corpus.yml: duplicated key
E210  participants file: no participant id column
E211  participants file: duplicated participant ids (rows named)
E212  participants file: a row without participant id
====  ==============================================================================

>>> detect_format("entretien.vtt"), detect_format("verbatims.tsv")
('vtt', 'csv')
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from interviewkit.errors import InputError, InterviewkitError
from interviewkit.io import plaintext
from interviewkit.io.encoding import decode_text, read_input_bytes
from interviewkit.io.manifest import MANIFEST_NAMES, Manifest
from interviewkit.io.model import FORMATS, ParsedDocument, ReadOptions, Turn

__all__ = ["CorpusFiles", "ParsedDocument", "ReadOptions", "Turn", "SUPPORTED_EXTENSIONS",
           "detect_format", "iter_corpus_files", "read_document", "sniff_text_format"]

#: Extension -> format (``.txt`` is refined by content: plain, otter, vtt or srt).
SUPPORTED_EXTENSIONS = {
    ".txt": "plain", ".md": "markdown", ".markdown": "markdown", ".vtt": "vtt", ".srt": "srt",
    ".docx": "docx", ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx",
}
_SNIFF_BYTES = 256 * 1024


def _format_by_extension(path: Path) -> str:
    fmt = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError("E106", f"unsupported file type {path.suffix or '(no extension)'!r}", path=path,
                         allowed=sorted(SUPPORTED_EXTENSIONS),
                         hint="export the transcript as .txt, .docx, .vtt or .srt (verbatims as .csv or .xlsx)")
    return fmt


def detect_format(path: str | Path, text: str | None = None) -> str:
    """The reader format of ``path``: by extension, then by content for ``.txt``
    (``text`` = its decoded content when already read)."""
    path = Path(path)
    fmt = _format_by_extension(path)
    if path.suffix.lower() != ".txt":
        return fmt
    if text is None:
        if not path.is_file():
            return fmt
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES + 1)
        if not head:
            return fmt
        if len(head) > _SNIFF_BYTES:  # cut after the last newline so no character is split
            cut = head.rfind(b"\n", 0, _SNIFF_BYTES) + 1 or _SNIFF_BYTES
            head = head[: cut + (cut % 2 if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:64] else 0)]
        try:
            text = decode_text(head, path).text
        except InputError:  # a cut in the middle of a multi-byte sequence: decide on the whole file
            text = decode_text(path.read_bytes(), path).text
    return sniff_text_format(text)


def read_document(path: str | Path, options: ReadOptions | None = None, *, format: str | None = None) -> ParsedDocument:
    """Read any supported file into a :class:`ParsedDocument`.

    ``format`` forces a reader (e.g. the ``format`` of a ``files:`` entry of corpus.yml).
    Every failure is an :class:`InputError`.
    """
    path = Path(path)
    options = options or ReadOptions()
    if format is not None and format not in FORMATS:
        raise InputError("E106", f"unknown format {format!r}", path=path, allowed=FORMATS,
                         hint="use one of the reader formats")
    fmt = format or _format_by_extension(path)
    data = read_input_bytes(path, options.max_bytes)
    try:
        return _dispatch(path, data, fmt, options, forced=format is not None)
    except (InterviewkitError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # never let a reader bug escape as a bare exception
        raise InputError("E199", f"unexpected error while reading the file ({type(exc).__name__}: {exc})",
                         path=path, hint="please report this bug, with the file if you can share it") from exc


def _dispatch(path: Path, data: bytes, fmt: str, options: ReadOptions, forced: bool) -> ParsedDocument:
    from interviewkit.io import docx, subtitles, tabular

    if fmt == "docx":
        return docx.read_docx(path, data)
    if fmt in ("csv", "xlsx"):
        return tabular.read_verbatims(path, options, data)
    decoded = decode_text(data, path)
    if fmt == "plain" and not forced and path.suffix.lower() == ".txt":
        fmt = sniff_text_format(decoded.text)
    parser = {"plain": plaintext.parse_plain, "otter": plaintext.parse_otter, "markdown": plaintext.parse_markdown,
              "vtt": subtitles.parse_vtt, "srt": subtitles.parse_srt}[fmt]
    document = parser(decoded.text, path, decoded.encoding)
    document.warnings[:0] = decoded.warnings
    return document


_SRT_TIMING = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")


def sniff_text_format(text: str) -> str:
    """Format of a ``.txt`` by its content: ``vtt``, ``srt``, ``otter`` or ``plain``."""
    head = text.lstrip("\ufeff \t\n")[:200_000]
    if head.startswith("WEBVTT"):
        return "vtt"
    records = plaintext.records_of(head)[:3000]
    lines = [line for _, line in records[:40] if line.strip()]
    if len(lines) >= 2 and lines[0].strip().isdigit() and _SRT_TIMING.match(lines[1]):
        return "srt"
    first = plaintext.fold(lines[0].strip()) if lines else ""
    headers = plaintext.count_headers(records, plaintext.otter_header_names(records))
    if headers >= 1 and first in plaintext.OTTER_SECTIONS:
        return "otter"
    if headers >= 2:
        labels = sum(1 for _, line in records if plaintext.match_label(line))
        if headers >= labels:
            return "otter"
    return "plain"


class CorpusFiles(list[Path]):
    """The files to read (a sorted list of paths) plus ``skipped``: (path, reason) pairs."""

    def __init__(self, files: Iterable[Path] = (), skipped: Iterable[tuple[Path, str]] = ()) -> None:
        super().__init__(files)
        self.skipped: list[tuple[Path, str]] = list(skipped)


def iter_corpus_files(paths: str | Path | Iterable[str | Path], manifest: Manifest | None = None) -> CorpusFiles:
    """Files to ingest under ``paths`` (files and folders, recursive), sorted and de-duplicated.

    Skipped, with a reason in ``result.skipped``: hidden files and folders, the
    manifest, the participants file it names, files matching its ``exclude``
    patterns, and unsupported extensions. A path that does not exist -> E101.
    Files named explicitly are kept even when hidden or excluded.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: set[Path] = set()
    skipped: dict[Path, str] = {}
    participants = manifest.participants.resolve() if manifest and manifest.participants else None
    for given in map(Path, paths):
        if given.is_file():
            _consider(given, found, skipped, None, participants, explicit=True)
        elif given.is_dir():
            for folder, dirs, files in os.walk(given):
                base = Path(folder)
                for name in sorted(dirs):
                    if name.startswith("."):
                        skipped[base / name] = "hidden folder"
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    _consider(base / name, found, skipped, manifest, participants, explicit=False)
        else:
            raise InputError("E101", "file or folder not found", path=given, hint="check the path")
    return CorpusFiles(sorted(found), sorted(skipped.items()))


def _consider(path: Path, found: set[Path], skipped: dict[Path, str], manifest: Manifest | None,
              participants: Path | None, explicit: bool) -> None:
    reason = None
    if path.name in MANIFEST_NAMES:
        reason = "corpus manifest"
    elif participants is not None and path.resolve() == participants:
        reason = "participants file named in corpus.yml"
    elif not explicit and path.name.startswith("."):
        reason = "hidden file"
    elif not explicit and manifest is not None and (pattern := manifest.excluded_by(path)):
        reason = f"excluded by pattern {pattern!r} in {manifest.path.name}"
    elif path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        reason = (f"unsupported file type {path.suffix or '(no extension)'!r} "
                  f"(supported: {', '.join(sorted(SUPPORTED_EXTENSIONS))})")
    if reason is None:
        found.add(path)
    else:
        skipped[path] = reason
