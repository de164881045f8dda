"""Save / load a topic result (a fitted or curated model) without pickle.

A saved model is a folder:

``topics_model.json``   format, version, settings, topics, assignments, segment metadata, keywords
                        with scores, radii, lemma documents, label candidates, curation log, the
                        description of the embedding space, and the list of arrays;
``centroids.npy``       topic centroids (rows in ``centroid_ids`` order), float32;
``embeddings.npy``      segment vectors in the model's space (optional, ``include_embeddings``);
``space_*.npy``         fitted arrays of the embedding space (corpus means, tfidf-svd vocabulary,
                        IDF and SVD components) so that ``assign_new`` embeds new text identically;
``bertopic/``           optional: BERTopic's own ``save(serialization="safetensors", save_ctfidf=True)``
                        for users who want to open the model in BERTopic (not needed to load here).

Arrays are written with ``numpy.save(allow_pickle=False)`` and read with ``allow_pickle=False``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .result import ASSIGNMENT_COLUMNS, META_COLUMNS, TOPIC_COLUMNS, TopicResult

__all__ = ["save_result", "load_result", "FORMAT", "VERSION"]

FORMAT = "interviewkit-topics"
VERSION = 1
_JSON = "topics_model.json"


def _py(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return [_py(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _py(x) for k, x in v.items()}
    return v


def _records(df: pd.DataFrame | None, cols: list[str]) -> list[dict] | None:
    if df is None:
        return None
    return [{c: _py(r[c]) for c in cols} for _, r in df[cols].iterrows()]


def save_result(result: TopicResult, path, *, include_embeddings: bool = True, bertopic=None) -> Path:
    """Write ``result`` to folder ``path`` (created); ``bertopic``: a fitted BERTopic to save alongside."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    ids = sorted(result.centroids)
    if ids:
        arrays["centroids"] = np.vstack([result.centroids[t] for t in ids]).astype(np.float32)
    if include_embeddings and result.embeddings is not None:
        arrays["embeddings"] = np.asarray(result.embeddings, dtype=np.float32)
    space_meta = None
    if result.embedder_state is not None:
        space_meta = result.embedder_state["meta"]
        for name, arr in result.embedder_state["arrays"].items():
            arrays[f"space_{name}"] = np.asarray(arr)
    doc = {
        "format": FORMAT, "version": VERSION, "created_at": result.created_at, "run_id": result.run_id,
        "embedding": result.embedding, "status": result.status, "message": result.message,
        "outlier_share": result.outlier_share, "settings": _py(result.settings),
        "topics": _records(result.topics, TOPIC_COLUMNS),
        "assignments": _records(result.assignments, ASSIGNMENT_COLUMNS),
        "meta": _records(result.meta, META_COLUMNS),
        "keyword_scores": {str(t): [[w, float(s)] for w, s in kw] for t, kw in result.keyword_scores.items()},
        "radii": {str(t): float(r) for t, r in result.radii.items()},
        "centroid_ids": ids,
        "lemma_docs": result.lemma_docs,
        "phrases": None if result.phrases is None else [[list(p) for p in ps] for ps in result.phrases],
        "curation_log": _py(result.curation_log), "space": _py(space_meta), "arrays": sorted(arrays),
    }
    for name, arr in arrays.items():
        if arr.dtype == object:
            raise InputError("E707", f"array {name} has object dtype and cannot be saved without pickle")
        np.save(folder / f"{name}.npy", arr, allow_pickle=False)
    (folder / _JSON).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    if bertopic is not None:
        bertopic.save(str(folder / "bertopic"), serialization="safetensors", save_ctfidf=True,
                      save_embedding_model=False)
    return folder


def load_result(path) -> TopicResult:
    """Read a folder written by ``save_result`` (E707 when it is missing, damaged or from a newer version)."""
    folder = Path(path)
    file = folder / _JSON
    if not file.is_file():
        raise InputError("E707", "no saved topic model here", path=folder,
                         hint=f"give the folder that holds {_JSON}")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("E707", f"saved topic model is not valid JSON: {exc}", path=file) from exc
    if doc.get("format") != FORMAT:
        raise InputError("E707", "not an interviewkit topic model", path=file, value=doc.get("format"),
                         allowed=[FORMAT])
    if int(doc.get("version", 0)) > VERSION:
        raise InputError("E707", "saved topic model is from a newer interviewkit", path=file,
                         value=doc.get("version"), allowed=[VERSION], hint="upgrade interviewkit")
    try:
        arrays = {n: np.load(folder / f"{n}.npy", allow_pickle=False) for n in doc["arrays"]}
    except (OSError, ValueError) as exc:
        raise InputError("E707", f"saved topic model array unreadable: {exc}", path=folder) from exc
    topics = pd.DataFrame(doc["topics"] or [], columns=TOPIC_COLUMNS)
    if len(topics):
        topics["topic_id"] = topics["topic_id"].astype(np.int64)
        topics["segments"] = topics["segments"].astype(np.int64)
        topics["participants"] = topics["participants"].astype(np.int64)
        topics["is_irritant"] = topics["is_irritant"].astype(bool)
    assignments = pd.DataFrame(doc["assignments"] or [], columns=ASSIGNMENT_COLUMNS)
    assignments["segment_id"] = assignments["segment_id"].astype(object)
    assignments["topic_id"] = assignments["topic_id"].astype(np.int64)
    assignments["probability"] = assignments["probability"].astype(float)
    meta = None
    if doc.get("meta") is not None:
        meta = pd.DataFrame(doc["meta"], columns=META_COLUMNS).astype(object)
        meta["irritant"] = meta["irritant"].astype(np.int64)
    ids = [int(t) for t in doc.get("centroid_ids", [])]
    centroids = {t: arrays["centroids"][k] for k, t in enumerate(ids)} if ids else {}
    state = None
    if doc.get("space") is not None:
        state = {"meta": doc["space"],
                 "arrays": {n[len("space_"):]: a for n, a in arrays.items() if n.startswith("space_")}}
    phrases = doc.get("phrases")
    return TopicResult(
        topics=topics, assignments=assignments, outlier_share=doc.get("outlier_share"), message=doc.get("message", ""),
        status=doc.get("status", "ok"), embedding=doc.get("embedding", ""), settings=doc.get("settings", {}),
        meta=meta, centroids=centroids, radii={int(k): float(v) for k, v in doc.get("radii", {}).items()},
        keyword_scores={int(k): [(w, float(s)) for w, s in v] for k, v in doc.get("keyword_scores", {}).items()},
        lemma_docs=doc.get("lemma_docs"),
        phrases=None if phrases is None else [[tuple(p) for p in ps] for ps in phrases],
        embeddings=arrays.get("embeddings"), embedder_state=state, curation_log=doc.get("curation_log", []),
        created_at=doc.get("created_at", ""), run_id=doc.get("run_id"))
