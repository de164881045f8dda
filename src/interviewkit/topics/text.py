"""Text preparation for topic keywords and labels: stop words, spoken fillers, spaCy lemmas.

* Stop words are package data (``interviewkit/data/stopwords/{fr,en,fillers}.txt``), written for
  spoken customer French: they include fillers such as "euh", "bah", "genre", "voilà"; multi-word
  fillers ("du coup", "en fait") are removed from the text before analysis.
* Pseudonyms (``[PERS-001]``, participant ids such as ``P03``) never become keywords.
* French segments are lemmatised with ``fr_core_news_sm`` (morphologizer, parser, rule lemmatiser;
  NER disabled); English segments with spaCy's lookup lemmatiser (spacy-lookups-data).
* For each segment the analyser also extracts label candidates: noun phrases over spaCy POS
  (NOUN; NOUN ADJ; NOUN de (DET) NOUN; NOUN (ADV) participle; acronym + NOUN) and, from the
  dependency parse, "object + (jamais|non) + participle" ("je n'ai jamais reçu la facture" ->
  "facture jamais reçue") and "nominalised verb + de + object" ("attendre le devis" ->
  "attente du devis").
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..errors import ConfigError

__all__ = ["load_stopwords", "load_fillers", "clean_text", "TextAnalyzer", "Analysis", "NOMINALISATIONS"]

PSEUDONYM_RE = re.compile(r"\[[A-ZÉ]+-\d+\]|\b[Pp]\d{1,4}\b")
_WORD_RE = re.compile(r"^[a-zà-öø-ÿœæ][a-zà-öø-ÿœæ'’-]*$")

# verb lemma -> noun used to build "attente du devis" style labels (editable, French only)
NOMINALISATIONS = {
    "attendre": "attente", "recevoir": "réception", "rappeler": "rappel", "refuser": "refus",
    "rembourser": "remboursement", "payer": "paiement", "livrer": "livraison", "envoyer": "envoi",
    "répondre": "réponse", "annuler": "annulation", "facturer": "facturation", "valider": "validation",
    "scanner": "scan", "connecter": "connexion", "réparer": "réparation", "contacter": "contact",
    "transférer": "transfert", "renvoyer": "renvoi", "confirmer": "confirmation", "relancer": "relance",
    "résilier": "résiliation", "modifier": "modification", "changer": "changement", "inscrire": "inscription",
    "télécharger": "téléchargement", "bloquer": "blocage", "expliquer": "explication",
    "informer": "information", "traiter": "traitement", "retarder": "retard", "intervenir": "intervention",
    "dépanner": "dépannage", "remplacer": "remplacement", "commander": "commande",
    "déclarer": "déclaration", "indemniser": "indemnisation", "estimer": "estimation",
    "accueillir": "accueil", "promettre": "promesse", "oublier": "oubli", "perdre": "perte",
    "réserver": "réservation", "ouvrir": "ouverture", "joindre": "joignabilité", "obtenir": "obtention",
    "transmettre": "transmission", "réclamer": "réclamation", "suivre": "suivi", "rejeter": "rejet",
    "prévenir": "prévenance", "trouver": "recherche", "chercher": "recherche", "activer": "activation",
}
ANALYSIS_VERSION = "2"  # bump when the analysis of a text changes (keys the analysis cache)
_NOUN_POS = {"NOUN", "PROPN"}
_KEEP_POS_FR = {"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM", "X", ""}
# forms the French lemmatiser would wrongly strip ("SMS" -> "sm"): the lower-cased form is the lemma
_KEEP_FORM = {"sms", "mms", "gps", "pdf", "qr", "rib", "iban", "sav", "frais", "devis", "cgv", "faq", "bus"}
_DE = {"de", "du", "des", "d'", "d’", "d"}
_LINK_ADP = {"en", "à", "au", "aux", "sans", "par", "pour", "sur"}


def spacy_model_meta(model: str) -> dict | None:
    """``meta.json`` of an installed spaCy model package, read without loading the model (None when
    ``model`` is not an installed package, e.g. a folder)."""
    import spacy.util

    try:
        return dict(spacy.util.load_meta(spacy.util.get_package_path(model) / "meta.json"))
    except Exception:  # noqa: BLE001 - not a package: the caller loads the model instead
        return None


def _read_list(name: str) -> list[str]:
    try:
        text = (resources.files("interviewkit") / "data" / "stopwords" / name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise ConfigError("E709", f"stop-word list {name} is missing from the package data",
                          hint="reinstall interviewkit") from exc
    return [ln.strip().lower() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=None)
def load_stopwords(languages: tuple[str, ...] = ("fr", "en")) -> frozenset[str]:
    """Union of the stop-word lists of ``languages`` (lower case, lemmas and frequent forms)."""
    words: set[str] = set()
    for lang in languages:
        if lang not in ("fr", "en"):
            raise ConfigError("E705", "no stop-word list for this language", value=lang, allowed=["fr", "en"])
        words.update(_read_list(f"{lang}.txt"))
    return frozenset(words)


@lru_cache(maxsize=None)
def load_fillers() -> tuple[str, ...]:
    """Multi-word spoken fillers, longest first."""
    return tuple(sorted(_read_list("fillers.txt"), key=len, reverse=True))


@lru_cache(maxsize=None)
def _filler_re() -> re.Pattern:
    alts = "|".join(re.escape(f).replace("\\ ", r"\s+").replace("'", "['’]") for f in load_fillers())
    return re.compile(rf"(?<![\w'’])(?:{alts})(?![\w'’])", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Remove pseudonyms and multi-word fillers; collapse spaces."""
    text = PSEUDONYM_RE.sub(" ", str(text))
    text = _filler_re().sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Analysis:
    """Per-segment analysis: ``lemma_docs`` (space-joined vocabulary lemmas) and ``phrases``
    (label candidates as ``(key, surface)`` where key is the space-joined content lemmas)."""

    lemma_docs: list[str]
    phrases: list[list[tuple[str, str]]]
    pos: dict[str, str] = field(default_factory=dict)


