"""spaCy pipeline components (factories) for journey tagging, usable in any pipeline.

>>> import spacy, interviewkit.tagging  # registers the factories
>>> nlp = spacy.blank("fr")
>>> _ = nlp.add_pipe("interviewkit_journey_v1")
>>> nlp("J'ai appelé le SAV, personne ne m'a rappelé.")._.journey.channel
['phone']

Factories (all take ``codebook`` = a codebook YAML path or None for the
default, and ``lang`` = None for the pipeline's language; the two deciding ones
also take ``models`` = False to leave out the codebook's model votes):

* ``interviewkit_lemma_exceptions_v1`` -- rewrites ``token.lemma_`` from the
  codebook's lemma exceptions (optional: the matchers apply them anyway);
* ``interviewkit_journey_rules_v1`` -- finds the label patterns -> ``doc._.journey_cues``;
* ``interviewkit_negation_v1`` -- marks negated cues -> ``doc._.journey_scopes``;
* ``interviewkit_intensity_v1`` -- marks intensified cues -> ``doc._.journey_emphasis``;
* ``interviewkit_journey_decide_v1`` -- decides the tags -> ``doc._.journey`` (a TagResult);
* ``interviewkit_journey_v1`` -- the four rule layers in one component.

Set ``doc._.journey_context`` (text or Doc of the surrounding turn) before the
decision component runs to let it fill an empty stage from context. Each
component saves its codebook with ``to_disk`` (``codebook.yml`` + lexicon
files), so a saved pipeline carries its rules; ``import interviewkit.tagging``
before ``spacy.load`` so the factories are registered.
"""
from __future__ import annotations

import json
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from interviewkit.codebook import Codebook, default_codebook_path, load_codebook
from interviewkit.errors import ConfigError
from interviewkit.tagging.annotator import CONTEXT_FIELDS, JourneyAnnotator
from interviewkit.tagging.models import ModelLayer

