"""Keywords, plain-French labels, representative quotes and topic statistics.

* Keywords: class-based TF-IDF (BERTopic's ``ClassTfidfTransformer``) over the lemmatised segment
  texts joined per topic. The CountVectorizer runs on *per-topic documents*, so its ``min_df`` would
  count topics, not segments: it stays at 1, and rare lemmas are removed beforehand at segment level
  (``min_segment_df``, see ``filter_rare``).
* Labels: among the noun-phrase candidates of a topic's segments (see ``text.TextAnalyzer``), pick
  the one maximising ``support x keyword weight x length bonus``; fall back to the best noun keyword,
  then to "kw1 / kw2". Labels are unique within a run (a second keyword is added in parentheses).
* Representative quotes: closest to the centroid, at most one per participant first, then others.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from .text import NOMINALISATIONS

__all__ = ["make_vectorizer", "make_ctfidf", "filter_rare", "ctfidf_keywords", "choose_labels",
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


def _word_weights(keywords: list[tuple[str, float]]) -> dict[str, float]:
    if not keywords:
        return {}
    top = max(s for _, s in keywords) or 1.0
    w: dict[str, float] = {}
    for word, score in keywords:
        for part in word.split():
            w[part] = max(w.get(part, 0.0), score / top)
    return w


def _best_label(keywords: list[tuple[str, float]], member_phrases: list[list[tuple[str, str]]],
                pos: dict[str, str]) -> list[str]:
    """Candidate labels of one topic, best first.

    1. head: the phrase-candidate lemma (noun or acronym) maximising keyword weight x support;
    2. expansion: the multi-word candidate containing the head with the largest support x weight,
       kept when it occurs in at least max(2, 10 %) of the topic's segments
       ("devis" -> "attente du devis"); otherwise the head alone.
    """
    weights = _word_weights(keywords)
    size = max(1, len(member_phrases))
    support: Counter = Counter()
    surfaces: dict[str, Counter] = {}
    for phrases in member_phrases:
        for key, surface in phrases:
            support[key] += 1
            surfaces.setdefault(key, Counter())[surface] += 1

    def surface(key: str) -> str:
        return sorted(surfaces[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    heads = sorted(((weights.get(k, 0.0) * n / size, k) for k, n in support.items()
                    if " " not in k and weights.get(k, 0.0) > 0), key=lambda x: (-x[0], x[1]))
    out: list[str] = []
    for _, head in heads[:3]:
        best = None
        for key, n in support.items():
            parts = key.split()
            if len(parts) < 2 or head not in parts or n < max(2, 0.10 * size):
                continue
            words = [p for p in parts if not p.startswith("~")]
            rel = sum(weights.get(p, 0.0) for p in words) / len(words)
            # phrases that say what went wrong name an irritant better than the bare noun
            bonus = 1.4 if parts[-1].startswith("~") else (1.25 if parts[0] in NOMINALISATIONS else 1.0)
            score = (n / size) * (0.5 + rel) * bonus
            if best is None or (score, key) > (best[0], best[1]):
                best = (score, key)
        if best is not None:
            out.append(surface(best[1]))
        out.append(surface(head))
    nouns = [w for w, _ in keywords if pos.get(w.split()[0]) in ("NOUN", "PROPN")]
    out += nouns
    if keywords:
        out.append(" / ".join(w for w, _ in keywords[:2]))
    return out


def choose_labels(keyword_scores: dict[int, list[tuple[str, float]]], topic_members: dict[int, list[int]],
                  phrases: list[list[tuple[str, str]]] | None, pos: dict[str, str] | None = None,
                  fixed: dict[int, str] | None = None) -> dict[int, str]:
    """Plain-French label per topic; ``fixed`` labels (seed names, curated) are kept as given."""
    fixed = dict(fixed or {})
    pos = pos or {}
    labels: dict[int, str] = {}
    taken = {v.lower() for v in fixed.values()}
    for topic in sorted(keyword_scores, key=lambda t: (-len(topic_members.get(t, [])), t)):
        if topic in fixed:
            labels[topic] = fixed[topic]
            continue
        member_phrases = [phrases[i] for i in topic_members.get(topic, [])] if phrases else []
        candidates = _best_label(keyword_scores[topic], member_phrases, pos) or [f"thème {topic}"]
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
