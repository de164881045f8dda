"""The optional corpus manifest ``corpus.yml`` (or ``corpus.yaml``) of a corpus folder.

Allowed keys: see :data:`TOP_KEYS` and, per file under ``files:``, :data:`FILE_KEYS`
(``text_column``, ``id_column``, ``persona_column`` for tables; ``language``;
``format`` to force a reader, e.g. ``plain`` for a ``.txt`` that looks like Otter;
``participant`` to link the file to a participant id). Every problem is a
:class:`~interviewkit.errors.ConfigError` naming the file, the key and what is allowed.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "v.csv").write_text("verbatim\\nTrop cher\\n")
>>> _ = (root / "corpus.yml").write_text("version: 1\\nfiles:\\n  v.csv: {text_column: verbatim}\\n")
>>> load_manifest(root).options_for(root / "v.csv").text_column
'verbatim'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from interviewkit.errors import ConfigError
from interviewkit.io.model import FORMATS, ReadOptions

MANIFEST_NAMES = ("corpus.yml", "corpus.yaml")
TOP_KEYS = ("version", "language", "participants", "interviewers", "files", "exclude")
FILE_KEYS = ("text_column", "id_column", "persona_column", "language", "format", "participant")
LANGUAGES = ("fr", "en", "auto")
SUPPORTED_VERSIONS = (1,)


@dataclass
class FileOptions:
    """Per-file options from ``files:`` (None = not set)."""

    text_column: str | None = None
    id_column: str | None = None
    persona_column: str | None = None
    language: str | None = None
    format: str | None = None
    participant: str | None = None


@dataclass
class Manifest:
    """A parsed ``corpus.yml``; ``root`` is its folder, paths in it are relative to ``root``."""

    path: Path
    root: Path
    version: int = 1
    language: str = "auto"
    participants: Path | None = None
    interviewers: list[str] = field(default_factory=list)
    files: dict[str, FileOptions] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)

    def relative(self, path: str | Path) -> str | None:
        """``path`` relative to the corpus root (POSIX form), or None when outside it."""
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None

    def file_options(self, path: str | Path) -> FileOptions | None:
        """The ``files:`` entry of ``path``, if any."""
        rel = self.relative(path)
        return self.files.get(rel) if rel is not None else None

    def options_for(self, path: str | Path, base: ReadOptions | None = None) -> ReadOptions:
        """``base`` (default ReadOptions()) with the table columns set for ``path`` in the manifest."""
        base = base or ReadOptions()
        entry = self.file_options(path)
        if entry is None:
            return base
        return replace(base, **{k: getattr(entry, k) for k in ("text_column", "id_column", "persona_column")
                                if getattr(entry, k) is not None})

    def language_for(self, path: str | Path) -> str:
        """The language of ``path``: its ``files:`` entry, else the corpus default."""
        entry = self.file_options(path)
        return entry.language if entry is not None and entry.language else self.language

    def excluded_by(self, path: str | Path) -> str | None:
        """The ``exclude`` pattern matching ``path`` (relative to the root), or None."""
        rel = self.relative(path)
        if rel is None:
            return None
        for pattern in self.exclude:
            if glob_match(pattern, rel):
                return pattern
        return None


def glob_match(pattern: str, relative: str) -> bool:
    """Gitignore-like match: ``*`` within a folder, ``**`` across folders, ``dir/**`` below ``dir``;
    a pattern without ``/`` also matches the file name at any depth.

    >>> glob_match("notes/**", "notes/a/b.txt"), glob_match("*.bak", "x/y.bak"), glob_match("a/*.txt", "a/b/c.txt")
    (True, True, False)
    """
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    regex = _glob_regex(pattern)
    if re.fullmatch(regex, relative):
        return True
    return "/" not in pattern and re.fullmatch(regex, relative.rsplit("/", 1)[-1]) is not None


def _glob_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def find_manifest(folder: str | Path) -> Path | None:
    """The manifest file of ``folder`` (or ``folder`` itself when it is one), else None."""
    folder = Path(folder)
    if folder.is_file():
        return folder if folder.name in MANIFEST_NAMES else None
    found = [folder / name for name in MANIFEST_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        raise ConfigError("E208", "both corpus.yml and corpus.yaml exist", path=folder,
                          hint="keep only one manifest file")
    return found[0] if found else None


def load_manifest(folder: str | Path) -> Manifest | None:
    """Read ``corpus.yml``/``corpus.yaml`` of ``folder``; None when there is none."""
    path = find_manifest(folder)
    if path is None:
        return None
    data = _load_yaml(path)
    root = path.parent
    if data is None:
        return Manifest(path=path, root=root)
    if not isinstance(data, dict):
        raise ConfigError("E203", f"the manifest must be a mapping of keys, not a {_kind(data)}", path=path,
                          allowed=TOP_KEYS, hint="write 'key: value' lines, e.g. 'version: 1'")
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError("E202", f"unknown key {key!r}", path=path, value=key, allowed=TOP_KEYS,
                              hint="remove the key or fix its spelling")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _type_error(path, "version", version, "an integer (1)")
    if version not in SUPPORTED_VERSIONS:
        raise ConfigError("E205", f"unsupported manifest version {version}", path=path, allowed=SUPPORTED_VERSIONS,
                          hint="set 'version: 1' or upgrade interviewkit")
    manifest = Manifest(path=path, root=root, version=version)
    manifest.language = _language(data.get("language", "auto"), path, "language")
    if data.get("participants") is not None:
        participants = _string(data["participants"], path, "participants")
        manifest.participants = _existing(root, participants, path, "participants")
    manifest.interviewers = _string_list(data.get("interviewers"), path, "interviewers")
    manifest.exclude = _string_list(data.get("exclude"), path, "exclude")
    files = data.get("files") or {}
    if not isinstance(files, dict):
        raise _type_error(path, "files", files, "a mapping 'file name: {option: value}'")
    for name, options in files.items():
        name = _string(name, path, "files")
        _existing(root, name, path, f"files: {name}")
        manifest.files[Path(name).as_posix()] = _file_options(options, path, name)
    return manifest


def _load_yaml(path: Path) -> Any:
    import yaml

    class _UniqueKeys(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in keys:
                raise ConfigError("E209", f"duplicated key {key!r}", path=path, line=key_node.start_mark.line + 1,
                                  hint="keep a single occurrence of the key")
            keys.add(key)
        return loader.construct_mapping(node, deep=deep)

    _UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        text = path.read_text(encoding="utf-8-sig")
        return yaml.load(text, Loader=_UniqueKeys)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError:
        raise ConfigError("E201", "the manifest is not UTF-8 text", path=path, hint="save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("E201", f"the manifest is not valid YAML ({getattr(exc, 'problem', None) or exc})",
                          path=path, line=mark.line + 1 if mark else None,
                          hint="check indentation and colons; quote values containing ':' or '#'") from None


def _kind(value: Any) -> str:
    return {list: "list", dict: "mapping", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__)


def _type_error(path: Path, key: str, value: Any, expected: str) -> ConfigError:
    shown = value if isinstance(value, (str, int, float, bool)) else None  # never repr a huge/aliased structure
    return ConfigError("E203", f"{key!r} must be {expected}, not a {_kind(value)}", path=path, value=shown,
                       hint=f"fix the value of {key!r}")


def _string(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _type_error(path, key, value, "a non-empty string")
    return value.strip()


def _string_list(value: Any, path: Path, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _type_error(path, key, value, "a list of strings, e.g. [\"a\", \"b\"]")
    return [v.strip() for v in value]


def _language(value: Any, path: Path, key: str) -> str:
    value = _string(value, path, key).lower()
    if value not in LANGUAGES:
        raise ConfigError("E206", f"unsupported language {value!r} for {key!r}", path=path, value=value,
                          allowed=LANGUAGES, hint="use fr, en or auto")
    return value


def _existing(root: Path, name: str, path: Path, key: str) -> Path:
    target = root / name
    if not target.is_file():
        raise ConfigError("E204", f"{key!r} names a file that does not exist: {name}", path=path, value=name,
                          hint=f"check the name (relative to {root}) or remove the entry")
    return target


def _file_options(options: Any, path: Path, name: str) -> FileOptions:
    if options is None:
        return FileOptions()
    if not isinstance(options, dict):
        raise _type_error(path, f"files: {name}", options, "a mapping such as {text_column: verbatim}")
    result = FileOptions()
    for key, value in options.items():
        if key not in FILE_KEYS:
            raise ConfigError("E207", f"unknown option {key!r} for file {name}", path=path, value=key,
                              allowed=FILE_KEYS, hint="remove the option or fix its spelling")
        if key == "language":
            result.language = _language(value, path, f"files: {name}: language")
        elif key == "format":
            fmt = _string(value, path, f"files: {name}: format")
            if fmt not in FORMATS:
                raise ConfigError("E206", f"unknown format {fmt!r} for file {name}", path=path, value=fmt,
                                  allowed=FORMATS, hint="use one of the reader formats")
            result.format = fmt
        else:
            setattr(result, key, _string(str(value) if isinstance(value, int) and not isinstance(value, bool)
                                         else value, path, f"files: {name}: {key}"))
    return result
