"""Keywords, plain-French labels, representative quotes and topic statistics.

* Keywords: class-based TF-IDF (BERTopic's ``ClassTfidfTransformer``) over the lemmatised segment
  texts joined per topic. The CountVectorizer runs on *per-topic documents*, so its ``min_df`` would
  count topics, not segments: it stays at 1, and rare lemmas are removed beforehand at segment level
  (``min_segment_df``, see ``filter_rare``).
* Labels: a head noun chosen by c-TF-IDF weight x share of segments x specificity, expanded into
  the best 2-4 word phrase of the topic's segments that contains it ("colis" -> "colis jamais reçu",
  "devis" -> "attente du devis"); filler nouns never count (see ``choose_labels``). Unique in a run.
* Representative quotes: closest to the centroid, at most one per participant first, then others.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from .text import NOMINALISATIONS

__all__ = ["make_vectorizer", "make_ctfidf", "filter_rare", "ctfidf_keywords", "choose_labels",
           "topic_word_weights", "FILLER_NOUNS", "GENERIC_ALONE",
           "representatives", "centroids_and_radii"]

def _bigrams(toks: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in zip(toks, toks[1:]) if a != b]


class LemmaAnalyzer:
    """Unigrams and bigrams of a lemma document; no bigram of a repeated word ("service service"),
    and, when ``allowed`` is given, only the bigrams found in enough segments (stop-word removal
    otherwise glues unrelated words together)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), allowed: frozenset[str] | None = None) -> None:
        self.ngram_range = tuple(ngram_range)
        self.allowed = allowed

    def __call__(self, doc: str) -> list[str]:
        toks = doc.split()
        out = list(toks) if self.ngram_range[0] <= 1 else []
        if self.ngram_range[1] >= 2:
            out += [b for b in _bigrams(toks) if self.allowed is None or b in self.allowed]
        return out


def frequent_bigrams(lemma_docs: Sequence[str], min_segment_df: int) -> frozenset[str]:
    """Bigrams occurring in at least ``min_segment_df`` segments (segment-level ``min_df``)."""
    df = Counter(b for doc in lemma_docs for b in set(_bigrams(doc.split())))
    return frozenset(b for b, n in df.items() if n >= max(1, min_segment_df))


def make_vectorizer(ngram_range: tuple[int, int] = (1, 2), lemma_docs: Sequence[str] | None = None,
                    min_segment_df: int = 2):
    """CountVectorizer for lemma documents (already cleaned); ``min_df`` is 1 on purpose (it would
    count per-topic documents); the segment-level filter is ``filter_rare`` / ``frequent_bigrams``."""
    from sklearn.feature_extraction.text import CountVectorizer

    allowed = frequent_bigrams(lemma_docs, min_segment_df) if lemma_docs is not None else None
    return CountVectorizer(analyzer=LemmaAnalyzer(ngram_range, allowed), lowercase=False, min_df=1)


def make_ctfidf():
    from bertopic.vectorizers import ClassTfidfTransformer

    return ClassTfidfTransformer(reduce_frequent_words=True)


def filter_rare(lemma_docs: Sequence[str], min_segment_df: int) -> list[str]:
    """Drop lemmas found in fewer than ``min_segment_df`` segments (the segment-level ``min_df``)."""
    if min_segment_df <= 1:
        return list(lemma_docs)
    df = Counter(w for doc in lemma_docs for w in set(doc.split()))
    return [" ".join(w for w in doc.split() if df[w] >= min_segment_df) for doc in lemma_docs]


