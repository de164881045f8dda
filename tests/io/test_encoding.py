"""Decoding of text transcripts: BOMs, UTF-16, cp1252, mixed encodings, binary files."""
from __future__ import annotations

import codecs
import unicodedata

import pytest

from interviewkit.errors import InputError
from interviewkit.io import read_document
from interviewkit.io.encoding import decode_bytes, decode_text, read_input_bytes
from interviewkit.io.model import ReadOptions

FRENCH = "Sophie : Ma réclamation, ça n'a pas marché.\nClaire : Une œuvre à 12 € ?\n"


@pytest.mark.parametrize(
    ("data", "expected_encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16"),  # BOM in native order (LE here)
        (codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"), "utf-16"),
        (FRENCH.encode("utf-16-le"), "utf-16-le"),  # no BOM: found from the NUL bytes
        (FRENCH.encode("utf-16-be"), "utf-16-be"),
        (FRENCH.encode("cp1252"), "cp1252"),
        (codecs.BOM_UTF32_LE + FRENCH.encode("utf-32-le"), "utf-32"),
    ],
)
def test_decodes_every_supported_encoding(data: bytes, expected_encoding: str) -> None:
    text, encoding = decode_bytes(data, "entretien.txt")
    assert text == FRENCH
    assert encoding == expected_encoding


@pytest.mark.parametrize("word", ["réclamation", "ça", "œuvre", "€", "Ça coûte 12 € à l'œuvre"])
def test_short_cp1252_words(word: str) -> None:
    assert decode_bytes(word.encode("cp1252"), "a.txt") == (word, "cp1252")


def test_newlines_bom_and_nfc_are_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "réclamation")
    assert decomposed != "réclamation"
    data = codecs.BOM_UTF8 + f"ligne 1\r\n{decomposed}\rligne 3".encode()
    text, _ = decode_bytes(data, "a.txt")
    assert text == "ligne 1\nréclamation\nligne 3"
    assert not text.startswith("\ufeff")


def test_mixed_utf8_and_cp1252_lines_are_decoded_with_a_warning() -> None:
    data = "Sophie: déjà reçu\n".encode() + "Marc: réclamation à 12 €\n".encode("cp1252") + "Fin: ça\n".encode()
    result = decode_text(data, "mixte.txt")
    assert result.text == "Sophie: déjà reçu\nMarc: réclamation à 12 €\nFin: ça\n"
    assert result.encoding == "utf-8+cp1252"
    assert "line(s) 2 " in result.warnings[0]


def test_mixed_file_with_an_undecodable_line_names_it() -> None:
    data = "é\n".encode() + b"ok\n" + b"\x81\x8d\x90\n"
    with pytest.raises(InputError) as err:
        decode_bytes(data, "x.txt")
    assert err.value.code == "E105" and err.value.line == 3


def test_empty_file_is_refused() -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(b"", "vide.txt")
    assert err.value.code == "E102"
    assert "vide.txt" in str(err.value)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"texte\x00avec\x00des NUL" * 3,
        bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"un peu de texte",
    ],
)
def test_binary_content_is_refused(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(data, "photo.txt")
    assert err.value.code == "E104"
    assert "binary file" in str(err.value)
    assert "export it as .txt" in str(err.value)


def test_undecodable_bytes_are_not_guessed() -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(b"abc \x81\x8d\x8f\x90\x9d def", "a.txt")
    assert err.value.code == "E105"


def test_truncated_utf16_is_refused() -> None:
    data = codecs.BOM_UTF16_LE + "réclamation".encode("utf-16-le")[:-1]
    with pytest.raises(InputError) as err:
        decode_bytes(data, "a.txt")
    assert err.value.code == "E105"


def test_binary_file_with_txt_extension_through_read_document(tmp_path) -> None:
    path = tmp_path / "enregistrement.txt"
    path.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E104"
    assert str(path) in str(err.value)


def test_cp1252_transcript_through_read_document(tmp_path) -> None:
    path = tmp_path / "P01.txt"
    path.write_bytes("Claire: Bonjour.\n\nSophie: Ma réclamation ? Ça a pris 3 jours, 40 € !\n".encode("cp1252"))
    doc = read_document(path)
    assert doc.encoding == "cp1252"
    assert [t.speaker for t in doc.turns] == ["Claire", "Sophie"]
    assert doc.turns[1].text == "Ma réclamation ? Ça a pris 3 jours, 40 € !"


def test_utf16_word_unicode_text_through_read_document(tmp_path) -> None:
    path = tmp_path / "word.txt"
    path.write_bytes("Claire: Bonjour\r\nSophie: Ça va 🙂\r\n".encode("utf-16"))
    doc = read_document(path)
    assert doc.encoding == "utf-16"
    assert [(t.speaker, t.text) for t in doc.turns] == [("Claire", "Bonjour"), ("Sophie", "Ça va 🙂")]


def test_read_input_bytes_guards(tmp_path) -> None:
    with pytest.raises(InputError) as err:
        read_input_bytes(tmp_path / "absent.txt")
    assert err.value.code == "E101"
    big = tmp_path / "gros.txt"
    big.write_bytes(b"a" * 2000)
    with pytest.raises(InputError) as err:
        read_document(big, ReadOptions(max_bytes=1000))
    assert err.value.code == "E103"
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as err:
        read_document(empty)
    assert err.value.code == "E102"
    with pytest.raises(InputError) as err:
        read_document(tmp_path)
    assert err.value.code in {"E101", "E106"}
