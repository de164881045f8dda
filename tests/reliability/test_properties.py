"""Property tests: the segmenter on any text, readers on any bytes shaped like their containers.

``tests/io/test_properties.py`` already feeds arbitrary bytes and texts to every reader by extension; this
file adds what it does not: the segmenter (blank sentencizer and the real ``fr_core_news_sm``), texts long
enough to be cut into chunks, upper-case extensions, byte-order marks and ZIP containers with arbitrary
members named like Word/Excel parts, and the whole ingestion of arbitrary bytes (one failed file never
stops the others).
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.errors import InputError
from interviewkit.io import read_document
from interviewkit.io.model import ParsedDocument
from interviewkit.segment import Segmenter, _blank_sentencizer

# Pieces that reach the segmenter's branches: sentence ends, spoken-French fragments, whitespace runs,
# newlines (chunk cuts), emoji and joiners, right-to-left text and marks, combining accents, surrogates-free
# astral characters.
PIECES = st.sampled_from([
    "Bon. ", "Oui oui. ", "Euh… ", "J'ai appelé le SAV hier. ", "Personne ne rappelle ! ", "Vraiment ? ",
    "\n", "\n\n", "   ", "\t", ". ", "?! ", "...", "…", " - ", "«", "»", "(", ")", "M. Dupont", "P03", "[PERS-001]",
    "🙂", "👩‍👩‍👧", "😡😡", "\u200f", "\u200e", "فاطمة", "שלום", "e\u0301", "\u00a0", "\u2028", "\r", "𝔘",
    "a" * 50, "x.y.z", "12:30", "3,5 %",
])
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(PIECES, st.text(max_size=10)), max_size=60).map("".join),
)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_segments(text: str, spans, min_words: int = 3) -> None:
    previous_end = 0
    for span in spans:
        assert 0 <= span.start_char < span.end_char <= len(text)
        assert text[span.start_char:span.end_char] == span.text  # offsets slice the text exactly
        assert span.start_char >= previous_end  # in order, no overlap
        assert span.text == span.text.strip() and span.text
        previous_end = span.end_char
    # nothing but whitespace is ever dropped between, before or after the segments
    covered = [False] * len(text)
    for span in spans:
        covered[span.start_char:span.end_char] = [True] * (span.end_char - span.start_char)
    lost = [c for c, kept in zip(text, covered) if not kept and not c.isspace()]
    assert not lost, f"characters lost: {lost[:10]!r}"


@pytest.fixture(scope="module")
def blank_segmenter():
    return Segmenter(nlp=_blank_sentencizer("fr"))


@pytest.fixture(scope="module")
def fr_segmenter(fr_senter):
    return Segmenter(nlp=fr_senter)


@SETTINGS
@given(text=TEXTS)
def test_blank_sentencizer_segments_slice_the_text_exactly(blank_segmenter, text):
    _check_segments(text, blank_segmenter.split(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_fr_core_news_sm_segments_slice_the_text_exactly(fr_segmenter, text):
    _check_segments(text, fr_segmenter.split(text))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=1, max_size=8))
def test_batches_give_the_same_segments_as_one_by_one(blank_segmenter, texts):
    batched = list(blank_segmenter.split_many(texts))
    assert len(batched) == len(texts)
    for text, spans in zip(texts, batched):
        assert spans == blank_segmenter.split(text)
        _check_segments(text, spans)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(unit=st.lists(PIECES, min_size=1, max_size=12).map("".join).filter(lambda u: u.strip()),
       repeat=st.integers(300, 3000), glue=st.sampled_from(["", " ", "\n"]))
def test_texts_longer_than_a_chunk_keep_exact_offsets(blank_segmenter, unit, repeat, glue):
    text = glue.join([unit] * repeat)
    if len(text) < 20_001:
        text = text * (20_001 // max(len(text), 1) + 1)
    _check_segments(text, blank_segmenter.split(text))


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                              HealthCheck.function_scoped_fixture])
@given(unit=st.lists(PIECES, min_size=3, max_size=12).map("".join).filter(lambda u: u.strip()),
       glue=st.sampled_from(["", " ", "\n"]))
def test_fr_pipeline_on_texts_longer_than_a_chunk(fr_segmenter, unit, glue):
    text = glue.join([unit] * (45_000 // len(unit) + 1))
    _check_segments(text, fr_segmenter.split(text))


# --------------------------------------------------------------------------- readers on container-shaped bytes

def _ok_or_input_error(path: Path) -> ParsedDocument | None:
    try:
        result = read_document(path)
    except InputError as err:
        assert err.code.startswith("E1") and err.code != "E199", str(err)
        assert str(path) in str(err), "the message must name the file"
        return None
    assert isinstance(result, ParsedDocument) and result.turns
    return result


PART_NAMES = st.sampled_from([
    "[Content_Types].xml", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels", "_rels/.rels",
    "docProps/core.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
    "xl/_rels/workbook.xml.rels", "word/media/image1.png", "../evil.xml", "/abs.xml",
])
XMLISH = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda s: s.encode("utf-8")),
    st.sampled_from([b"<?xml version='1.0'?><w:document/>", b"<w:document xmlns:w='x'><w:body/></w:document>",
                     b"<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><x>&b;</x>",
                     b"<workbook><sheets><sheet name='a' sheetId='1' r:id='rId1'/></sheets></workbook>"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from([".docx", ".xlsx", ".DOCX", ".XLSX"]),
       members=st.lists(st.tuples(PART_NAMES, XMLISH), max_size=6),
       compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
def test_zip_containers_with_arbitrary_office_parts(suffix, members, compression):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in dict(members).items():  # one member per name
            archive.writestr(name, data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fichier{suffix}"
        path.write_bytes(buffer.getvalue())
        _ok_or_input_error(path)


BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from([".TXT", ".Md", ".markdown", ".VTT", ".Srt", ".CSV", ".TSV"]),
       bom=st.sampled_from(BOMS),
       body=st.one_of(st.binary(max_size=300), TEXTS.map(lambda s: s.encode("utf-8")),
                      TEXTS.map(lambda s: s.encode("utf-16-le")), TEXTS.map(lambda s: s.encode("cp1252", "ignore"))))
def test_text_readers_on_any_bytes_with_bom_and_upper_case_extensions(suffix, bom, body):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fichier{suffix}"
        path.write_bytes(bom + body)
        _ok_or_input_error(path)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from([".txt", ".md", ".vtt", ".srt", ".csv", ".docx", ".xlsx"]),
                                st.binary(max_size=200)), min_size=1, max_size=5))
def test_ingesting_arbitrary_bytes_never_stops_the_batch(tmp_path_factory, files):
    """Every file is either ingested or reported with a code; a good file next to them is always ingested."""
    import interviewkit as ik

    root = tmp_path_factory.mktemp("anybytes")
    corpus = root / "c"
    corpus.mkdir()
    (corpus / "bon.txt").write_text("Claire: Bonjour, comment allez-vous ?\nSophie: Très bien, merci beaucoup.\n",
                                    encoding="utf-8")
    for k, (suffix, data) in enumerate(files):
        (corpus / f"f{k}{suffix}").write_bytes(data)
    project = ik.open_project(root / "p")
    report = project.ingest([corpus], pseudonymise=False, lang="fr")
    assert "bon.txt" in {Path(i["path"]).name for i in report.ingested}
    assert len(report.ingested) + len(report.failed) == len(files) + 1
    for failure in report.failed:
        assert failure["code"].startswith("E1") and failure["code"] != "E199", failure
    assert project.check() == []
    project.close()


def test_a_long_run_of_short_fragments_is_segmented_in_linear_time(blank_segmenter):
    """Regression: merging short fragments used to recount the words of the whole merged segment at each
    step (quadratic): 80 kB of "Oui. " took 20 s, a 1 MB turn of them about an hour."""
    import time

    text = "Oui. D'accord. Hmm. " * 20_000  # 400 kB
    started = time.perf_counter()
    spans = blank_segmenter.split(text)
    assert time.perf_counter() - started < 10
    _check_segments(text, spans)
    assert len(spans) == 1  # behaviour kept: fragments under 3 words merge into their neighbour


@pytest.mark.parametrize("unit", ["«»", "(", "…", "!?"])
def test_long_runs_of_punctuation_are_segmented_in_linear_time(blank_segmenter, unit):
    """Regression: spaCy's tokenizer is quadratic on one long token of prefix/suffix punctuation; 20,000 such
    characters in a turn took a minute to segment, a 1 MB line of them would have taken hours."""
    import time

    text = "Bonjour à vous. " + unit * (100_000 // len(unit)) + " Et voilà la fin de la phrase."
    started = time.perf_counter()
    spans = blank_segmenter.split(text)
    assert time.perf_counter() - started < 10
    _check_segments(text, spans)
