"""Which steps of the workflow a project has been through, and clear messages when one is missing.

The notebooks follow the workflow 01 import → 02 coding → 03 irritants → 04 journey maps → 05 report.
A helper that needs an earlier step calls :func:`require`; it raises :class:`StepMissing`, which the
:func:`friendly` decorator (or the :func:`guard` context manager) turns into a coloured box such as
« Lancez d'abord le carnet 02 (codage) / Run notebook 02 (coding) first » instead of a traceback.

>>> StepMissing.for_step("coding").fr
"Lancez d'abord le carnet 02 (codage) : aucun segment n'est encore codé."
"""
from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..errors import InterviewkitError
from .messages import show_message

F = TypeVar("F", bound=Callable[..., Any])

STEPS: dict[str, tuple[str, str, str, str]] = {
    # step: (notebook, French name, English name, what is missing (fr) | (en))
    "import": ("01", "import", "import", "aucun document n'est encore importé|no document has been imported yet"),
    "coding": ("02", "codage", "coding", "aucun segment n'est encore codé|no segment has been tagged yet"),
    "review": ("02", "codage", "coding", "aucune décision de revue n'est encore enregistrée|"
                                         "no review decision has been recorded yet"),
    "topics": ("03", "irritants", "irritants", "aucun thème d'irritant n'est encore calculé|"
                                               "no irritant topic has been computed yet"),
}


class StepMissing(InterviewkitError):
    """An earlier step of the workflow has not been run; ``fr`` and ``en`` hold the message to show."""

    def __init__(self, step: str, fr: str, en: str) -> None:
        self.step, self.fr, self.en = step, fr, en
        super().__init__("NB01", en, value=step, hint=f"run notebook {STEPS.get(step, ('?',))[0]} first")

    @classmethod
    def for_step(cls, step: str) -> StepMissing:
        nb, fr_name, en_name, what = STEPS[step]
        what_fr, what_en = what.split("|")
        return cls(step, f"Lancez d'abord le carnet {nb} ({fr_name}) : {what_fr}.",
                   f"Run notebook {nb} ({en_name}) first: {what_en}.")


def _count(project, sql: str, params: tuple = ()) -> int:
    try:
        return int(project.conn.execute(sql, params).fetchone()[0] or 0)
    except sqlite3.OperationalError:  # table not there yet (e.g. topics before its migration)
        return 0


def _has_table(project, name: str) -> bool:
    return project.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() \
        is not None


def project_status(project) -> dict[str, Any]:
    """Counts telling which steps were run: documents, segments, customer segments, tagged (current customer
    segments with an auto tag), untagged, decisions, coders, topic runs, topic decisions, map edits."""
    customer = ("FROM segments s JOIN turns t ON t.turn_id = s.turn_id JOIN documents d "
                "ON d.document_id = s.document_id WHERE d.is_current = 1 AND t.role = 'participant'")
    status = {
        "documents": _count(project, "SELECT COUNT(*) FROM documents WHERE is_current = 1"),
        "segments": _count(project, "SELECT COUNT(*) FROM segments s JOIN documents d "
                                    "ON d.document_id = s.document_id WHERE d.is_current = 1"),
        "customer_segments": _count(project, "SELECT COUNT(*) " + customer),
        "tagged": _count(project, "SELECT COUNT(*) " + customer +
                         " AND s.segment_id IN (SELECT segment_id FROM auto_tags)"),
        "decisions": _count(project, "SELECT COUNT(*) FROM decisions"),
        "coders": [r[0] for r in project.conn.execute(
            "SELECT DISTINCT coder FROM decisions WHERE action NOT IN ('undo', 'redo') ORDER BY coder")],
        "topic_runs": _count(project, "SELECT COUNT(*) FROM topic_runs") if _has_table(project, "topic_runs") else 0,
        "topic_decisions": _count(project, "SELECT COUNT(*) FROM topic_decisions")
        if _has_table(project, "topic_decisions") else 0,
        "map_edits": _count(project, "SELECT COUNT(*) FROM map_edits") if _has_table(project, "map_edits") else 0,
    }
    status["untagged"] = status["customer_segments"] - status["tagged"]
    return status


def is_done(project, step: str) -> bool:
    s = project_status(project)
    return {"import": s["documents"] > 0, "coding": s["tagged"] > 0, "review": s["decisions"] > 0,
            "topics": s["topic_runs"] > 0}[step]


def require(project, *steps: str) -> None:
    """Raise :class:`StepMissing` for the first of ``steps`` not done (``import``, ``coding``, ``review``,
    ``topics``)."""
    if project is None:
        raise StepMissing("project", "Aucun projet n'est ouvert : exécutez la cellule des paramètres puis "
                                     "celle qui ouvre le projet.",
                          "No project is open: run the parameters cell, then the cell that opens the project.")
    for step in steps:
        if not is_done(project, step):
            raise StepMissing.for_step(step)


def _show(exc: BaseException) -> None:
    if isinstance(exc, StepMissing):
        show_message("missing", exc.fr, exc.en)
    elif isinstance(exc, InterviewkitError):
        show_message("error", "Cette étape n'a pas pu aboutir. Lisez le message ci-dessous, corrigez puis relancez "
                              "la cellule.",
                     "This step could not finish. Read the message below, fix it and run the cell again.",
                     detail=str(exc))
    else:  # pragma: no cover - guarded by the caller
        raise exc


def friendly(fn: F) -> F:
    """Decorator for notebook-facing helpers: a :class:`StepMissing` or interviewkit error is shown as a
    message box (the function then returns None) instead of a traceback. Other exceptions propagate: they
    are bugs and must stay visible."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InterviewkitError as exc:
            _show(exc)
            return None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """``with guard(): ...`` in a cell: same as :func:`friendly` for a block."""
    try:
        yield
    except InterviewkitError as exc:
        _show(exc)
