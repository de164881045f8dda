"""Short action phrases ("appeler l'assureur", "ne pas recevoir le devis") from customer speech.

Each French segment is parsed once with spaCy ``fr_core_news_sm``; every verb
(not an auxiliary, not a modal or a verb of saying/thinking) gives one phrase:
the verb's lemma, ``ne pas`` when it is negated, and its object or argument
complement as written (at most a few words: determiner, noun, adjectives, one
``de``-complement). Phrases are grouped by a *key* made of lemmas only
(``appeler|assureur``), so "j'ai appelé l'assureur" and "on appelle les
assureurs" fall together; the label shown is the most frequent written form.

Each phrase also records who does the action, from the verb's subject:
``first`` (je, me, moi, nous), ``on``, ``other`` (il, elle, a noun: the
company or a third party), ``none`` (infinitive, no subject) or ``passive``.
Customer actions keep first/on/none; back-office steps keep on/other/passive/none.

Pseudonyms (``[PERS-001]``) are swapped for plain words while parsing (the
parser reads brackets badly) and put back in the phrases.

The extractor never invents text: a phrase is made of words of the segment,
the verb put in its infinitive (lemma).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

MODEL = "fr_core_news_sm"
# Verbs that never make an action on their own (auxiliaries, modals, saying/thinking).
SKIP_VERBS = frozenset(
    "être avoir pouvoir vouloir devoir falloir sembler paraître croire penser savoir dire "
    "imaginer espérer souhaiter aimer adorer détester préférer rendre compter".split()
)
# Verbs too vague without a complement ("faire", "aller"): kept only with one.
NEED_COMPLEMENT = frozenset(
    "faire aller venir mettre prendre donner voir trouver passer rester arriver demander parler "
    "regarder laisser tenir sortir commencer continuer finir essayer tenter arrêter chercher "
    "recevoir envoyer expliquer répondre changer lire écrire marcher partir".split()
)
NEGATORS = frozenset({"pas", "jamais", "rien", "plus", "guère", "aucun", "aucune"})
FIRST_PERSON = frozenset({"je", "j'", "me", "m'", "moi", "nous"})
COMPLEMENT_DEPS = ("obj", "obl:arg", "obl:agent", "iobj")
KEEP_IN_COMPLEMENT = frozenset({"det", "amod", "nummod", "compound", "flat", "flat:name", "fixed", "case"})
MAX_COMPLEMENT_WORDS = 5
_INFINITIVE = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ-]{1,30}(?:er|ir|ïr|re|oir)")
_PSEUDONYM = re.compile(r"\[([A-Z]+)-(\d+)\]")
_STAND_IN = {"PERS": "Martin", "EMAIL": "courriel", "TEL": "numéro", "ADRESSE": "adresse", "IBAN": "iban",
             "CARTE": "carte", "PLAQUE": "plaque", "NIR": "numéro"}
_NOT_OBJECTS = frozenset({"fois"})  # "relancer trois fois": a count, not an object
_PRONOUN_OBJECTS = frozenset("le la les l' lui leur en y me m' te t' se s' nous vous ça cela ce c' qui que quoi".split())


@dataclass(frozen=True)
class Phrase:
    """One action phrase: grouping ``key`` (lemmas), ``label`` (written), ``verb`` lemma, ``subject`` class."""

    key: str
    label: str
    verb: str
    subject: str
    negated: bool = False
    root: bool = False


def normalise_key(text: str) -> str:
    """Lower-case, NFC, single spaces: how item keys are compared."""
    text = unicodedata.normalize("NFC", str(text)).lower().strip()
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def default_extractor() -> PhraseExtractor:
    """One shared extractor (its parse cache lives as long as the process)."""
    return PhraseExtractor()


@lru_cache(maxsize=1)
def load_pipeline():
    """The French spaCy pipeline with parser and lemmatizer (NER excluded), loaded once."""
    import spacy

    return spacy.load(MODEL, exclude=["ner"])


class PhraseExtractor:
    """Extracts action phrases from texts; parses each distinct text once (cache kept on the instance)."""

    def __init__(self, nlp=None, batch_size: int = 256) -> None:
        self._nlp = nlp
        self.batch_size = batch_size
        self._cache: dict[str, tuple[Phrase, ...]] = {}

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = load_pipeline()
        return self._nlp

    def extract(self, texts: Iterable[str]) -> list[tuple[Phrase, ...]]:
        texts = [str(t or "") for t in texts]
        todo = sorted({t for t in texts if t not in self._cache})
        if todo:
            prepared = [_swap_pseudonyms(t) for t in todo]
            docs = self.nlp.pipe([p[0] for p in prepared], batch_size=self.batch_size)
            for text, (_, swaps), doc in zip(todo, prepared, docs):
                self._cache[text] = tuple(phrases_of_doc(doc, swaps))
        return [self._cache[t] for t in texts]


def _swap_pseudonyms(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Replace ``[KIND-NNN]`` by a plain word; returns the new text and (start, end, original) spans."""
    out, swaps, pos = [], [], 0
    length = 0
    for m in _PSEUDONYM.finditer(text):
        before = text[pos:m.start()]
        out.append(before)
        length += len(before)
        word = _STAND_IN.get(m.group(1), "chose")
        swaps.append((length, length + len(word), m.group(0)))
        out.append(word)
        length += len(word)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), swaps


