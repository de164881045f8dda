"""Benchmark plumbing: child processes with their peak memory, figures, printing, the results file."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "results.jsonl"


class ChildFailed(RuntimeError):
    pass


def child(target: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``module:function(**kwargs)`` in a fresh Python process; its JSON result plus ``peak_rss_mb`` (the
    child's whole-process peak resident memory, from ``os.wait4``) and ``wall_seconds``."""
    from ._child import MARK

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks._child", target, json.dumps(kwargs, default=str)],
                                stdout=out, stderr=None, cwd=str(ROOT), env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        lines = out.read().splitlines()
    results = [line[len(MARK):] for line in lines if line.startswith(MARK)]
    if proc.returncode != 0 or not results:
        tail = "\n".join(lines[-20:])
        raise ChildFailed(f"{target} failed (exit {proc.returncode}):\n{tail}")
    result = json.loads(results[-1])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    result["wall_seconds"] = round(wall, 3)
    return result


@dataclass
class Figure:
    """One measured figure: ``measured`` (in ``unit``) against ``baseline``; ``ratio`` is the figure the
    target is about (``target`` e.g. ">= 0.8", "<= 200"), unless ``target_on="measured"`` (an absolute
    target such as milliseconds per interaction, the ratio then being for information); ``met`` None when
    there is no target."""

    name: str
    measured: float | None
    unit: str = "s"
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    target_on: str = ""

    def check(self) -> Figure:
        value = self.ratio if self.ratio is not None and self.target_on != "measured" else self.measured
        if self.target and value is not None:
            op, bound = self.target.split()
            self.met = value >= float(bound) if op == ">=" else value <= float(bound)
        return self


@dataclass
class Result:
    benchmark: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    def add(self, *args: Any, **kwargs: Any) -> Figure:
        fig = Figure(*args, **kwargs).check()
        self.figures.append(fig)
        return fig


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 ** 2, 1)
                break
    except OSError:
        pass
    return info


def record(result: Result, quick: bool, seconds: float, path: Path = RESULTS) -> dict[str, Any]:
    line = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short=12", "HEAD") or None,
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "machine": machine(),
        "benchmark": result.benchmark,
        "quick": quick,
        "seconds": round(seconds, 1),
        "skipped": result.skipped,
        "figures": [{k: v for k, v in asdict(f).items() if v not in (None, "")} for f in result.figures],
        "details": result.details,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False, default=str, separators=(",", ":")) + "\n")
    return line


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def show(result: Result) -> None:
    print(f"\n== {result.benchmark}")
    if result.skipped:
        print(f"   SKIPPED: {result.skipped}")
        return
    rows = [("figure", "measured", "baseline", "ratio", "target", "met")]
    for f in result.figures:
        met = {True: "yes", False: "NO", None: ""}[f.met]
        base = f"{_fmt(f.baseline, f.unit)} ({f.baseline_name})" if f.baseline is not None else ""
        rows.append((f.name, _fmt(f.measured, f.unit), base, _fmt(f.ratio, "x") if f.ratio is not None else "",
                     f.target, met))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("   " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    for f in result.figures:
        if f.note:
            print(f"   - {f.name}: {f.note}")
    for key in ("peak_rss_mb", "notes"):
        if key in result.details:
            print(f"   {key}: {result.details[key]}")


def run_cli(argv: list[str] | None = None) -> int:
    from . import BENCHMARKS

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="interviewkit performance benchmarks")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    parser.add_argument("--no-record", action="store_true", help="do not append to results.jsonl")
    args = parser.parse_args(argv)
    if args.list:
        for name, (_, description) in BENCHMARKS.items():
            print(f"{name:<12} {description}")
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    failed = 0
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name][0])
        start = time.perf_counter()
        print(f"\n-- running {name}{' (quick)' if args.quick else ''} ...", flush=True)
        try:
            with tempfile.TemporaryDirectory(prefix=f"ik-bench-{name}-") as tmp:
                result = module.run(quick=args.quick, workdir=Path(tmp))
        except ChildFailed as exc:
            failed += 1
            print(f"   FAILED: {exc}")
            continue
        result.benchmark = name
        show(result)
        if not args.no_record:
            record(result, args.quick, time.perf_counter() - start)
    return 1 if failed else 0