def _is_acronym(tok) -> bool:
    return tok.text.isalpha() and tok.text.isupper() and 2 <= len(tok.text) <= 5


def _lemma(tok) -> str:
    form = tok.text.lower().replace("’", "'")
    if _is_acronym(tok) or form in _KEEP_FORM:
        return form
    return (tok.lemma_ or tok.text).lower().replace("’", "'")


def _surface(tokens) -> str:
    out = []
    for i, t in enumerate(tokens):
        text = t.text if _is_acronym(t) else t.text.lower()
        ws = "" if text.endswith(("'", "’")) or i == len(tokens) - 1 else " "
        out.append(text + ws)
    return "".join(out).strip()


def _de_article(tok) -> str:
    lemma = tok.text if _is_acronym(tok) else _lemma(tok)
    number = tok.morph.get("Number")
    if number and number[0] == "Plur" and tok.text.lower() != lemma.lower():
        return "des " + tok.text.lower()
    if lemma[:1].lower() in "aeiouyéèêàâîôûh" and not _is_acronym(tok):
        return "de l'" + lemma
    gender = tok.morph.get("Gender")
    if gender and gender[0] == "Fem":
        return "de la " + lemma
    return "du " + lemma


_UNACCUSATIVE = {"arriver", "venir", "parvenir", "marcher", "fonctionner", "passer", "aboutir", "partir",
                 "apparaître", "fonctionner", "revenir", "tomber"}


def _agree(participle: str, noun) -> str:
    """Regular agreement of a past participle with its noun ("reçu" + facture -> "reçue")."""
    gender, number = noun.morph.get("Gender"), noun.morph.get("Number")
    out = participle
    if gender and gender[0] == "Fem" and not out.endswith("e"):
        out += "e"
    if number and number[0] == "Plur" and noun.text.lower() != noun.lemma_.lower() and not out.endswith(("s", "x")):
        out += "s"
    return out


def _noun_label(noun) -> str:
    """Singular label form of a noun, with a preceding acronym modifier ("QR code")."""
    word = noun.text if _is_acronym(noun) else _lemma(noun)
    mods = [c for c in noun.children if c.i < noun.i and _is_acronym(c)]
    return " ".join([m.text for m in mods] + [word])


