"""``interviewkit run`` and ``interviewkit demo``: every step on a corpus folder, outputs in one place."""
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


def run_pipeline(corpus: str | Path, project_dir: str | Path, out: str | Path,
                 echo: Callable[[str], None] = print, topics: bool = True,
                 formats: tuple[str, ...] = ("html", "json", "xlsx", "md", "png", "pptx")) -> dict[str, Path]:
    """Ingest ``corpus``, tag, model irritant topics, draft maps; returns label → output path."""
    from .export import export_table
    from .maps import write_project_maps
    from .project import open_project
    from .project_tagging import codebook_used, tag_project

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    project = open_project(project_dir)
    echo(f"[1/4] ingest {corpus}")
    report = project.ingest([Path(corpus)])
    echo("      " + report.summary())
    for failure in report.failed:
        echo(f"      FAILED {failure['message']}")
    echo("[2/4] tag customer segments")
    tagged = tag_project(project)  # PROJECT/codebook.yml when the project has one, else the bundled codebook
    echo("      " + tagged.summary())
    echo("      " + codebook_used(project, tagged.run_id))
    outputs: dict[str, Path] = {"project": project.path}
    if topics:
        echo("[3/4] irritant topics")
        from .project_topics import run_project_topics, topic_table

        result = run_project_topics(project)
        echo("      " + result.summary())
        outputs["topics"] = export_table(project, "topics", "csv", out / "topics.csv")
        if len(topic_table(project)):
            from .project_topics import write_plots

            outputs["topic_plots"] = write_plots(project, out / "topics")[0].parent
    else:
        echo("[3/4] irritant topics: skipped")
    echo("[4/4] persona journey maps")
    maps = write_project_maps(project, out / "maps", formats=formats)
    outputs["maps"] = out / "maps" / "index.html" if "html" in maps else out / "maps"
    info = project.info()
    (out / "info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    outputs["info"] = out / "info.json"
    outputs["segments"] = export_table(project, "segments", "csv", out / "segments.csv")
    outputs["segments_x"] = export_table(project, "segments", "xlsx", out / "segments.xlsx")
    echo(f"{info['documents']} documents, {info['participants']} participants, {info['respondents']} respondents, "
         f"{info['segments']} segments, {info['pseudonymised_items']} items pseudonymised")
    return {k: v for k, v in outputs.items() if v is not None}


def run_demo(out: str | Path, corpus: str | Path | None = None,
             echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Every step on the bundled demo corpus; the project lives in ``out/project``."""
    out = Path(out).resolve()
    return run_pipeline(Path(corpus) if corpus else find_demo_corpus(), out / "project", out, echo=echo)