for _name, _default in (("journey", None), ("journey_cues", None), ("journey_scopes", None),
                        ("journey_emphasis", None), ("journey_context", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


_CODEBOOKS: OrderedDict[tuple, Codebook] = OrderedDict()
_ANNOTATORS: OrderedDict[tuple, JourneyAnnotator] = OrderedDict()
_CACHE_SIZE = 8


def _load_cached(ref: str | Path | None) -> Codebook:
    """load_codebook with a small cache keyed on the file's path, mtime and size (a private copy is returned)."""
    path = Path(ref) if ref is not None else default_codebook_path()
    try:
        st = path.stat()
    except OSError:
        return load_codebook(path)  # raises the proper ConfigError
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _CODEBOOKS:
        _CODEBOOKS[key] = load_codebook(path)
        while len(_CODEBOOKS) > _CACHE_SIZE:
            _CODEBOOKS.popitem(last=False)
    return _CODEBOOKS[key].copy()


def shared_annotator(codebook: Codebook, lang: str, nlp: Language) -> JourneyAnnotator:
    """Compiled rule layers, shared by components with the same vocab, language and codebook content."""
    key = (id(nlp.vocab), lang, codebook.hash)
    ann = _ANNOTATORS.get(key)
    if ann is None or ann.index.vocab is not nlp.vocab:
        ann = JourneyAnnotator(codebook.copy(), lang, nlp.vocab, nlp.make_doc)
        _ANNOTATORS[key] = ann
        while len(_ANNOTATORS) > _CACHE_SIZE:
            _ANNOTATORS.popitem(last=False)
    return ann


class _CodebookComponent:
    """Base: holds a (lazily loaded) codebook and its compiled annotator; (de)serialises the codebook."""

    def __init__(self, nlp: Language, name: str, codebook: str | None = None, lang: str | None = None,
                 models: bool = True) -> None:
        self.nlp = nlp
        self.name = name
        self.lang = lang or nlp.lang
        self.models = models
        self._ref = codebook
        self._codebook: Codebook | None = None
        self._annotator: JourneyAnnotator | None = None
        self._layer: ModelLayer | None = None
        if codebook is None or Path(codebook).exists():
            self._codebook = _load_cached(codebook)

    @property
    def codebook(self) -> Codebook:
        if self._codebook is None:
            raise ConfigError("E505", f"component {self.name!r}: codebook file not found", path=self._ref,
                              hint="give an existing codebook path in the component config, or load the saved pipeline")
        return self._codebook

    def set_codebook(self, codebook: Codebook | str | Path | None) -> None:
        """Swap the rules (e.g. after a codebook edit); patterns are recompiled on the next call."""
        self._codebook = codebook if isinstance(codebook, Codebook) else _load_cached(codebook)
        self._annotator = None
        self._layer = None

    def model_scores(self, docs: list[Doc]) -> list[dict | None]:
        """The codebook's model votes for ``docs`` (None each when ``models`` is off or there are none)."""
        if not self.models:
            return [None] * len(docs)
        if self._layer is None:
            self._layer = ModelLayer.for_codebook(self.codebook, self.lang)
        if not self._layer:
            return [None] * len(docs)
        return list(self._layer.scores([d.text for d in docs]))

    @property
    def annotator(self) -> JourneyAnnotator:
        if self._annotator is None:  # compiled once; set_codebook() after editing the codebook
            self._annotator = shared_annotator(self.codebook, self.lang, self.nlp)
        return self._annotator

    # --------------------------------------------------------------- serialisation
    def to_disk(self, path: str | Path, *, exclude: Any = tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.codebook.save(path / "codebook.yml", copy_lexicons=True)
        (path / "cfg.json").write_text(json.dumps({"lang": self.lang, "codebook_hash": self.codebook.hash}), "utf-8")

    def from_disk(self, path: str | Path, *, exclude: Any = tuple()) -> _CodebookComponent:
        path = Path(path)
        cfg = json.loads((path / "cfg.json").read_text("utf-8")) if (path / "cfg.json").exists() else {}
        self.lang = cfg.get("lang", self.lang)
        self.set_codebook(path / "codebook.yml")
        return self

    def to_bytes(self, *, exclude: Any = tuple()) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp)
            files = {p.name: p.read_bytes() for p in Path(tmp).iterdir()}
        return srsly.msgpack_dumps(files)

    def from_bytes(self, data: bytes, *, exclude: Any = tuple()) -> _CodebookComponent:
        files = srsly.msgpack_loads(data)
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in files.items():
                (Path(tmp) / name).write_bytes(content)
            self.from_disk(tmp)
        return self


def parse_context(nlp: Language, context: Any) -> Doc | None:
    """A Doc for ``context``: a Doc is kept, a text runs through the components before the journey ones."""
    if context is None:
        return None
    if isinstance(context, Doc):
        return context
    text = str(context)
    if not text.strip():
        return None
    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:
        if name.startswith("interviewkit") or getattr(proc, "_is_interviewkit", False):
            break
        doc = proc(doc)
    return doc


class LemmaExceptions(_CodebookComponent):
    _is_interviewkit = True

    def __call__(self, doc: Doc) -> Doc:
        exc = self.codebook.exceptions(self.lang)
        if exc:
            for t in doc:
                fixed = exc.get(t.lower_)
                if fixed:
                    t.lemma_ = fixed
        return doc


class JourneyRules(_CodebookComponent):
    _is_interviewkit = True

    def __call__(self, doc: Doc) -> Doc:
        doc._.journey_cues = self.annotator.match(doc)
        return doc


class Negation(_CodebookComponent):
    _is_interviewkit = True

    def __call__(self, doc: Doc) -> Doc:
        cues = doc._.journey_cues or []
        doc._.journey_scopes = self.annotator.negation.apply(doc, cues)
        return doc


class Intensity(_CodebookComponent):
    _is_interviewkit = True

    def __call__(self, doc: Doc) -> Doc:
        cues = doc._.journey_cues or []
        doc._.journey_emphasis = self.annotator.intensity.apply(doc, cues, doc._.journey_scopes or [])
        return doc


class _BatchedModels:
    """``pipe`` embeds each batch once for the model layer (``nlp.pipe`` calls it)."""

    def pipe(self, stream, batch_size: int = 128):
        for batch in minibatch(stream, size=batch_size):
            for doc, scores in zip(batch, self.model_scores(batch)):
                yield self._apply(doc, scores)

    def __call__(self, doc: Doc) -> Doc:
        return self._apply(doc, self.model_scores([doc])[0])


class JourneyDecide(_BatchedModels, _CodebookComponent):
    _is_interviewkit = True

    def _apply(self, doc: Doc, scores: dict | None) -> Doc:
        ann = self.annotator
        ctx = parse_context(self.nlp, doc._.journey_context)
        ctx_cues = None
        if ctx is not None:
            ctx_cues, _ = ann.layers(ctx, fields=CONTEXT_FIELDS)
            for c in ctx_cues:
                c.source = "context"
        result = ann.decider.decide(doc._.journey_cues or [], doc._.journey_emphasis, ctx_cues, scores)
        for f in ("stage", "channel", "moments"):
            order = ann.decider.order[f]
            setattr(result, f, sorted(getattr(result, f), key=lambda x: order.get(x, 99)))
        doc._.journey = result
        return doc


class Journey(_BatchedModels, _CodebookComponent):
    """All rule layers and the model votes in one component (what :class:`JourneyTagger` runs on parsed Docs)."""

    _is_interviewkit = True

    def _apply(self, doc: Doc, scores: dict | None) -> Doc:
        self.annotator.annotate(doc, parse_context(self.nlp, doc._.journey_context), scores)
        return doc


_CONFIG = {"codebook": None, "lang": None}
_DECIDE_CONFIG = {"codebook": None, "lang": None, "models": True}


@Language.factory("interviewkit_lemma_exceptions_v1", default_config=_CONFIG)
def make_lemma_exceptions(nlp: Language, name: str, codebook: str | None, lang: str | None) -> LemmaExceptions:
    return LemmaExceptions(nlp, name, codebook, lang)


@Language.factory("interviewkit_journey_rules_v1", default_config=_CONFIG)
def make_journey_rules(nlp: Language, name: str, codebook: str | None, lang: str | None) -> JourneyRules:
    return JourneyRules(nlp, name, codebook, lang)


@Language.factory("interviewkit_negation_v1", default_config=_CONFIG)
def make_negation(nlp: Language, name: str, codebook: str | None, lang: str | None) -> Negation:
    return Negation(nlp, name, codebook, lang)


@Language.factory("interviewkit_intensity_v1", default_config=_CONFIG)
def make_intensity(nlp: Language, name: str, codebook: str | None, lang: str | None) -> Intensity:
    return Intensity(nlp, name, codebook, lang)


@Language.factory("interviewkit_journey_decide_v1", default_config=_DECIDE_CONFIG)
def make_journey_decide(nlp: Language, name: str, codebook: str | None, lang: str | None,
                        models: bool) -> JourneyDecide:
    return JourneyDecide(nlp, name, codebook, lang, models)


@Language.factory("interviewkit_journey_v1", default_config=_DECIDE_CONFIG)
def make_journey(nlp: Language, name: str, codebook: str | None, lang: str | None, models: bool) -> Journey:
    return Journey(nlp, name, codebook, lang, models)


FACTORIES = (
    "interviewkit_lemma_exceptions_v1",
    "interviewkit_journey_rules_v1",
    "interviewkit_negation_v1",
    "interviewkit_intensity_v1",
    "interviewkit_journey_decide_v1",
    "interviewkit_journey_v1",
)
