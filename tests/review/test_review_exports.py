import zipfile

import pandas as pd
import pytest
from review_helpers import seg_id

import interviewkit.review  # noqa: F401  (registers the review tables)
from interviewkit.export import SEGMENT_ENRICHERS, TABLES, export_table
from interviewkit.review import events as E
from interviewkit.review.exports import DECISION_COLUMNS, export, register
from interviewkit.review.labels import ReviewError


@pytest.fixture
def decided(project):
    sid = seg_id(project, "P01_entretien.txt", 1, 1)
    E.record(project, sid, "reject", "stage", "support", coder="CV", memo="pas du SAV")
    E.record(project, sid, "add", label="=HYPERLINK(\"x\")", coder="CV")
    E.accept_segment(project, seg_id(project, "P02_entretien.txt", 1, 1), "HM")
    E.undo(project, "HM")
    return project


def test_registries_hold_the_review_tables_once():
    register()
    register()
    assert {"decisions", "codes", "segments"} <= set(TABLES)
    assert sum(getattr(e, "__name__", "") == "enrich_segments" for e in SEGMENT_ENRICHERS) == 1


def test_decisions_table_one_row_per_event(decided):
    df = TABLES["decisions"](decided)
    assert list(df.columns) == DECISION_COLUMNS and len(df) == 10
    assert df["action"].tolist()[:2] == ["reject", "add"] and df["action"].iloc[-1] == "undo"
    assert df["active"].tolist() == [True, True] + [False] * 7 + [True]
    assert df["batch_id"].iloc[2:].nunique() == 1 and df["document"].iloc[0] == "P01_entretien.txt"
    assert df["memo"].iloc[0] == "pas du SAV" and df["timestamp"].notna().all()


def test_codes_table_codebook_and_custom_codes_with_counts(decided):
    df = TABLES["codes"](decided).set_index(["field", "code"])
    assert df.loc[("stage", "support"), ["auto_segments", "human_segments", "final_segments"]].tolist() == [2, 0, 1]
    assert df.loc[("channel", "web"), "source"] == "codebook"
    assert df.loc[("code", '=HYPERLINK("x")'), ["source", "human_segments", "final_segments"]].tolist() == [
        "custom", 1, 1]
    assert df.loc[("irritant", "irritant"), "auto_segments"] == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_tables_in_every_format(decided, tmp_path, fmt):
    for what in ("decisions", "codes", "segments"):
        out = export(decided, what, fmt, tmp_path / f"{what}.{fmt}")
        df = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt](out)
        assert len(df) > 0
    seg = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt](tmp_path / f"segments.{fmt}")
    for col in ("stage", "channel", "emotion", "valence", "irritant", "moments", "lane", "confidence", "evidence",
                "review_status", "codes"):
        assert col in seg.columns
    row = seg.set_index("segment_id").loc[seg_id(decided, "P01_entretien.txt", 1, 1)]
    assert row["review_status"] == "edited"  # a code was added after the reject
    assert pd.isna(row["stage"]) or row["stage"] == ""  # support rejected: no stage left
    if fmt == "csv":
        assert row["codes"].startswith("'=")  # formula injection is neutralised by the table writer


def test_segments_enricher_replaces_the_plain_auto_tag_columns(decided):
    # the tagging module's enricher adds the auto tags; ours runs last and shows the decisions
    df = TABLES["segments"](decided).set_index("segment_id")
    assert SEGMENT_ENRICHERS[-1].__module__ == "interviewkit.review.exports"
    assert df.loc[seg_id(decided, "P01_entretien.txt", 1, 1), "stage"] == ""          # auto: support, rejected
    assert df.loc[seg_id(decided, "P01_entretien.txt", 1, 0), "stage"] == "support"   # auto, unreviewed
    assert list(df.columns).count("stage") == 1 and "review_status" in df.columns


def test_export_project_as_qdpx_and_bad_combinations(decided, tmp_path):
    out = export(decided, "project", "qdpx", tmp_path / "p.qdpx")
    assert "project.qde" in zipfile.ZipFile(out).namelist()
    for what, fmt in (("decisions", "qdpx"), ("project", "csv")):
        with pytest.raises(ReviewError) as err:
            export(decided, what, fmt, tmp_path / "x")
        assert err.value.code == "E815"
    with pytest.raises(Exception):
        export_table(decided, "nope", "csv", tmp_path / "x.csv")
