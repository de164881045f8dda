"""The Dask engine gives the local engine's output (auto_tags rows, except run_id) and follows its
freshness rules. One small LocalCluster (2 worker processes) serves the module; nothing is timed."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pandas as pd
import pytest

from interviewkit.engine import code_verbatims_dask, codebook_files, tag_project_dask
from interviewkit.project_tagging import tag_project

sys.path.insert(0, str(Path(__file__).parent))
from test_project_tagging import (copy_project, edited_codebook, make_project, n_customer, tag_rows,  # noqa: E402
                                  write_corpus)

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def seed_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine-seed")
    return make_project(root / "project", write_corpus(root / "corpus"))


@pytest.mark.parametrize("profile", ["lookup", "fast"])
def test_dask_engine_equals_local_engine(seed_project, tmp_path, client, profile):
    local = copy_project(seed_project, tmp_path / "local")
    remote = copy_project(seed_project, tmp_path / "dask")
    tag_project(local, profile=profile)
    seen = []
    report = tag_project_dask(remote, profile=profile, scheduler=client, partitions=3,
                              progress=lambda step, done, total: seen.append((done, total)))
    n = n_customer(remote)
    assert report.tagged == n and report.engine == "dask"
    assert seen[-1] == (n, n) and len(seen) == 3
    assert tag_rows(remote) == tag_rows(local)
    run = remote.conn.execute("SELECT engine, status, tagged FROM tag_runs").fetchone()
    assert tuple(run) == ("dask", "done", n)


def test_dask_rerun_and_codebook_edit_follow_the_local_rules(seed_project, tmp_path, client):
    local = copy_project(seed_project, tmp_path / "local")
    remote = copy_project(seed_project, tmp_path / "dask")
    book = edited_codebook(tmp_path)
    n = n_customer(remote)
    tag_project_dask(remote, profile="lookup", scheduler=client)
    again = tag_project_dask(remote, profile="lookup", scheduler=client)
    assert (again.tagged, again.reused) == (0, n)
    edit = tag_project_dask(remote, codebook=book, profile="lookup", scheduler=client)
    assert (edit.tagged, edit.parsed) == (n, 0) and edit.parse_cache_hits >= n
    tag_project(local, codebook=book, profile="lookup")
    assert tag_rows(remote) == tag_rows(local)
    # the local engine sees the Dask engine's tags as fresh, and the other way round
    assert tag_project(remote, codebook=book, profile="lookup").tagged == 0


def test_dask_resumes_what_the_local_engine_left(seed_project, tmp_path, client):
    project = copy_project(seed_project, tmp_path / "p")

    def stop(step, done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tag_project(project, profile="lookup", batch_size=4, progress=stop)
    report = tag_project_dask(project, profile="lookup", scheduler=client, partitions=2)
    assert (report.tagged, report.reused) == (n_customer(project) - 4, 4)


def test_nothing_to_do_starts_no_cluster(seed_project, tmp_path):
    project = copy_project(seed_project, tmp_path / "p")
    tag_project(project, profile="lookup")
    report = tag_project_dask(project, profile="lookup")  # scheduler=None would start a LocalCluster
    assert report.tagged == 0 and report.timings.get("cluster", 0.0) == 0.0


def test_code_verbatims_dask_equals_local(tmp_path, client):
    from interviewkit.tagging.verbatims import code_verbatims

    src = tmp_path / "survey.csv"
    pd.DataFrame({
        "id": [1, 2, 3, 4, 5],
        "verbatim": ["Jamais reçu mon colis !!", "", "La conseillère était très patiente au téléphone.",
                     "L'appli plante à chaque connexion.", "Trop cher pour ce que c'est."],
        "nps": [1, 5, 9, 2, 4],
    }).to_csv(src, index=False)
    local = code_verbatims(src, "verbatim", tmp_path / "local.csv", lang="fr")
    remote = code_verbatims_dask(src, "verbatim", tmp_path / "dask.csv", lang="fr", scheduler=client, partitions=2)
    assert remote.read_bytes() == local.read_bytes()


def test_codebook_travels_as_yaml_text(tmp_path):
    from interviewkit.codebook import codebook_from_text, load_codebook

    book = load_codebook(edited_codebook(tmp_path))
    files = codebook_files(book)
    assert set(files) == {"codebook.yml"}
    assert codebook_from_text(files["codebook.yml"].decode("utf-8")).hash == book.hash


def test_cli_tag_with_dask_engine(seed_project, tmp_path):
    from typer.testing import CliRunner

    from interviewkit.cli import app

    project = copy_project(seed_project, tmp_path / "p")
    result = CliRunner().invoke(app, ["tag", "--project", str(project.path), "--profile", "lookup",
                                      "--engine", "dask"])
    assert result.exit_code == 0, result.output
    assert f"{n_customer(project)} segments tagged" in result.output
    with sqlite3.connect(project.db_path) as conn:
        assert conn.execute("SELECT engine FROM tag_runs").fetchone()[0] == "dask"


def test_cli_bench_finds_the_checkout_benchmarks(monkeypatch):
    from typer.testing import CliRunner

    from interviewkit.cli import app

    result = CliRunner().invoke(app, ["bench", "--list"])
    assert result.exit_code == 0, result.output
    assert "incremental" in result.output and "dask" in result.output
    monkeypatch.setenv("INTERVIEWKIT_BENCHMARKS", "/nonexistent/benchmarks")
    result = CliRunner().invoke(app, ["bench", "--list"])
    assert result.exit_code != 0
