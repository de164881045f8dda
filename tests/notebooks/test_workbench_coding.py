"""Notebook 02 helpers: tagging, codebook editor (preview on cached Docs), reviewer widget, agreement."""
from __future__ import annotations

import pytest

from interviewkit.errors import ConfigError
from interviewkit.workbench import coding as wc
from interviewkit.workbench.steps import StepMissing


def test_bump_version():
    assert wc.bump_version("2025.1") == "2025.1-p1"
    assert wc.bump_version("2025.1-p1") == "2025.1-p2"


def test_run_tagging_needs_imported_documents(tmp_path):
    import interviewkit as ik

    with pytest.raises(StepMissing):
        wc.run_tagging(ik.open_project(tmp_path / "empty"), progress=False)


def test_tagging_summary(small_project):
    report = wc.run_tagging(small_project, progress=False)
    assert report.tagged == 0 and report.reused > 0  # nothing changed since the template was tagged
    html = wc.tagging_summary_html(small_project, report)
    assert "segments clients codés" in html and "stage" in html
    assert "codebook: bundled (journey_fr_en.yml), version" in html and "(hash " in html, "which codebook tagged"


def test_codebook_preview_reuses_parsed_docs_and_does_not_parse(small_project, monkeypatch):
    session = wc.CodebookSession(small_project)
    docs = session.docs()
    assert sum(len(d) for d in docs.values()) == len(session.frame()) and session.not_cached == 0
    from interviewkit.tagging import JourneyTagger

    monkeypatch.setattr(JourneyTagger, "parse", lambda *a, **k: pytest.fail("the preview must not parse"))
    preview = session.preview("channel", "chat", "conseiller", kind="term", lang="fr", weight=1.5)
    assert preview.rule == f"channel.chat.fr[{len(session.book.patterns('channel', 'chat', 'fr'))}]"
    assert len(preview.matches) >= 3
    assert preview.matches["text"].str.lower().str.contains("conseill").all()
    assert set(preview.gained) <= set(preview.matches["segment_id"]) and preview.gained
    html = wc.preview_html(preview)
    assert "<mark class='ik-match'>" in html and "+ étiquette" in html
    # nothing was kept
    assert all(str(p.to_obj()) != "{'term': 'conseiller', 'weight': 1.5}"
               for p in session.book.patterns("channel", "chat", "fr"))


def test_codebook_preview_rejects_bad_patterns(small_project):
    session = wc.CodebookSession(small_project)
    with pytest.raises(ConfigError):
        session.preview("channel", "chat", "(unclosed", kind="regex")
    with pytest.raises(ConfigError):
        session.preview("channel", "nope", "x")
    with pytest.raises(ConfigError):
        session.preview("channel", "chat", "  ")


def test_codebook_add_undo_save_retags(small_project):
    session = wc.CodebookSession(small_project)
    before = len(session.book.patterns("channel", "chat", "fr"))
    session.add("channel", "chat", "conseiller", weight=1.5)
    assert len(session.book.patterns("channel", "chat", "fr")) == before + 1
    assert session.undo() is not None and len(session.book.patterns("channel", "chat", "fr")) == before
    assert session.undo() is None
    session.add("channel", "chat", "conseiller", weight=1.5)
    version = session.book.version
    path, report = session.save(progress=False)
    assert path == small_project.path / "codebook.yml" and path.exists()
    assert report.tagged > 0, "a codebook edit re-tags"
    assert report.parsed == 0, "re-tagging after a codebook edit reuses the parsed Docs"
    book = wc.project_codebook(small_project)
    assert book.version == wc.bump_version(version)
    assert any("conseiller" in str(p.to_obj()) for p in book.patterns("channel", "chat", "fr"))
    tags = small_project.query("SELECT a.channel FROM auto_tags a JOIN segments s ON s.segment_id = a.segment_id "
                               "WHERE s.text LIKE '%conseiller%'")
    assert tags["channel"].str.contains("chat").any()
    assert wc.run_tagging(small_project, progress=False).tagged == 0, "the project codebook is the default"


def test_codebook_editor_widget(small_project):
    editor = wc.CodebookEditor(small_project)
    editor.field.value = "channel"
    editor.label.value = "chat"
    editor.value.value = "conseiller"
    editor.preview_button.click()
    assert "ik-match" in editor.result.value
    editor.value.value = "(bad"
    editor.kind.value = "regex"
    editor.preview_button.click()
    assert "Motif refusé" in editor.result.value
    editor.kind.value = "term"
    editor.value.value = "conseiller"
    editor.add_button.click()
    assert "1 motif(s) ajouté(s)" in editor.pending.value
    editor.undo_button.click()
    assert editor.pending.value == ""
    assert "ik-cb-save" in editor.save_button._dom_classes


def test_codebook_editor_needs_tagging(tmp_path, small_corpus):
    import interviewkit as ik
    from interviewkit.workbench.ingest import run_ingest

    assert wc.codebook_editor(ik.open_project(tmp_path / "p")) is None
    project = ik.open_project(tmp_path / "ingested")
    run_ingest(project, [small_corpus], progress=False)
    for make in (lambda: wc.CodebookSession(project), lambda: wc.require_tagged(project)):
        with pytest.raises(StepMissing, match="automatic tagging cell above"):
            make()


