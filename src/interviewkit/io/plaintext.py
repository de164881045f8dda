"""Readers for text transcripts: plain ``Name: text``, timestamped, Otter.ai and Markdown.

Speaker heuristic (label mode). A line is a *speaker line* when it starts with
``Name:`` (optionally ``[00:01:02] Name:``, ``(01:02) Name:``, ``00:01:02 Name:``,
``Name [00:01:02]:``, ``**Name:**``, French ``Name :``) and the name is accepted:

* the name has at most 5 words of letters/digits/hyphens/apostrophes, starts with a letter;
* it is not a known annotation label (``Remarque``, ``Note``, ``NB``, ``Exemple``,
  ``Date``, ``Tél``, ``Bref``... see :data:`NOT_SPEAKERS`), nor a URL (``http://``);
* and either it *looks like a name* (every word capitalised, a particle such as
  ``de``/``van``, a number as in ``Participant 2``, a role word such as
  ``interviewer``, or a word of a caseless script) and it recurs as a line
  prefix, starts a paragraph, or the document has other speakers; or it is one
  or two words (``interviewer``, ``q``) recurring at least twice.

Any other line continues the current turn. A paragraph without a speaker after
a blank line is a new turn of the same speaker (the speaker keeps the floor);
before any speaker, or in a file with no speaker at all, its speaker is None.

Header mode (Otter.ai, Teams DOCX): a line ``Name  00:13`` (or ``Name`` then a
line ``0:00:13``) opens a turn whose text is on the following lines.

>>> doc = parse_plain("[00:00:05] Claire : Bonjour.\\nSophie: Bonjour !\\nsuite")
>>> [(t.speaker, t.start, t.text) for t in doc.turns]
[('Claire', 5.0, 'Bonjour.'), ('Sophie', None, 'Bonjour !\\nsuite')]
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from interviewkit.errors import InputError
from interviewkit.io.model import TRANSCRIPT, ParsedDocument, Turn

Record = tuple[int, str]  # (1-based line number, line text)

_TS = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_SP = r"[ \t\u00a0\u202f]"
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_NAME = r"[^\W\d_][\w'’.\-]*(?:\([\w]+\))?(?:[ \t\u00a0][\w'’.\-()]+){0,4}"
_BOLD = r"(?:\*\*|__|\*|_)"
_LEAD_TS = rf"(?P<lead>\[(?P<l1>{_TS})(?:\s*-->\s*(?P<l2>{_TS}))?\]|\((?P<l3>{_TS})\)|(?P<l4>{_TS}))"
_LABEL = re.compile(
    rf"^[\s{_INVISIBLE}]*(?:{_LEAD_TS}{_SP}*(?:[-–—|]{_SP}*)?)?{_BOLD}?(?P<name>{_NAME})"
    rf"(?:{_SP}*[\[(](?P<trail>{_TS})[\])])?{_SP}*{_BOLD}?{_SP}*:(?!//)(?:{_SP}*{_BOLD}(?=\s|$))?{_SP}*"
)
_TIMED = re.compile(rf"^[\s{_INVISIBLE}]*{_LEAD_TS}(?:{_SP}+(?:[-–—|]{_SP}*)?|$)")
_HEADER = re.compile(rf"^[\s{_INVISIBLE}]*(?P<name>{_NAME}?){_SP}+(?P<ts>{_TS}){_SP}*$")
_NAME_ONLY = re.compile(rf"^[\s{_INVISIBLE}]*(?P<name>{_NAME}){_SP}*$")
_TS_ONLY = re.compile(rf"^[\s{_INVISIBLE}]*[\[(]?(?P<ts>{_TS})[\])]?{_SP}*$")
_TIMESTAMP = re.compile(r"\s*(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*")
_PAREN_TAIL = re.compile(r"\s+\([^)]*\)$")
_PREFIX = 256  # label detection only looks at the start of a line (1 MB lines stay linear)

PARTICLES = frozenset("de du des la le d' d’ van von der den di da dos ben bin el al y e".split())
#: Words that introduce notes rather than speakers (compared without accents, lower case).
NOT_SPEAKERS = frozenset("""
remarque remarques note notes nb ps pss exemple ex attention important rappel conclusion resume
contexte objectif objectifs date lieu duree heure horaire sujet titre theme source sources lien liens
url http https www mailto email mail courriel tel telephone portable adresse prix total info infos
details action actions solution solutions verbatim citation idee astuce conseil motif raison cause
consequence avantage avantages inconvenient inconvenients point points positif negatif irritant
irritants besoin besoins attentes attente bref alors donc enfin ensuite puis mais et voila resultat
bilan probleme problemes pourquoi comment quoi quand combien mots-cles keywords summary speakers
transcript todo warning edit update why because also then so well nota bene version statut status
etape etapes question-cle synthese recommandation recommandations observation observations
preambule introduction entretien interview transcription enregistrement participants intervenants
presents personnes projet etude lieux dates ordre agenda legende
""".split())
ROLE_WORDS = frozenset("""
interviewer intervieweur intervieweuse interviewe interviewee enqueteur enquetrice animateur
animatrice moderateur moderatrice moderator participant participante repondant repondante client
cliente utilisateur utilisatrice speaker locuteur locutrice intervenant intervenante q r
""".split())


def fold(value: str) -> str:
    """Lower case without accents: ``fold("Réponse") == "reponse"``."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_timestamp(value: str) -> float | None:
    """Seconds for ``"01:02"``, ``"1:02:03"``, ``"00:01:02.500"``, ``"0:01:02,5"``; None if invalid.

    >>> parse_timestamp("1:02:03,5"), parse_timestamp("12:75")
    (3723.5, None)
    """
    match = _TIMESTAMP.fullmatch(value)
    if not match:
        return None
    hours, minutes, seconds, frac = match.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return float(total) + (int(frac) / 10 ** len(frac) if frac else 0.0)