def ctfidf_keywords(lemma_docs: Sequence[str], topic_ids: Sequence[int], top_n: int = 10,
                    ngram_range: tuple[int, int] = (1, 2), min_segment_df: int = 2
                    ) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF keywords per topic id (outliers -1 take part in the IDF, as in BERTopic); same scores
    as BERTopic's ``get_topic`` after ``update_topics``, ties broken alphabetically."""
    topic_ids = np.asarray(topic_ids)
    classes = sorted(set(int(t) for t in topic_ids))
    joined = [" ".join(d for d, t in zip(lemma_docs, topic_ids) if t == c) for c in classes]
    if not any(joined):
        return {c: [] for c in classes if c != -1}
    vec = make_vectorizer(ngram_range, lemma_docs, min_segment_df)
    try:
        x = vec.fit_transform(joined)
    except ValueError:  # empty vocabulary: every segment was stop words only
        return {c: [] for c in classes if c != -1}
    weights = make_ctfidf().fit_transform(x).toarray()
    words = vec.get_feature_names_out()
    out: dict[int, list[tuple[str, float]]] = {}
    for row, c in enumerate(classes):
        if c == -1:
            continue
        order = np.lexsort((words, -weights[row]))[:top_n]  # score, then word: deterministic ties
        out[c] = [(str(words[j]), float(weights[row, j])) for j in order if weights[row, j] > 0]
    return out


# nouns that carry no irritant on their own: never a label word ("au bout de", "la dernière fois")
FILLER_NOUNS = frozenset("""
bout fois truc machin chose jour journée semaine mois an année heure minute min seconde moment temps coup
fin début part côté façon manière sorte espèce genre lundi mardi mercredi jeudi vendredi samedi dimanche
janvier février mars avril mai juin juillet août septembre octobre novembre décembre matin soir midi
après-midi nuit lendemain veille mari femme fille fils enfant mère père frère sœur ami amie pote voisin
voisine rien tout reste niveau point exemple idée euro centime quart moitié dizaine vingtaine trentaine
fait truc-là gars mec type bonhomme madame monsieur dame
""".split())
# nouns too general to be a label alone, fine inside a phrase ("renvoi de service en service")
GENERIC_ALONE = frozenset("""
service problème question demande cas histoire personne gens monde client société entreprise numéro
chose souci info information truc appel endroit lieu
""".split())


def _key_words(key: str) -> list[str]:
    return [w for w in key.split() if not w.startswith("~")]


def topic_word_weights(lemma_docs: Sequence[str], topic_members: dict[int, list[int]]
                       ) -> dict[int, dict[str, float]]:
    """Unigram class-based TF-IDF of every lemma per topic (BERTopic's formula with
    ``reduce_frequent_words``: sqrt(tf) x log(1 + A / f), A = mean words per topic, f = frequency over
    the topics), scaled to 1 for each topic's best lemma. Wider than the top keywords, for labels."""
    counts = {t: Counter(w for i in mem for w in lemma_docs[i].split()) for t, mem in topic_members.items()}
    total = Counter()
    for c in counts.values():
        total.update(c)
    if not total:
        return {t: {} for t in topic_members}
    avg = sum(total.values()) / max(1, len(counts))
    out: dict[int, dict[str, float]] = {}
    for t, c in counts.items():
        w = {word: float(np.sqrt(n) * np.log(1 + avg / total[word])) for word, n in c.items()}
        top = max(w.values(), default=0.0) or 1.0
        out[t] = {word: v / top for word, v in w.items()}
    return out


def _calm(label: str) -> str:
    """A shouted label ("SERA FAIT") in lower case; acronyms ("SMS", "RIB") kept."""
    return label.lower() if label.isupper() and len(label.replace(" ", "")) > 4 and " " in label else label


def _keyword_weights(keywords: list[tuple[str, float]]) -> dict[str, float]:
    if not keywords:
        return {}
    top = max(s for _, s in keywords) or 1.0
    w: dict[str, float] = {}
    for word, score in keywords:
        for part in word.split():
            w[part] = max(w.get(part, 0.0), score / top)
    return w


