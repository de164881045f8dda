"""Word lists that filter person-name detections, read from YAML data files.

The packaged lists live in ``interviewkit/data/privacy/name_filters.yml``; a
project can add its own file of the same shape (its lists are added, never
replacing the packaged ones).

>>> f = default_filters()
>>> "leroy merlin" in f.stop_names, "euh" in f.interjections, "petit" in f.ambiguous_name_words
(True, True, True)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .text import PrivacyError, fold, normalise_name

LIST_KEYS = ("interjections", "not_names", "place_words", "titles", "stop_names", "channel_words", "ambiguous_name_words",
             "order_cues", "first_names")


@dataclass(frozen=True)
class NameFilters:
    """Normalised word lists (see the packaged YAML file for what each one does)."""

    interjections: frozenset[str]
    not_names: frozenset[str]
    place_words: frozenset[str]
    titles: tuple[str, ...]
    stop_names: frozenset[str]
    ambiguous_name_words: frozenset[str]
    order_cues: frozenset[str]
    first_names: frozenset[str]

    @cached_property
    def title_words(self) -> frozenset[str]:
        """Titles in normalised form ("m", "mme", "monsieur"...)."""
        return frozenset(normalise_name(t) for t in self.titles)

    @cached_property
    def never_names(self) -> frozenset[str]:
        """Words that never are (or end) a person name: stop names, interjections, not_names, titles."""
        return self.stop_names | self.interjections | self.not_names | self.title_words

    def with_allowed(self, names: Iterable[str]) -> NameFilters:
        """A copy whose stop list also holds ``names`` (never redacted as persons)."""
        extra = {normalise_name(n) for n in names} - {""}
        return replace(self, stop_names=self.stop_names | extra) if extra else self

    def merged(self, other: NameFilters) -> NameFilters:
        return NameFilters(
            interjections=self.interjections | other.interjections,
            not_names=self.not_names | other.not_names,
            place_words=self.place_words | other.place_words,
            titles=tuple(dict.fromkeys(self.titles + other.titles)),
            stop_names=self.stop_names | other.stop_names,
            ambiguous_name_words=self.ambiguous_name_words | other.ambiguous_name_words,
            order_cues=self.order_cues | other.order_cues,
            first_names=self.first_names | other.first_names,
        )


def _read(text: str, source: str) -> NameFilters:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise PrivacyError(
            "E608", "name filter file is not valid YAML", path=source,
            line=None if line is None else line + 1, hint="fix the YAML syntax (lists of strings under known keys)",
        ) from exc
    if not isinstance(data, dict):
        raise PrivacyError("E608", "name filter file must be a mapping of lists", path=source,
                           allowed=LIST_KEYS, hint="write `stop_names: [Name, ...]` and similar keys")
    lists: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "version":
            continue
        if key not in LIST_KEYS:
            raise PrivacyError("E608", f"unknown key {key!r} in name filter file", path=source,
                               allowed=LIST_KEYS, hint="rename or remove that key")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PrivacyError("E608", f"{key!r} must be a list of strings", path=source,
                               hint=f"write `{key}: [\"word\", ...]`")
        lists[key] = value
    return NameFilters(
        interjections=frozenset(normalise_name(w) for w in lists.get("interjections", [])),
        not_names=frozenset(normalise_name(w) for w in lists.get("not_names", [])),
        place_words=frozenset(normalise_name(w) for w in lists.get("place_words", [])),
        titles=tuple(w.strip() for w in lists.get("titles", []) if w.strip()),
        stop_names=frozenset(normalise_name(w) for w in lists.get("stop_names", []) + lists.get("channel_words", [])),
        ambiguous_name_words=frozenset(normalise_name(w) for w in lists.get("ambiguous_name_words", [])),
        order_cues=frozenset(fold(w) for w in lists.get("order_cues", [])),
        first_names=frozenset(normalise_name(w) for w in lists.get("first_names", [])),
    )


@lru_cache(maxsize=1)
def default_filters() -> NameFilters:
    """The packaged lists (read once)."""
    ref = resources.files("interviewkit") / "data" / "privacy" / "name_filters.yml"
    return _read(ref.read_text(encoding="utf-8"), str(ref))


def load_filters(path: str | Path | None = None, allow_names: Iterable[str] = ()) -> NameFilters:
    """Packaged lists, plus those of ``path`` when given, plus ``allow_names`` as stop names."""
    filters = default_filters()
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PrivacyError("E608", f"cannot read name filter file ({exc.strerror})", path=path,
                               hint="check the path given as filters_path") from exc
        filters = filters.merged(_read(text, str(path)))
    return filters.with_allowed(allow_names)
