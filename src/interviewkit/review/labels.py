"""The fields and labels a reviewer can decide on, and how their values are checked.

Journey fields come from the codebook (``stage``, ``channel``, ``moments`` hold
several labels; ``emotion`` and ``lane`` one label; ``valence`` an integer in
-2..2; ``irritant`` 0 or 1). The extra field ``code`` holds the researcher's
own codes: any non-empty label, outside the codebook.

>>> LABELS.kind("stage"), LABELS.kind("valence"), LABELS.kind("code")
('multi', 'int', 'free')
>>> LABELS.check_value("valence", "-1")
-1
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InterviewkitError

MULTI = "multi"      # several labels (stage, channel, moments)
SINGLE = "single"    # one label (emotion, lane)
INT = "int"          # valence -2..2
BINARY = "binary"    # irritant 0/1
FREE = "free"        # researcher codes: any label

CODE_FIELD = "code"
TAG_FIELDS = ("stage", "channel", "emotion", "valence", "irritant", "moments", "lane")
VALENCE_RANGE = (-2, 2)
MAX_CODE_LENGTH = 200

_DEFAULT_LABELS: dict[str, tuple[str, ...]] = {
    "stage": ("discover", "consider", "purchase", "deliver", "use", "support", "leave"),
    "channel": ("web", "app", "email", "phone", "store", "chat", "sms", "social", "mail"),
    "emotion": ("joy", "trust", "surprise", "anger", "sadness", "fear", "confusion", "neutral"),
    "moments": ("moment_of_truth", "enchanting", "irritating", "breaking_point"),
    "lane": ("customer", "frontstage", "backstage"),
}
_KINDS = {"stage": MULTI, "channel": MULTI, "moments": MULTI, "emotion": SINGLE, "lane": SINGLE,
          "valence": INT, "irritant": BINARY, CODE_FIELD: FREE}
_DEFAULTS: dict[str, Any] = {"emotion": "neutral", "lane": "customer", "valence": 0, "irritant": 0}


class ReviewError(InterviewkitError):
    """A review action, filter or exchange file is invalid (codes E8xx)."""


def _err(code: str, message: str, **kw: Any) -> ReviewError:
    return ReviewError(code, message, **kw)


@dataclass(frozen=True)
class LabelSet:
    """Fields, their kind and their allowed labels; ``version`` is the codebook version (None: ask the store)."""

    labels: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(_DEFAULT_LABELS))
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (field, label) -> display name
    version: str | None = None

    @classmethod
    def from_codebook(cls, codebook) -> LabelSet:
        """The label set of a loaded :class:`interviewkit.codebook.Codebook` (custom codebooks)."""
        labels = {f: tuple(codebook.label_ids(f)) for f in _DEFAULT_LABELS}
        names = {}
        for f in labels:
            for lid in labels[f]:
                lab = codebook.label(f, lid)
                names[(f, lid)] = lab.label_fr or lab.label_en or lid
        return cls(labels=labels, names=names, version=str(codebook.version))

    @property
    def fields(self) -> tuple[str, ...]:
        return TAG_FIELDS + (CODE_FIELD,)

    def kind(self, field_name: str) -> str:
        if field_name not in _KINDS:
            raise _err("E803", "unknown field", value=field_name, allowed=self.fields,
                       hint="use a codebook field, or field='code' for your own codes")
        return _KINDS[field_name]

    def default(self, field_name: str) -> Any:
        """Value of a single-valued field when nothing is said (emotion neutral, lane customer, 0)."""
        return _DEFAULTS.get(field_name)

    def allowed(self, field_name: str) -> tuple[str, ...]:
        kind = self.kind(field_name)
        if kind in (MULTI, SINGLE):
            return self.labels[field_name]
        if kind == INT:
            return tuple(str(v) for v in range(VALENCE_RANGE[0], VALENCE_RANGE[1] + 1))
        if kind == BINARY:
            return ("0", "1")
        return ()

    def display(self, field_name: str, label: str) -> str:
        return self.names.get((field_name, label), str(label))

    def check_label(self, field_name: str, label: Any) -> str:
        """A label of a multi/single field or a researcher code, checked; E804 when unknown."""
        kind = self.kind(field_name)
        if kind == FREE:
            text = " ".join(str(label or "").split())
            if not text:
                raise _err("E807", "a code needs a non-empty label", value=label,
                           hint="type the name of your code, e.g. 'prix trop élevé'")
            if len(text) > MAX_CODE_LENGTH or ";" in text:
                raise _err("E804", f"a code label must be at most {MAX_CODE_LENGTH} characters without ';'",
                           value=label, hint="shorten the code name and remove ';'")
            return text
        if kind in (INT, BINARY):
            return str(self.check_value(field_name, label))
        if label not in self.labels[field_name]:
            raise _err("E804", f"unknown label for field {field_name!r}", value=label,
                       allowed=self.labels[field_name], hint="use a label of the codebook, or field='code'")
        return str(label)

    def check_value(self, field_name: str, value: Any) -> Any:
        """The value of a field, normalised: list of labels (multi), label (single), int (valence/irritant)."""
        kind = self.kind(field_name)
        if kind == INT:
            try:
                if isinstance(value, bool) or float(value) != int(float(value)):
                    raise ValueError
                number = int(float(value))
            except (TypeError, ValueError):
                number = None
            if number is None or not VALENCE_RANGE[0] <= number <= VALENCE_RANGE[1]:
                raise _err("E805", "valence must be an integer from -2 to 2", value=value,
                           allowed=self.allowed("valence"), hint="use -2 (very negative) … 2 (very positive)")
            return number
        if kind == BINARY:
            mapping = {"0": 0, "1": 1, "irritant": 1, "true": 1, "false": 0, "yes": 1, "no": 0, "oui": 1, "non": 0}
            key = str(int(value)) if isinstance(value, (bool, int, float)) and value in (0, 1) else str(value).lower()
            if key not in mapping:
                raise _err("E806", "irritant must be 0 or 1", value=value, allowed=("0", "1"),
                           hint="use 1 when the segment is an irritant, else 0")
            return mapping[key]
        if kind == SINGLE:
            return self.check_label(field_name, value)
        items = split_labels(value)
        checked = [self.check_label(field_name, v) for v in items]
        order = {lab: i for i, lab in enumerate(self.labels.get(field_name, ()))}
        return sorted(dict.fromkeys(checked), key=lambda lab: (order.get(lab, len(order)), lab))

    def join(self, field_name: str, labels) -> str:
        """Labels of a multi field ``;``-joined in codebook order."""
        order = {lab: i for i, lab in enumerate(self.labels.get(field_name, ()))}
        return ";".join(sorted(set(labels), key=lambda lab: (order.get(lab, len(order)), lab)))


def split_labels(value: Any) -> list[str]:
    """``"a;b"``, ``["a", "b"]``, ``None`` -> list of labels."""
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


LABELS = LabelSet()