def _written(token, swaps) -> str:
    for start, end, original in swaps:
        if start <= token.idx < end:
            return original
    return token.text.lower()


def _lemma(token, swaps) -> str:
    for start, end, original in swaps:
        if start <= token.idx < end:
            return original
    return normalise_key(token.lemma_ or token.text)


def _subject_class(verb) -> str:
    node, seen = verb, 0
    while node is not None and seen < 6:
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubj:pass", "expl:subj")]
        if subjects:
            if any(c.dep_ == "nsubj:pass" for c in subjects):
                return "passive"
            lowers = {c.lower_ for c in subjects}
            if lowers <= FIRST_PERSON:
                return "first"
            if lowers == {"on"}:
                return "on"
            return "other"
        if node.dep_ in ("xcomp", "conj") and node.head is not node:
            node, seen = node.head, seen + 1
            continue
        return "none"
    return "none"


def _is_negated(verb) -> bool:
    lowers = {c.lower_ for c in verb.children if c.dep_ in ("advmod", "advmod:neg", "det", "nsubj")}
    if lowers & {"pas", "jamais", "guère"}:
        return True
    has_ne = bool(lowers & {"ne", "n'"})
    return has_ne and bool(lowers & NEGATORS)


def _complement(verb, swaps) -> tuple[str, str] | None:
    """(written words, key lemma) of the verb's object or argument complement, if any."""
    candidates = [c for c in verb.children if c.dep_ in COMPLEMENT_DEPS and c.pos_ in ("NOUN", "PROPN", "NUM")
                  and c.lower_ not in _NOT_OBJECTS]
    if candidates:
        head = sorted(candidates, key=lambda t: (COMPLEMENT_DEPS.index(t.dep_), t.i))[0]
    else:  # passive: "le dossier a été transmis" -> "transmettre le dossier"
        passive = [c for c in verb.children if c.dep_ == "nsubj:pass" and c.pos_ in ("NOUN", "PROPN")]
        if not passive:
            return None
        head = sorted(passive, key=lambda t: (abs(verb.i - t.i), t.i))[0]
    if head.lower_ in _PRONOUN_OBJECTS:
        return None
    keep = {head.i}
    for child in head.children:
        if child.dep_ in KEEP_IN_COMPLEMENT:
            keep.add(child.i)
        elif child.dep_ == "nmod" and child.i > head.i and child.pos_ in ("NOUN", "PROPN"):
            keep.add(child.i)
            keep.update(g.i for g in child.children if g.dep_ in ("case", "det"))
    start = end = head.i  # the contiguous run of kept words around the head
    while start - 1 in keep:
        start -= 1
    while end + 1 in keep:
        end += 1
    doc = head.doc
    words = [_written(doc[i], swaps) for i in range(start, end + 1) if not doc[i].is_punct]
    words = words[:MAX_COMPLEMENT_WORDS]
    return _join_words(words), _lemma(head, swaps)


def _join_words(words: list[str]) -> str:
    text = ""
    for w in words:
        if not text or text.endswith("'") or text.endswith("’"):
            text += w
        else:
            text += " " + w
    return text


def phrases_of_doc(doc, swaps=()) -> list[Phrase]:
    """Action phrases of one parsed segment, in text order."""
    out: list[Phrase] = []
    seen: set[str] = set()
    for tok in doc:
        if tok.pos_ != "VERB" or tok.dep_ in ("aux", "aux:tense", "aux:pass", "cop", "acl"):
            continue
        verb = normalise_key(tok.lemma_)
        if verb in SKIP_VERBS or not _INFINITIVE.fullmatch(verb):
            continue
        comp = _complement(tok, swaps)
        if comp is None and verb in NEED_COMPLEMENT:
            continue
        negated = _is_negated(tok)
        prefix = "ne pas " if negated else ""
        if comp is None:
            key, label = prefix + verb, prefix + verb
        else:
            written, lemma = comp
            key = f"{prefix}{verb}|{lemma}"
            label = f"{prefix}{verb} {written}"
        if key in seen:
            continue
        seen.add(key)
        out.append(Phrase(key=key, label=label, verb=verb, subject=_subject_class(tok), negated=negated,
                          root=tok.dep_ == "ROOT"))
    return out


CUSTOMER_SUBJECTS = frozenset({"first", "on", "none"})
BACKSTAGE_SUBJECTS = frozenset({"on", "other", "passive", "none"})


def best_phrase(phrases: Iterable[Phrase], subjects: frozenset[str] | None = None) -> Phrase | None:
    """The phrase that best names what a segment is about: negated first, then the main verb, then order."""
    pool = [p for p in phrases if subjects is None or p.subject in subjects]
    if not pool:
        return None
    ranked = sorted(enumerate(pool), key=lambda ip: (not ip[1].negated, not ip[1].root, ip[0]))
    return ranked[0][1]
