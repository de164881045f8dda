"""Seed topics from the codebook's irritant themes (guided / zero-shot topic modelling).

Accepted forms of ``seed_topics``:

* ``["attente du devis", "SMS jamais reçu"]`` (names only);
* ``{"attente du devis": ["devis", "attendre", "relance"], ...}`` (name -> keywords or a description);
* ``[{"label": "attente du devis", "keywords": [...]}, ...]`` (codebook-like dicts; the name is read
  from ``label``/``name``/``id``, the words from ``keywords``/``examples``/``description``).

Two modes (``seed_mode``):

* ``zeroshot`` (default): BERTopic's zero-shot topic modelling; a segment whose cosine similarity to
  a seed text reaches ``seed_similarity`` joins that seed's topic, the rest is clustered. By default
  the threshold is calibrated on the corpus (``auto_threshold``): the 99th percentile of the
  similarities between the segments and control phrases about unrelated subjects (cooking, sport,
  astronomy...), i.e. a seed must be closer to a segment than 99 % of (segment, random subject)
  pairs. Seeds claiming fewer segments than ``min_topic_size`` are not turned into topics and are
  reported as not found (no fake topic from a handful of look-alike segments).
* ``guided``: BERTopic's guided topic modelling (semi-supervised UMAP nudged towards the seeds).

BERTopic loses zero-shot names when *every* segment passes the threshold (its internal topic -> seed
map is only filled when some segments are left to cluster), and ``update_topics`` drops custom labels.
So names are never read back from BERTopic: ``name_topics`` gives a seed's name to the final topic
holding the majority of the segments that the seed claimed, recomputed from the embeddings.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError

__all__ = ["Seed", "parse_seeds", "seed_claims", "name_topics", "auto_threshold", "select_seeds", "consolidate",
           "CONTROL_TEXTS"]

# subjects no customer interview is about: the background similarity level of a corpus
CONTROL_TEXTS = (
    "La recette de la tarte aux pommes de ma grand-mère",
    "Le match de football de dimanche soir",
    "La migration des oiseaux en automne",
    "Les tableaux impressionnistes du musée",
    "Une randonnée en montagne sous la neige",
    "Le cours de piano du mercredi",
    "Les planètes du système solaire",
    "La floraison des cerisiers au printemps",
    "Le tournoi d'échecs du club",
    "La récolte des olives en Provence",
    "Un roman policier qui se passe à Venise",
    "La reproduction des tortues marines",
)


def auto_threshold(embeddings: np.ndarray, control_embeddings: np.ndarray, quantile: float = 0.99) -> float:
    """Zero-shot threshold: ``quantile`` of the cosine similarities segments x control phrases."""
    emb = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    ctl = control_embeddings / np.maximum(np.linalg.norm(control_embeddings, axis=1, keepdims=True), 1e-12)
    return float(np.quantile(emb @ ctl.T, quantile))


@dataclass(frozen=True)
class Seed:
    name: str
    keywords: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Text embedded for the seed: its name, then its keywords."""
        return self.name if not self.keywords else f"{self.name} : {', '.join(self.keywords)}"

    @property
    def words(self) -> list[str]:
        return list(self.keywords) or self.name.split()


def _words(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value if str(v).strip())
    raise ConfigError("E705", "seed keywords must be a list of words or a description", value=value)


def parse_seeds(seed_topics) -> list[Seed]:
    """Normalise ``seed_topics`` (see module docstring) into ``Seed`` objects; names are unique."""
    if seed_topics is None:
        return []
    seeds: list[Seed] = []
    if isinstance(seed_topics, Mapping):
        seeds = [Seed(str(k).strip(), _words(v)) for k, v in seed_topics.items()]
    elif isinstance(seed_topics, Sequence) and not isinstance(seed_topics, str):
        for item in seed_topics:
            if isinstance(item, str):
                seeds.append(Seed(item.strip()))
            elif isinstance(item, Seed):
                seeds.append(item)
            elif isinstance(item, Mapping):
                name = item.get("label") or item.get("name") or item.get("id")
                words = item.get("keywords") or item.get("examples") or item.get("description")
                if not name:
                    raise ConfigError("E705", "a seed topic has no label", value=dict(item),
                                      hint="give each seed a 'label' (or 'name')")
                seeds.append(Seed(str(name).strip(), _words(words)))
            else:
                raise ConfigError("E705", "unsupported seed topic", value=item,
                                  allowed=["name", "{'label':..., 'keywords': [...]}"])
    else:
        raise ConfigError("E705", "seed_topics must be a list or a mapping", value=seed_topics)
    names = [s.name for s in seeds]
    if any(not n for n in names):
        raise ConfigError("E705", "a seed topic name is empty", value=names)
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ConfigError("E705", "seed topic names must be unique", value=sorted(dup))
    return seeds


