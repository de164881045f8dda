"""``interviewkit map``: evidence from the store → persona journey maps → files."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .evidence import evidence_frame


def write_project_maps(project, out: str | Path, formats: Iterable[str] = ("html", "json", "xlsx", "md", "png", "pptx"),
                       personas: list[str] | None = None, min_participants: int = 2,
                       coder: str | None = None) -> dict[str, list[Path]]:
    """Build the maps of ``project`` (stored edits re-applied) and write them to ``out``."""
    from .journeymap import build_project_maps, render

    evidence = evidence_frame(project, coder=coder)
    maps = build_project_maps(project, evidence, personas=personas, min_participants=min_participants)
    return render(maps, Path(out), formats=list(formats))
