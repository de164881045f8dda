"""JSON export: one file per persona, valid against ``data/journeymap/journeymap.schema.json`` (v1.0)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .model import JourneyMap
from .render_common import write_per_persona

SCHEMA_FILE = "journeymap.schema.json"


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an exported map."""
    text = resources.files("interviewkit").joinpath("data", "journeymap", SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def schema_path() -> Path:
    return Path(str(resources.files("interviewkit").joinpath("data", "journeymap", SCHEMA_FILE)))


def validate_map_dict(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` is not a valid exported map."""
    import jsonschema

    jsonschema.validate(data, load_schema(), cls=jsonschema.Draft202012Validator)


def map_to_json(jm: JourneyMap) -> str:
    return json.dumps(jm.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render_json(maps: dict[str, JourneyMap], out_dir: str | Path) -> list[Path]:
    return write_per_persona(maps, out_dir, ".json", map_to_json)