def seed_claims(embeddings: np.ndarray, seed_embeddings: np.ndarray, mode: str, threshold: float) -> np.ndarray:
    """Index of the seed claiming each segment, or -1.

    ``zeroshot``: most similar seed if its cosine >= ``threshold`` (BERTopic's zero-shot rule).
    ``guided``: most similar among the seeds and the mean segment (BERTopic's guided rule).
    """
    emb = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    seeds = seed_embeddings / np.maximum(np.linalg.norm(seed_embeddings, axis=1, keepdims=True), 1e-12)
    if mode == "guided":
        mean = embeddings.mean(axis=0)
        mean = mean / max(np.linalg.norm(mean), 1e-12)
        sims = emb @ np.vstack([seeds, mean]).T
        arg = sims.argmax(axis=1)
        return np.where(arg == len(seeds), -1, arg)
    sims = emb @ seeds.T
    arg = sims.argmax(axis=1)
    return np.where(sims.max(axis=1) >= threshold, arg, -1)


def name_topics(topic_ids: np.ndarray, claims: np.ndarray, seeds: Sequence[Seed], min_share: float = 0.5
                ) -> tuple[dict[int, str], list[str]]:
    """Map final topics to seed names; return (topic -> name, names of seeds that matched no topic).

    A topic takes a seed's name when at least ``min_share`` of its segments were claimed by that
    seed; when several topics qualify, the one holding most of the seed's segments wins.
    """
    best: dict[int, tuple[int, int]] = {}  # seed -> (count, topic)
    for t in sorted(set(int(x) for x in topic_ids)):
        if t == -1:
            continue
        members = claims[topic_ids == t]
        if not len(members):
            continue
        values, counts = np.unique(members[members >= 0], return_counts=True)
        if not len(values):
            continue
        k = int(np.argmax(counts))
        if counts[k] / len(members) >= min_share:
            s = int(values[k])
            if s not in best or counts[k] > best[s][0]:
                best[s] = (int(counts[k]), t)
    names = {topic: seeds[s].name for s, (_, topic) in best.items()}
    unmatched = [seeds[s].name for s in range(len(seeds)) if s not in best]
    return names, unmatched


@dataclass
class SeedSelection:
    seeds: list[Seed]
    embeddings: np.ndarray | None
    threshold: float
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    all_seeds: list[Seed] = field(default_factory=list)
    all_embeddings: np.ndarray | None = None


def select_seeds(space, embeddings: np.ndarray, seeds: Sequence[Seed], mode: str, threshold: float | None,
                 min_claims: int) -> SeedSelection:
    """Embed the seeds in the model's space, fix the zero-shot threshold (given, or ``auto_threshold``)
    and keep the seeds claiming at least ``min_claims`` segments (zero-shot mode; all in guided mode)."""
    seed_emb = space.embed([s.text for s in seeds])
    thr = float(threshold if threshold is not None else auto_threshold(embeddings, space.embed(list(CONTROL_TEXTS))))
    claims = seed_claims(embeddings, seed_emb, mode, thr)
    counts = {s.name: int((claims == k).sum()) for k, s in enumerate(seeds)}
    keep = [k for k, s in enumerate(seeds) if mode == "guided" or counts[s.name] >= min_claims]
    return SeedSelection([seeds[k] for k in keep], seed_emb[keep] if keep else None, thr, counts,
                         [s.name for k, s in enumerate(seeds) if k not in keep], list(seeds), seed_emb)


def consolidate(embeddings: np.ndarray, topics: np.ndarray, seeds: Sequence[Seed], seed_embeddings: np.ndarray,
                mode: str, threshold: float, all_seeds: Sequence[Seed] | None = None,
                all_embeddings: np.ndarray | None = None
                ) -> tuple[np.ndarray, dict[int, str], list[str], dict[str, str]]:
    """Name seed topics (``name_topics``) and merge into a seed topic every other topic whose segments
    are, for the most part, closer to that seed than to the other seeds (all of them, found or not) and
    to the average segment (BERTopic's guided rule), so that a seeded theme is not left in two pieces.
    Topic ids are then made contiguous again.
    Returns (topics, topic -> seed name, unmatched seeds, absorbed topic -> seed name)."""
    claims = seed_claims(embeddings, seed_embeddings, mode, threshold)
    fixed, unmatched = name_topics(topics, claims, seeds)
    seed_topic = {name: t for t, name in fixed.items()}
    lean_seeds = list(all_seeds) if all_seeds is not None else list(seeds)
    lean_emb = all_embeddings if all_embeddings is not None else seed_embeddings
    guided = seed_claims(embeddings, lean_emb, "guided", 0.0)
    absorbed: dict[int, int] = {}
    for t in sorted(set(topics.tolist()) - {-1} - set(fixed)):
        values, counts = np.unique(guided[topics == t], return_counts=True)
        k = int(np.argmax(counts))
        if values[k] >= 0 and counts[k] / counts.sum() >= 0.5:
            target = seed_topic.get(lean_seeds[int(values[k])].name)
            if target is not None:
                absorbed[t] = target
    topics = np.array([absorbed.get(int(t), int(t)) for t in topics], dtype=int)
    ids = sorted(set(topics.tolist()) - {-1})
    remap = {t: i for i, t in enumerate(ids)}
    remap[-1] = -1
    new_topics = np.array([remap[int(t)] for t in topics], dtype=int)
    return new_topics, {remap[t]: n for t, n in fixed.items()}, unmatched, {str(k): fixed[v] for k, v in absorbed.items()}