def _dependency_phrases(doc, keep) -> dict[str, str]:
    found: dict[str, str] = {}
    for v in doc:
        if v.pos_ != "VERB":
            continue
        vlemma = v.lemma_.lower()
        nouns = [c for c in v.children if c.dep_ in ("obj", "nsubj:pass")
                 or (c.dep_ == "nsubj" and vlemma in _UNACCUSATIVE)]
        for n in nouns:
            if not ((n.pos_ in _NOUN_POS or _is_acronym(n)) and keep(n)):
                continue
            advs = {c.lower_ for c in v.children if c.dep_ == "advmod"}
            neg = "jamais" if "jamais" in advs else ("non" if "pas" in advs else "")
            nkey = _lemma(n)
            if "Part" in v.morph.get("VerbForm") and (neg or n.dep_ == "nsubj:pass"):
                words = [_noun_label(n), neg, _agree(v.text.lower(), n)]
                # negated forms are grouped across verbs ("facture jamais reçue / arrivée / envoyée")
                key = f"{nkey} ~{neg}" if neg else f"{nkey} {vlemma}"
                found.setdefault(key, " ".join(w for w in words if w))
            if vlemma in NOMINALISATIONS and n.dep_ in ("obj", "nsubj:pass"):
                mods = [c.text for c in n.children if c.i < n.i and _is_acronym(c)]
                obj = _de_article(n) if not mods else _de_article_text(" ".join(mods + [_lemma(n)]), n)
                found.setdefault(f"{vlemma} {nkey}", f"{NOMINALISATIONS[vlemma]} {obj}")
    return found


def _de_article_text(text: str, noun) -> str:
    gender = noun.morph.get("Gender")
    if text[:1].lower() in "aeiouyéèêàâîôûh" and not text[:2].isupper():
        return "de l'" + text
    return ("de la " if gender and gender[0] == "Fem" else "du ") + text


