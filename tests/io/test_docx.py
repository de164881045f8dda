"""DOCX transcripts and the ZIP/OLE guards."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from interviewkit.errors import InputError
from interviewkit.io import read_document
from interviewkit.io.docx import OLE_HEADER, check_office_zip, read_docx


def save(document, path: Path) -> Path:
    document.save(path)
    return path


def test_name_colon_paragraphs(tmp_path) -> None:
    d = docx.Document()
    d.core_properties.title = "Entretien P06 – Gérard"
    d.add_heading("Entretien P06", level=1)
    d.add_paragraph("Hugo Martin : Bonjour monsieur Morel.")
    d.add_paragraph("Gérard : Bonjour. Ma carte a été bloquée, ça m'a énervé.")
    d.add_paragraph("Remarque: trois fois de suite.")
    d.add_paragraph("")
    d.add_paragraph("Et personne ne m'a prévenu.")
    d.add_paragraph("Hugo Martin : D'accord.")
    doc = read_docx(save(d, tmp_path / "P06.docx"))
    assert doc.format == "docx" and doc.kind == "transcript" and doc.encoding is None
    assert [(t.speaker, t.line) for t in doc.turns] == [
        ("Hugo Martin", 2), ("Gérard", 3), ("Gérard", 6), ("Hugo Martin", 7)]
    assert doc.turns[1].text == "Bonjour. Ma carte a été bloquée, ça m'a énervé.\nRemarque: trois fois de suite."
    assert doc.metadata["title"] == "Entretien P06 – Gérard"


def test_title_from_heading_when_no_core_title(tmp_path) -> None:
    d = docx.Document()
    d.add_heading("Entretien P10 – Élodie", level=0)
    d.add_paragraph("Claire: Bonjour.")
    doc = read_docx(save(d, tmp_path / "P10.docx"))
    assert doc.metadata["title"] == "Entretien P10 – Élodie"
    assert [t.text for t in doc.turns] == ["Bonjour."]


def test_teams_style_time_on_the_same_line(tmp_path) -> None:
    d = docx.Document()
    d.add_paragraph("Transcription")
    d.add_paragraph("12 mars 2024, 10:00")
    for name, time, text in [("Claire Vidal", "0:03", "Bonjour Élodie."), ("Élodie Roux", "0:10", "Bonjour !"),
                             ("Claire Vidal", "1:02:13", "Merci.")]:
        d.add_paragraph(f"{name}   {time}")
        d.add_paragraph(text)
        d.add_paragraph("Suite.")
    doc = read_docx(save(d, tmp_path / "teams.docx"))
    assert [(t.speaker, t.start, t.line) for t in doc.turns] == [
        ("Claire Vidal", 3.0, 3), ("Élodie Roux", 10.0, 6), ("Claire Vidal", 3733.0, 9)]
    assert doc.turns[1].text == "Bonjour !\nSuite."
    assert doc.metadata["preamble"] == "Transcription\n12 mars 2024, 10:00"


def test_teams_style_time_on_the_next_line(tmp_path) -> None:
    d = docx.Document()
    for name, time, text in [("Claire Vidal", "00:00:03", "Bonjour."), ("Marc", "00:01:02", "Salut."),
                             ("Claire Vidal", "0:01:10", "On y va.")]:
        d.add_paragraph(name)
        d.add_paragraph(time)
        d.add_paragraph(text)
    doc = read_docx(save(d, tmp_path / "teams2.docx"))
    assert [(t.speaker, t.start, t.text) for t in doc.turns] == [
        ("Claire Vidal", 3.0, "Bonjour."), ("Marc", 62.0, "Salut."), ("Claire Vidal", 70.0, "On y va.")]


def test_speaker_paragraphs_without_time(tmp_path) -> None:
    d = docx.Document()
    for name, text in [("Claire Vidal", "Bonjour."), ("Marc Dubois", "Salut."), ("Claire Vidal", "Bien."),
                       ("Marc Dubois", "Oui.")]:
        d.add_paragraph(name)
        d.add_paragraph(text)
    doc = read_docx(save(d, tmp_path / "noms.docx"))
    assert [(t.speaker, t.start) for t in doc.turns] == [
        ("Claire Vidal", None), ("Marc Dubois", None), ("Claire Vidal", None), ("Marc Dubois", None)]


def _table(d, rows) -> None:
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.rows[r].cells[c].text = value


def test_tables_of_speaker_text_and_time_speaker_text(tmp_path) -> None:
    d = docx.Document()
    d.add_paragraph("Claire: Avant le tableau.")
    _table(d, [("Locuteur", "Texte"), ("Claire", "Bonjour."), ("Sophie", "Ça va ?")])
    _table(d, [("Temps", "Intervenant", "Propos"), ("00:01:02", "Claire", "Question ?"), ("0:01:10", "Sophie", "Réponse.")])
    _table(d, [("00:02:00", "Sans locuteur.")])
    doc = read_docx(save(d, tmp_path / "tables.docx"))
    assert [(t.speaker, t.start, t.text, t.line) for t in doc.turns] == [
        ("Claire", None, "Avant le tableau.", 1),
        ("Claire", None, "Bonjour.", 3),
        ("Sophie", None, "Ça va ?", 4),
        ("Claire", 62.0, "Question ?", 6),
        ("Sophie", 70.0, "Réponse.", 7),
        (None, 120.0, "Sans locuteur.", 8),
    ]


def test_read_document_on_docx(tmp_path) -> None:
    d = docx.Document()
    d.add_paragraph("Claire : Bonjour 🙂")
    d.add_paragraph("Gérard : שלום, ça va")
    doc = read_document(save(d, tmp_path / "P.docx"))
    assert [(t.speaker, t.text) for t in doc.turns] == [("Claire", "Bonjour 🙂"), ("Gérard", "שלום, ça va")]


def test_docx_without_text(tmp_path) -> None:
    d = docx.Document()
    d.add_heading("Titre seul", level=1)
    with pytest.raises(InputError) as err:
        read_docx(save(d, tmp_path / "vide.docx"))
    assert err.value.code == "E107"


# --- guards ----------------------------------------------------------------------------

def _valid_docx_bytes() -> bytes:
    d = docx.Document()
    d.add_paragraph("Claire: Bonjour.")
    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue()


def test_truncated_docx(tmp_path) -> None:
    path = tmp_path / "coupé.docx"
    path.write_bytes(_valid_docx_bytes()[:3000])
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E130"
    assert "the DOCX is truncated or not a Word file" in str(err.value)
    assert str(path) in str(err.value)


def test_text_file_renamed_docx(tmp_path) -> None:
    path = tmp_path / "faux.docx"
    path.write_text("Claire: Bonjour", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E130"


def test_password_protected_docx(tmp_path) -> None:
    path = tmp_path / "protégé.docx"
    path.write_bytes(OLE_HEADER + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E131"
    assert "password-protected" in str(err.value)
    assert "unprotected copy" in str(err.value)


def test_ole_header_alone_is_reported_as_password_protected(tmp_path) -> None:
    path = tmp_path / "p.docx"
    path.write_bytes(OLE_HEADER + b"\x00" * 512)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E131"


def test_old_word_document_renamed(tmp_path) -> None:
    path = tmp_path / "ancien.docx"
    path.write_bytes(OLE_HEADER + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 100)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E136"


def test_zip_bomb_total_size(tmp_path) -> None:
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"<w:t>" + b"a" * (1 << 20)
            for _ in range(110):
                member.write(chunk)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E132"
    assert "ZIP bomb" in str(err.value)


def test_zip_bomb_compression_ratio(tmp_path) -> None:
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (20 << 20))
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E133"
    assert "word/document.xml" in str(err.value)


def test_zip_that_is_not_word(tmp_path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E134"


def test_damaged_document_xml(tmp_path) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_valid_docx_bytes())) as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            content = b"<pas du xml" if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, content)
    path = tmp_path / "abime.docx"
    path.write_bytes(data.getvalue())
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E134"


def test_guard_limit_is_a_parameter() -> None:
    data = _valid_docx_bytes()
    check_office_zip(data, "ok.docx")
    with pytest.raises(InputError) as err:
        check_office_zip(data, "ok.docx", max_total=1000)
    assert err.value.code == "E132"
