"""CSV / TSV / XLSX verbatims and read_table."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from interviewkit.errors import InputError
from interviewkit.io import read_document
from interviewkit.io.docx import OLE_HEADER
from interviewkit.io.model import ReadOptions
from interviewkit.io.tabular import TableReadOptions, read_table, read_verbatims, sniff_delimiter

CSV = (
    "respondent_id,date,persona,nps,verbatim\n"
    "R0001,2026-01-05,Actif pressé,1,\"L'expert devait me rappeler, puis plus rien.\"\n"
    "R0002,2026-01-05,Senior attentif,10,SUPER accueil en agence\n"
    "R0003,2026-01-06,Étudiant connecté,3,\n"
    "R0004,2026-01-07,Actif pressé,2,\"Réclamation\nsur deux lignes, ça\"\n"
    "R0005,2026-01-08,Actif pressé,9,Œuvre à 12 € 🙂\n"
)


def write(tmp_path, name: str, content: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_csv_verbatims(tmp_path) -> None:
    doc = read_document(write(tmp_path, "verbatims.csv", CSV))
    assert doc.format == "csv" and doc.kind == "verbatims" and doc.encoding == "utf-8"
    assert [(t.line, t.participant) for t in doc.turns] == [(2, "R0001"), (3, "R0002"), (5, "R0004"), (6, "R0005")]
    assert doc.turns[0].text == "L'expert devait me rappeler, puis plus rien."
    assert doc.turns[2].text == "Réclamation\nsur deux lignes, ça"
    assert doc.turns[0].attributes == {"date": "2026-01-05", "persona": "Actif pressé", "nps": "1"}
    assert doc.turns[0].speaker is None
    assert "rows 4" in doc.warnings[0]
    assert doc.metadata["text_column"] == "verbatim" and doc.metadata["id_column"] == "respondent_id"


def test_keep_empty_rows(tmp_path) -> None:
    path = write(tmp_path, "v.csv", CSV)
    doc = read_verbatims(path, TableReadOptions(keep_empty=True))
    assert [t.line for t in doc.turns] == [2, 3, 4, 5, 6]
    assert doc.turns[2].text == "" and doc.turns[2].participant == "R0003"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path, delimiter: str) -> None:
    content = CSV.replace(",", delimiter) if delimiter != "," else CSV
    # quoted commas inside the text stay commas
    content = content.replace(f"rappeler{delimiter} puis", "rappeler, puis").replace(f"lignes{delimiter} ça", "lignes, ça")
    path = write(tmp_path, "v.csv", content)
    doc = read_document(path)
    assert len(doc.turns) == 4
    assert doc.turns[0].text == "L'expert devait me rappeler, puis plus rien."


def test_sniff_prefers_consistent_columns() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n4;5,1;6\n") == ";"
    assert sniff_delimiter("texte\nune réponse sans séparateur\n") == ","


def test_tsv_utf16_excel_unicode_text(tmp_path) -> None:
    path = write(tmp_path, "export.tsv", "ID\tRéponse\nP1\tTrop cher, vraiment\nP2\tÇa va\n", "utf-16")
    doc = read_document(path)
    assert doc.encoding == "utf-16"
    assert [(t.participant, t.text) for t in doc.turns] == [("P1", "Trop cher, vraiment"), ("P2", "Ça va")]


def test_cp1252_csv(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "répondant;commentaire\n1;Réclamation à 40 €\n2;Ça a pris une œuvre\n", "cp1252")
    doc = read_document(path)
    assert doc.encoding == "cp1252"
    assert [(t.participant, t.text) for t in doc.turns] == [("1", "Réclamation à 40 €"), ("2", "Ça a pris une œuvre")]


def test_mixed_encodings_in_one_csv_are_decoded_with_a_warning(tmp_path) -> None:
    path = tmp_path / "mixte.csv"
    path.write_bytes("id,texte\n1,déjà vu\n".encode() + "2,réclamation à 12 €\n".encode("cp1252") + b"3,ok\n")
    doc = read_document(path)
    assert [t.text for t in doc.turns] == ["déjà vu", "réclamation à 12 €", "ok"]
    assert any("line(s) 3" in w for w in doc.warnings)


@pytest.mark.parametrize("asked", ["Verbatim", "VERBATIM", "verbatim "])
def test_text_column_is_matched_without_case(tmp_path, asked: str) -> None:
    path = write(tmp_path, "v.csv", "id,Verbatim,Réponse\n1,a,b\n")
    doc = read_verbatims(path, ReadOptions(text_column=asked))
    assert doc.turns[0].text == "a" and doc.turns[0].attributes == {"Réponse": "b"}


def test_text_column_matched_without_accents(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "id,Réponse libre,Commentaire\n1,a,b\n")
    assert read_verbatims(path, ReadOptions(text_column="reponse libre")).turns[0].text == "a"


def test_missing_text_column_names_file_column_and_available(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "id,date,note\n1,2024,3\n")
    with pytest.raises(InputError) as err:
        read_verbatims(path, ReadOptions(text_column="verbatim"))
    message = str(err.value)
    assert err.value.code == "E140"
    assert "v.csv" in message and "'verbatim'" in message and "id, date, note" in message


def test_no_text_column_detected(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "id,date,note\n1,2024,3\n")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E141"
    assert "--text-column" in str(err.value) and "corpus.yml" in str(err.value)


def test_ambiguous_text_column(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "id,Texte,Commentaire\n1,a,b\n")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E142"
    assert "Texte, Commentaire" in str(err.value) and "--text-column" in str(err.value)


def test_named_like_detection_ignores_meta_columns(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "id_repondant,date_reponse,reponse_client\nA,2024,Trop long\n")
    doc = read_document(path)
    assert doc.turns[0].text == "Trop long" and doc.turns[0].participant == "A"


def test_id_and_persona_columns_given(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "code,profil_client,verbatim,ville\nX1,Pressé,trop cher,Lyon\n")
    doc = read_verbatims(path, ReadOptions(id_column="code", persona_column="profil_client"))
    assert doc.turns[0].participant == "X1"
    assert doc.turns[0].attributes == {"persona": "Pressé", "ville": "Lyon"}
    with pytest.raises(InputError) as err:
        read_verbatims(path, ReadOptions(id_column="respondent"))
    assert err.value.code == "E143"


def test_header_only_and_all_empty(tmp_path) -> None:
    with pytest.raises(InputError) as err:
        read_document(write(tmp_path, "v.csv", "id,verbatim\n1,\n2,  \n"))
    assert err.value.code == "E146"


def test_one_megabyte_cell(tmp_path) -> None:
    long = "réclamation " * 90_000
    doc = read_document(write(tmp_path, "v.csv", f'id,verbatim\n1,"{long}"\n2,court\n'))
    assert len(doc.turns[0].text) == len(long.strip()) and doc.turns[1].line == 3


def test_duplicate_and_blank_headers_are_renamed(tmp_path) -> None:
    doc = read_document(write(tmp_path, "v.csv", "verbatim,x,x,\nbonjour,1,2,3\n"))
    assert doc.turns[0].attributes == {"x": "1", "x_2": "2", "column_4": "3"}
    assert any("duplicate" in w for w in doc.warnings)


def test_read_table_keeps_every_row(tmp_path) -> None:
    frame = read_table(write(tmp_path, "v.csv", CSV), "verbatim")
    assert list(frame.columns) == ["_row", "respondent_id", "date", "persona", "nps", "verbatim"]
    assert frame["_row"].tolist() == [2, 3, 4, 5, 6]
    assert frame.loc[2, "verbatim"] == ""
    assert frame["nps"].tolist() == ["1", "10", "3", "2", "9"]
    assert frame.attrs["text_column"] == "verbatim" and frame.attrs["persona_column"] == "persona"
    with pytest.raises(InputError) as err:
        read_table(write(tmp_path, "w.csv", CSV), "commentaire")
    assert err.value.code == "E140"


# --- XLSX ------------------------------------------------------------------------------

def make_xlsx(path, rows, start_row: int = 1, extra_sheet: bool = False):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Réponses"
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=start_row + offset, column=column, value=value)
    if extra_sheet:
        book.create_sheet("Notes")["A1"] = "ignorée"
    book.save(path)
    return path


def test_xlsx_verbatims(tmp_path) -> None:
    path = make_xlsx(tmp_path / "v.xlsx", [
        ("Participant", "Segment", "NPS", "Date", "Avis"),
        ("P01", "Pressé", 3, dt.datetime(2024, 3, 1), "Trop d'attente 😡"),
        ("P02", "Senior", 9.0, dt.datetime(2024, 3, 2, 14, 30), None),
        (None, None, None, None, None),
        (17, "Senior", 7.5, None, 42),
    ], extra_sheet=True)
    doc = read_document(path)
    assert doc.format == "xlsx" and doc.kind == "verbatims" and doc.encoding is None
    assert [(t.line, t.participant, t.text) for t in doc.turns] == [(2, "P01", "Trop d'attente 😡"), (5, "17", "42")]
    assert doc.turns[0].attributes == {"persona": "Pressé", "NPS": 3, "Date": "2024-03-01"}
    assert doc.turns[1].attributes["NPS"] == 7.5
    assert any("'Notes'" in w for w in doc.warnings)
    frame = read_table(path)
    assert frame["_row"].tolist() == [2, 3, 5]
    assert frame["Date"].tolist() == ["2024-03-01", "2024-03-02T14:30:00", ""]


def test_xlsx_header_not_on_first_row(tmp_path) -> None:
    path = make_xlsx(tmp_path / "v.xlsx", [("id", "verbatim"), ("a", "bonjour")], start_row=3)
    doc = read_document(path)
    assert [(t.line, t.participant) for t in doc.turns] == [(4, "a")]


def test_encrypted_xlsx(tmp_path) -> None:
    path = tmp_path / "protégé.xlsx"
    path.write_bytes(OLE_HEADER + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le"))
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E131" and "password-protected" in str(err.value)


def test_truncated_xlsx(tmp_path) -> None:
    good = make_xlsx(tmp_path / "ok.xlsx", [("id", "verbatim"), ("a", "b")])
    path = tmp_path / "coupé.xlsx"
    path.write_bytes(good.read_bytes()[:1500])
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E130" and "XLSX" in str(err.value)


def test_unquoted_delimiter_in_last_text_column_is_joined(tmp_path) -> None:
    path = write(tmp_path, "v.csv", "respondent_id,nps,verbatim\nR1,2,Bon accueil, conseillère patiente, merci\nR2,9,court\nR3\n")
    doc = read_document(path)
    assert [(t.participant, t.text) for t in doc.turns] == [
        ("R1", "Bon accueil, conseillère patiente, merci"), ("R2", "court")]
    assert any("rows 2" in w and "'verbatim'" in w for w in doc.warnings)
    assert any("rows 4" in w for w in doc.warnings)  # R3 has no text: skipped
