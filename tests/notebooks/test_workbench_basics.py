"""Fast tests of the workbench plumbing: messages, step checks, parameters, progress, notebook files."""
from __future__ import annotations

import json
import stat

import nbformat
import pytest
from nb_helpers import NOTEBOOKS

import interviewkit as ik
from interviewkit.errors import ConfigError
from interviewkit.workbench import messages, notebooks, progress, steps
from interviewkit.workbench import project as wbp

NOTEBOOK_NAMES = ["01_import.ipynb", "02_coding.ipynb", "03_irritants.ipynb", "04_journey_maps.ipynb",
                  "05_report.ipynb"]


def test_message_html_escapes_and_is_bilingual():
    out = messages.message_html("missing", "Lancez <b>d'abord</b>", "Run first", detail="<script>")
    assert "ik-message-missing" in out
    assert "&lt;b&gt;" in out and "<script>" not in out
    assert out.index("Lancez") < out.index("Run first")


def test_table_html_empty_and_truncated():
    import pandas as pd

    assert "vide" in messages.table_html(pd.DataFrame())
    html = messages.table_html(pd.DataFrame({"a": range(10)}), max_rows=3)
    assert "7 ligne(s) de plus" in html


def test_step_missing_messages_name_the_notebook():
    exc = steps.StepMissing.for_step("coding")
    assert "carnet 02" in exc.fr and "notebook 02" in exc.en
    assert exc.code == "NB01"
    assert "carnet 03" in steps.StepMissing.for_step("topics").fr


def test_require_and_status_on_an_empty_project(tmp_path):
    p = ik.open_project(tmp_path / "p")
    status = steps.project_status(p)
    assert status["documents"] == 0 and status["tagged"] == 0 and status["topic_runs"] == 0
    with pytest.raises(steps.StepMissing) as info:
        steps.require(p, "import")
    assert "carnet 01" in info.value.fr
    with pytest.raises(steps.StepMissing):
        steps.require(None)


def test_friendly_shows_a_message_instead_of_raising(monkeypatch):
    shown = []
    monkeypatch.setattr(steps, "show_message", lambda kind, fr, en="", detail="": shown.append((kind, fr, en)))

    @steps.friendly
    def needs_coding():
        raise steps.StepMissing.for_step("coding")

    @steps.friendly
    def bad_config():
        raise ConfigError("E305", "bad value")

    @steps.friendly
    def bug():
        raise ValueError("a bug stays visible")

    assert needs_coding() is None and bad_config() is None
    assert shown[0][0] == "missing" and "carnet 02" in shown[0][1]
    assert shown[1][0] == "error"
    with pytest.raises(ValueError):
        bug()
    with steps.guard():
        raise steps.StepMissing.for_step("import")
    assert "carnet 01" in shown[2][1]


def test_demo_project_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(wbp.DEMO_ENV, str(tmp_path / "demo"))
    assert wbp.demo_project_path() == (tmp_path / "demo").resolve()
    monkeypatch.delenv(wbp.DEMO_ENV)
    assert wbp.demo_project_path().name == "demo-project"


def test_demo_project_reuses_a_finished_build(monkeypatch, tmp_path):
    """With the marker of a finished build, the demo project opens at once (nothing is ingested)."""
    monkeypatch.setenv(wbp.DEMO_ENV, str(tmp_path / "demo"))
    p = ik.open_project(tmp_path / "demo")
    (p.cache_dir / wbp.DEMO_MARKER).write_text(json.dumps({"version": wbp.DEMO_BUILD_VERSION,
                                                           "steps": ["ingest", "tag", "topics"]}))
    p.close()
    again = wbp.demo_project(progress=False)
    assert again.path == (tmp_path / "demo").resolve() and again.info()["documents"] == 0


def test_resolve_project(tmp_path, small_project):
    assert wbp.resolve_project(small_project) is small_project
    assert wbp.resolve_project(str(small_project.path)).path == small_project.path
    with pytest.raises(steps.StepMissing) as info:
        wbp.resolve_project(tmp_path / "nothing-here")
    assert "carnet 01" in info.value.fr
    created = wbp.resolve_project(tmp_path / "new", create=True)
    assert (created.path / "interviewkit.sqlite").exists()


def test_status_html_counts(small_project):
    html = wbp.status_html(small_project)
    assert "ik-status-banner" in html and "documents" in html


def test_progress_bar_counts_and_closes():
    bar = progress.ProgressBar("x", disable=True)
    bar("a.txt", 1, 3)
    bar("b.txt", 3, 3)
    assert bar.done == 3 and bar.bar is None
    with progress.steps_bar("y", ["one", "two"], disable=True) as step:
        step("one")
        step("two")


