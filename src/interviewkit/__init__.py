"""interviewkit: customer-interview research workbench.

>>> import interviewkit as ik
>>> sorted(ik.__all__)[:3]
['ConfigError', 'InputError', 'InterviewkitError']

Heavy libraries (pandas, spaCy, BERTopic) load only when a function needs them.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import ConfigError, InputError, InterviewkitError, StoreError

__version__ = "0.1.0"

_LAZY = {
    "Project": "interviewkit.project",
    "open_project": "interviewkit.project",
    "ingest": "interviewkit.ingest",
    "IngestReport": "interviewkit.ingest",
    "read_document": "interviewkit.io",
    "Pseudonymiser": "interviewkit.privacy",
    "Segmenter": "interviewkit.segment",
    "export_table": "interviewkit.export",
    "write_table": "interviewkit.export",
}

__all__ = ["ConfigError", "InputError", "InterviewkitError", "StoreError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'interviewkit' has no attribute {name!r}")
