"""Persona journey maps: one draft map per persona, every cell backed by evidence, editable, exportable.

>>> from interviewkit.journeymap import build_maps, render   # doctest: +SKIP
>>> maps = build_maps(evidence_df)                            # doctest: +SKIP
>>> render(maps, "exports/cartes")                            # doctest: +SKIP

See docs/journeymap.md for the evidence contract, lanes, thresholds, edits and formats.
"""
from .build import build_maps
from .edits import ACTIONS as EDIT_ACTIONS
from .edits import EditReport, MapEdit, apply_edits, validate_edit
from .model import (
    ALL_PARTICIPANTS, LANES, SCHEMA_VERSION, STAGES, ActionItem, BackstageItem, Cell, EmotionItem, IrritantItem,
    Item, JourneyMap, MapError, MomentItem, OpportunityItem, Quote, SegmentRef, TouchpointItem,
)
from .project import build_project_maps, edits_frame, load_edits, project_edit_report, record_edit
from .render import FORMATS, render
from .render_json import load_schema, schema_path, validate_map_dict

__all__ = [
    "ALL_PARTICIPANTS", "EDIT_ACTIONS", "FORMATS", "LANES", "SCHEMA_VERSION", "STAGES",
    "ActionItem", "BackstageItem", "Cell", "EditReport", "EmotionItem", "IrritantItem", "Item", "JourneyMap",
    "MapEdit", "MapError", "MomentItem", "OpportunityItem", "Quote", "SegmentRef", "TouchpointItem",
    "apply_edits", "build_maps", "build_project_maps", "edits_frame", "load_edits", "load_schema",
    "project_edit_report", "record_edit", "render", "schema_path", "validate_edit", "validate_map_dict",
]
