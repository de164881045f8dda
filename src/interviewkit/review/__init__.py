"""Human review of auto tags: append-only decisions, derived state, queue, widget, agreement, REFI-QDA.

>>> import interviewkit.review as rv
>>> sorted(rv.ACTIONS)[:3]
['accept', 'add', 'edit']

Notebook use::

    from interviewkit import open_project
    from interviewkit.review import ReviewController, ReviewWidget
    ReviewWidget(ReviewController(open_project("mon-projet"), coder="CV"))

Importing this package registers the ``decisions`` and ``codes`` tables and the
final-tags segment enricher for ``interviewkit export`` (see :mod:`.exports`).
The widget (ipywidgets) is imported only when used.
"""
from __future__ import annotations

from typing import Any

from .agreement import auto_agreement, coder_agreement, disagreements, kappa, resolve
from .bulk import BulkResult, accept_label, accept_rule
from .controller import ReviewController, ReviewItem, Tag
from .events import ACTIONS, accept_segment, load_events, record, record_many, redo, undo
from .exports import codes_table, decisions_table, export, register
from .labels import LABELS, LabelSet, ReviewError
from .queue import ReviewQueue
from .refiqda import export_project_qdpx, segment_codes
from .refiqda_import import ImportReport, import_qdpx
from .state import STATUSES, disagreements_with_auto, field_state, final_tags, history, segment_status

register()

__all__ = [
    "ACTIONS", "BulkResult", "ImportReport", "LABELS", "LabelSet", "ReviewController", "ReviewError",
    "ReviewItem", "ReviewQueue", "ReviewWidget", "STATUSES", "Tag", "accept_label", "accept_rule",
    "accept_segment", "auto_agreement", "codes_table", "coder_agreement", "decisions_table", "disagreements",
    "disagreements_with_auto", "export", "export_project_qdpx", "field_state", "final_tags", "history",
    "import_qdpx", "kappa", "load_events", "record", "record_many", "redo", "resolve", "segment_codes",
    "segment_status", "undo",
]


def __getattr__(name: str) -> Any:
    if name == "ReviewWidget":
        from .widget import ReviewWidget

        return ReviewWidget
    raise AttributeError(f"module 'interviewkit.review' has no attribute {name!r}")
