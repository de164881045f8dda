"""What every reader returns: a :class:`ParsedDocument` made of :class:`Turn` objects.

Readers never pseudonymise, segment or store; they turn bytes into turns and
raise :class:`interviewkit.errors.InputError` (naming the file and line) when
they cannot.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRANSCRIPT = "transcript"
VERBATIMS = "verbatims"


@dataclass
class Turn:
    """One speaker turn (transcripts) or one answer row (verbatims).

    ``speaker`` is the name as written in the file (None when unknown);
    ``start``/``end`` are seconds from the start of the recording when known;
    ``line`` is the 1-based line (text formats) or data row (tables) it came from;
    ``participant`` is set by table readers when a row names its respondent;
    ``attributes`` holds the other columns of a table row (persona, NPS, date...).
    """

    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None
    line: int | None = None
    participant: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """A file read into turns.

    ``format`` is one of :data:`FORMATS`; ``kind`` is ``"transcript"`` or
    ``"verbatims"``; ``encoding`` is the detected text encoding (None for
    binary containers such as DOCX/XLSX); ``metadata`` holds what the file says
    about itself (title, date, Otter keywords...); ``warnings`` lists
    recoverable oddities (skipped lines, repaired timestamps) as plain sentences.
    """

    path: Path
    format: str
    kind: str
    turns: list[Turn]
    encoding: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


FORMATS = ("plain", "otter", "markdown", "vtt", "srt", "docx", "csv", "xlsx")


@dataclass
class ReadOptions:
    """Options a reader may need: ``text_column`` for tables (None = detect),
    ``id_column``/``persona_column`` for tables (None = detect), and size limits."""

    text_column: str | None = None
    id_column: str | None = None
    persona_column: str | None = None
    max_bytes: int = 200 * 1024 * 1024
