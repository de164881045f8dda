"""Child-process entry: ``python -m benchmarks._child module:function '{"kwarg": ...}'``.

Prints the function's result (a JSON object) on the last stdout line, after ``MARK``.
"""
from __future__ import annotations

import importlib
import json
import sys
import time

MARK = "@@BENCH-RESULT@@ "


def main() -> None:
    target, kwargs = sys.argv[1], json.loads(sys.argv[2])
    module, function = target.split(":")
    start = time.perf_counter()
    result = getattr(importlib.import_module(module), function)(**kwargs) or {}
    result.setdefault("child_seconds", time.perf_counter() - start)
    sys.stdout.flush()
    print(MARK + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
