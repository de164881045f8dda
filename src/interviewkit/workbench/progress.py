"""tqdm progress bars (``tqdm.auto``: a widget bar in JupyterLab, text elsewhere) for the package's
``progress(item, done, total)`` callbacks.

>>> bar = ProgressBar("test", disable=True)
>>> bar("a", 1, 2); bar("b", 2, 2); bar.done, bar.total
(2, 2)
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ProgressBar:
    """Callable ``(item, done, total)`` driving one tqdm bar; the bar closes when ``done == total``."""

    def __init__(self, description: str, unit: str = "it", disable: bool = False) -> None:
        self.description = description
        self.unit = unit
        self.disable = disable
        self.bar: Any = None
        self.done = 0
        self.total = 0

    def __call__(self, item: Any, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc=self.description, unit=self.unit, disable=self.disable)
        if total != self.total:
            self.bar.total = total
            self.total = total
        if isinstance(item, (str, Path)) and item and str(item) not in ("tag",):
            self.bar.set_postfix_str(Path(str(item)).name[:40], refresh=False)
        self.bar.update(max(0, done - self.done))
        self.done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextlib.contextmanager
def steps_bar(description: str, steps: list[str], disable: bool = False) -> Iterator[Any]:
    """A bar over named steps: ``with steps_bar("Thèmes", ["textes", "modèle"]) as step: step("textes")``
    (each call marks the previous step done and shows the current one)."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(steps), desc=description, disable=disable)
    state = {"started": False}

    def step(name: str) -> None:
        if state["started"]:
            bar.update(1)
        state["started"] = True
        bar.set_postfix_str(name, refresh=True)

    try:
        yield step
        if state["started"]:
            bar.update(bar.total - bar.n)
    finally:
        bar.close()