@lru_cache(maxsize=8192)
def _fold_word(value: str) -> str:
    return fold(value)


@lru_cache(maxsize=8192)
def clean_name(name: str) -> str:
    """Speaker name without markup, trailing ``(remark)`` or extra spaces."""
    name = _PAREN_TAIL.sub("", name.strip().strip("*_").strip())
    return re.sub(r"[ \t\u00a0]+", " ", name)


def looks_like_name(name: str) -> bool:
    """True for ``Claire Vidal``, ``Jean-Pierre de la Tour``, ``P03``, ``Participant 2``, ``محمد``."""
    words = name.split()
    if not words or len(name) > 48 or _fold_word(words[0]) in NOT_SPEAKERS:
        return False
    for index, word in enumerate(words):
        first = word[0]
        if _fold_word(word) in PARTICLES and index > 0:
            continue
        if first.isdigit() and index > 0:
            continue
        if not (first.isalpha() and not first.islower()) and _fold_word(word) not in ROLE_WORDS:
            return False
    return True


@dataclass
class _Candidate:
    count: int = 0
    paragraph_starts: int = 0


Label = tuple[str, float | None, float | None, str]  # (name, start, end, rest of the line)


def match_label(line: str) -> Label | None:
    """``(name, start, end, rest of line)`` when ``line`` starts with a ``Name:`` label, else None."""
    head = line[:_PREFIX]
    if ":" not in head:
        return None
    match = _LABEL.match(head)
    if match is None:
        return None
    name = clean_name(match.group("name"))
    if not name or _fold_word(name.split()[0]) in NOT_SPEAKERS:
        return None
    start = _group_time(match, "l1", "l3", "l4", "trail")
    end = parse_timestamp(match.group("l2")) if match.group("l2") else None
    return name, start, end, line[match.end():]


def _group_time(match: re.Match[str], *groups: str) -> float | None:
    for group in groups:
        if match.group(group):
            return parse_timestamp(match.group(group))
    return None


def choose_speakers(records: Sequence[Record], labels: Sequence[Label | None] | None = None) -> set[str]:
    """Names accepted as speakers in ``records`` (see the module docstring);
    ``labels`` = ``match_label`` of each record when already computed."""
    candidates: dict[str, _Candidate] = {}
    previous_blank = True
    for index, (_, line) in enumerate(records):
        if not line.strip():
            previous_blank = True
            continue
        if _TS_ONLY.match(line[:_PREFIX]):  # a time alone on its line opens a new paragraph
            previous_blank = True
            continue
        label = labels[index] if labels is not None else match_label(line)
        if label is not None:
            cand = candidates.setdefault(label[0], _Candidate())
            cand.count += 1
            cand.paragraph_starts += previous_blank or label[1] is not None
        previous_blank = False
    named = {name for name in candidates if looks_like_name(name)}
    accepted = {name for name in named if candidates[name].count >= 2 or candidates[name].paragraph_starts}
    accepted |= {name for name, c in candidates.items()
                 if name not in named and c.count >= 2 and len(name.split()) <= 2}
    if accepted:  # a document with speakers: a name-like label met once is a speaker too
        accepted |= named
    return accepted


@dataclass
class _Builder:
    """Accumulates lines into turns (linear in the input size)."""

    turns: list[Turn] = field(default_factory=list)
    current: Turn | None = None
    lines: list[str] = field(default_factory=list)
    last_speaker: str | None = None

    def open(self, speaker: str | None, line: int, start: float | None = None, end: float | None = None) -> None:
        self.close()
        self.current = Turn(text="", speaker=speaker, start=start, end=end, line=line)
        self.last_speaker = speaker

    def add(self, text: str) -> None:
        text = text.strip()
        if text or self.lines:
            self.lines.append(text)

    def close(self) -> None:
        if self.current is not None:
            text = "\n".join(self.lines).strip()
            if text:
                self.current.text = text
                self.turns.append(self.current)
        self.current, self.lines = None, []


