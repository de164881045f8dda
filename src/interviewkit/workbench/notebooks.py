"""Finding, parameterising, executing and converting the notebooks (papermill-style, with nbclient).

* :func:`inject_parameters`: like papermill, a cell tagged ``injected-parameters`` is put right after the
  cell tagged ``parameters`` (an earlier injected cell is replaced), so ``PROJECT = None`` can become
  ``PROJECT = '/path/to/project'`` without editing the notebook.
* :func:`run_notebook`: execute top to bottom with nbclient (kernel ``python3``), widget state stored.
* :func:`notebook_html`: HTML without code (``--no-input``), cells tagged ``ik-no-export`` removed, and
  no script fetched from the network (require.js and MathJax links of the template are dropped).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError

NOTEBOOKS_ENV = "INTERVIEWKIT_NOTEBOOKS"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
NO_EXPORT_TAG = "ik-no-export"
FIRST_NOTEBOOK = "01_import.ipynb"


def notebooks_dir() -> Path:
    """``$INTERVIEWKIT_NOTEBOOKS``, else ``notebooks/`` of the source checkout (the package is installed
    editable by ``scripts/setup.sh``), else ``./notebooks``. The notebooks are not in the wheel."""
    env = os.environ.get(NOTEBOOKS_ENV)
    if env:
        path = Path(env).expanduser()
        if not (path / FIRST_NOTEBOOK).is_file():
            raise ConfigError("NB07", f"{NOTEBOOKS_ENV} does not hold the interviewkit notebooks", path=path,
                              hint=f"point {NOTEBOOKS_ENV} to the notebooks/ folder of the interviewkit checkout")
        return path
    candidates = [parent / "notebooks" for parent in Path(__file__).resolve().parents]
    candidates.append(Path.cwd() / "notebooks")
    for candidate in candidates:
        if (candidate / FIRST_NOTEBOOK).is_file():
            return candidate
    raise ConfigError("NB07", "the interviewkit notebooks were not found (they are not part of the installed "
                              "package)",
                      hint=f"use a checkout of interviewkit (bash scripts/setup.sh), or set {NOTEBOOKS_ENV} to its "
                           "notebooks/ folder")


def notebooks_hint(project: str | Path | None = None) -> str:
    """How to open the notebooks (printed at the end of ``interviewkit demo`` and ``run``): the
    ``jupyter lab`` command for this checkout and, with ``project``, the parameters-cell line opening it."""
    import sys

    try:
        folder = notebooks_dir().resolve()
    except ConfigError as exc:
        return f"Notebooks: {exc}"
    jupyter = Path(sys.executable).parent / "jupyter"
    root = folder.parent
    try:
        jupyter_cmd = str(jupyter.relative_to(root)) if jupyter.is_file() else "jupyter"
    except ValueError:
        jupyter_cmd = str(jupyter) if jupyter.is_file() else "jupyter"
    lines = [f"Notebooks (JupyterLab): cd {root} && {jupyter_cmd} lab {folder.name}/",
             "  they open on the demo project (built once on first use; see docs/notebooks.md)"]
    if project is not None:
        lines.append(f"  to open this project instead, set in a notebook's parameters cell: "
                     f"PROJECT = {str(Path(project).resolve())!r}")
    return "\n".join(lines)


def find_notebook(name: str) -> Path:
    path = Path(name)
    if path.is_file():
        return path
    path = notebooks_dir() / name
    if not path.is_file():
        raise ConfigError("NB07", "notebook not found", path=path, hint="check the notebooks folder")
    return path


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def parameters_source(params: dict[str, Any]) -> str:
    """``NAME = repr(value)`` lines.

    >>> print(parameters_source({"PROJECT": "/tmp/p", "SEED": 7}))
    # Parameters injected (papermill style)
    PROJECT = '/tmp/p'
    SEED = 7
    """
    lines = ["# Parameters injected (papermill style)"]
    for name, value in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError("NB08", "a parameter name must be a Python identifier", value=name)
        lines.append(f"{name} = {value!r}")
    return "\n".join(lines)


def inject_parameters(nb, **params: Any):
    """Insert (or replace) the ``injected-parameters`` cell after the ``parameters`` cell; returns ``nb``."""
    import nbformat

    cells = [c for c in nb.cells if INJECTED_TAG not in _tags(c)]
    cell = nbformat.v4.new_code_cell(parameters_source(params), metadata={"tags": [INJECTED_TAG]})
    index = next((i for i, c in enumerate(cells) if PARAMETERS_TAG in _tags(c)), None)
    cells.insert(0 if index is None else index + 1, cell)
    nb.cells = cells
    return nb


def run_notebook(notebook, params: dict[str, Any] | None = None, cwd: str | Path | None = None,
                 timeout: int = 900, kernel_name: str = "python3", store_widget_state: bool = True):
    """Execute a notebook (path or ``NotebookNode``) top to bottom; returns the executed notebook.

    ``cwd``: the kernel's working folder (default: the notebook's folder, else the current one).
    """
    import nbformat
    from nbclient import NotebookClient

    if isinstance(notebook, (str, Path)):
        path = find_notebook(str(notebook))
        nb = nbformat.read(path, as_version=4)
        cwd = cwd or path.parent
    else:
        nb = notebook
    if params:
        inject_parameters(nb, **params)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=store_widget_state,
                            resources={"metadata": {"path": str(cwd or Path.cwd())}})
    client.execute()
    return nb


_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^\"']*[\"'][^>]*>\s*</script>", re.I)
_MERMAID_MODULE = re.compile(r"<script type=\"module\">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>", re.S)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S | re.I)


def notebook_html(nb, hide_code: bool = True, remove_tags: tuple[str, ...] = (NO_EXPORT_TAG, INJECTED_TAG,
                                                                                PARAMETERS_TAG),
                  title: str | None = None, head_extra: str = "") -> str:
    """The executed notebook as one HTML page: code hidden (``--no-input``), tagged cells removed, no
    network script. ``head_extra`` is inserted at the end of ``<head>`` (e.g. plotly.js)."""
    import copy

    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    if title:
        nb.metadata["title"] = title
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = set(remove_tags)
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="lab")
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    body = _MATHJAX_BLOCK.sub("", body)
    body = _EXTERNAL_SCRIPT.sub("", body)
    body = _MERMAID_MODULE.sub("", body)
    if head_extra:
        body = body.replace("</head>", head_extra + "\n</head>", 1)
    return body
