"""The parameter cell's ``PROJECT``: ``None`` means the demo project, anything else a project folder.

``demo_project()`` builds the demo project once (ingest ``corpora/demo``, tag, irritant topics) under
``$INTERVIEWKIT_DEMO_PROJECT`` or ``~/.cache/interviewkit/demo-project`` and reuses it afterwards. A
file lock keeps two notebooks opened at once from building it twice; a marker file
(``cache/workbench-demo.json``) records a finished build, so an interrupted build is resumed (every step
is incremental).
"""
from __future__ import annotations

import contextlib
import html
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InterviewkitError
from .messages import show_message
from .steps import StepMissing, project_status

DEMO_ENV = "INTERVIEWKIT_DEMO_PROJECT"
DEMO_MARKER = "workbench-demo.json"
DEMO_BUILD_VERSION = 1


def demo_project_path() -> Path:
    """``$INTERVIEWKIT_DEMO_PROJECT`` or ``~/.cache/interviewkit/demo-project``."""
    env = os.environ.get(DEMO_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return (Path.home() / ".cache" / "interviewkit" / "demo-project").resolve()


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_marker(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / "cache" / DEMO_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def demo_project(rebuild: bool = False, topics: bool = True, progress: bool = True):
    """The demo project (built on first use: about 2–3 minutes on a laptop, then instant).

    ``rebuild=True`` runs every step again (each is incremental: unchanged files and fresh tags are
    kept). ``topics=False`` skips the irritant topics (notebook 03 computes them).
    """
    from ..demo import find_demo_corpus
    from ..project import open_project

    path = demo_project_path()
    with _lock(path):
        marker = _read_marker(path)
        wanted = ["ingest", "tag"] + (["topics"] if topics else [])
        if not rebuild and marker.get("version") == DEMO_BUILD_VERSION and set(wanted) <= set(marker.get("steps", [])):
            return open_project(path, create=False)
        if progress:
            show_message("info", "Préparation du projet de démonstration (une seule fois : 2 à 3 minutes)…",
                         "Building the demo project (once: 2 to 3 minutes)…", detail=str(path))
        project = open_project(path)
        done: list[str] = []
        notes: list[str] = []
        from .ingest import run_ingest

        report = run_ingest(project, [find_demo_corpus()], progress=progress)
        if not report.ok:
            raise StepMissing("import", "Le corpus de démonstration n'a pas pu être importé.",
                              "The demo corpus could not be ingested: " + report.summary())
        done.append("ingest")
        from .coding import run_tagging

        run_tagging(project, progress=progress)
        done.append("tag")
        if topics:
            from .topics import fit_topics

            try:
                fit_topics(project, progress=progress)
                done.append("topics")
            except InterviewkitError as exc:  # e.g. the embedding engine cannot run on this machine
                notes.append(str(exc))
        marker_path = project.cache_dir / DEMO_MARKER
        marker_path.write_text(json.dumps({"version": DEMO_BUILD_VERSION, "steps": done, "notes": notes},
                                          ensure_ascii=False, indent=1), encoding="utf-8")
        return project


def resolve_project(value: Any = None, create: bool = False):
    """``None`` → :func:`demo_project`; a :class:`~interviewkit.project.Project` → itself; a path → that
    project (``create=True`` makes it: notebook 01). Raises :class:`StepMissing` when the folder is not a
    project and ``create`` is False."""
    from ..project import Project, open_project

    if value is None:
        return demo_project()
    if isinstance(value, Project):
        return value
    path = Path(str(value)).expanduser()
    if not create and not (path / "interviewkit.sqlite").exists():
        raise StepMissing("import", f"« {path} » n'est pas encore un projet interviewkit : lancez d'abord le "
                                    "carnet 01 (import) avec ce dossier.",
                          f"'{path}' is not an interviewkit project yet: run notebook 01 (import) with this folder "
                          "first.")
    return open_project(path, create=create)


def status_html(project) -> str:
    s = project_status(project)
    coders = ", ".join(s["coders"]) or "—"
    return (f"<div class='ik-status-banner' style='font-size:0.95em;color:#333'><b>Projet / project</b> : "
            f"<code>{html.escape(str(project.path))}</code><br>"
            f"{s['documents']} documents · {s['segments']} segments ({s['customer_segments']} clients / customer) · "
            f"{s['tagged']} codés / tagged · {s['decisions']} décisions de revue / review decisions "
            f"(codeurs / coders : {html.escape(coders)}) · {s['topic_runs']} calcul(s) de thèmes / topic runs · "
            f"{s['map_edits']} modification(s) de cartes / map edits</div>")


def open_notebook(value: Any = None, needs: tuple[str, ...] | list[str] = (), create: bool = False):
    """Open the project of a notebook's parameter cell, show where it is and what was done, and say which
    earlier step is missing (the later cells then show the same message instead of failing).

    Returns the project, or None when it cannot be opened (a message says why).
    """
    from IPython.display import HTML, display

    from .steps import require

    try:
        project = resolve_project(value, create=create)
    except StepMissing as exc:
        show_message("missing", exc.fr, exc.en)
        return None
    except InterviewkitError as exc:
        show_message("error", "Le projet n'a pas pu être ouvert.", "The project could not be opened.",
                     detail=str(exc))
        return None
    display(HTML(status_html(project)))
    try:
        require(project, *needs)
    except StepMissing as exc:
        show_message("missing", exc.fr, exc.en)
    return project
