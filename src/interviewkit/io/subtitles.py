"""WebVTT (Zoom, Teams) and SRT readers.

A cue is an optional id/index line, a timing line ``start --> end`` and text
lines. The speaker comes from a voice tag ``<v Name>`` (Zoom, Teams) or a
``Name: text`` prefix (Teams, SRT exports; accepted with the heuristic of
:mod:`interviewkit.io.plaintext`). Consecutive cues of the same (known) speaker
merge into one turn that keeps the first start and the last end.

Damaged timings: when only some cues are bad they are skipped and a warning
names their lines; when no cue is valid the file is refused (``E121`` with the
first bad line, or ``E122`` when there is no cue at all).

>>> doc = parse_vtt("WEBVTT\\n\\n1\\n00:00:01.000 --> 00:00:03.500\\n<v Claire>Bonjour</v>\\n\\n"
...                 "00:00:04.000 --> 00:00:05.000\\n<v Claire>Ça va ?</v>")
>>> [(t.speaker, t.start, t.end, t.text) for t in doc.turns]
[('Claire', 1.0, 5.0, 'Bonjour Ça va ?')]
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from interviewkit.errors import InputError
from interviewkit.io.model import TRANSCRIPT, ParsedDocument, Turn
from interviewkit.io.plaintext import choose_speakers, match_label, parse_timestamp

_TIME = r"\d{1,3}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})(?:\s+.*)?$")
# A line that tries to be a timing line: "00:00:01,000 --> ...", "00:01 -> 00:02", "1 --> 2".
_TIMING_LIKE = re.compile(r"-->|^\s*\d[\d:.,]*\s*(?:-+>|–|—|-)\s*\d[\d:.,]*\s*$")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_SKIP_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass
class _Cue:
    start: float
    end: float | None
    line: int
    parts: list[tuple[str | None, str]] = field(default_factory=list)  # (voice, text) per payload line


def parse_vtt(text: str, path: str | Path | None = None, encoding: str | None = None) -> ParsedDocument:
    """Read WebVTT text (Zoom ``<v Name>``, Teams ``Name: text`` or ``<v Name>``)."""
    return _parse(text, path, encoding, "vtt")


def parse_srt(text: str, path: str | Path | None = None, encoding: str | None = None) -> ParsedDocument:
    """Read SRT text (index, ``00:00:01,000 --> 00:00:04,000``, text lines, maybe ``Name: text``)."""
    return _parse(text, path, encoding, "srt")


def _parse(text: str, path: str | Path | None, encoding: str | None, fmt: str) -> ParsedDocument:
    if not text.strip():
        raise InputError("E102", "the file is empty (only blank lines)", path=path,
                         hint="export the subtitles again")
    lines = text.split("\n")
    warnings: list[str] = []
    metadata: dict[str, object] = {}
    first = next(i for i, line in enumerate(lines) if line.strip())
    if fmt == "vtt":
        if lines[first].startswith("WEBVTT"):
            metadata.update(_vtt_header(lines[first:]))
        else:
            warnings.append("the file does not start with 'WEBVTT'; read as WebVTT anyway")
    cues, bad, orphans = _scan(lines, fmt)
    if not cues:
        if bad:
            raise InputError(
                "E121", f"malformed cue timing; no valid cue in the file (bad timings on line(s) {_list(bad)})",
                path=path, line=bad[0], value=lines[bad[0] - 1].strip()[:80],
                hint="timings must look like 00:00:01.000 --> 00:00:04.000 (SRT: 00:00:01,000); "
                     "export the file again from the meeting tool",
            )
        raise InputError("E122", f"no subtitle cue with text found in this {fmt.upper()} file", path=path,
                         hint="check that it is a subtitle file (cues with 'start --> end' lines)")
    if bad:
        warnings.append(f"skipped {len(bad)} cue(s) with a malformed timing on line(s) {_list(bad)}")
    if orphans:
        warnings.append(f"ignored text outside any cue on line(s) {_list(orphans)}")
    backwards = [cue.line for cue in cues if cue.end is not None and cue.end < cue.start]
    for cue in cues:
        if cue.end is not None and cue.end < cue.start:
            cue.end = None
    if backwards:
        warnings.append(f"cue(s) ending before they start on line(s) {_list(backwards)}: end time ignored")
    return ParsedDocument(path=Path(path or "<text>"), format=fmt, kind=TRANSCRIPT,
                          turns=_merge(cues), encoding=encoding, metadata=metadata, warnings=warnings)


def _list(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def _vtt_header(lines: list[str]) -> dict[str, object]:
    meta: dict[str, object] = {}
    for line in lines[1:50]:
        if not line.strip() or "-->" in line:
            break
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip()
    return meta


def _scan(lines: list[str], fmt: str) -> tuple[list[_Cue], list[int], list[int]]:
    """Cues, lines of malformed timings, lines of text outside cues."""
    cues: list[_Cue] = []
    bad: list[int] = []
    orphans: list[int] = []
    cue: _Cue | None = None
    skipping = False  # inside a NOTE/STYLE/REGION block, the header, or a cue with a bad timing
    block: list[int] = []  # line numbers of the current block before its timing line
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            orphans.extend(block)
            cue, skipping, block = None, False, []
            continue
        if skipping:
            continue
        at_block_start = cue is None and not block
        if at_block_start and (not cues and line.startswith("WEBVTT")
                               or fmt == "vtt" and line.split(maxsplit=1)[0] in _SKIP_BLOCKS):
            skipping = True
            continue
        if "-->" in line or (cue is None and (block or fmt == "srt") and _TIMING_LIKE.search(line)):
            timing = _TIMING.match(line)
            start = parse_timestamp(timing.group("start")) if timing else None
            end = parse_timestamp(timing.group("end")) if timing else None
            if cue is not None and cue.parts and _is_index(cue.parts[-1][1]):
                cue.parts.pop()  # SRT without blank lines: the last "text" line was the next index
            orphans.extend(block[:-1])
            block = []
            if start is None or end is None:
                bad.append(number)
                cue, skipping = None, True
                continue
            cue = _Cue(start=start, end=end, line=number)
            cues.append(cue)
            continue
        if cue is not None:
            cue.parts.append(_voice_text(line, cue.parts))
        elif fmt == "srt" and len(block) == 1 and _is_index(lines[block[0] - 1].strip()):
            bad.append(number)  # an index followed by something that is not a timing
            block, skipping = [], True
        else:
            block.append(number)
    orphans.extend(block)
    return [c for c in cues if any(text for _, text in c.parts)], bad, orphans


def _is_index(line: str) -> bool:
    return line.isdigit()


def _voice_text(line: str, previous: list[tuple[str | None, str]]) -> tuple[str | None, str]:
    """``(voice, text)`` of a payload line; a voice span goes on until the end of the cue."""
    voice = _VOICE.search(line)
    name = voice.group("name").strip() if voice and voice.group("name") else None
    if name is None and voice is None and previous:
        name = previous[-1][0]
    text = html.unescape(_TAG.sub("", line)).replace("\u00a0", " ").strip()
    return name or None, text


def _segments(cues: list[_Cue]) -> list[tuple[_Cue, str | None, str]]:
    """Each cue split by voice: ``(cue, voice, text)``."""
    out: list[tuple[_Cue, str | None, str]] = []
    for cue in cues:
        groups: list[tuple[str | None, list[str]]] = []
        for voice, text in cue.parts:
            if groups and (voice == groups[-1][0] or voice is None):
                groups[-1][1].append(text)
            else:
                groups.append((voice, [text]))
        out.extend((cue, voice, " ".join(t for t in texts if t)) for voice, texts in groups)
    return [segment for segment in out if segment[2]]


def _merge(cues: list[_Cue]) -> list[Turn]:
    segments = _segments(cues)
    speakers = choose_speakers([(cue.line, text) for cue, voice, text in segments if voice is None])
    turns: list[Turn] = []
    for cue, speaker, text in segments:
        if speaker is None:
            label = match_label(text)
            if label is not None and label[0] in speakers:
                speaker, text = label[0], label[3].strip()
        if turns and speaker is not None and turns[-1].speaker == speaker:
            last = turns[-1]
            last.text = f"{last.text} {text}".strip()
            last.end = cue.end if cue.end is not None else last.end
        elif text:
            turns.append(Turn(text=text, speaker=speaker, start=cue.start, end=cue.end, line=cue.line))
    return turns
