"""Journey tagging: spaCy rule layers built from a YAML codebook, plus an optional learned layer.

Importing this package registers the spaCy factories (see :mod:`.components`)
and the ``Doc._.journey`` extension attributes.
"""
from __future__ import annotations

from interviewkit.tagging import components as _components  # noqa: F401  (registers factories)
from interviewkit.tagging.components import FACTORIES
from interviewkit.tagging.result import EXPORT_COLUMNS, Cue, TagResult
from interviewkit.tagging.tagger import PROFILES, JourneyTagger, load_base_pipeline

__all__ = [
    "EXPORT_COLUMNS",
    "FACTORIES",
    "PROFILES",
    "Cue",
    "JourneyTagger",
    "TagResult",
    "load_base_pipeline",
]