def label_turns(records: Sequence[Record], speakers: set[str] | None = None) -> list[Turn]:
    """Turns of ``records`` in label mode (``Name: text`` lines)."""
    labels = [match_label(line) for _, line in records]
    speakers = choose_speakers(records, labels) if speakers is None else speakers
    bracketed = sum(1 for _, line in records[:5000] if _TIMED.match(line[:_PREFIX]))
    builder = _Builder()
    pending: float | None = None
    for (number, line), label in zip(records, labels):
        if not line.strip():
            builder.close()
            continue
        if label is not None and label[0] in speakers:
            name, start, end, rest = label
            builder.open(name, number, start if start is not None else pending, end)
            builder.add(rest)
            pending = None
            continue
        timed = _TIMED.match(line[:_PREFIX]) if bracketed >= 2 else None
        if timed is not None:
            rest = line[timed.end():]
            start = _group_time(timed, "l1", "l3", "l4")
            if not rest.strip():
                builder.close()
                pending = start
                continue
            end = parse_timestamp(timed.group("l2")) if timed.group("l2") else None
            builder.open(builder.last_speaker, number, start, end)
            builder.add(rest)
            continue
        if builder.current is None:
            builder.open(builder.last_speaker, number, pending)
            pending = None
        builder.add(line)
    builder.close()
    return builder.turns


def _header_at(records: Sequence[Record], index: int, names: Collection[str]) -> tuple[str, float | None, int] | None:
    """``(name, start, lines used)`` when a header (``Name  00:13``) starts at ``records[index]``."""
    line = records[index][1][:_PREFIX]
    match = _HEADER.match(line)
    if match:
        name = clean_name(match.group("name"))
        start = parse_timestamp(match.group("ts"))
        if name and start is not None and (name in names or looks_like_name(name)):
            return name, start, 1
        return None
    match = _NAME_ONLY.match(line)
    if not match:
        return None
    name = clean_name(match.group("name"))
    if index + 1 < len(records):
        ts = _TS_ONLY.match(records[index + 1][1][:_PREFIX])
        if ts and parse_timestamp(ts.group("ts")) is not None and (name in names or looks_like_name(name)):
            return name, parse_timestamp(ts.group("ts")), 2
    if name in names and index + 1 < len(records) and records[index + 1][1].strip():
        return name, None, 1
    return None


def recurring_name_lines(records: Sequence[Record]) -> set[str]:
    """Short name-like lines that occur at least twice alone on their line (Teams DOCX speakers)."""
    counts = Counter(
        clean_name(m.group("name")) for _, line in records
        if len(line) <= 60 and (m := _NAME_ONLY.match(line)) and not line.rstrip().endswith((".", "?", "!", "…"))
    )
    return {name for name, count in counts.items() if count >= 2 and looks_like_name(name) and len(name.split()) <= 4}


def count_headers(records: Sequence[Record], names: Collection[str] = ()) -> int:
    """How many header lines (``Name  00:13``) ``records`` holds."""
    return sum(1 for i in range(len(records)) if _header_at(records, i, names))


def header_turns(records: Sequence[Record], names: Collection[str] = ()) -> tuple[list[Turn], list[Record]]:
    """Turns in header mode, and the records before the first header (the preamble)."""
    builder = _Builder()
    preamble: list[Record] = []
    index = 0
    while index < len(records):
        number, line = records[index]
        header = _header_at(records, index, names) if line.strip() else None
        if header is not None:
            name, start, used = header
            builder.open(name, number, start)
            index += used
            continue
        if builder.current is None and not builder.turns:
            preamble.append((number, line))
        elif builder.current is None:
            builder.open(builder.last_speaker, number)
            builder.add(line)
        else:
            builder.add(line)
        index += 1
    builder.close()
    return builder.turns, preamble


def records_of(text: str) -> list[Record]:
    """``(line number, line)`` pairs of ``text``."""
    return list(enumerate(text.split("\n"), start=1))


def _document(path: str | Path | None, fmt: str, turns: list[Turn], encoding: str | None,
              metadata: dict[str, Any] | None = None, warnings: list[str] | None = None) -> ParsedDocument:
    if not turns:
        raise InputError("E107", "no transcript text was found in the file", path=path,
                         hint="check that the file holds the transcript itself, not only headings or a header")
    return ParsedDocument(path=Path(path or "<text>"), format=fmt, kind=TRANSCRIPT, turns=turns,
                          encoding=encoding, metadata=metadata or {}, warnings=warnings or [])


