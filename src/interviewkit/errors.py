"""Error types of interviewkit.

Every error carries a stable code, the bad value when there is one, what is
allowed, and how to fix it, so that a researcher can act on the message alone.

>>> err = InputError("E102", "file is empty", path="a.txt", hint="export the transcript again")
>>> str(err)
'[E102] a.txt: file is empty. Fix: export the transcript again'
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class InterviewkitError(Exception):
    """Base class: ``code``, ``message``, optional ``path``, ``line``, ``value``, ``allowed``, ``hint``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        value: object = None,
        allowed: Iterable[object] | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.value = value
        self.allowed = list(allowed) if allowed is not None else None
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        text = f"[{self.code}] {where}{self.message}"
        if self.value is not None:
            shown = repr(self.value)
            text += f" (got {shown[:80] + '…' if len(shown) > 80 else shown})"
        if self.allowed:
            text += "; allowed: " + ", ".join(str(a) for a in self.allowed)
        text += "."
        if self.hint:
            text += f" Fix: {self.hint}"
        return text.replace("..", ".")

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "hint": self.hint,
            "error": str(self),
        }


class InputError(InterviewkitError):
    """A file given to a reader cannot be read as what it claims to be."""


class ConfigError(InterviewkitError):
    """A manifest, codebook or option is invalid."""


class StoreError(InterviewkitError):
    """The project store is missing, newer than this version, or damaged."""
