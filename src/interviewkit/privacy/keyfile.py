"""The pseudonym key: the only place where originals (normalised) are kept.

File format (JSON, UTF-8, mode 0600, written atomically)::

    {"version": 1,
     "mapping": {"PERS": {"sophie lemaire": "P01", "marc dubois": "[PERS-001]"},
                 "TEL": {"+33612345678": "[TEL-001]"}},
     "counters": {"PERS": 1, "TEL": 1}}

A damaged key is never overwritten: pseudonyms already in the store depend on it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .text import KINDS, PrivacyError

KEY_VERSION = 1
_GENERATED = re.compile(r"^\[([A-Z]+)-(\d+)\]$")
_RESTORE_HINT = (
    "restore the key file from your backup copy (pseudonyms already stored depend on it); "
    "interviewkit never overwrites a damaged key. Only if no copy exists, move it aside and start a new key: "
    "names seen again will then get new pseudonyms"
)


def generated_pseudonym(kind: str, number: int) -> str:
    """``[PERS-001]``, ``[TEL-012]``... (at least three digits)."""
    return f"[{kind}-{number:03d}]"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _validate(data: object, path: Path) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    def bad(what: str) -> PrivacyError:
        return PrivacyError("E602", f"pseudonym key file is damaged: {what}", path=path, hint=_RESTORE_HINT)

    if not isinstance(data, dict):
        raise bad("the top level is not a JSON object")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad("'version' is missing or not an integer")
    if version > KEY_VERSION:
        raise PrivacyError(
            "E603", f"pseudonym key file has version {version}, newer than this interviewkit (version {KEY_VERSION})",
            path=path, hint="upgrade interviewkit before pseudonymising with this key",
        )
    mapping, counters = data.get("mapping"), data.get("counters", {})
    if not isinstance(mapping, dict) or not isinstance(counters, dict):
        raise bad("'mapping' and 'counters' must be JSON objects")
    for kind, entries in mapping.items():
        if kind not in KINDS:
            raise bad(f"unknown kind {kind!r} in 'mapping' (allowed: {', '.join(KINDS)})")
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in entries.items()
        ):
            raise bad(f"'mapping.{kind}' must map strings to non-empty strings")
    for kind, count in counters.items():
        if kind not in KINDS or not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise bad(f"'counters.{kind}' must be a non-negative integer for a known kind")
    fixed = {kind: dict(mapping.get(kind, {})) for kind in KINDS if mapping.get(kind)}
    numbers = {kind: int(counters.get(kind, 0)) for kind in KINDS}
    for kind, entries in fixed.items():  # never hand out a number already used
        for pseudonym in entries.values():
            m = _GENERATED.match(pseudonym)
            if m and m.group(1) == kind:
                numbers[kind] = max(numbers[kind], int(m.group(2)))
    return fixed, {k: v for k, v in numbers.items() if v}


def read_key_file(path: Path) -> tuple[dict[str, dict[str, str]], dict[str, int], str]:
    """``(mapping, counters, sha256)`` of an existing key file; raises E601/E602/E603."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PrivacyError("E601", f"cannot read the pseudonym key file ({exc.strerror})", path=path,
                           hint="check that the file exists and that you may read it") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise PrivacyError("E601", f"pseudonym key file is damaged: not valid JSON{where}", path=path,
                           hint=_RESTORE_HINT) from exc
    mapping, counters = _validate(data, path)
    return mapping, counters, _digest(raw)


@dataclass
class PseudonymKey:
    """Originals (normalised) -> pseudonyms, per kind, with the counters of generated pseudonyms."""

    path: Path | None = None
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    digest: str | None = None  # sha256 of the file as last read or written

    @classmethod
    def load(cls, path: str | Path | None) -> PseudonymKey:
        """The key at ``path`` (empty when the file does not exist yet, or when ``path`` is None)."""
        if path is None:
            return cls()
        path = Path(path)
        if not path.exists():
            return cls(path=path)
        mapping, counters, digest = read_key_file(path)
        return cls(path=path, mapping=mapping, counters=counters, digest=digest)

    def lookup(self, kind: str, original: str) -> str | None:
        return self.mapping.get(kind, {}).get(original)

    def set(self, kind: str, original: str, pseudonym: str) -> None:
        self.mapping.setdefault(kind, {})[original] = pseudonym

    def assign(self, kind: str, original: str) -> str:
        """A new generated pseudonym for ``original`` (which must not have one yet)."""
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        pseudonym = generated_pseudonym(kind, number)
        self.set(kind, original, pseudonym)
        return pseudonym

    def _merge_from_disk(self, path: Path) -> None:
        """Add what another process saved since we read the key, or raise E605 on a clash."""
        mapping, counters, _ = read_key_file(path)
        for kind, entries in mapping.items():
            ours = self.mapping.setdefault(kind, {})
            ours_by_pseudonym: dict[str, set[str]] = {}
            for original, pseudonym in ours.items():
                ours_by_pseudonym.setdefault(pseudonym, set()).add(original)
            theirs_by_pseudonym: dict[str, set[str]] = {}
            for original, pseudonym in entries.items():
                theirs_by_pseudonym.setdefault(pseudonym, set()).add(original)
                if original in ours and ours[original] != pseudonym:
                    raise self._clash(path, kind)
            for pseudonym, originals in theirs_by_pseudonym.items():
                mine = ours_by_pseudonym.get(pseudonym)
                if mine and _GENERATED.match(pseudonym) and not (mine & originals):
                    raise self._clash(path, kind)
            for original, pseudonym in entries.items():
                ours.setdefault(original, pseudonym)
        for kind, count in counters.items():
            self.counters[kind] = max(self.counters.get(kind, 0), count)

    @staticmethod
    def _clash(path: Path, kind: str) -> PrivacyError:
        return PrivacyError(
            "E605", f"the pseudonym key was changed by another run while this one was working, "
            f"and both gave the same {kind} pseudonym to different data", path=path,
            hint="run pseudonymisation of a project one process at a time; re-run this import after the other one "
                 "has finished (nothing was saved by this run)",
        )

    def to_json(self) -> str:
        data = {
            "version": KEY_VERSION,
            "mapping": {k: dict(sorted(v.items())) for k, v in sorted(self.mapping.items()) if v},
            "counters": dict(sorted(self.counters.items())),
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def save(self) -> Path:
        """Write the key atomically (temporary file, fsync, ``os.replace``) with mode 0600.

        When the file changed on disk since it was read (another run saved it),
        the other run's entries are merged in; clashing pseudonyms raise E605.
        """
        if self.path is None:
            raise PrivacyError("E604", "this Pseudonymiser has no key file, so its pseudonyms cannot be saved",
                               hint="create it with Pseudonymiser(key_path=PROJECT/private/pseudonym_key.json)")
        path = self.path
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise PrivacyError("E607", f"cannot create the key folder ({exc.strerror})", path=path.parent,
                               hint="check the folder permissions") from exc
        if path.exists():
            current = _digest(path.read_bytes())
            if current != self.digest:
                self._merge_from_disk(path)
        payload = self.to_json().encode("utf-8")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise PrivacyError("E607", f"cannot write the pseudonym key file ({exc.strerror})", path=path,
                               hint="check free disk space and folder permissions; the previous key is unchanged") from exc
        with contextlib.suppress(OSError):  # make the rename durable
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        self.digest = _digest(payload)
        return path

    def originals(self):
        """Yield ``(kind, normalised_original, pseudonym)`` (for leak scans; never export them)."""
        for kind, entries in self.mapping.items():
            for original, pseudonym in entries.items():
                yield kind, original, pseudonym