class TextAnalyzer:
    """Lemmatise segments and extract label candidates (see module docstring).

    ``fit`` is not needed: the analyser holds only loaded spaCy pipelines.
    """

    def __init__(self, model: str = "fr_core_news_sm", languages: tuple[str, ...] = ("fr", "en"),
                 extra_stopwords: Iterable[str] = (), batch_size: int = 256) -> None:
        self.model = model
        self.languages = tuple(languages)
        self.extra_stopwords = tuple(extra_stopwords)
        self.batch_size = batch_size
        self._fr = None
        self._en = None

    @property
    def stopwords(self) -> frozenset[str]:
        return load_stopwords(self.languages) | {w.lower() for w in self.extra_stopwords}

    def _nlp(self, lang: str):
        import spacy

        if lang == "en":
            if self._en is None:
                nlp = spacy.blank("en")
                try:
                    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
                    nlp.initialize()
                except Exception as exc:  # spacy raises ValueError/OSError variants here
                    raise ConfigError("E709", f"English lemmatiser unavailable: {exc}",
                                      hint="install spacy-lookups-data") from exc
                self._en = nlp
            return self._en
        if self._fr is None:
            try:
                self._fr = spacy.load(self.model, exclude=["ner", "senter"])
            except OSError as exc:
                raise ConfigError("E709", f"spaCy model {self.model!r} is not installed", value=self.model,
                                  hint=f"install the {self.model} package (never downloaded at run time)") from exc
        return self._fr

    def _keep(self, tok, stop: frozenset[str]) -> str | None:
        lemma = _lemma(tok)
        if tok.pos_ not in _KEEP_POS_FR and not _is_acronym(tok):
            return None
        if len(lemma) < 2 or not _WORD_RE.match(lemma):
            return None
        if lemma in stop or tok.text.lower() in stop:
            return None
        if "-" in lemma and all(part in stop for part in lemma.split("-") if part):
            return None  # "dix-huit", "soixante-douze"
        return lemma

    def _phrases(self, doc, stop: frozenset[str]) -> list[tuple[str, str]]:
        toks = list(doc)
        found: dict[str, str] = {}

        def content(t) -> bool:
            return (t.pos_ in _NOUN_POS or _is_acronym(t)) and t.is_alpha and self._keep(t, stop) is not None

        def lem(t) -> str:
            return _lemma(t)

        n = len(toks)
        for i, t in enumerate(toks):
            if content(t):
                found.setdefault(lem(t), _surface([t]))
                nxt = toks[i + 1] if i + 1 < n else None
                if nxt is None:
                    continue
                if (_is_acronym(t) and nxt.pos_ == "NOUN") or (nxt is not None and _is_acronym(nxt) and t.pos_ == "NOUN"):
                    found.setdefault(f"{lem(t)} {lem(nxt)}", _surface([t, nxt]))
                if nxt.pos_ == "ADJ" and nxt.is_alpha and self._keep(nxt, stop):
                    found.setdefault(f"{lem(t)} {lem(nxt)}", _surface([t, nxt]))
                if nxt.text.lower() in _DE | _LINK_ADP:
                    j = i + 2
                    if j < n and toks[j].pos_ == "DET":
                        j += 1
                    if j < n and content(toks[j]):
                        found.setdefault(f"{lem(t)} {lem(toks[j])}", _surface(toks[i : j + 1]))
                j = i + 1
                if j < n and toks[j].pos_ == "ADV" and toks[j].lower_ in {"jamais", "pas", "toujours", "mal", "bien"}:
                    j += 1
                if j < n and "Part" in toks[j].morph.get("VerbForm") and toks[j].is_alpha:
                    found.setdefault(f"{lem(t)} {toks[j].lemma_.lower()}", _surface(toks[i : j + 1]))
        for key, surface in _dependency_phrases(doc, lambda tok: self._keep(tok, stop) is not None).items():
            found.setdefault(key, surface)
        return list(found.items())

    def version(self) -> str:
        """Identifies what ``analyze`` returns for a text: analyser code, spaCy model and its version,
        stop words. Keys the analysis cache."""
        import hashlib

        import spacy

        meta = spacy_model_meta(self.model) or self._nlp("fr").meta  # no model load on a warm re-run
        stop = hashlib.sha256("\n".join(sorted(self.stopwords) + list(load_fillers())).encode()).hexdigest()[:16]
        return f"analysis-{ANALYSIS_VERSION}|{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}" \
               f"|spacy-{spacy.__version__}|stop-{stop}"

    def _analyze_one(self, doc, lang: str, stop: frozenset[str]) -> dict:
        kept = []
        for tok in doc:
            lemma = self._keep(tok, stop)
            if lemma is None or not tok.is_alpha and "-" not in tok.text:
                continue
            kept.append([lemma, tok.pos_ or "X"])
        phrases = [list(p) for p in self._phrases(doc, stop)] if lang == "fr" else []
        return {"k": kept, "p": phrases}

    def analyze(self, texts: Sequence[str], languages: Sequence[str] | None = None, cache=None) -> Analysis:
        """Analyse ``texts`` (languages default to French; "en" rows use the English lemmatiser).
        ``cache`` (an ``EmbeddingCache``) stores each text's analysis, keyed by the analyser version."""
        import json

        from .cache import text_key

        langs = list(languages) if languages is not None else ["fr"] * len(texts)
        stop = self.stopwords
        records: list[dict | None] = [None] * len(texts)
        version = self.version() if cache is not None else ""
        keys = [f"{lg == 'en'}:{text_key(t)}" for t, lg in zip(texts, langs)] if cache is not None else []
        if cache is not None:
            found = cache.get_analyses(version, keys)
            for i, k in enumerate(keys):
                if k in found:
                    records[i] = json.loads(found[k])
        new: dict[str, str] = {}
        for lang in ("fr", "en"):
            idx = [i for i, lg in enumerate(langs) if (lg == "en") == (lang == "en") and records[i] is None]
            if not idx:
                continue
            nlp = self._nlp(lang)
            cleaned = [clean_text(texts[i]) for i in idx]
            for i, doc in zip(idx, nlp.pipe(cleaned, batch_size=self.batch_size)):
                records[i] = self._analyze_one(doc, lang, stop)
                if cache is not None:
                    new[keys[i]] = json.dumps(records[i], ensure_ascii=False)
        if new:
            cache.put_analyses(version, new)
        pos_counts: dict[str, Counter] = {}
        for rec in records:
            for lemma, p in rec["k"]:
                pos_counts.setdefault(lemma, Counter())[p] += 1
        pos = {lemma: c.most_common(1)[0][0] for lemma, c in pos_counts.items()}
        return Analysis(lemma_docs=[" ".join(w for w, _ in rec["k"]) for rec in records],
                        phrases=[[(k, sf) for k, sf in rec["p"]] for rec in records], pos=pos)
