"""``interviewkit demo``: every available step on the bundled French demo corpus."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from .errors import ConfigError


def find_demo_corpus() -> Path:
    """``$INTERVIEWKIT_DEMO_CORPUS``, else ``corpora/demo`` of the source checkout."""
    env = os.environ.get("INTERVIEWKIT_DEMO_CORPUS")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "corpora" / "demo"
        if (candidate / "corpus.yml").exists():
            return candidate
    raise ConfigError("E254", "the bundled demo corpus was not found",
                      hint="run from a checkout of interviewkit or pass --corpus DIR")


def run_demo(out: str | Path, corpus: str | Path | None = None,
             echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Ingest the demo corpus into ``out/project`` and write the outputs; returns label → path."""
    from .export import export_table
    from .project import open_project

    out = Path(out).resolve()
    corpus = Path(corpus) if corpus else find_demo_corpus()
    out.mkdir(parents=True, exist_ok=True)
    project = open_project(out / "project")
    echo(f"ingesting {corpus} …")
    report = project.ingest([corpus])
    echo(report.summary())
    for failure in report.failed:
        echo(f"  FAILED {failure['message']}")
    info = project.info()
    outputs: dict[str, Path] = {"project": project.path}
    (out / "info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    outputs["info"] = out / "info.json"
    outputs["segments"] = export_table(project, "segments", "csv", out / "segments.csv")
    outputs["segments_x"] = export_table(project, "segments", "xlsx", out / "segments.xlsx")
    echo(f"{info['documents']} documents, {info['participants']} participants, "
         f"{info['respondents']} respondents, {info['segments']} segments, "
         f"{info['pseudonymised_items']} items pseudonymised")
    return outputs