def test_inject_parameters_like_papermill():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# t"),
        nbformat.v4.new_code_cell("PROJECT = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(PROJECT)")])
    notebooks.inject_parameters(nb, PROJECT="/tmp/p", SEED=3)
    assert [c.metadata.get("tags", []) for c in nb.cells][2] == ["injected-parameters"]
    assert "PROJECT = '/tmp/p'" in nb.cells[2].source and "SEED = 3" in nb.cells[2].source
    notebooks.inject_parameters(nb, PROJECT=None)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "PROJECT = None" in injected[0].source
    with pytest.raises(ConfigError):
        notebooks.parameters_source({"not valid": 1})


def test_find_notebook(monkeypatch, tmp_path):
    assert notebooks.find_notebook("02_coding.ipynb") == NOTEBOOKS / "02_coding.ipynb"
    monkeypatch.setenv(notebooks.NOTEBOOKS_ENV, str(tmp_path))
    with pytest.raises(ConfigError):
        notebooks.find_notebook("02_coding.ipynb")


def test_notebooks_dir_from_the_environment_or_the_working_folder(monkeypatch, tmp_path):
    assert notebooks.notebooks_dir() == NOTEBOOKS
    copy = tmp_path / "nb"
    copy.mkdir()
    (copy / "01_import.ipynb").write_text((NOTEBOOKS / "01_import.ipynb").read_text(encoding="utf-8"))
    monkeypatch.setenv(notebooks.NOTEBOOKS_ENV, str(copy))
    assert notebooks.notebooks_dir() == copy
    monkeypatch.setenv(notebooks.NOTEBOOKS_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(ConfigError, match="NB07"):
        notebooks.notebooks_dir()
    # an installed (non-editable) package: no checkout above the module; ./notebooks is used
    monkeypatch.delenv(notebooks.NOTEBOOKS_ENV)
    monkeypatch.setattr(notebooks, "__file__", str(tmp_path / "site-packages" / "interviewkit" / "workbench" / "x.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="not part of the installed package"):
        notebooks.notebooks_dir()
    assert notebooks.notebooks_hint().startswith("Notebooks: [NB07]")
    copy.rename(tmp_path / "notebooks")
    assert notebooks.notebooks_dir() == tmp_path / "notebooks"


def test_notebooks_hint_says_how_to_open_them(tmp_path):
    hint = notebooks.notebooks_hint(tmp_path / "out" / "project")
    assert f"cd {NOTEBOOKS.parent} && " in hint and " lab notebooks/" in hint
    assert f"PROJECT = {str((tmp_path / 'out' / 'project').resolve())!r}" in hint
    assert "PROJECT =" not in notebooks.notebooks_hint()


@pytest.mark.parametrize("command", ["run", "demo"])
def test_cli_run_and_demo_end_with_the_notebooks_hint(command, small_corpus, tmp_path, monkeypatch):
    """What scripts/demo.sh prints last: the outputs, then how to open the notebooks on that project."""
    from typer.testing import CliRunner

    from interviewkit.cli import app

    monkeypatch.setattr("interviewkit.demo.run_pipeline",
                        lambda corpus, project, out, **kw: {"project": project, "maps": out / "maps"})
    monkeypatch.setattr("interviewkit.demo.run_demo",
                        lambda out, **kw: {"project": out / "project", "maps": out / "maps"})
    args = (["run", str(small_corpus), "-p", str(tmp_path / "out" / "project")] if command == "run" else ["demo"])
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    tail = result.output.split("Outputs:")[1]
    assert "jupyter lab notebooks/" in tail
    assert f"PROJECT = {str((tmp_path / 'out' / 'project').resolve())!r}" in tail.splitlines()[-1]


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_files_are_thin_parameterised_and_clean(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "PROJECT = None" in params[0].source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# 0")
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, "notebooks are saved clean"
            lines = [x for x in cell.source.splitlines() if x.strip() and not x.strip().startswith("#")]
            assert len(lines) <= 8, f"cell too long (logic belongs in interviewkit.workbench): {cell.source}"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from interviewkit import workbench as wb" in code and "wb.open_notebook(PROJECT" in code


def test_notebooks_gitignore_keeps_exports_out():
    assert "exports/" in (NOTEBOOKS / ".gitignore").read_text()


def test_private_files_mode(small_project):
    from interviewkit.workbench.ingest import save_extra_names

    save_extra_names(small_project, ["Jean Valjean"])
    mode = stat.S_IMODE((small_project.private_dir / "extra_names.json").stat().st_mode)
    assert mode == 0o600
