"""The set-up contract: same pins in pyproject.toml and environment.yml, CI runs the README command."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_pins():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["test"]
    return sorted(deps)


def test_every_dependency_is_pinned():
    for dep in _pyproject_pins():
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.]*", dep), dep


def test_environment_yml_declares_the_same_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(x for x in pip_section if not x.startswith("-")) == _pyproject_pins()
    assert "python=3.11" in env["dependencies"]


def test_constraints_agree_with_pyproject():
    constraints = dict(
        line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line
    )
    norm = {k.lower().replace("_", "-"): v for k, v in constraints.items()}
    for dep in _pyproject_pins():
        name, version = dep.split("==")
        assert norm.get(name.lower().replace("_", "-")) == version, dep


def test_torch_is_installed_first_and_pinned():
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert setup.index('"torch==2.13.0"') < setup.index("-e \".[test]\"")


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, flags=re.S)
    commands = [line.strip() for block in blocks[:2] for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci
    assert "interviewkit demo" in (ROOT / "scripts" / "demo.sh").read_text()


def test_import_is_light():
    import subprocess
    import sys

    code = "import sys, interviewkit; print(','.join(m for m in ('pandas','spacy','torch','bertopic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
