"""The command-line contract, run as a user would (subprocesses of the installed console script)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXE = shutil.which("interviewkit") or str(Path(sys.executable).with_name("interviewkit"))


def run(*args, check=False):
    proc = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc


@pytest.mark.parametrize("command", ["ingest", "info", "export", "roles", "check", "backup", "demo"])
def test_every_command_has_help(command):
    proc = run(command, "--help")
    assert proc.returncode == 0
    assert "--project" in proc.stdout or command == "demo"


def test_ingest_info_export_round_trip(tmp_path, mini_corpus):
    project = tmp_path / "p"
    proc = run("ingest", mini_corpus, "--project", project)
    assert proc.returncode == 0, proc.stderr
    assert "3 ingested" in proc.stdout
    info = json.loads(run("info", "--project", project, "--json", check=True).stdout)
    for key in ("documents", "participants", "personas", "turns_by_role", "segments", "languages",
                "pseudonymised_items", "errors"):
        assert key in info
    assert info["documents"] == 3 and info["turns_by_role"]["interviewer"] == 3
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"segments.{fmt}"
        run("export", "--project", project, "--what", "segments", "--format", fmt, "--out", out, check=True)
        df = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt](out)
        assert list(df.columns[:9]) == ["segment_id", "document", "participant", "persona", "speaker", "role",
                                        "start", "end", "text"]
        assert len(df) == info["segments"]
    assert run("check", "--project", project).returncode == 0
    backup = run("backup", "--project", project, check=True).stdout.strip()
    assert Path(backup).exists() and not list(Path(backup).parent.glob("*key*"))


def test_failures_exit_non_zero_with_one_line(tmp_path, mini_corpus):
    bad = tmp_path / "vide.txt"
    bad.write_bytes(b"")
    proc = run("ingest", bad, "--project", tmp_path / "p")
    assert proc.returncode != 0
    assert "no file was ingested" in proc.stderr
    proc = run("ingest", mini_corpus, bad, "--project", tmp_path / "p", "--strict")
    assert proc.returncode != 0 and "failed (--strict)" in proc.stderr
    assert "vide.txt" in proc.stderr
    proc = run("info", "--project", tmp_path / "nothing-here")
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "E403" in proc.stderr
    proc = run("export", "--project", tmp_path / "p", "--what", "nope", "--out", tmp_path / "x.csv")
    assert proc.returncode == 1 and "allowed" in proc.stderr


def test_roles_listing_and_correction(tmp_path, mini_corpus):
    project = tmp_path / "p"
    run("ingest", mini_corpus, "--project", project, check=True)
    listing = run("roles", "--project", project, check=True).stdout
    assert "INT-01" in listing and "interviewers" in listing
    proc = run("roles", "--project", project, "--document", "P01_entretien.txt", "--speaker", "INT-01",
               "--role", "participant")
    assert proc.returncode == 0, proc.stderr
    assert "now participant" in proc.stdout


def test_code_verbatims_with_and_without_model_votes(tmp_path):
    src = tmp_path / "survey.csv"
    pd.DataFrame({"verbatim": ["Trois semaines sans internet, personne ne rappelle.", "", "Conseillère adorable."],
                  "note": [1, 3, 5]}).to_csv(src, index=False)
    run("code-verbatims", src, "--text-column", "verbatim", "--out", tmp_path / "a.csv", "--profile", "lookup",
        check=True)
    run("code-verbatims", src, "--text-column", "verbatim", "--out", tmp_path / "b.csv", "--profile", "lookup",
        "--no-models", check=True)
    a = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(tmp_path / "b.csv", dtype=str, keep_default_na=False)
    assert list(a["note"]) == ["1", "3", "5"] and a.loc[1, "irritant"] == ""
    assert "model.irritant_e5" in a.loc[0, "evidence"] and "model." not in b.loc[0, "evidence"]
    proc = run("code-verbatims", src, "--text-column", "verbatim", "--out", tmp_path / "c.csv", "--no-models",
               "--engine", "dask")
    assert proc.returncode != 0 and "--no-models" in proc.stderr