def test_review_widget_click_accept_records_a_decision(small_project):
    widget = wc.review_widget(small_project, "CV")
    assert widget is not None and widget.c.current is not None
    acc, _ = next(iter(widget.chip_buttons.values()))
    assert "ik-accept" in acc._dom_classes
    acc.click()
    rows = small_project.query("SELECT coder, action FROM decisions")
    assert list(rows.itertuples(index=False, name=None)) == [("CV", "accept")]
    assert wc.review_widget(small_project, "  ") is None  # a message asks for the coder id


def test_agreement_tables_two_coders(small_project):
    from interviewkit.review import record

    assert wc.agreement_tables(small_project)["coders"] == []
    assert "Aucune décision" in wc.agreement_html(wc.agreement_tables(small_project))
    seg = small_project.query("SELECT segment_id FROM auto_tags ORDER BY segment_id")["segment_id"].tolist()[:6]
    for i, sid in enumerate(seg):
        record(small_project, sid, "accept", field="emotion", coder="A")
        if i % 2:
            record(small_project, sid, "accept", field="emotion", coder="B")
        else:
            record(small_project, sid, "edit", field="emotion", value="anger", coder="B")
    tables = wc.agreement_tables(small_project, "A", "B")
    assert tables["coders"] == ["A", "B"]
    assert tables["pair"] is not None and tables["disagreements"] >= 1
    summary = tables["pair_summary"].set_index("field")
    assert summary.loc["emotion", "n"] == 6 and summary.loc["emotion", "agreement"] < 1
    assert {"(tous / all)", "A", "B"} <= set(tables["auto_summary"]["coder"])
    html = wc.agreement_html(tables, "A", "B")
    assert "ik-kappa" in html and "désaccord" in html
    dash = wc.AgreementDashboard(small_project)
    assert dash.coder_a.value == "A" and dash.coder_b.value == "B"
    assert "Codeur contre codeur" in dash.tables_html.value
    dash.refresh_button.click()


def test_field_summary_handles_empty():
    assert wc.field_summary(None).empty


def _saved_edit(project, value="conseiller"):
    """Add a channel/chat pattern through the workbench, save PROJECT/codebook.yml without re-tagging;
    returns (segments that gain the label, the saved version)."""
    session = wc.CodebookSession(project)
    gained = session.preview("channel", "chat", value, lang="fr", weight=1.5).gained
    assert gained, "precondition: the pattern adds the label somewhere"
    session.add("channel", "chat", value, lang="fr", weight=1.5)
    path, report = session.save(retag=False)
    assert report is None and path == project.path / "codebook.yml"
    return gained, session.book.version


def _labels_of(project, segment_ids):
    marks = ",".join("?" * len(segment_ids))
    rows = project.conn.execute(f"SELECT segment_id, channel FROM auto_tags WHERE segment_id IN ({marks})",
                                list(segment_ids)).fetchall()
    return {sid: channel.split(";") for sid, channel in rows}


def _last_run_version(project):
    return project.conn.execute("SELECT codebook_version FROM tag_runs ORDER BY run_id DESC").fetchone()[0]


def test_cli_tag_uses_the_project_codebook_saved_by_the_editor(small_project):
    from typer.testing import CliRunner

    from interviewkit.cli import app

    gained, version = _saved_edit(small_project)
    assert all("chat" not in v for v in _labels_of(small_project, gained).values())
    result = CliRunner().invoke(app, ["tag", "--project", str(small_project.path)])
    assert result.exit_code == 0, result.output
    assert f"codebook: project {small_project.path / 'codebook.yml'}, version {version}" in result.output
    assert all("chat" in v for v in _labels_of(small_project, gained).values())
    assert _last_run_version(small_project) == version and version.endswith("-p1")
    # an explicit --codebook still wins: the bundled file brings the label back off
    from interviewkit.codebook import default_codebook_path

    result = CliRunner().invoke(app, ["tag", "--project", str(small_project.path), "--codebook",
                                      str(default_codebook_path())])
    assert result.exit_code == 0, result.output
    assert "codebook: file" in result.output and _last_run_version(small_project) != version
    assert all("chat" not in v for v in _labels_of(small_project, gained).values())


def test_api_tag_and_run_use_the_project_codebook(small_project, small_corpus, tmp_path):
    from interviewkit.demo import run_pipeline
    from interviewkit.project_tagging import codebook_used, default_codebook_for, tag_project

    assert default_codebook_for(small_project) is None, "no codebook.yml yet: the bundled one"
    gained, version = _saved_edit(small_project)
    assert default_codebook_for(small_project) == small_project.path / "codebook.yml"
    report = tag_project(small_project)
    assert report.tagged > 0 and _last_run_version(small_project) == version
    assert all("chat" in v for v in _labels_of(small_project, gained).values())
    assert codebook_used(small_project, report.run_id).startswith("codebook: project ")
    assert wc.run_tagging(small_project, progress=False).tagged == 0, "the notebook agrees with the API"
    # the `run` pipeline (and `demo`, which calls it) re-tags with the project codebook too
    gained2, version2 = _saved_edit(small_project, "rappelée")
    lines: list[str] = []
    run_pipeline(small_corpus, small_project.path, tmp_path / "out", echo=lines.append, topics=False,
                 formats=("json",))
    assert _last_run_version(small_project) == version2 != version
    assert any(f"version {version2}" in line and "codebook: project" in line for line in lines)
    assert all("chat" in v for v in _labels_of(small_project, gained2).values())