def _label_candidates(keywords: list[tuple[str, float]], weights: dict[str, float],
                      member_phrases: list[list[tuple[str, str]]], global_support: Counter,
                      pos: dict[str, str]) -> list[str]:
    """Candidate labels of one topic, best first (see ``choose_labels``)."""
    size = max(1, len(member_phrases))
    support: Counter = Counter()
    surfaces: dict[str, Counter] = {}
    for phrases in member_phrases:
        for key, surface in dict(phrases).items():
            support[key] += 1
            surfaces.setdefault(key, Counter())[surface] += 1

    def surface(key: str) -> str:
        return sorted(surfaces[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def relevance(key: str) -> float:
        words = _key_words(key)
        if not words or all(w in FILLER_NOUNS for w in words):
            return 0.0
        return sum(0.0 if w in FILLER_NOUNS else weights.get(w, 0.0) for w in words) / len(words)

    def specificity(key: str) -> float:
        return support[key] / max(support[key], global_support.get(key, 0))

    heads = []
    for key, n in support.items():
        if " " in key or key in FILLER_NOUNS or n < 2:
            continue
        if pos.get(key) in ("ADJ", "VERB", "ADV", "AUX") or key in NOMINALISATIONS:
            continue  # mostly not a noun in the corpus ("impossible"), or a verb tagged NOUN ("joindre")
        score = relevance(key) * (n / size) * specificity(key) ** 0.5
        if score > 0:
            heads.append((score, key))
    heads.sort(key=lambda x: (-x[0], x[1]))
    min_phrase = max(2, 0.08 * size)

    def verbal(key: str) -> bool:
        """'noun + participle' without negation ("attente annoncée"): weaker than a noun phrase."""
        last, shown = key.split()[-1], surface(key).split()[-1]
        return last.endswith(("er", "ir", "re", "oir")) and shown != last and not shown.endswith(last)

    def phrase_score(key: str, n: int) -> float:
        parts = key.split()
        if parts[-1].startswith("~") or parts[0] in NOMINALISATIONS:
            bonus = 1.2
        else:
            bonus = 0.6 if verbal(key) else 1.0
        return (n / size) * (0.5 + relevance(key)) * specificity(key) * bonus

    phrases = sorted(((phrase_score(k, n), k) for k, n in support.items()
                      if " " in k and relevance(k) > 0 and len(surface(k).split()) <= 6),
                     key=lambda x: (-x[0], x[1]))
    out: list[str] = []
    for _, head in heads[:3]:
        # a general head ("service") is only usable expanded: any phrase holding it will do
        floor = 1 if head in GENERIC_ALONE else 2
        best = next((k for _, k in phrases if head in _key_words(k) and support[k] >= floor), None)
        if best is not None:
            out.append(surface(best))
        if head not in GENERIC_ALONE:
            out.append(surface(head))
    out += [surface(k) for _, k in phrases if support[k] >= min_phrase][:3]  # no usable head: best phrase
    out += [w for w, _ in keywords if pos.get(w.split()[0]) in ("NOUN", "PROPN")
            and not set(w.split()) & FILLER_NOUNS and w not in GENERIC_ALONE]
    if keywords:
        out.append(" / ".join(w for w, _ in keywords[:2]))
    return list(dict.fromkeys(_calm(c) for c in out))


def choose_labels(keyword_scores: dict[int, list[tuple[str, float]]], topic_members: dict[int, list[int]],
                  phrases: list[list[tuple[str, str]]] | None, pos: dict[str, str] | None = None,
                  fixed: dict[int, str] | None = None, lemma_docs: Sequence[str] | None = None
                  ) -> dict[int, str]:
    """Plain-French label per topic; ``fixed`` labels (seed names, curated) are kept as given.

    1. head noun: a noun (or acronym) of the topic's label candidates maximising word weight x share
       of the topic's segments using it x sqrt(specificity) (share of its uses that fall in this
       topic); not a lemma mostly tagged ADJ/VERB/ADV ("impossible") or a verb tagged NOUN
       ("joindre"); filler nouns ("bout", "fois", "jour", see ``FILLER_NOUNS``) never count and general
       ones ("service", "problème", ``GENERIC_ALONE``) are only a label inside a phrase. Word weights are the
       unigram c-TF-IDF of all lemmas (``lemma_docs``) or, without them, of the top keywords;
    2. expansion: the best 2-4 word phrase containing the head (noun+ADJ, noun+de+noun, negated
       participle, nominalisation: see ``text``) used by at least 2 segments (any one for a general
       head), scored
       share x (0.5 + mean word weight) x specificity (x 1.2 for a negation or a nominalisation);
    3. fallbacks: the best phrase, a noun keyword, "kw1 / kw2". Labels are unique within a run: a topic
       takes its first candidate not yet used by a larger topic.
    """
    fixed = dict(fixed or {})
    pos = pos or {}
    members_all = {t: topic_members.get(t, []) for t in keyword_scores}
    weights_all = topic_word_weights(lemma_docs, members_all) if lemma_docs is not None else {}
    global_support: Counter = Counter()
    if phrases:
        for mem in members_all.values():
            for i in mem:
                global_support.update(dict(phrases[i]).keys())
    labels: dict[int, str] = {}
    taken = {v.lower() for v in fixed.values()}
    for topic in sorted(keyword_scores, key=lambda t: (-len(topic_members.get(t, [])), t)):
        if topic in fixed:
            labels[topic] = fixed[topic]
            continue
        member_phrases = [phrases[i] for i in topic_members.get(topic, [])] if phrases else []
        weights = weights_all.get(topic) or _keyword_weights(keyword_scores[topic])
        candidates = _label_candidates(keyword_scores[topic], weights, member_phrases, global_support,
                                       pos) or [f"thème {topic}"]
        label = next((c for c in candidates if c.lower() not in taken), None)
        if label is None:
            extra = next((w for w, _ in keyword_scores[topic] if w not in candidates[0]), str(topic))
            label = f"{candidates[0]} ({extra})"
            if label.lower() in taken:
                label = f"{candidates[0]} ({topic})"
        taken.add(label.lower())
        labels[topic] = label
    for topic, label in fixed.items():
        labels.setdefault(topic, label)
    return labels


def centroids_and_radii(embeddings: np.ndarray, topic_ids: np.ndarray, quantile: float = 0.05
                        ) -> tuple[dict[int, np.ndarray], dict[int, float]]:
    """Unit centroid of each topic and its radius: the ``quantile`` of member cosine similarities
    (a new segment must be at least that close to be assigned by ``assign_new``)."""
    cents: dict[int, np.ndarray] = {}
    radii: dict[int, float] = {}
    for t in sorted(set(int(x) for x in topic_ids)):
        if t == -1:
            continue
        members = embeddings[topic_ids == t]
        c = members.mean(axis=0)
        norm = np.linalg.norm(c)
        c = (c / norm if norm > 0 else c).astype(np.float32)
        cents[t] = c
        radii[t] = float(np.quantile(members @ c, quantile)) if len(members) else 1.0
    return cents, radii


def representatives(member_idx: Sequence[int], embeddings: np.ndarray | None, centroid: np.ndarray | None,
                    participants: Sequence[str], n: int = 5) -> list[int]:
    """Indices of up to ``n`` representative members: one per participant first (closest to the
    centroid first), then the remaining closest ones. Without embeddings: input order."""
    member_idx = list(member_idx)
    if embeddings is not None and centroid is not None and member_idx:
        sims = embeddings[member_idx] @ centroid
        order = [member_idx[k] for k in np.argsort(-sims, kind="stable")]
    else:
        order = member_idx
    chosen: list[int] = []
    seen: set[str] = set()
    for i in order:
        if participants[i] not in seen:
            chosen.append(i)
            seen.add(participants[i])
        if len(chosen) == n:
            return chosen
    for i in order:
        if i not in chosen:
            chosen.append(i)
        if len(chosen) == n:
            break
    return chosen
