"""The rule layers chained on one parsed Doc: match -> negation -> intensity -> decision.

:class:`JourneyAnnotator` holds the compiled codebook for one language and
works on any Doc whose tokens (and, for lemma patterns, lemmas) are set; it
never modifies the Doc except for the ``Doc._`` extension attributes.
"""
from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc
from spacy.vocab import Vocab

from interviewkit.codebook import Codebook
from interviewkit.tagging.decide import Decider
from interviewkit.tagging.intensity import Emphasis, IntensityLayer
from interviewkit.tagging.matching import PatternIndex, field_index, lexicon_cues
from interviewkit.tagging.negation import NegationLayer
from interviewkit.tagging.result import Cue, TagResult

# Context fills the stage only: a channel must be named or implied by the segment itself
# (gold convention), while the stage of "Je n'y comprenais plus rien." comes from the story.
CONTEXT_FIELDS = ("stage",)


class JourneyAnnotator:
    """Compiled rule layers for one codebook and one language."""

    def __init__(self, codebook: Codebook, lang: str, vocab: Vocab, make_doc: Callable[[str], Doc]) -> None:
        self.codebook = codebook
        self.lang = lang
        self.index: PatternIndex = field_index(codebook, lang, vocab, make_doc)
        self.negation = NegationLayer(codebook, lang, vocab, make_doc)
        self.intensity = IntensityLayer(codebook, lang, vocab, make_doc)
        self.decider = Decider(codebook)

    # ------------------------------------------------------------------ layers
    def match(self, doc: Doc, keys=None, fields: tuple[str, ...] | None = None) -> list[Cue]:
        """Field cues found in ``doc`` (lexicon matches expanded into emotion/valence cues)."""
        keys = keys or self.index.token_keys(doc)
        cues: list[Cue] = []
        for m in self.index(doc, keys):
            meta = m.meta
            if fields is not None and meta.field not in fields:
                continue
            start_char, end_char = keys.starts[m.start], keys.ends[m.end - 1]
            text = keys.text[start_char:end_char]
            if meta.field == "_lexicon":
                tok_lower, tok_lemma = keys.lowers[m.start], keys.lemmas[m.start]
                for label, w, val in lexicon_cues(meta, tok_lower, tok_lemma, self.decider.default_valence):
                    field = "_valence" if label == "_valence" else "emotion"
                    cues.append(Cue(field, label if field == "emotion" else "_valence", meta.rule, m.start, m.end,
                                    start_char, end_char, text, w, val, None))
                continue
            cues.append(Cue(meta.field, meta.label, meta.rule, m.start, m.end, start_char, end_char, text,
                            meta.weight, meta.valence, meta.on_negation))
        return cues

    def layers(self, doc: Doc, fields: tuple[str, ...] | None = None) -> tuple[list[Cue], Emphasis]:
        """Run matching, negation and intensity; return the marked cues and the segment emphasis."""
        keys = self.index.token_keys(doc)
        cues = self.match(doc, keys, fields)
        breaks = self.negation.break_tokens(doc, keys)
        scopes = self.negation.apply(doc, cues, keys, breaks)
        emphasis = self.intensity.apply(doc, cues, scopes, keys, breaks)
        return cues, emphasis

    def annotate(self, doc: Doc, context: Doc | None = None, model_scores: dict | None = None) -> TagResult:
        """Tag one parsed segment; ``context`` (a parsed Doc of the surrounding turn) fills an empty stage;
        ``model_scores`` (field -> (ModelSpec, p), see :class:`~interviewkit.tagging.models.ModelLayer`) are
        the model heads' votes on this segment."""
        cues, emphasis = self.layers(doc)
        ctx_cues = None
        if context is not None and len(context):
            ctx_cues, _ = self.layers(context, fields=CONTEXT_FIELDS)
            for c in ctx_cues:
                c.source = "context"
        result = self.decider.decide(cues, emphasis, ctx_cues, model_scores)
        for f in ("stage", "channel", "moments"):
            order = self.decider.order[f]
            setattr(result, f, sorted(getattr(result, f), key=lambda x: order.get(x, 99)))
        _set_extensions(doc, result, cues)
        return result

    def needs_context(self, result: TagResult) -> bool:
        """True when the segment's own cues give no stage (a stage only derived by default counts as none)."""
        if not result.stage:
            return True
        own = {e["label"] for e in result.evidence if e.get("field") == "stage" and e.get("source") != "derived"}
        return not own


def _set_extensions(doc: Doc, result: TagResult, cues: list[Cue]) -> None:
    if Doc.has_extension("journey"):
        doc._.journey = result
        doc._.journey_cues = cues


