"""High-level journey tagger: base spaCy pipeline (parse) + rule layers (annotate).

>>> tagger = JourneyTagger(profile="lookup")
>>> r = next(tagger.tag(["Toujours pas reçu mon colis au bout de trois semaines !!!"]))
>>> r.stage, r.irritant, r.valence
(['deliver'], 1, -2)

Profiles (French):

* ``full``   -- the whole ``fr_core_news_sm`` pipeline (tok2vec, morphologizer,
  parser, attribute_ruler, lemmatizer, ner): what ``spacy.load`` gives, so the
  parsed Docs can serve other modules too;
* ``fast``   -- the same model without parser and ner (the rules only need
  tokens and lemmas): about 2.3x faster, identical tags on our dev set;
* ``lookup`` -- ``spacy.blank("fr")`` with the lookup lemmatiser of
  ``spacy-lookups-data``: no neural model, 20x+ faster, slightly lower recall
  on lemma patterns.

English always uses ``spacy.blank("en")`` with the lookup lemmatiser (no
English model is installed here). ``pipeline_id`` identifies the base pipeline
(for caches of parsed Docs) and ``codebook.hash`` the rules, so after a
codebook edit only :meth:`JourneyTagger.annotate` needs to run again.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from interviewkit.codebook import Codebook, load_codebook
from interviewkit.errors import ConfigError
from interviewkit.tagging.annotator import JourneyAnnotator
from interviewkit.tagging.models import ModelLayer
from interviewkit.tagging.result import TagResult
from interviewkit.tagging.tokenizer import TOKENIZER_VERSION, split_run_on_sentences

PROFILES = ("full", "fast", "lookup")
FAST_EXCLUDE = ("parser", "ner", "senter")


def _lookup_pipeline(lang: str) -> Language:
    nlp = split_run_on_sentences(spacy.blank(lang))
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except Exception as exc:  # no lookup table for this language
        raise ConfigError("E502", f"no lookup lemmatiser table for language {lang!r}: {exc}", value=lang,
                          hint="install spacy-lookups-data, or use a language it covers (fr, en)") from exc
    return nlp


@lru_cache(maxsize=8)
def load_base_pipeline(lang: str = "fr", model: str = "fr_core_news_sm", profile: str = "full") -> Language:
    """The spaCy pipeline that parses texts before the rule layers (cached per process)."""
    if profile not in PROFILES:
        raise ConfigError("E503", "unknown tagging profile", value=profile, allowed=PROFILES,
                          hint="full = whole model, fast = no parser/ner, lookup = blank pipeline + lookup lemmas")
    if lang != "fr" or profile == "lookup":
        return _lookup_pipeline(lang)
    try:
        exclude = list(FAST_EXCLUDE) if profile == "fast" else []
        return split_run_on_sentences(spacy.load(model, exclude=exclude))
    except OSError as exc:
        raise ConfigError("E501", f"spaCy model {model!r} is not installed", value=model,
                          allowed=["fr_core_news_sm", "fr_core_news_md"],
                          hint="install it with the project's pinned requirements, or use profile='lookup'") from exc


def pipeline_id(nlp: Language, lang: str, profile: str) -> str:
    """A string naming the base pipeline (model, version, components, spaCy version) for cache keys."""
    meta = nlp.meta or {}
    name = meta.get("name", "pipeline")
    if name == "pipeline" or not meta.get("version"):
        try:
            lookups = metadata.version("spacy-lookups-data")
        except metadata.PackageNotFoundError:  # pragma: no cover
            lookups = "none"
        model = f"blank+lookup@spacy-lookups-data-{lookups}"
    else:
        model = f"{meta.get('lang', lang)}_{name}@{meta.get('version')}"
    comps = "+".join(nlp.pipe_names)
    return f"{lang}:{model}:{profile}:{comps}:spacy-{spacy.__version__}:{TOKENIZER_VERSION}"


class JourneyTagger:
    """Parse texts with a base spaCy pipeline and tag them with the codebook's rule layers.

    ``codebook``: a :class:`Codebook`, a YAML path, or None for the default.
    ``nlp``: an already loaded base pipeline to use instead of ``model``/``profile``.
    ``models``: let the codebook's model heads vote (False: rules only).
    ``embedding_cache``: an :class:`~interviewkit.topics.cache.EmbeddingCache` for the model layer's vectors.
    """

    def __init__(self, codebook: Codebook | str | Path | None = None, lang: str = "fr",
                 model: str = "fr_core_news_sm", profile: str = "full", nlp: Language | None = None,
                 models: bool = True, embedding_cache: Any = None) -> None:
        self.lang = lang
        self.profile = profile
        self.model = model
        self.codebook = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        if lang not in self.codebook.languages:
            raise ConfigError("E504", f"the codebook has no patterns for language {lang!r}", path=self.codebook.path,
                              value=lang, allowed=self.codebook.languages,
                              hint="add the language to `languages` and patterns for it, or tag in a listed language")
        self.nlp = nlp if nlp is not None else load_base_pipeline(lang, model, profile)
        self.annotator = JourneyAnnotator(self.codebook, lang, self.nlp.vocab, self.nlp.make_doc)
        self.use_models = models
        self.embedding_cache = embedding_cache
        self.model_layer = self._model_layer()

    def _model_layer(self) -> ModelLayer:
        if not self.use_models:
            return ModelLayer([])
        return ModelLayer.for_codebook(self.codebook, self.lang, self.embedding_cache)

    # ---------------------------------------------------------------- identity
    @property
    def pipeline_id(self) -> str:
        return pipeline_id(self.nlp, self.lang, self.profile)

    @property
    def hash(self) -> str:
        """The codebook hash (rules identity)."""
        return self.codebook.hash

    def set_codebook(self, codebook: Codebook | str | Path | None) -> None:
        """Use another (e.g. edited) codebook; the base pipeline is kept, so cached Docs stay valid."""
        self.codebook = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        self.annotator = JourneyAnnotator(self.codebook, self.lang, self.nlp.vocab, self.nlp.make_doc)
        self.model_layer = self._model_layer()

    # ---------------------------------------------------------------- work
    def score_models(self, texts: list[str | None]) -> list[dict | None]:
        """The model heads' votes per text (field -> (ModelSpec, p)); None each when there are no models."""
        if not self.model_layer:
            return [None] * len(texts)
        return list(self.model_layer.scores([_clean(t) for t in texts]))

    def parse(self, texts: Iterable[str | None], batch_size: int = 256) -> Iterator[Doc]:
        """Run the base pipeline only (cache these Docs, e.g. in a DocBin)."""
        return self.nlp.pipe((_clean(t) for t in texts), batch_size=batch_size)

    def annotate(self, doc: Doc, context: str | Doc | None = None, model_scores: dict | None = None) -> TagResult:
        """Run the rule layers on an already parsed Doc; ``context`` (text or Doc) fills an empty stage.
        ``model_scores`` (from :meth:`score_models`) are computed for ``doc.text`` when not given."""
        ctx = None
        if context is not None:
            ctx = context if isinstance(context, Doc) else (self.nlp(_clean(context)) if _clean(context) else None)
        if model_scores is None and self.model_layer:
            model_scores = self.score_models([doc.text])[0]
        return self.annotator.annotate(doc, ctx, model_scores)

    def tag(self, texts: Iterable[str | None], contexts: Iterable[str | None] | None = None,
            batch_size: int = 256) -> Iterator[TagResult]:
        """Parse and annotate; ``contexts[i]`` is parsed only when segment i alone has no stage."""
        texts_it = iter(texts)
        ctx_it = iter(contexts) if contexts is not None else None
        chunk = max(1, batch_size) * 4
        while True:
            block = list(itertools.islice(texts_it, chunk))
            if not block:
                return
            ctxs = list(itertools.islice(ctx_it, len(block))) if ctx_it is not None else [None] * len(block)
            ctxs += [None] * (len(block) - len(ctxs))
            docs = list(self.parse(block, batch_size=batch_size))
            votes = self.score_models(block)
            results = [self.annotator.annotate(d, None, v) for d, v in zip(docs, votes)]
            need = [i for i, r in enumerate(results) if _clean(ctxs[i]) and _clean(block[i])
                    and self.annotator.needs_context(r)]
            if need:
                ctx_docs = self.nlp.pipe((_clean(ctxs[i]) for i in need), batch_size=batch_size)
                for i, cdoc in zip(need, ctx_docs):
                    results[i] = self.annotator.annotate(docs[i], cdoc, votes[i])
            yield from results

    def tag_one(self, text: str, context: str | None = None) -> TagResult:
        return next(self.tag([text], [context] if context is not None else None))

    def add_to_pipe(self, nlp: Language | None = None, name: str = "interviewkit_journey_v1") -> Language:
        """Add the all-in-one component (with this tagger's codebook) to ``nlp`` (default: the base pipeline copy)."""
        target = nlp if nlp is not None else self.nlp
        comp = target.add_pipe("interviewkit_journey_v1", name=name, config={"lang": self.lang, "models": self.use_models})
        comp.set_codebook(self.codebook)
        return target


def _clean(text: Any) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text)
