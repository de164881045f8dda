"""Property tests: any input gives a ParsedDocument or an InputError, never another exception;
well-formed transcripts round-trip."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import docx
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.errors import ConfigError, InputError
from interviewkit.io import read_document
from interviewkit.io.encoding import decode_text
from interviewkit.io.manifest import load_manifest
from interviewkit.io.participants import read_participants
from interviewkit.io.model import ParsedDocument
from interviewkit.io.plaintext import parse_markdown, parse_otter, parse_plain
from interviewkit.io.subtitles import parse_srt, parse_vtt
from interviewkit.io.tabular import TableReadOptions, read_verbatims

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that reach the parsers' branches: labels, timestamps, cue timings, headers, tags.
PIECES = st.sampled_from([
    "Claire Vidal: ", "Sophie : ", "**Marc:** ", "[00:01:02] ", "(01:02) ", "00:01:02 ", "Remarque: ",
    "Claire Vidal  00:04", "1:02:13", "00:00:01.000 --> 00:00:02.000", "00:00:01,000 --> 00:00:02,000",
    "-->", "<v Claire>", "</v>", "WEBVTT", "NOTE", "STYLE", "SUMMARY KEYWORDS", "SPEAKERS", "# Titre", "---",
    "1", "\n", "\n\n", " ", ":", "réclamation", "ça", "œuvre", "€", "🙂", "שלום", "\u200f", "\t", ";", ",", "\"",
])
TEXTS = st.one_of(st.text(max_size=300), st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join))
TEXT_PARSERS = [parse_plain, parse_otter, parse_markdown, parse_vtt, parse_srt]


def _ok_or_input_error(call) -> ParsedDocument | None:
    try:
        result = call()
    except InputError as err:
        assert err.code.startswith("E1") and err.code != "E199", str(err)
        return None
    assert isinstance(result, ParsedDocument)
    assert result.turns, "a document without turns must be an InputError"
    for turn in result.turns:
        assert isinstance(turn.text, str)
        assert turn.line is None or turn.line >= 1
    return result


@SETTINGS
@given(TEXTS)
def test_text_parsers_never_raise_anything_else(text: str) -> None:
    for parser in TEXT_PARSERS:
        _ok_or_input_error(lambda: parser(text, "x.txt", "utf-8"))


@SETTINGS
@given(st.binary(max_size=400))
def test_decoding_any_bytes(data: bytes) -> None:
    try:
        result = decode_text(data, "x.txt")
    except InputError as err:
        assert err.code in {"E102", "E104", "E105"}
        return
    assert "\r" not in result.text and "\x00" not in result.text and not result.text.startswith("\ufeff")


@SETTINGS
@given(st.sampled_from([".txt", ".md", ".vtt", ".srt", ".csv", ".tsv", ".docx", ".xlsx"]),
       st.one_of(st.binary(max_size=400), TEXTS.map(lambda s: s.encode("utf-8")),
                 TEXTS.map(lambda s: s.encode("utf-16"))))
def test_read_document_on_any_bytes(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        _ok_or_input_error(lambda: read_document(path))


@SETTINGS
@given(TEXTS, st.booleans())
def test_csv_on_any_text(text: str, keep_empty: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.csv"
        path.write_text("id;verbatim;persona\n" + text, encoding="utf-8")
        _ok_or_input_error(lambda: read_verbatims(path, TableReadOptions(keep_empty=keep_empty)))


@SETTINGS
@given(TEXTS)
def test_participants_on_any_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "participants.csv"
        path.write_text("participant_id,persona,name,document\n" + text, encoding="utf-8")
        try:
            frame = read_participants(path)
        except (InputError, ConfigError) as err:
            assert err.code[:2] in {"E1", "E2"} and err.code != "E199"
            return
        assert frame["participant_id"].is_unique or frame.empty


YAML_PIECES = st.sampled_from(["version: 1\n", "language: fr\n", "files:\n", "  a.txt: {format: plain}\n",
                               "exclude: [\"*.bak\"]\n", "interviewers: [A]\n", "&x [1]\n", "*x\n", "- ", ": ",
                               "{", "[", "'", "\n", "  ", "participants: a.txt\n", "inconnu: 1\n", "\t"])


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.lists(YAML_PIECES, max_size=12).map("".join)))
def test_manifest_on_any_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "a.txt").write_text("Claire: Bonjour", encoding="utf-8")
        (Path(folder) / "corpus.yml").write_text(text, encoding="utf-8")
        try:
            load_manifest(folder)
        except ConfigError as err:
            assert err.code.startswith("E2")


def _docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


XML_SAFE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)
BASE_DOCX = _docx_bytes(["Claire: Bonjour", "Sophie: Salut"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(XML_SAFE, st.lists(PIECES, max_size=6).map("".join)), max_size=12))
def test_docx_with_any_paragraphs(paragraphs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.docx"
        path.write_bytes(_docx_bytes(paragraphs))
        _ok_or_input_error(lambda: read_document(path))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, len(BASE_DOCX) - 1), st.integers(0, 255), st.booleans())
def test_damaged_docx(position: int, byte: int, truncate: bool) -> None:
    data = BASE_DOCX[:position] if truncate else BASE_DOCX[:position] + bytes([byte]) + BASE_DOCX[position + 1:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.docx"
        path.write_bytes(data)
        _ok_or_input_error(lambda: read_document(path))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), XML_SAFE),
                         min_size=1, max_size=4), max_size=6))
def test_xlsx_with_any_cells(rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "verbatim", "persona", "nps"])
    for row in rows:
        sheet.append(row)  # "=..." strings become formulas, read back as None (no cached value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.xlsx"
        book.save(path)
        _ok_or_input_error(lambda: read_document(path))


# --- round trips ------------------------------------------------------------------------

NAMES = st.sampled_from(["Claire Vidal", "Sophie", "Marc Dubois", "Jean-Pierre de la Tour", "Élodie", "P03", "Karim Benali"])
SENTENCES = st.text(st.sampled_from("abcdeéèàçœ €🙂 ,.?!'-"), min_size=1, max_size=60).map(str.strip).filter(bool)


@SETTINGS
@given(st.lists(st.tuples(NAMES, SENTENCES, st.integers(0, 3 * 3600)), min_size=1, max_size=15),
       st.sampled_from(["{name}: {text}", "[{ts}] {name}: {text}", "{name} : {text}", "**{name}:** {text}"]),
       st.sampled_from(["\n", "\n\n"]))
def test_plain_round_trip(turns, template: str, separator: str) -> None:
    lines = []
    for name, text, seconds in turns:
        ts = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        lines.append(template.format(name=name, text=text, ts=ts))
    doc = parse_plain(separator.join(lines))
    assert [(t.speaker, t.text) for t in doc.turns] == [(name, text) for name, text, _ in turns]
    if "{ts}" in template:
        assert [t.start for t in doc.turns] == [float(s) for _, _, s in turns]
    step = separator.count("\n")
    assert [t.line for t in doc.turns] == [1 + i * step for i in range(len(turns))]


@SETTINGS
@given(st.lists(st.tuples(NAMES, SENTENCES), min_size=1, max_size=15))
def test_vtt_round_trip_merges_same_speaker_runs(cues) -> None:
    blocks = ["WEBVTT"]
    for index, (name, text) in enumerate(cues):
        blocks.append(f"{index + 1}\n00:00:{index:02d}.000 --> 00:00:{index:02d}.900\n<v {name}>{text}</v>")
    doc = parse_vtt("\n\n".join(blocks))
    expected: list[tuple[str, list[str], int, int]] = []
    for index, (name, text) in enumerate(cues):
        if expected and expected[-1][0] == name:
            expected[-1][1].append(text)
            expected[-1] = (name, expected[-1][1], expected[-1][2], index)
        else:
            expected.append((name, [text], index, index))
    assert [(t.speaker, t.text, t.start, t.end) for t in doc.turns] == [
        (name, " ".join(texts), float(first), last + 0.9) for name, texts, first, last in expected]
