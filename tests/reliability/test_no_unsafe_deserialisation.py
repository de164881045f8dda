"""No unsafe deserialisation or code evaluation anywhere in ``src/interviewkit``.

Project folders, codebooks, saved models and exports travel between researchers; loading one must never run
code. The source is parsed (comments and docstrings saying "no pickle" are not code) and any use of pickle,
joblib, dill, cloudpickle, shelve, marshal, ``torch.load``, ``pandas.read_pickle``, ``numpy.load`` without
``allow_pickle=False``, ``yaml.load``/``yaml.load_all`` without a safe loader, ``yaml.unsafe_load``/
``full_load``, ``eval``/``exec``/``compile``, or BERTopic/transformers loading with pickle serialisation fails
the test, naming the file and line. ``ALLOWED`` would list justified exceptions: it is empty.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "interviewkit"
BANNED_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal", "jsonpickle"}
BANNED_CALLS = {"eval", "exec", "compile", "__import__"}
BANNED_ATTRIBUTES = {("torch", "load"), ("pd", "read_pickle"), ("pandas", "read_pickle"), ("yaml", "unsafe_load"),
                     ("yaml", "full_load"), ("yaml", "unsafe_load_all"), ("yaml", "full_load_all"),
                     ("joblib", "load"), ("pickle", "load"), ("pickle", "loads")}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
# (relative path, line text fragment) -> why it is acceptable. Keep empty unless truly needed.
ALLOWED: dict[tuple[str, str], str] = {}


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _safe_loader_names(tree: ast.Module) -> set[str]:
    """Names bound in the module to a safe YAML loader: ``X = yaml.SafeLoader``, ``X = getattr(yaml,
    "CSafeLoader", yaml.SafeLoader)``, ``class X(yaml.SafeLoader)`` (at any depth)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {_dotted(b).split(".")[-1] for b in node.bases}
            if bases & (SAFE_LOADERS | names):
                names.add(node.name)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            mentioned = {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
            mentioned |= {n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            mentioned |= {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} - {"yaml", "getattr"}
            if mentioned and mentioned <= SAFE_LOADERS | names:
                names.add(node.targets[0].id)
    return names


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def findings(path: Path, root: Path = SRC.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    safe = _safe_loader_names(tree) | SAFE_LOADERS
    rel = path.relative_to(root).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []

    def report(node: ast.AST, what: str) -> None:
        text = lines[node.lineno - 1].strip()
        if not any(r == rel and frag in text for r, frag in ALLOWED):
            out.append(f"{rel}:{node.lineno}: {what}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in BANNED_MODULES:
                    report(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in BANNED_MODULES:
                report(node, f"imports from {node.module}")
            if node.module in ("torch", "yaml") and {a.name for a in node.names} & {"load", "unsafe_load", "full_load"}:
                report(node, f"imports a loader from {node.module}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in BANNED_CALLS or name.split(".")[-1] in {"eval", "exec"} and name.startswith("builtins"):
                report(node, f"calls {name}()")
            parts = tuple(name.split("."))
            if len(parts) >= 2 and parts[-2:] in BANNED_ATTRIBUTES:
                report(node, f"calls {name}()")
            if parts[-2:] in (("yaml", "load"), ("yaml", "load_all")):
                loader = _keyword(node, "Loader") or (node.args[1] if len(node.args) > 1 else None)
                if loader is None or _dotted(loader).split(".")[-1] not in safe:
                    report(node, f"{name}() without a safe loader")
            if parts[-1] == "load" and len(parts) >= 2 and parts[-2] in ("np", "numpy"):
                flag = _keyword(node, "allow_pickle")
                if not (isinstance(flag, ast.Constant) and flag.value is False):
                    report(node, f"{name}() without allow_pickle=False")
            if parts[-1] in ("save", "load") and any(p.lower() in ("bertopic", "topic_model", "model") for p in parts[:-1]):
                serialization = _keyword(node, "serialization")
                if isinstance(serialization, ast.Constant) and serialization.value == "pickle":
                    report(node, f"{name}(serialization='pickle')")
            if parts[-1] == "from_pretrained" and isinstance(_keyword(node, "trust_remote_code"), ast.Constant) \
                    and _keyword(node, "trust_remote_code").value is True:
                report(node, f"{name}(trust_remote_code=True)")
    return out


def test_the_scanner_sees_the_whole_package():
    files = _sources()
    assert len(files) > 40 and SRC / "store" / "schema.py" in files


@pytest.mark.parametrize("snippet, expected", [
    ("import pickle\n", "imports pickle"),
    ("from joblib import load\n", "imports from joblib"),
    ("import torch\ntorch.load('m.pt')\n", "calls torch.load()"),
    ("import yaml\nyaml.load(text)\n", "without a safe loader"),
    ("import yaml\nyaml.load(text, Loader=yaml.Loader)\n", "without a safe loader"),
    ("import yaml\nyaml.unsafe_load(text)\n", "calls yaml.unsafe_load()"),
    ("eval('1+1')\n", "calls eval()"),
    ("exec(code)\n", "calls exec()"),
    ("import numpy as np\nnp.load('a.npy')\n", "without allow_pickle=False"),
    ("import numpy as np\nnp.load('a.npy', allow_pickle=True)\n", "without allow_pickle=False"),
    ("import pandas as pd\npd.read_pickle('x')\n", "calls pd.read_pickle()"),
    ("import dill\n", "imports dill"),
    ("bertopic.save('d', serialization='pickle')\n", "serialization='pickle'"),
])
def test_the_scanner_catches_each_pattern(tmp_path, snippet, expected):
    path = tmp_path / "mod.py"
    path.write_text(snippet, encoding="utf-8")
    found = findings(path, tmp_path)
    assert any(expected in f for f in found), found


@pytest.mark.parametrize("snippet", [
    "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)\n",
    "import yaml\n_L = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)\nyaml.load(text, Loader=_L)\n",
    "import yaml\ndef f():\n    class U(yaml.SafeLoader):\n        pass\n    return yaml.load(t, Loader=U)\n",
    "import numpy as np\nnp.load('a.npy', allow_pickle=False)\n",
    '"""Saved without pickle; never eval( anything."""\n# pickle.load is banned\n',
    "bertopic.save('d', serialization='safetensors')\n",
])
def test_the_scanner_accepts_safe_code(tmp_path, snippet):
    path = tmp_path / "mod.py"
    path.write_text(snippet, encoding="utf-8")
    assert findings(path, tmp_path) == []


def test_no_unsafe_deserialisation_in_the_package():
    found = [f for path in _sources() for f in findings(path)]
    assert found == [], "unsafe deserialisation or code evaluation:\n" + "\n".join(found)
