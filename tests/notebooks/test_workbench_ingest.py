"""Notebook 01 helpers: uploads, ingestion report, pseudonymisation preview, added names."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from interviewkit.errors import ConfigError
from interviewkit.ingest import IngestReport
from interviewkit.workbench import ingest as wi


def _stored_text(project, current_only=True) -> str:
    return "\n".join(project.turns(current_only=current_only)["text"]) + "\n".join(
        project.query("SELECT text FROM segments")["text"] if not current_only else [])


def test_paths_from_text_or_list(tmp_path):
    assert wi._paths(f"{tmp_path}/a.txt\n\n {tmp_path}/b ; {tmp_path}/c") == [tmp_path / "a.txt", tmp_path / "b",
                                                                              tmp_path / "c"]
    assert wi._paths(["~/x"])[0].is_absolute()
    assert wi._paths(None) == []


def test_safe_upload_name_and_save_uploads(small_project):
    assert wi.safe_upload_name("../../etc/passwd") == "passwd"
    assert wi.safe_upload_name("C:\\Users\\me\\P01 entretien.docx") == "P01 entretien.docx"
    assert wi.safe_upload_name("...") == "upload"
    written = wi.save_uploads(small_project, [{"name": "../P09_test.txt", "content": memoryview(b"A: bonjour")}])
    assert written == [small_project.path / "inbox" / "P09_test.txt"]
    assert written[0].read_bytes() == b"A: bonjour"
    assert (small_project.path / "inbox").stat().st_mode & 0o777 == 0o700
    with pytest.raises(ConfigError):
        wi.save_uploads(small_project, [{"name": "virus.exe", "content": b"MZ"}])


def test_report_table_lists_every_file():
    report = IngestReport(run_id=1, ingested=[{"path": "/c/P01.txt", "document_id": 1, "version": 1, "format": "txt",
                                               "kind": "transcript", "language": "fr", "participant": "P01",
                                               "turns": 3, "segments": 5, "pseudonymised_items": 2,
                                               "warnings": []}],
                          unchanged=["/c/P02.txt"],
                          failed=[{"path": "/c/bad.docx", "code": "E110", "line": None, "message": "[E110] bad"}],
                          skipped=[{"path": "/c/README.md", "reason": "excluded"}])
    table = wi.report_table(report)
    assert list(table["fichier / file"]) == ["P01.txt", "P02.txt", "bad.docx", "README.md"]
    assert list(table["statut / status"].str.split(" ").str[0]) == ["importé", "inchangé", "échec", "ignoré"]
    assert table.loc[2, "code"] == "E110"
    html = wi.report_html(report)
    assert "1 importé(s)" in html and "ik-message-warning" in html


def test_import_form_upload_then_run(small_project):
    form = wi.ImportForm(small_project)
    assert form.run() is None and "au moins un fichier" in form.result.value
    form._on_upload({"new": ({"name": "P03_entretien.txt",
                              "content": b"Claire Vidal: Bonjour ?\nNadia: J'ai attendu mon colis trois semaines, "
                                         b"c'est inadmissible.\n"},)})
    assert str(small_project.path / "inbox") in form.paths.value
    form.interviewers.value = "Claire Vidal"
    report = form.run()
    assert report is not None and len(report.ingested) == 1
    assert "P03_entretien.txt" in form.result.value
    assert "nadia" not in " ".join(small_project.turns()["speaker"].str.lower())


def test_pseudonymisation_counts_and_segments(small_project):
    counts = wi.pseudonym_counts(small_project)
    assert "PERS" in set(counts["kind"]) and counts["count"].sum() > 0
    by_doc = wi.pseudonym_counts_by_document(small_project)
    assert {"document", "participant", "total"} <= set(by_doc.columns)
    seg = wi.pseudonymised_segments(small_project)
    assert len(seg) and seg["pseudonyms"].str.len().gt(0).all()
    pattern = wi._pseudonym_pattern(small_project)
    html = wi.highlight_pseudonyms("Appel de P01 à <INT-01> et [TEL-003].", pattern)
    assert html.count("ik-pseudonym") == 3 and "&lt;" in html


def test_preview_widget_filters(small_project):
    preview = wi.PseudonymisationPreview(small_project)
    assert "PERS" in preview.counts.value
    preview.kind.value = "EMAIL"
    assert "0 segment(s)" in preview.segments.value
    assert preview.add("   ") is None and "Écrivez" in preview.result.value


def test_extra_names_store_dedupes_and_validates(small_project):
    assert wi.load_extra_names(small_project) == []
    assert wi.save_extra_names(small_project, ["Roger Salengro", "roger  SALENGRO", "Kévin"]) == ["Roger Salengro",
                                                                                                  "Kévin"]
    data = json.loads(wi.extra_names_path(small_project).read_text())
    assert data == {"version": 1, "names": ["Roger Salengro", "Kévin"]}
    for bad in ("x", "06 12 34 56 78", "a" * 120):
        with pytest.raises(ConfigError):
            wi.save_extra_names(small_project, [bad])


def test_offset_map_of_an_edit():
    edit = wi._Edit("ab [PERS-001] cd", moves=[(3, 8, 3, 13)], count=1)  # "ab Roger cd" -> "ab [PERS-001] cd"
    assert edit.map(0) == 0 and edit.map(3) == 3 and edit.map(8, end=True) == 13
    assert edit.map(9) == 14 and edit.map(5) == 3 and edit.map(5, end=True) == 13


def test_add_name_repseudonymises_current_and_earlier_versions(small_project):
    p = small_project
    assert "Salengro" in _stored_text(p), "precondition: the detector leaves this street name"
    found = wi.find_name_occurrences(p, ["Roger Salengro"])
    assert list(found["document"]) == ["P01_entretien.txt"]
    old = p.documents().set_index("name").loc["P01_entretien.txt"]
    preview = wi.PseudonymisationPreview(p)
    report = preview.add("Roger Salengro")
    assert [d["document"] for d in report.documents] == ["P01_entretien.txt"]
    assert report.documents[0]["new_version"] == old["version"] + 1 and report.replacements >= 2
    assert "nouvelle version" in preview.result.value
    new = p.documents().set_index("name").loc["P01_entretien.txt"]
    assert new["version"] == old["version"] + 1 and new["segments"] == old["segments"]
    every = "\n".join(p.query("SELECT text FROM turns")["text"]) + "\n".join(p.query("SELECT text FROM segments")["text"])
    assert "Salengro" not in every and "Roger" not in every, "no version keeps the name"
    assert p.check() == []
    assert "[PERS-" in "\n".join(p.turns()["text"])
    assert wi.find_name_occurrences(p, ["Roger Salengro"]).empty
    # untouched documents keep their version; the new segments wait for tagging
    assert p.documents().set_index("name").loc["P02_entretien.txt", "version"] == 1
    from interviewkit.workbench.steps import project_status

    assert project_status(p)["untagged"] > 0
    # the pseudonym is the key's: adding the name again changes nothing
    again = wi.add_extra_names(p, "Roger Salengro", progress=False)
    assert again.documents == [] and "aucun document" in wi.repseudonymise_html(again)


def test_later_imports_reapply_added_names(small_project, small_corpus, tmp_path):
    p = small_project
    wi.save_extra_names(p, ["Roger Salengro"])
    corpus = tmp_path / "c2"
    corpus.mkdir()
    src = corpus / "P05_entretien.txt"
    src.write_text("Claire Vidal: Où habitez-vous ?\nLéa: Avenue Roger Salengro, depuis deux ans, c'est calme.\n",
                   encoding="utf-8")
    report = wi.run_ingest(p, [src], interviewers=["Claire Vidal"], progress=False)
    assert len(report.ingested) == 1
    assert report.extra_names_applied is not None, "the added names are looked for after the import"
    assert report.extra_names_applied.documents == [], "ingest itself already replaced the added name"
    turns = p.turns()
    new_text = "\n".join(turns.loc[turns["document"] == "P05_entretien.txt", "text"])
    assert "Salengro" not in new_text and "Roger" not in new_text
    assert "[PERS-" in new_text
    assert p.documents().set_index("name").loc["P05_entretien.txt", "version"] == 1
    assert "Salengro" in "\n".join(turns.loc[turns["document"] == "P01_entretien.txt", "text"]), \
        "documents imported earlier are not touched by an import"


def test_ingest_files_cell_without_files(small_project, capsys):
    assert wi.ingest_files(small_project, []) is None
    assert wi.default_files(None, None)[0].name == "demo"
    assert wi.default_files("/some/project", None) == []
    assert wi.default_files(None, ["/x"]) == [Path("/x")]


def test_report_table_is_a_dataframe_even_when_empty():
    assert isinstance(wi.report_table(IngestReport(run_id=1)), pd.DataFrame)