def _require_text(text: str, path: str | Path | None) -> None:
    if not text.strip():
        raise InputError("E102", "the file is empty (only blank lines)", path=path,
                         hint="export the transcript again; a transcript needs some text")


def parse_plain(text: str, path: str | Path | None = None, encoding: str | None = None) -> ParsedDocument:
    """Plain or timestamped text (``Name: text`` turns; paragraphs when there is no speaker)."""
    _require_text(text, path)
    return _document(path, "plain", label_turns(records_of(text)), encoding)


OTTER_SECTIONS = {"summary keywords": "keywords", "keywords": "keywords", "speakers": "speakers"}


def parse_otter(text: str, path: str | Path | None = None, encoding: str | None = None) -> ParsedDocument:
    """Otter.ai export: ``Name  00:13`` lines, text below, optional SUMMARY KEYWORDS / SPEAKERS header."""
    _require_text(text, path)
    records = [(n, line) for n, line in records_of(text)
               if not line.lstrip()[:40].lower().startswith("transcribed by https://otter.ai")]
    metadata: dict[str, Any] = {}
    if len(records) < len(text.split("\n")):
        metadata["transcribed_by"] = "otter.ai"
    names = otter_header_names(records)
    turns, preamble = header_turns(records, names)
    section, other = None, []
    for _, line in preamble:
        key = OTTER_SECTIONS.get(fold(line.strip()))
        if key:
            section = key
        elif not line.strip():
            section = None
        elif section:
            metadata.setdefault(section, []).extend(p.strip() for p in line.split(",") if p.strip())
        else:
            other.append(line.strip())
    if other:
        metadata["preamble"] = "\n".join(other)
    return _document(path, "otter", turns, encoding, metadata)


def otter_header_names(records: Sequence[Record]) -> set[str]:
    for index, (_, line) in enumerate(records[:200]):
        if fold(line.strip()) == "speakers" and index + 1 < len(records):
            return {n.strip() for n in records[index + 1][1].split(",") if n.strip()}
    return set()


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}(?:[-*_=]\s*){3,}$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


def parse_markdown(text: str, path: str | Path | None = None, encoding: str | None = None) -> ParsedDocument:
    """Markdown transcript: ``**Name:** text`` or ``Name: text`` turns; headings are not turns,
    the first ``# Title`` (or front-matter ``title``) goes to ``metadata['title']``."""
    _require_text(text, path)
    records = records_of(text)
    metadata: dict[str, Any] = {}
    warnings: list[str] = []
    start = 0
    if records[0][1].strip() == "---":
        end = next((i for i in range(1, min(len(records), 200)) if records[i][1].strip() in ("---", "...")), None)
        if end is not None:
            start = end + 1
            metadata.update(_front_matter("\n".join(line for _, line in records[1:end]), warnings))
    cleaned: list[Record] = []
    in_comment = False
    for number, line in records[start:]:
        stripped = line.strip()
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            cleaned.append((number, ""))
            continue
        heading = _HEADING.match(line[:_PREFIX]) if stripped.startswith("#") else None
        if heading is not None:
            if len(heading.group(1)) == 1 and "title" not in metadata:
                metadata["title"] = heading.group(2).strip()
            cleaned.append((number, ""))
        elif _RULE.match(line[:_PREFIX]) or stripped.startswith("```"):
            cleaned.append((number, ""))
        else:
            line = _QUOTE.sub("", line[:_PREFIX]) + line[_PREFIX:]
            bullet = _BULLET.match(line[:_PREFIX])
            if bullet and match_label(line[bullet.end():]):
                line = line[bullet.end():]
            cleaned.append((number, line))
    return _document(path, "markdown", label_turns(cleaned), encoding, metadata, warnings)


def _front_matter(block: str, warnings: list[str]) -> dict[str, Any]:
    """Scalar values (and lists of scalars) of a YAML front matter; dates as ISO strings."""
    import yaml

    try:
        data = yaml.safe_load(block) if len(block) <= 20_000 else None
    except yaml.YAMLError:
        warnings.append("the front matter (between --- lines) is not valid YAML and was ignored")
        return {}
    scalar = (str, int, float, bool)
    plain = lambda v: v.isoformat() if hasattr(v, "isoformat") else v  # noqa: E731
    return {str(k): [plain(x) for x in v] if isinstance(v, list) else plain(v) for k, v in (data or {}).items()
            if isinstance(v, scalar) or hasattr(v, "isoformat")
            or isinstance(v, list) and all(isinstance(x, scalar) or hasattr(x, "isoformat") for x in v)} \
        if isinstance(data, dict) else {}
