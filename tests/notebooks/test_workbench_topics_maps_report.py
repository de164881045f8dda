"""Notebooks 03–05 helpers: topics and curation, maps preview / edits / export, report sections."""
from __future__ import annotations

import shutil

import pytest

import interviewkit as ik
from interviewkit.workbench import maps as wm
from interviewkit.workbench import report as wr
from interviewkit.workbench import topics as wt
from interviewkit.workbench.steps import StepMissing

FAST = dict(embedding="tfidf-svd", reducer="pca", irritants_only=False, progress=False)


@pytest.fixture(scope="module")
def topics_template(small_template, tmp_path_factory):
    dest = tmp_path_factory.mktemp("topics") / "project"
    shutil.copytree(small_template, dest)
    p = ik.open_project(dest, create=False)
    wt.fit_topics(p, seed=7, **FAST)
    p.close()
    return dest


@pytest.fixture
def topics_project(topics_template, tmp_path):
    dest = tmp_path / "topics" / "project"
    shutil.copytree(topics_template, dest)
    p = ik.open_project(dest, create=False)
    yield p
    p.close()


def test_topic_segments_follow_the_contract(small_project):
    from interviewkit.topics import validate_segments

    seg = wt.topic_segments(small_project, irritants_only=False)
    validate_segments(seg)
    assert len(seg) == len(small_project.segments(role="participant"))
    assert set(wt.topic_segments(small_project)["irritant"]) == {1}


def test_no_topics_yet_says_run_notebook_03(small_project):
    with pytest.raises(StepMissing) as info:
        wt.current_topics(small_project)
    assert "carnet 03" in info.value.fr
    assert wt.topic_explorer(small_project) is None


def test_fit_saves_run_and_full_result(topics_project):
    result = wt.current_topics(topics_project)
    assert result.run_id == 1 and len(result.topics) >= 3
    assert (topics_project.cache_dir / "topics" / "run-1" / "result.json").exists() or \
        any((topics_project.cache_dir / "topics" / "run-1").iterdir())
    overview = wt.topic_overview(result)
    assert list(overview.columns) == ["topic_id", "label", "participants", "segments", "is_irritant", "keywords"]
    assert result.settings["seed"] == 7


def test_curation_is_stored_and_reapplied(topics_project):
    result = wt.current_topics(topics_project)
    ids = wt.topic_overview(result)["topic_id"].tolist()
    r = wt.rename_topic(topics_project, ids[0], "Attente au téléphone", coder="CV")
    assert wt.current_topics(topics_project).label_of(ids[0]) == "Attente au téléphone"
    n = len(r.topics)
    r = wt.merge_topics(topics_project, ids[1:3], coder="CV")
    assert len(r.topics) == n - 1
    members = r.members(ids[0])
    r = wt.split_topic(topics_project, ids[0], members[:2], "Rappel promis", coder="CV")
    assert "Rappel promis" in set(r.topics["label"])
    from interviewkit.project_topics import curated_result

    cli_view = curated_result(topics_project)
    assert sorted(cli_view.topics["label"]) == sorted(r.topics["label"]), "CLI and notebook agree"
    r = wt.set_irritant(topics_project, ids[0], False, coder="CV")
    assert not bool(r.topics.loc[r.topics["topic_id"] == ids[0], "is_irritant"].iloc[0])
    r = wt.undo_curation(topics_project, coder="CV")
    assert [c["status"] for c in r.curation_log][-2:] == ["undone", "applied"]
    decisions = topics_project.query("SELECT coder, action FROM topic_decisions")
    assert list(decisions["action"]) == ["rename", "merge", "split", "set_irritant", "undo"]
    with pytest.raises(StepMissing):
        wt.merge_topics(topics_project, ids[:1])
    with pytest.raises(StepMissing):
        wt.rename_topic(topics_project, ids[0], " ")


def test_reuse_or_refit_depends_on_settings(topics_project, monkeypatch):
    calls = []
    monkeypatch.setattr(wt, "fit_topics", lambda *a, **k: calls.append(k) or wt.current_topics(topics_project))
    wt.topics_for(topics_project, None, 7, 0.2, progress=False)
    assert calls == [], "same settings: the stored run is reused"


def test_topic_details_and_explorer(topics_project):
    result = wt.current_topics(topics_project)
    tid = int(wt.topic_overview(result)["topic_id"].iloc[0])
    d = wt.topic_details(topics_project, result, tid)
    assert d["segments"] == len(d["quotes"]) and d["participants"]
    assert set(d["splits"]) == {"stage", "channel", "persona"}
    assert "ik-topic-label" in wt.topic_details_html(d)
    ex = wt.TopicExplorer(topics_project, coder="CV")
    assert ex.topic.value == tid
    ex.new_label.value = "Appli qui plante"
    ex.rename_button.click()
    assert "Décision enregistrée" in ex.status.value
    assert "Appli qui plante" in ex.details.value
    ex.merge_button.click()  # nothing picked: a warning, no decision
    assert "au moins deux" in ex.status.value


def test_figures(topics_project):
    result = wt.current_topics(topics_project)
    for by in ("stage", "channel", "persona"):
        fig = wt.heatmap_figure(result, by)
        assert fig.data and fig.data[0].type == "heatmap"
    assert wt.sizes_figure(result).data[0].type == "bar"
    from interviewkit.workbench.figures import figure_bundle

    bundle = figure_bundle(wt.sizes_figure(result))
    assert {"application/vnd.plotly.v1+json", "text/html", "text/plain"} == set(bundle)
    assert "plotly.js" not in bundle["text/html"][:2000] and "Plotly.newPlot" in bundle["text/html"]


