"""Every notebook executed headless, top to bottom, with nbclient (slow: the demo project is built once
per session, then each notebook takes 5–40 s)."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from nb_helpers import NOTEBOOKS, errors, outputs_text, widget_text

from interviewkit.demo import find_demo_corpus
from interviewkit.workbench.notebooks import run_notebook

pytestmark = pytest.mark.slow
ALL_FORMATS = {"html", "json", "xlsx", "md", "png", "pptx"}


def _run(name, tmp_path, **params):
    nb = run_notebook(NOTEBOOKS / name, params=params or None, cwd=tmp_path, timeout=900)
    assert errors(nb) == [], f"{name} raised: {errors(nb)}"
    return nb


def _count(path, sql):
    conn = sqlite3.connect(str(path / "interviewkit.sqlite"))
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_01_import_on_the_demo_project(demo_dir, jupyter_env, tmp_path):
    runs = _count(demo_dir, "SELECT COUNT(*) FROM ingest_runs")
    nb = _run("01_import.ipynb", tmp_path)
    out, widgets = outputs_text(nb), widget_text(nb)
    assert "ik-status-banner" in out and "13 documents" in out
    assert "13 inchangé(s)" in out and "P01_sophie_panne_voiture.txt" in out, "the ingestion report table"
    assert _count(demo_dir, "SELECT COUNT(*) FROM ingest_runs") == runs + 1
    assert "Importer des entretiens" in widgets and "ik-ingest" in widgets, "the import form"
    assert "ik-pseudonym" in widgets and "[PERS-" in widgets and "TEL" in widgets, "the pseudonymisation preview"


def test_01_adds_a_missed_name(demo_dir, jupyter_env, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    before = _count(copy, "SELECT COUNT(*) FROM turns WHERE text LIKE '%Salengro%'")
    assert before >= 1, "precondition: the demo corpus has a street name the detector leaves"
    nb = _run("01_import.ipynb", tmp_path, PROJECT=str(copy), FILES=[str(find_demo_corpus())],
              EXTRA_NAMES=["Roger Salengro"])
    out = outputs_text(nb)
    assert "nouvelle version" in out
    assert _count(copy, "SELECT COUNT(*) FROM turns WHERE text LIKE '%Salengro%'") == 0
    assert _count(copy, "SELECT COUNT(*) FROM segments WHERE text LIKE '%Salengro%'") == 0
    assert _count(copy, "SELECT MAX(version) FROM documents") == 2
    assert json.loads((copy / "private" / "extra_names.json").read_text())["names"] == ["Roger Salengro"]


def test_02_coding(demo_dir, jupyter_env, tmp_path):
    tag_runs = _count(demo_dir, "SELECT COUNT(*) FROM tag_runs")
    nb = _run("02_coding.ipynb", tmp_path, CODER="T1")
    out, widgets = outputs_text(nb), widget_text(nb)
    assert "Codage terminé" in out and "segments clients codés" in out
    assert _count(demo_dir, "SELECT COUNT(*) FROM tag_runs") == tag_runs + 1
    assert "Éditeur de codebook" in widgets and "ik-cb-preview" in widgets
    assert "ik-review" in widgets and "ik-accept" in widgets and "ik-tag-" in widgets, "the reviewer widget"
    assert "Accord inter-codeurs" in widgets


def test_03_irritants(demo_dir, jupyter_env, tmp_path):
    nb = _run("03_irritants.ipynb", tmp_path)
    out, widgets = outputs_text(nb), widget_text(nb)
    assert "Thèmes du dernier calcul" in out, "the demo's topic run is reused with the same settings"
    plots = [o for c in nb.cells for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(plots) == 4, "sizes + stage, channel and persona heatmaps"
    assert "Explorateur de thèmes" in widgets and "ik-topic-rename" in widgets and "Citations" in widgets
    assert "Taille min." in widgets, "the topic controls"


def test_03_recompute_with_other_settings(demo_dir, jupyter_env, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    runs = _count(copy, "SELECT COUNT(*) FROM topic_runs")
    nb = _run("03_irritants.ipynb", tmp_path, PROJECT=str(copy), MIN_TOPIC_SIZE=12, SEED=3)
    assert "thème(s) trouvé(s)" in outputs_text(nb)
    assert _count(copy, "SELECT COUNT(*) FROM topic_runs") == runs + 1
    assert json.loads(sqlite3.connect(str(copy / "interviewkit.sqlite")).execute(
        "SELECT settings_json FROM topic_runs ORDER BY run_id DESC").fetchone()[0])["min_topic_size"] == 12


def test_04_journey_maps(demo_dir, jupyter_env, tmp_path):
    out_dir = tmp_path / "maps"
    nb = _run("04_journey_maps.ipynb", tmp_path, EXPORT_NOW=True, EXPORT_DIR=str(out_dir))
    out, widgets = outputs_text(nb), widget_text(nb)
    assert "4 carte(s) construite(s)" in out
    for stage in ("Découverte", "Livraison / réalisation", "Assistance / SAV", "Fidélité / départ"):
        assert stage in widgets, f"the map preview shows the stage {stage}"
    assert "ik-map-frame" in widgets and "ik-map-replace-text" in widgets and "ik-export-maps" in widgets
    assert "Courbe émotionnelle" in out
    assert "fichier(s) écrit(s)" in out and "ik-export-link" in out
    names = {p.name for p in out_dir.iterdir()}
    assert {"index.html", "tous-les-participants.html", "tous-les-participants.json", "journeymaps.xlsx",
            "journeymaps.pptx", "tous-les-participants.md", "tous-les-participants.png",
            "tous-les-participants-emotions.png", "actif-presse.html"} <= names


def test_05_report_and_export(demo_dir, jupyter_env, tmp_path):
    from interviewkit.workbench.report import export_report

    nb = _run("05_report.ipynb", tmp_path)
    out = outputs_text(nb)
    assert "12 entretiens" in out and "thème / theme" in out and "irritants principaux" in out
    assert "Tous les participants" in out and "Méthode" in out
    page = export_report(None, tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Parcours clients" in page and "Les irritants récurrents" in page and "thème / theme" in page
    assert "wb.report" not in page and "open_notebook" not in page, "code is hidden"
    assert "Exporter le rapport" not in page and "ik-status-banner" not in page, "researcher cells are removed"
    head = page.split("</head>")[0]
    assert "Plotly" in head and "Plotly.newPlot" in page, "plotly.js inlined once, figures drawn offline"
    assert "<script src=\"http" not in page and "cdnjs" not in head


def test_missing_steps_show_messages_not_tracebacks(small_corpus, jupyter_env, tmp_path):
    import interviewkit as ik
    from interviewkit.workbench.ingest import run_ingest

    project = ik.open_project(tmp_path / "ingested-only")
    run_ingest(project, [small_corpus], progress=False)
    project.close()
    for name in ("03_irritants.ipynb", "04_journey_maps.ipynb", "05_report.ipynb"):
        out = outputs_text(_run(name, tmp_path, PROJECT=str(tmp_path / "ingested-only")))
        assert "Lancez d'abord le carnet 02 (codage)" in out, name
        assert "Traceback" not in out
    out = outputs_text(_run("02_coding.ipynb", tmp_path, PROJECT=str(tmp_path / "nowhere")))
    assert "n'est pas encore un projet interviewkit" in out and "carnet 01" in out
    assert not (tmp_path / "nowhere").exists(), "opening a notebook other than 01 never creates a project"
