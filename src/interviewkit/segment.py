"""Split (pseudonymised) turn text into sentence segments with character offsets.

Sentences come from the spaCy French pipeline's statistical sentence
segmenter (``senter``: only ``tok2vec`` and ``senter`` run, which is several
times faster than the parser). Fragments of fewer than ``min_words`` words
("Bon.", "Oui.") are merged into the neighbouring sentence so that later steps
do not tag interjections alone. Very long turns are cut into chunks on
whitespace before parsing, so a 1 MB line never reaches spaCy whole.

>>> seg = Segmenter(nlp=_blank_sentencizer())
>>> [(s.start_char, s.end_char) for s in seg.split("Bonjour. J'ai appelé le SAV hier. Personne ne rappelle !")]
[(0, 33), (34, 56)]
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
CHUNK_CHARS = 20_000
PUNCT_RUN = 100
_PUNCT_RUN = re.compile(r"[^\w\s]{%d}" % PUNCT_RUN)

DEFAULT_MODELS = {"fr": "fr_core_news_sm", "en": None}


@dataclass(frozen=True)
class Span:
    """A segment of a turn: ``[start_char, end_char)`` in the turn text."""

    start_char: int
    end_char: int
    text: str


def _blank_sentencizer(lang: str = "fr"):
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=4)
def load_segmenter_pipeline(lang: str = "fr"):
    """The spaCy pipeline used to find sentences for ``lang`` (cached per process).

    French uses ``fr_core_news_sm`` restricted to ``tok2vec`` + ``senter``;
    other languages (no official pipeline installable here) use a blank
    pipeline with the rule-based sentencizer.
    """
    import spacy

    model = DEFAULT_MODELS.get(lang)
    if model is None:
        return _blank_sentencizer(lang if lang in {"en", "fr", "de", "es", "it"} else "xx")
    nlp = spacy.load(model, exclude=["parser", "ner", "morphologizer", "lemmatizer", "attribute_ruler"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


def _chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``size`` chars, on a newline or space when possible.

    A run of :data:`PUNCT_RUN` or more punctuation/symbol characters without a space ("((((", "«»«»",
    "……": garbage, never words) is cut into pieces of that length: spaCy's tokenizer strips prefixes and
    suffixes one character at a time, which is quadratic on one such token (20,000 of them took a minute).
    """
    pos, n = 0, len(text)
    while pos < n:
        end = min(pos + size, n)
        if end < n:
            for sep in ("\n", ". ", "? ", "! ", " "):
                cut = text.rfind(sep, pos, end)
                if cut > pos + size // 2:
                    end = cut + len(sep.rstrip()) if sep != " " else cut + 1
                    break
        run = _PUNCT_RUN.search(text, pos, end)
        if run is not None:
            end = run.start() if run.start() > pos else pos + PUNCT_RUN
        yield pos, text[pos:end]
        pos = end


class Segmenter:
    """Sentence segmenter; ``split`` for one text, ``split_many`` for batches (uses ``nlp.pipe``)."""

    def __init__(self, lang: str = "fr", nlp=None, min_words: int = 3, batch_size: int = 128) -> None:
        self.lang = lang
        self.nlp = nlp
        self.min_words = min_words
        self.batch_size = batch_size

    def _pipeline(self):
        if self.nlp is None:
            self.nlp = load_segmenter_pipeline(self.lang)
        return self.nlp

    def split(self, text: str) -> list[Span]:
        return next(iter(self.split_many([text])))

    def split_many(self, texts: Iterable[str]) -> Iterator[list[Span]]:
        """Yield, for each text, its segments (possibly empty for blank text)."""
        nlp = self._pipeline()
        texts = list(texts)
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, chunk)
        for i, text in enumerate(texts):
            for offset, chunk in _chunks(text):
                pieces.append((i, offset, chunk))
        raw: list[list[tuple[int, int]]] = [[] for _ in texts]
        docs = nlp.pipe((p[2] for p in pieces), batch_size=self.batch_size)
        for (i, offset, _), doc in zip(pieces, docs):
            for sent in doc.sents:
                raw[i].append((offset + sent.start_char, offset + sent.end_char))
        for text, bounds in zip(texts, raw):
            yield self._finish(text, bounds)

    def _finish(self, text: str, bounds: list[tuple[int, int]]) -> list[Span]:
        trimmed: list[tuple[int, int]] = []
        for start, end in bounds:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                trimmed.append((start, end))
        # [start, end, is_short, words]; the word count of a merged segment is kept up to date instead of
        # being recounted (recounting made a long run of short fragments quadratic: 80 kB of "Oui. " took 20 s).
        merged: list[list[int]] = []
        for start, end in trimmed:
            words = len(_WORD.findall(text, start, end))
            short = words < self.min_words
            if merged and (short or merged[-1][2]):
                last = merged[-1]
                # two runs of word characters that touch across the boundary are one word
                joined = (last[1] == start and _WORD.match(text, start - 1, start) is not None
                          and _WORD.match(text, start, start + 1) is not None)
                last[3] += words - (1 if joined else 0)
                last[1] = end
                last[2] = int(last[3] < self.min_words)
            else:
                merged.append([start, end, int(short), words])
        return [Span(s, e, text[s:e]) for s, e, _, _ in merged]


def interpolate_times(
    spans: list[Span], length: int, start: float | None, end: float | None
) -> list[tuple[float | None, float | None]]:
    """Estimate each segment's start/end seconds from the turn's times, in proportion to characters.

    >>> interpolate_times([Span(0, 5, "a"), Span(5, 10, "b")], 10, 10.0, 20.0)
    [(10.0, 15.0), (15.0, 20.0)]
    """
    if start is None:
        return [(None, None) for _ in spans]
    if end is None or end <= start or length == 0:
        return [(start, end) for _ in spans]
    scale = (end - start) / length
    return [(round(start + s.start_char * scale, 3), round(start + s.end_char * scale, 3)) for s in spans]
