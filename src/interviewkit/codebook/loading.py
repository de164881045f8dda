"""Reading a codebook: the bundled default, a YAML file or YAML text."""
from __future__ import annotations

from pathlib import Path

import yaml

from interviewkit.codebook.book import Codebook
from interviewkit.codebook.validate import _Validator
from interviewkit.codebook.yamlio import load_yaml
from interviewkit.errors import ConfigError


def default_codebook_path() -> Path:
    """Path of the codebook shipped with interviewkit (``journey_fr_en.yml``)."""
    return Path(__file__).parent.parent / "data" / "codebooks" / "journey_fr_en.yml"


def load_codebook(path: str | Path | None = None, valid_token_patterns: set[str] | None = None) -> Codebook:
    """Read and validate a codebook YAML file (the shipped default when ``path`` is None).

    ``valid_token_patterns``: digests (:func:`~interviewkit.codebook.validate.token_pattern_digest`) of spaCy token patterns already
    validated with the installed spaCy; those are not validated again (validating imports spaCy), and
    each pattern validated now is added to the set.

    Raises :class:`ConfigError` (E301 missing file, E302 YAML syntax, E303 unknown key,
    E304 missing key, E305 bad value, E306 bad regex, E307 schema version, E308 bad id,
    E309 bad pattern entry, E310 lexicon, E311 spaCy token pattern, E312 unknown label,
    E313 undeclared language).
    """
    p = Path(path) if path is not None else default_codebook_path()
    if p.is_dir():
        p = p / "codebook.yml"
    if not p.is_file():
        raise ConfigError("E301", "codebook file not found", path=p,
                          hint="check the path, or omit it to use the default codebook")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("E301", f"cannot read the codebook: {exc}", path=p, hint="save the file as UTF-8") from exc
    return codebook_from_text(text, path=p, valid_token_patterns=valid_token_patterns)


def codebook_from_text(text: str, path: str | Path | None = None,
                       valid_token_patterns: set[str] | None = None) -> Codebook:
    """Validate YAML text as a codebook (``path`` is used in messages and to resolve lexicon paths)."""
    where = str(path) if path is not None else "<codebook>"
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError("E302", f"YAML syntax error: {problem}", path=where, line=line,
                          hint="check indentation and quote values containing ':' '#' or '{'") from exc
    v = _Validator(where, text, valid_token_patterns=valid_token_patterns)
    return v.codebook(data, Path(path) if path is not None else None)
