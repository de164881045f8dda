"""Person names: known names, names after a courtesy title, spaCy NER, first-name list.

Four sources, in this precedence when they overlap: known names (participants,
speakers, names the user adds, multi-word names already in the key) > names
after a title ("M. Petit") > NER ``PER`` entities > capitalised words of the
``first_names`` list. NER entities are cleaned with the word lists of
:mod:`.filters`; guesses (all but known names) right after a place word
("boulevard Jean Jaurès", "lycée Victor Hugo") are dropped.

>>> from .filters import default_filters
>>> m = KnownNameMatcher(["sophie lemaire"], ["sophie", "lemaire"], default_filters().ambiguous_name_words)
>>> [s.text for s in m.find("SOPHIE LEMAIRE, ou sophie, ou Lemaire, pas Sophie Martin")]
['SOPHIE LEMAIRE', 'sophie', 'Lemaire']
>>> [s.text for s in title_names("J'ai écrit à M. Petit puis à Monsieur le directeur.", default_filters())]
['Petit']
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .filters import NameFilters
from .text import Span, fold, normalise_name

PERSON_LABELS = frozenset({"PER", "PERSON"})
NAME_PARTICLES = frozenset({"de", "du", "des", "d", "le", "la", "les", "l", "van", "von", "der", "den",
                            "di", "da", "del", "dos", "ben", "bin", "el", "al", "y", "e"})

_UPPER = "A-ZÀ-ÖØ-Þ"
_NAME_WORD = rf"[{_UPPER}][\w'’]*(?:-[\w'’]+)*"
_NEXT_WORD = re.compile(rf"[ \t]+({_NAME_WORD})")
_PREV_WORD = re.compile(rf"({_NAME_WORD})[ \t]+$")
_NON_SPACE = re.compile(r"\S+")
_DIGIT_OR_AT = re.compile(r"[\d@]")
_PLACE_TAIL = re.compile(r"([a-z]+)\s+(?:(?:de\s+la|de\s+l'|du|des|de|d')\s*)?$")


def sentence_initial(text: str, start: int) -> bool:
    """True when ``text[start:]`` begins a sentence, a clause after ':' or a line."""
    i = start - 1
    while i >= 0 and (text[i].isspace() and text[i] != "\n" or text[i] in "\"'«»“”‘’-—–*"):
        i -= 1
    return i < 0 or text[i] in ".!?…:\n"


@lru_cache(maxsize=1)
def french_lexicon() -> frozenset[str]:
    """French common words (lemmas of spaCy's lookup tables, folded); empty when not installed.

    Used to drop sentence-initial capitalised nouns ("Livraison au 140...")
    that the NER model tags as persons.
    """
    try:
        from spacy.lookups import load_lookups

        table = load_lookups("fr", ["lemma_lookup"]).get_table("lemma_lookup")
    except Exception:  # spacy-lookups-data missing or unreadable: rule not applied
        return frozenset()
    words: set[str] = set()
    for value in table.values():
        for lemma in value if isinstance(value, list) else [value]:
            if isinstance(lemma, str) and lemma.isalpha():
                words.add(fold(lemma))
    return frozenset(words)


def name_parts(name: str) -> list[str]:
    """Normalised first/last-name parts of a full name that may stand alone.

    Whitespace separates parts (a hyphenated first name stays one part);
    particles and one-letter parts are left out.

    >>> name_parts("Jean-Pierre de La Fontaine")
    ['jean pierre', 'fontaine']
    """
    parts = []
    for raw in name.split():
        norm = normalise_name(raw)
        if len(norm) >= 2 and norm not in NAME_PARTICLES:
            parts.append(norm)
    return parts if len(parts) > 1 else []


class KnownNameMatcher:
    """Finds known names in any case and with or without accents.

    ``full_names`` match anywhere in any case. ``parts`` (first or last name
    alone) match in any case too, except those in ``ambiguous`` (ordinary
    words such as "petit", "claire"), which must start with a capital; a part
    glued to a hyphen ("Saint-Martin") or next to another capitalised name
    ("Victor Hugo" when "Hugo Martin" is known) is not a match.

    Matching walks the words of the text (linear time), so names can be added
    at any time with :meth:`add` without rebuilding anything.
    """

    _WORDS = re.compile(r"[^\W_]+")
    _GAP = re.compile(r"[\s\-']+")

    def __init__(self, full_names: Iterable[str], parts: Iterable[str], ambiguous: frozenset[str],
                 not_a_surname: frozenset[str] = frozenset()) -> None:
        self.full: set[str] = set()
        self.parts = {p for p in parts if p}
        self.ambiguous = ambiguous
        self.not_a_surname = not_a_surname
        self.longest = 1
        for name in full_names:
            self.add(name)

    def add(self, full_name: str) -> None:
        """Add a normalised full name (matched in any case)."""
        if full_name:
            self.full.add(full_name)
            self.parts.discard(full_name)
            self.longest = max(self.longest, len(full_name.split()))

    def find(self, text: str, folded: str | None = None) -> list[Span]:
        folded = fold(text) if folded is None else folded
        words = [(m.group(), m.start(), m.end()) for m in self._WORDS.finditer(folded)]
        spans = []
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(self.longest, len(words) - i), 0, -1):
                chunk = words[i:i + n]
                if n > 1 and not all(self._GAP.fullmatch(folded[a[2]:b[1]]) for a, b in zip(chunk, chunk[1:])):
                    continue
                norm = " ".join(w[0] for w in chunk)
                start, end = chunk[0][1], chunk[-1][2]
                if norm in self.full or (norm in self.parts and self._part_ok(text, norm, start, end)):
                    hit = (n, start, end)
                    break
            if hit is None:
                i += 1
                continue
            n, start, end = hit
            spans.append(Span(start, end, "PERS", text[start:end]))
            i += n
        return spans

    def _part_ok(self, text: str, norm: str, start: int, end: int) -> bool:
        if (start > 0 and text[start - 1] == "-") or text[end:end + 1] == "-":
            return False
        if norm in self.ambiguous and not text[start].isupper():
            return False
        return not self._other_name_next_to(text, start, end)

    def _other_name_next_to(self, text: str, start: int, end: int) -> bool:
        """True when a first or last name alone sits next to another capitalised name word:
        "Victor Hugo" or "Sophie Martin" name someone else than known "Hugo Martin" or "Sophie Lemaire"."""
        def other(word: str) -> bool:
            norm = normalise_name(word)
            return word[1:2].islower() and norm not in self.not_a_surname and norm not in self.parts

        nxt = _NEXT_WORD.match(text[end:end + 60])
        if nxt and other(nxt.group(1)):
            return True
        prev = _PREV_WORD.search(text[max(0, start - 60):start])
        if prev and other(prev.group(1)):
            return not sentence_initial(text, start - len(prev.group(0)))
        return False


def _title_regex(titles: tuple[str, ...]) -> re.Pattern[str]:
    exact = [t for t in titles if t != t.lower() or "." in t]
    loose = [t for t in titles if t not in exact]
    alternatives = []
    if exact:
        alternatives.append("|".join(re.escape(t) for t in sorted(exact, key=len, reverse=True)))
    if loose:
        alternatives.append("(?i:" + "|".join(re.escape(t) for t in sorted(loose, key=len, reverse=True)) + ")")
    particle = r"(?:(?:de|du|des|van|von|di|da|le|la)\s+|d['’])"
    name = rf"{_NAME_WORD}(?:\s+{particle}?{_NAME_WORD}){{0,2}}"
    return re.compile(rf"(?<![\w.])(?:{'|'.join(alternatives)})\s+({name})")


_TITLE_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def title_names(text: str, filters: NameFilters) -> list[Span]:
    """Names written after a courtesy title; the title itself is not part of the span."""
    regex = _TITLE_CACHE.get(filters.titles)
    if regex is None:
        regex = _TITLE_CACHE.setdefault(filters.titles, _title_regex(filters.titles))
    drop = filters.interjections | filters.stop_names
    spans = []
    for m in regex.finditer(text):
        words = [(w.start(), w.end()) for w in _NON_SPACE.finditer(text[m.start(1):m.end(1)])]
        base = m.start(1)
        while words and normalise_name(text[base + words[-1][0]:base + words[-1][1]]) in drop:
            words.pop()  # "Madame Durand Merci" -> "Durand"
        if not words:
            continue
        start, end = base, base + words[-1][1]
        norm = normalise_name(text[start:end])
        if all(w in NAME_PARTICLES for w in norm.split()):
            continue  # "Monsieur Le directeur"
        if norm in drop or normalise_name(text[m.start():end]) in filters.stop_names:
            continue  # "Mr Bricolage", "Madame Figaro"
        spans.append(Span(start, end, "PERS", text[start:end]))
    return spans


def _strip_listed(tokens: list, listed: frozenset[str], from_start: bool) -> list:
    """Remove the longest run of tokens at one edge whose joined text is in ``listed``."""
    for n in range(len(tokens), 0, -1):
        edge = tokens[:n] if from_start else tokens[-n:]
        if normalise_name(" ".join(t.text for t in edge)) in listed:
            return tokens[n:] if from_start else tokens[:-n]
    return tokens


def _not_name_edge(token, edge_words: frozenset[str]) -> bool:
    """A token that cannot start or end a name: punctuation, listed word, or lower case ("je crois")."""
    norm = normalise_name(token.text)
    return token.is_punct or token.is_space or not norm or norm in edge_words or token.text[:1].islower()


def ner_person_spans(doc, filters: NameFilters, offset: int = 0) -> list[Span]:
    """``PER``/``PERSON`` entities of a spaCy ``doc``, cleaned for spoken customer speech.

    Titles, interjections ("Bonjour", "Euh", "Voilà"...) and listed brands or
    places are cut from the edges; what is left is dropped when it is empty,
    listed, a single ALL-CAPS token (acronym), has no capital letter, or holds
    digits or '@'. Offsets are shifted by ``offset`` (for chunked documents).
    """
    edge_words = filters.interjections | filters.title_words | filters.not_names
    spans = []
    for ent in doc.ents:
        if ent.label_ not in PERSON_LABELS:
            continue
        tokens = [t for t in ent]
        changed = True
        while tokens and changed:
            before = len(tokens)
            while tokens and _not_name_edge(tokens[0], edge_words):
                tokens = tokens[1:]
            while tokens and _not_name_edge(tokens[-1], edge_words):
                tokens = tokens[:-1]
            tokens = _strip_listed(tokens, filters.stop_names, from_start=True)
            tokens = _strip_listed(tokens, filters.stop_names, from_start=False)
            changed = len(tokens) != before
        if not tokens:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        text = doc.text[start:end]
        norm = normalise_name(text)
        if not norm or norm in filters.stop_names or norm in filters.interjections:
            continue
        if len(tokens) == 1 and text.isupper() and len(text) >= 2:
            continue  # acronym: SAV, CAF, RIB...
        if not any(t.text[:1].isupper() for t in tokens) or _DIGIT_OR_AT.search(text) or len(norm) < 2:
            continue
        if all(normalise_name(t.text) in NAME_PARTICLES for t in tokens):
            continue
        if len(tokens) == 1 and norm not in filters.first_names and sentence_initial(doc.text, start) \
                and norm in french_lexicon():
            continue  # "Livraison au 140 route..." at the start of a sentence
        spans.append(Span(start + offset, end + offset, "PERS", text))
    return spans


_CAP_WORD = re.compile(rf"(?<![\w-]){_NAME_WORD}(?![\w-])")
_FOLLOWING = re.compile(rf"[ \t]+(?:(?:de|du|des|van|von|le|la)[ \t]+|d['’])?({_NAME_WORD})(?![\w-])")


def gazetteer_names(text: str, filters: NameFilters) -> list[Span]:
    """Capitalised first names of the ``first_names`` list, with a following capitalised surname.

    Skipped: words of ``stop_names``; ``ambiguous_name_words`` ("Claire", "Rose")
    at the start of a sentence; hyphenated words whose parts are not all first
    names ("Saint-Martin").
    """
    blocked = filters.never_names
    spans: list[Span] = []
    for m in _CAP_WORD.finditer(text):
        if spans and m.start() < spans[-1].end:
            continue  # already taken as the surname of the previous name
        word = m.group()
        if not (word.istitle() or word.isupper() or "-" in word):
            continue
        norm = normalise_name(word)
        if norm not in filters.first_names and not (
                "-" in word and all(normalise_name(p) in filters.first_names for p in word.split("-"))):
            continue
        if norm in blocked or (norm in filters.ambiguous_name_words and sentence_initial(text, m.start())):
            continue
        end, extra = m.end(), 0
        while extra < 2:
            nxt = _FOLLOWING.match(text, end)
            if not nxt or normalise_name(nxt.group(1)) in blocked:
                break
            end, extra = nxt.end(1), extra + 1
        spans.append(Span(m.start(), end, "PERS", text[m.start():end]))
    return spans


def after_place_word(text: str, start: int, filters: NameFilters) -> bool:
    """True when ``text[start:]`` follows a place word ("boulevard Jean Jaurès", "lycée Victor Hugo")."""
    before = fold(text[max(0, start - 40):start])
    m = _PLACE_TAIL.search(before)
    return bool(m) and m.group(1) in filters.place_words


def merge_person_spans(*sources: list[Span]) -> list[Span]:
    """Person spans from several sources; a span overlapping one from an earlier source is dropped."""
    kept: list[Span] = []
    for source in sources:
        accepted = [s for s in source if all(s.end <= k.start or s.start >= k.end for k in kept)]
        kept.extend(accepted)
    return sorted(set(kept), key=lambda s: s.start)
