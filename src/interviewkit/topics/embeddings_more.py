"""More embedding backends: ``spacy-vectors``, ``sentence-transformers:<folder>``, ``precomputed``,
and the wrapper for a user's own BERTopic ``BaseEmbedder``. Registered on import of
``interviewkit.topics.embeddings``."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from bertopic.backend import BaseEmbedder

from ..errors import ConfigError
from .embeddings import EmbeddingBackend, register_embedding


# --------------------------------------------------------------------------- spacy-vectors
class SpacyVectorsEmbedding(EmbeddingBackend):
    """Mean of spaCy static word vectors (``fr_core_news_md``) over content tokens, via ``nlp.pipe``.

    Unlike BERTopic's own spaCy backend it embeds in batches and tolerates empty strings
    (zero vector). Stop words and punctuation are left out of the mean when a text has other tokens.
    """

    name = "spacy-vectors"

    def __init__(self, model: str = "fr_core_news_md", batch_size: int = 512) -> None:
        super().__init__()
        self.model = model
        self.batch_size = batch_size
        self._nlp = None

    def _load(self):
        if self._nlp is None:
            import spacy

            try:
                # vectors live in the vocab: no pipeline component is needed
                self._nlp = spacy.load(self.model, exclude=["tok2vec", "morphologizer", "parser",
                                                            "attribute_ruler", "lemmatizer", "ner", "senter"])
            except OSError as exc:
                raise ConfigError("E703", f"spaCy model {self.model!r} is not installed", value=self.model,
                                  hint=f"install the {self.model} package (interviewkit never downloads models)") from exc
            if self._nlp.vocab.vectors.shape[0] == 0:
                raise ConfigError("E703", f"spaCy model {self.model!r} has no word vectors", value=self.model,
                                  hint="use a *_md or *_lg model")
        return self._nlp

    @property
    def backend_id(self) -> str:
        from .text import spacy_model_meta

        meta = spacy_model_meta(self.model) or self._load().meta  # cache look-ups need no model load
        return f"spacy-vectors:{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}:content-mean"

    @property
    def dim(self) -> int:
        return int(self._load().vocab.vectors.shape[1])

    def _embed(self, texts: list[str]) -> np.ndarray:
        nlp = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, doc in enumerate(nlp.pipe(texts, batch_size=self.batch_size)):
            toks = [t for t in doc if t.has_vector and t.is_alpha and not t.is_stop]
            if not toks:
                toks = [t for t in doc if t.has_vector]
            if toks:
                out[i] = np.mean([t.vector for t in toks], axis=0)
        return out

    def get_state(self) -> dict:
        return {"spec": self.name, "options": {"model": self.model}, "arrays": {}}


@register_embedding("spacy-vectors")
def _make_spacy(arg: str | None = None, **options) -> SpacyVectorsEmbedding:
    if arg:
        options.setdefault("model", arg)
    return SpacyVectorsEmbedding(**options)


# --------------------------------------------------------------------------- sentence-transformers
class SentenceTransformerEmbedding(EmbeddingBackend):
    """Any sentence-transformers model already on disk: ``sentence-transformers:/path/to/model``.

    Loaded with ``local_files_only=True`` and ``HF_HUB_OFFLINE=1``: a missing folder is an error,
    never a download. ``prefix`` is prepended to every text (e.g. ``"query: "`` for E5 models).
    """

    name = "sentence-transformers"

    def __init__(self, path: str, prefix: str = "", batch_size: int = 32) -> None:
        super().__init__()
        self.path = str(path)
        self.prefix = prefix
        self.batch_size = batch_size
        self._model = None
        folder = Path(self.path)
        if not folder.is_dir():
            raise ConfigError("E703", "sentence-transformers model folder not found", path=self.path,
                              hint="give the path of a model saved on this machine "
                              "(interviewkit never downloads models)")

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
            except Exception as exc:  # the library raises many types for a broken folder
                raise ConfigError("E703", f"cannot load the sentence-transformers model: {exc}", path=self.path,
                                  hint="check that the folder holds a complete saved model") from exc
        return self._model

    @property
    def backend_id(self) -> str:
        h = hashlib.sha256()
        for f in sorted(Path(self.path).rglob("*")):
            if f.is_file():
                h.update(f"{f.relative_to(self.path)}:{f.stat().st_size}".encode())
        return f"sentence-transformers:{Path(self.path).name}:{h.hexdigest()[:16]}:{self.prefix}"

    @property
    def dim(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _embed(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        return model.encode([self.prefix + t for t in texts], batch_size=self.batch_size,
                            show_progress_bar=False, convert_to_numpy=True)

    def get_state(self) -> dict:
        return {"spec": f"{self.name}:{self.path}", "options": {"prefix": self.prefix}, "arrays": {}}


@register_embedding("sentence-transformers")
def _make_st(arg: str | None = None, **options) -> SentenceTransformerEmbedding:
    if not arg:
        raise ConfigError("E702", "sentence-transformers needs a local model folder",
                          hint="write embedding='sentence-transformers:/path/to/model'")
    return SentenceTransformerEmbedding(arg, **options)


# --------------------------------------------------------------------------- precomputed / external
class PrecomputedEmbedding(EmbeddingBackend):
    """Marker backend: vectors are given to ``fit(..., embeddings=...)``; it cannot embed text itself."""

    name = "precomputed"
    cacheable = False

    def __init__(self, label: str = "user") -> None:
        super().__init__()
        self.label = label

    @property
    def backend_id(self) -> str:
        return f"precomputed:{self.label}"

    def _embed(self, texts: list[str]) -> np.ndarray:
        raise ConfigError("E703", "this model uses precomputed embeddings and cannot embed text",
                          hint="pass embeddings= (one row per segment), or choose an embedding backend")

    @property
    def dim(self) -> int:
        raise ConfigError("E703", "precomputed embeddings have no fixed dimension")

    def get_state(self) -> dict:
        return {"spec": self.name, "options": {"label": self.label}, "arrays": {}}


@register_embedding("precomputed")
def _make_precomputed(arg: str | None = None, **options) -> PrecomputedEmbedding:
    return PrecomputedEmbedding(arg or "user")


class ExternalEmbedding(EmbeddingBackend):
    """Wraps a BERTopic ``BaseEmbedder`` given by the user (not cacheable: its version is unknown)."""

    name = "external"
    cacheable = False

    def __init__(self, embedder: BaseEmbedder) -> None:
        super().__init__()
        self.embedder = embedder

    @property
    def backend_id(self) -> str:
        return f"external:{type(self.embedder).__name__}"

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed(texts), dtype=np.float32)