def test_evidence_frame_with_and_without_topics(small_project, topics_project):
    ev = wm.evidence_frame(small_project)
    assert "topic_id" not in ev.columns and ev["role"].eq("participant").all()
    assert len(ev) == len(small_project.segments(role="participant"))
    ev2 = wm.evidence_frame(topics_project)
    assert ev2["topic_label"].ne("").any()
    curated = wt.current_topics(topics_project)
    assigned = dict(zip(curated.assignments["segment_id"], curated.assignments["topic_id"]))
    assert all(assigned.get(s, -1) == t for s, t in zip(ev2["segment_id"], ev2["topic_id"])), \
        "the maps see the topics of the explorer"


def test_map_session_edits_show_at_once(topics_project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = wm.MapSession(topics_project, coder="CV", progress=False, min_participants=1, min_segments=1)
    assert session.personas[0] == "Tous les participants"
    editor = wm.MapEditor(session)
    assert "ik-map-frame" in editor.preview.value and "Découverte" in editor.preview.value
    jm = session.maps["Tous les participants"]
    cell = next(c for c in jm.cells if c.lane == "irritants" and c.items)
    editor.stage.value, editor.lane.value = cell.stage, "irritants"
    editor.item.value = cell.items[0].key
    editor.text.value = "Un irritant renommé & <vérifié>"
    assert editor.apply("replace_text") == 1
    assert "Un irritant renommé &amp;amp; &amp;lt;vérifié&amp;gt;" in editor.preview.value  # escaped twice: srcdoc
    assert editor.apply("replace_text") is None and "Écrivez" in editor.status.value
    editor.lane.value = "opportunities"
    editor.text.value = "Rappeler sous 24 h"
    assert editor.apply("add_opportunity") == 2
    assert editor.apply("approve") == 3
    assert session.maps["Tous les participants"].cell(cell.stage, "opportunities").status == "approved"
    # a rebuild keeps the edits
    session.rebuild(progress=False)
    assert "Rappeler sous 24 h" in wm.map_page(session.maps["Tous les participants"])
    edits = session.edits_table()
    assert list(edits["action"]) == ["replace_text", "add_opportunity", "approve"]


def test_emotion_curve_and_export(topics_project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = wm.MapSession(topics_project, progress=False, min_participants=1, min_segments=1)
    fig = wm.emotion_curve_figure(session.maps["Tous les participants"])
    assert list(fig.data[0].x)[0] == "Découverte"
    panel = wm.ExportPanel(session)
    assert panel.out_dir == tmp_path / "exports" / "project" / "cartes"
    written = panel.export()
    assert set(written) == {"html", "json", "xlsx", "md", "png", "pptx"}
    assert all(p.exists() for paths in written.values() for p in paths)
    assert "href='exports/project/cartes/index.html'" in panel.links.value
    outside = wm.links_html({"html": [tmp_path.parent / "elsewhere.html"]}, base=tmp_path)
    assert "<code class='ik-export-link'>" in outside


def test_maps_need_tagging(tmp_path):
    p = ik.open_project(tmp_path / "p")
    assert wm.map_session(p) is None and wm.map_editor(None) is None and wm.export_panel(None) is None


def test_report_sections(topics_project, small_project):
    data = wr.overview(topics_project)
    assert data["interviews"] == 2 and data["respondents"] == 60
    assert "2 entretiens" in wr.overview_html(data)
    table, source = wr.top_irritants(topics_project)
    assert source == "topics" and len(table) and "citation / quote" in table.columns
    table2, source2 = wr.top_irritants(small_project)
    assert source2 == "stages" and "étape / stage" in table2.columns
    assert wr.topics_figure(small_project) is None and wr.topics_figure(topics_project) is not None
    maps, _ = wm.build_project_maps(topics_project, progress=False, min_participants=1, min_segments=1)
    summary = wr.persona_summaries(maps)
    assert list(summary["persona"])[0] == "Tous les participants"
    assert summary["irritants principaux / top irritants"].ne("—").any()
    quotes = wr.persona_quotes(maps)
    assert any(quotes.values())
    assert len(wr.emotion_curves_figure(maps).data) == len(maps)
    heat = wr.irritant_heatmap_figure(topics_project)
    assert heat.data[0].z.max() <= 1
    note = wr.method_note_html(topics_project)
    assert "Méthode" in note and "Method:" in note and "pas encore relus" in note, "no curation yet"
    assert "non calculés" in wr.method_note_html(small_project)
    first = wt.topic_overview(wt.current_topics(topics_project))["topic_id"].tolist()[0]
    wt.rename_topic(topics_project, first, "Attente au téléphone", coder="CV")
    assert "relus par les chercheurs (1 décision(s)" in wr.method_note_html(topics_project)
    assert wr.plotly_head().startswith("<script") and len(wr.plotly_head()) > 1_000_000


def test_notebook_html_hides_code_and_network(jupyter_env, tmp_path):
    import nbformat

    from interviewkit.workbench.notebooks import notebook_html, run_notebook

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("X = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## Titre visible"),
        nbformat.v4.new_code_cell("print('secret code ' + 'output', X)"),
        nbformat.v4.new_code_cell("print('export button')", metadata={"tags": ["ik-no-export"]})])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    run_notebook(nb, params={"X": 42}, cwd=tmp_path, timeout=120)
    page = notebook_html(nb, head_extra="<meta name='ik-test'>")
    assert "Titre visible" in page and "secret code output 42" in page
    assert "print(" not in page and "export button" not in page
    assert "<meta name='ik-test'>" in page.split("</head>")[0]
    assert "require.js" not in page and "mathjax" not in page.lower().split("</head>")[0] + ""
    assert "mermaid.esm" not in page
