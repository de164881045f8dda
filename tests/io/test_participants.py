"""The participants file."""
from __future__ import annotations

import openpyxl
import pytest

from interviewkit.errors import ConfigError, InputError
from interviewkit.io.participants import COLUMNS, read_participants


def write(tmp_path, content: str, name: str = "participants.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_standard_columns(tmp_path) -> None:
    path = write(tmp_path, (
        "participant_id,name,persona,document,age,city\n"
        "P01,Sophie Lemaire,Actif pressé,P01_sophie.txt,38,Lyon\n"
        "P02,Marc Dubois,,P02_a.txt; P02_b.vtt,45,Villeurbanne\n"
        "P03,,Senior attentif,,71,\n"
    ))
    frame = read_participants(path)
    assert list(frame.columns) == COLUMNS
    assert frame["participant_id"].tolist() == ["P01", "P02", "P03"]
    assert frame["persona"].tolist() == ["Actif pressé", None, "Senior attentif"]
    assert frame["name"].tolist() == ["Sophie Lemaire", "Marc Dubois", None]
    assert frame["documents"].tolist() == [["P01_sophie.txt"], ["P02_a.txt", "P02_b.vtt"], []]
    assert frame["attributes"].tolist()[0] == {"age": "38", "city": "Lyon"}


def test_french_column_variants_and_first_last_name(tmp_path) -> None:
    path = write(tmp_path, "Identifiant;Profil;Prénom;Nom;Fichier;Âge\nP01;Pressée;Élodie;Roux;P01.docx;34\n", encoding="cp1252")
    row = read_participants(path).iloc[0]
    assert row["participant_id"] == "P01" and row["persona"] == "Pressée" and row["name"] == "Élodie Roux"
    assert row["documents"] == ["P01.docx"] and row["attributes"] == {"Âge": "34"}


@pytest.mark.parametrize("id_header", ["id", "participant", "Participant ID", "répondant", "respondent_id"])
def test_id_column_variants(tmp_path, id_header: str) -> None:
    frame = read_participants(write(tmp_path, f"{id_header},segment\nP9,Jeune\n"))
    assert frame.loc[0, "participant_id"] == "P9" and frame.loc[0, "persona"] == "Jeune"


def test_xlsx_participants(tmp_path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [("participant_id", "nom", "persona", "age"), ("P01", "Sophie", "Pressée", 38), (2, "Marc", None, 45)]:
        sheet.append(row)
    path = tmp_path / "participants.xlsx"
    book.save(path)
    frame = read_participants(path)
    assert frame["participant_id"].tolist() == ["P01", "2"]
    assert frame["name"].tolist() == ["Sophie", "Marc"]
    assert frame["attributes"].tolist() == [{"age": 38}, {"age": 45}]


def test_missing_id_column(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        read_participants(write(tmp_path, "nom,persona\nSophie,Pressée\n"))
    assert err.value.code == "E210"
    assert "participant_id" in str(err.value) and "nom, persona" in str(err.value)


def test_duplicated_ids_name_the_rows(tmp_path) -> None:
    path = write(tmp_path, "participant_id,persona\nP01,a\nP02,b\np01,c\nP02,d\n")
    with pytest.raises(ConfigError) as err:
        read_participants(path)
    message = str(err.value)
    assert err.value.code == "E211"
    assert "P01 on rows 2, 4" in message and "P02 on rows 3, 5" in message
    assert "participants.csv" in message


def test_row_without_id(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        read_participants(write(tmp_path, "participant_id,persona\nP01,a\n,b\n"))
    assert err.value.code == "E212" and err.value.line == 3


def test_unreadable_participants_file_is_an_input_error(tmp_path) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes(b"\x00\x01\x02" * 50)
    with pytest.raises(InputError) as err:
        read_participants(path)
    assert err.value.code == "E104"
