"""code_verbatims: every input column and row kept, journey columns added, empty texts untagged."""
from __future__ import annotations

import pandas as pd
import pytest

from interviewkit.errors import ConfigError
from interviewkit.tagging.verbatims import ADDED_COLUMNS, code_verbatims

ROWS = pd.DataFrame({
    "respondent": ["r1", "r2", "r3", "r4"],
    "nps": ["2", "9", "", "5"],
    "verbatim": ["Toujours pas reçu mon colis, SAV injoignable !!!", "Livraison rapide, je recommande.", "",
                 "J'ai appelé trois fois."],
})


def test_csv_in_csv_out(tmp_path, lookup_tagger):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    ROWS.to_csv(src, index=False)
    code_verbatims(src, "verbatim", out, tagger=lookup_tagger)
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"  # utf-8-sig for Excel
    df = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(df.columns) == list(ROWS.columns) + list(ADDED_COLUMNS)
    assert len(df) == 4 and list(df["respondent"]) == ["r1", "r2", "r3", "r4"] and list(df["nps"]) == ["2", "9", "", "5"]
    assert df.loc[0, "stage"] == "deliver;support" and df.loc[0, "irritant"] == "1" and df.loc[0, "valence"] == "-2"
    assert "leave" in df.loc[1, "stage"] and df.loc[1, "irritant"] == "0"
    assert all(df.loc[2, c] == "" for c in ADDED_COLUMNS)  # empty text: row kept, left untagged
    assert df.loc[3, "channel"] == "phone" and df.loc[0, "evidence"].startswith("[{")


def test_xlsx_in_xlsx_out(tmp_path, lookup_tagger):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    ROWS.to_excel(src, index=False)
    code_verbatims(src, "verbatim", out, tagger=lookup_tagger)
    df = pd.read_excel(out, dtype=str, keep_default_na=False)
    assert len(df) == 4 and "stage" in df.columns and df.loc[3, "channel"] == "phone"


def test_missing_column_names_file_column_and_available(tmp_path, lookup_tagger):
    src = tmp_path / "answers.csv"
    ROWS.to_csv(src, index=False)
    with pytest.raises(ConfigError) as err:
        code_verbatims(src, "comment", tmp_path / "o.csv", tagger=lookup_tagger)
    msg = str(err.value)
    assert "answers.csv" in msg and "'comment'" in msg and "verbatim" in msg and "respondent" in msg
    with pytest.raises(ConfigError):
        code_verbatims(src, "verbatim", tmp_path / "o.json", tagger=lookup_tagger)
