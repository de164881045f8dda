"""``interviewkit export``: project tables with documented columns.

``segments``: segment_id, document, participant, persona, speaker, role, start, end, text,
then (when the project has them) document_id, turn_index, segment_index, start_char, end_char,
language and the columns later steps add (tags, decisions, topics).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from .tables import write_table

SEGMENT_COLUMNS = ["segment_id", "document", "participant", "persona", "speaker", "role", "start", "end", "text"]

# name -> function(project) -> DataFrame; feature modules register theirs (tags, topics, decisions...)
TABLES: dict[str, Callable[[object], pd.DataFrame]] = {}
# functions(project, segments_df) -> segments_df with extra columns, applied in order
SEGMENT_ENRICHERS: list[Callable[[object, pd.DataFrame], pd.DataFrame]] = []


# modules whose ``register_exports()`` adds tables/enrichers; imported on first export
PLUGIN_MODULES = ["interviewkit.project_topics", "interviewkit.review.exports"]
_loaded: set[str] = set()


def load_plugins() -> None:
    from importlib import import_module

    for name in PLUGIN_MODULES:
        if name not in _loaded:
            import_module(name).register_exports()
            _loaded.add(name)


def segments_table(project) -> pd.DataFrame:
    load_plugins()
    df = project.segments()
    for enrich in SEGMENT_ENRICHERS:
        df = enrich(project, df)
    extra = [c for c in df.columns if c not in SEGMENT_COLUMNS and c not in ("turn_id", "kind")]
    return df[SEGMENT_COLUMNS + extra]


TABLES["segments"] = segments_table


def export_table(project, what: str, fmt: str, out: str | Path) -> Path:
    """Write table ``what`` of ``project`` to ``out`` in ``fmt`` (csv, xlsx, parquet)."""
    load_plugins()
    if what not in TABLES:
        raise ConfigError("E253", "unknown table to export", value=what, allowed=sorted(TABLES),
                          hint="use --what with one of the allowed values")
    return write_table(TABLES[what](project), out, fmt, sheet_name=what)
