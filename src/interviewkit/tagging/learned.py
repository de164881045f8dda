"""Learned layer: spaCy text classifiers trained on accepted human tags, combined with the rules.

One component per field on a blank pipeline: ``textcat_multilabel`` for the
multi-valued fields (stage, channel, moments) and ``textcat`` (one label per
segment) for emotion, lane, irritant and valence. The model is a bag-of-ngrams
(``spacy.TextCatBOW.v3``) over lower-cased, accent-stripped text, so it trains
in seconds on a few hundred segments and is robust to missing accents. It is
saved and loaded with spaCy's own ``to_disk``/``from_disk`` (no pickle).

Combination (``mode`` of :func:`combine`):

* ``rules_first`` (default) -- a field keeps the rules' answer when the rules
  fired with evidence for it; otherwise the classifier fills it if its best
  label reaches ``threshold`` (empty stage/channel/moments, neutral emotion,
  irritant 0, valence 0, default lane);
* ``learned_first`` -- the classifier's answer wins when it reaches
  ``threshold``; the rules fill the rest;
* ``union`` -- multi-valued fields take both; single fields as ``rules_first``;
* ``rules`` / ``learned`` -- one layer alone (for :func:`evaluate_layers`).
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import spacy
from spacy.language import Language
from spacy.training import Example

from interviewkit.errors import InputError
from interviewkit.evaluation import EvaluationReport, evaluate, parse_binary, parse_multi, parse_single
from interviewkit.tagging.result import TagResult
from interviewkit.wordmatch.text import strip_accents

MULTI = ("stage", "channel", "moments")
EXCLUSIVE = ("emotion", "lane", "irritant", "valence")
FIELDS = MULTI + EXCLUSIVE
COMBINE_MODES = ("rules_first", "learned_first", "union", "rules", "learned")
#: per-field probability a classifier label needs to be used (k-fold tuned on the dev set: lower
#: thresholds for irritant let the small classifier override good rule zeros)
DEFAULT_THRESHOLDS = {"stage": 0.5, "channel": 0.5, "moments": 0.5, "emotion": 0.6, "lane": 0.6,
                      "irritant": 0.7, "valence": 0.6}
META_FILE = "interviewkit_learned.json"


def normalise(text: Any) -> str:
    """What the classifiers see: lower case, no accents, straight apostrophes."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return strip_accents(str(text).lower())


def _bow(exclusive: bool, ngram_size: int, large: bool = False) -> dict[str, Any]:
    return {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": exclusive,
                      "ngram_size": ngram_size, "no_output_layer": False, "length": 2 ** 18 if large else 2 ** 16}}


def _gold_labels(row: pd.Series, f: str) -> set[str]:
    v = row.get(f)
    if f in MULTI:
        return parse_multi(v)
    if f == "irritant":
        return {parse_binary(v)}
    if f == "valence":
        s = parse_single(v)
        try:
            return {str(int(float(s)))} if s else set()
        except ValueError:
            return set()
    s = parse_single(v)
    return {s} if s else set()


class LearnedTagger:
    """Per-field spaCy text classifiers. Build with :meth:`train` or :meth:`from_disk`."""

    def __init__(self, nlp: Language, fields: Iterable[str], labels: dict[str, list[str]]) -> None:
        self.nlp = nlp
        self.fields = tuple(fields)
        self.labels = labels

    # ---------------------------------------------------------------- training
    @classmethod
    def train(cls, data: pd.DataFrame, text_column: str = "text", lang: str = "fr", fields: Iterable[str] | None = None,
              epochs: int = 15, seed: int = 0, dropout: float = 0.1, ngram_size: int = 2) -> LearnedTagger:
        """Train on a DataFrame of labelled segments (the journey columns, ``;``-joined for multi fields)."""
        if text_column not in data.columns:
            raise InputError("E530", f"training data has no text column {text_column!r}", allowed=list(data.columns),
                             hint="pass text_column=... naming the column with the segment text")
        wanted = [f for f in (fields or FIELDS) if f in data.columns]
        if not wanted:
            raise InputError("E530", "training data has none of the journey columns", allowed=list(FIELDS),
                             hint="add stage/channel/emotion/... columns with accepted tags")
        rows = data[data[text_column].map(lambda t: bool(normalise(t).strip()))]
        if len(rows) < 2:
            raise InputError("E530", f"too few labelled segments to train ({len(rows)})", value=len(rows),
                             hint="accept more tags first (a few dozen at least)")
        random.seed(seed)
        spacy.util.fix_random_seed(seed)
        nlp = spacy.blank(lang)
        texts = [normalise(t) for t in rows[text_column]]
        docs = [nlp.make_doc(t) for t in texts]
        labels: dict[str, list[str]] = {}
        per_field: dict[str, list[Example]] = {}
        for f in wanted:
            gold = [_gold_labels(r, f) for _, r in rows.iterrows()]
            labs = sorted(set().union(*gold))
            exclusive = f in EXCLUSIVE
            if exclusive:
                keep = [i for i, g in enumerate(gold) if len(g) == 1]
            else:
                keep = list(range(len(gold)))
            if len(labs) < (2 if exclusive else 1) or not keep:
                continue
            labels[f] = labs
            comp = nlp.add_pipe("textcat" if exclusive else "textcat_multilabel", name=f"ik_{f}",
                                config=_bow(exclusive, ngram_size))
            for lab in labs:
                comp.add_label(f"{f}={lab}")
            per_field[f] = [Example.from_dict(docs[i].copy(), {"cats": {f"{f}={lab}": float(lab in gold[i]) for lab in labs}})
                            for i in keep]
        if not per_field:
            raise InputError("E530", "no field has at least two different labels to learn", allowed=list(FIELDS),
                             hint="label more varied segments")
        for f, exs in per_field.items():
            nlp.get_pipe(f"ik_{f}").initialize(lambda exs=exs: exs, nlp=nlp)
        optimizer = nlp.create_optimizer()
        for _ in range(epochs):
            for f, exs in per_field.items():
                exs = list(exs)
                random.shuffle(exs)
                proc = nlp.get_pipe(f"ik_{f}")
                for start in range(0, len(exs), 16):
                    proc.update(exs[start:start + 16], drop=dropout, sgd=optimizer, losses={})
        return cls(nlp, per_field.keys(), labels)

    # ---------------------------------------------------------------- prediction
    def predict(self, texts: Iterable[Any], batch_size: int = 256) -> Iterator[dict[str, dict[str, float]]]:
        """Per text: ``{field: {label: probability}}``."""
        for doc in self.nlp.pipe((normalise(t) for t in texts), batch_size=batch_size):
            out: dict[str, dict[str, float]] = {}
            for f in self.fields:
                out[f] = {lab: float(doc.cats.get(f"{f}={lab}", 0.0)) for lab in self.labels[f]}
            yield out

    def predict_results(self, texts: Iterable[Any], threshold: float | dict[str, float] | None = None) -> Iterator[TagResult]:
        """The classifier alone, as TagResults (multi fields: labels >= threshold; others: best label)."""
        for scores in self.predict(texts):
            yield combine(TagResult(), scores, mode="learned", threshold=threshold)

    # ---------------------------------------------------------------- persistence
    def to_disk(self, path: str | Path) -> Path:
        path = Path(path)
        self.nlp.to_disk(path)
        (path / META_FILE).write_text(json.dumps({"fields": list(self.fields), "labels": self.labels,
                                                  "normalise": "lower+strip_accents"}), "utf-8")
        return path

    @classmethod
    def from_disk(cls, path: str | Path) -> LearnedTagger:
        path = Path(path)
        meta_path = path / META_FILE
        if not meta_path.is_file():
            raise InputError("E531", "not a saved interviewkit learned model", path=path,
                             hint="give the folder written by LearnedTagger.to_disk")
        meta = json.loads(meta_path.read_text("utf-8"))
        nlp = spacy.load(path)
        return cls(nlp, meta["fields"], meta["labels"])


# --------------------------------------------------------------------------- combination


def _rule_fired(rule: TagResult, f: str) -> bool:
    return any(e.get("field") == f and e.get("source") not in ("derived", "learned", "model") for e in rule.evidence)


def combine(rule: TagResult, scores: dict[str, dict[str, float]], mode: str = "rules_first",
            threshold: float | dict[str, float] | None = None) -> TagResult:
    """Merge a rules TagResult with classifier ``scores`` (see the module docstring for ``mode``).

    ``threshold``: one probability for every field, or a per-field dict (default :data:`DEFAULT_THRESHOLDS`).
    """
    if mode not in COMBINE_MODES:
        raise InputError("E532", "unknown combination mode", value=mode, allowed=COMBINE_MODES,
                         hint="rules_first is the default")
    if mode == "rules":
        return rule
    out = TagResult(stage=list(rule.stage), channel=list(rule.channel), emotion=rule.emotion, valence=rule.valence,
                    irritant=rule.irritant, moments=list(rule.moments), lane=rule.lane,
                    confidence=dict(rule.confidence), evidence=list(rule.evidence))
    if mode == "learned":
        out = TagResult(confidence={}, evidence=[])
    thresholds = dict(DEFAULT_THRESHOLDS)
    if isinstance(threshold, dict):
        thresholds.update(threshold)
    elif threshold is not None:
        thresholds = {f: float(threshold) for f in FIELDS}
    for f, probs in scores.items():
        if not probs:
            continue
        thr = thresholds.get(f, 0.5)
        if f in MULTI:
            chosen = sorted(lab for lab, p in probs.items() if p >= thr)
            current = list(getattr(out, f))
            if mode == "learned":
                new = chosen
            elif mode == "learned_first":
                new = chosen or current
            elif mode == "union":
                new = sorted(set(current) | set(chosen))
            else:
                new = current or chosen
            added = [lab for lab in new if lab not in current]
            if new != current:
                setattr(out, f, new)
                if mode in ("learned", "learned_first"):
                    out.evidence = [e for e in out.evidence if e.get("field") != f]
                out.evidence += [{"field": f, "label": lab, "rule": f"learned.ik_{f}", "p": round(probs[lab], 3),
                                  "source": "learned"} for lab in added]
                if added:
                    out.confidence[f] = round(sum(probs[lab] for lab in added) / len(added), 3)
            continue
        best, p = max(probs.items(), key=lambda kv: kv[1])
        if p < thr and mode != "learned":
            continue
        value: Any = int(best) if f in ("irritant", "valence") else best
        fired = _rule_fired(rule, f) or (f == "irritant" and rule.irritant == 1)
        if mode in ("rules_first", "union"):
            empty = {"emotion": rule.emotion == "neutral", "lane": not fired, "irritant": rule.irritant == 0,
                     "valence": rule.valence == 0}.get(f, True)
            if fired or not empty:
                continue
        setattr(out, f, value)
        out.confidence[f] = round(p, 3)
        out.evidence = [e for e in out.evidence if e.get("field") != f]
        out.evidence.append({"field": f, "label": str(best), "rule": f"learned.ik_{f}", "p": round(p, 3),
                             "source": "learned"})
    return out


class HybridTagger:
    """A :class:`JourneyTagger` plus a :class:`LearnedTagger`, combined with ``mode``/``threshold``."""

    def __init__(self, rules, learned: LearnedTagger, mode: str = "rules_first",
                 threshold: float | dict[str, float] | None = None) -> None:
        if mode not in COMBINE_MODES:
            raise InputError("E532", "unknown combination mode", value=mode, allowed=COMBINE_MODES)
        self.rules = rules
        self.learned = learned
        self.mode = mode
        self.threshold = threshold

    def tag(self, texts: Iterable[Any], contexts: Iterable[Any] | None = None, batch_size: int = 256) -> Iterator[TagResult]:
        texts = list(texts)
        rule_results = self.rules.tag(texts, contexts, batch_size=batch_size) if self.mode != "learned" else (
            TagResult() for _ in texts)
        for r, s in zip(rule_results, self.learned.predict(texts, batch_size=batch_size)):
            yield combine(r, s, self.mode, self.threshold)


def _frame(ids: list[Any], results: Iterable[TagResult]) -> pd.DataFrame:
    return pd.DataFrame([{"id": i, **r.to_row()} for i, r in zip(ids, results)])


def evaluate_layers(gold: pd.DataFrame, rules, learned: LearnedTagger | None, text_column: str = "text",
                    modes: Iterable[str] = ("rules", "learned", "rules_first"),
                    threshold: float | dict[str, float] | None = None) -> dict[str, EvaluationReport]:
    """Score each layer alone and combined on ``gold`` (what each layer adds)."""
    gold = gold.reset_index(drop=True)
    ids = list(gold["id"]) if "id" in gold.columns else list(range(len(gold)))
    g = gold.assign(id=ids)
    texts = gold[text_column].tolist()
    rule_results = list(rules.tag(texts)) if rules is not None else [TagResult() for _ in texts]
    scores = list(learned.predict(texts)) if learned is not None else [{} for _ in texts]
    out: dict[str, EvaluationReport] = {}
    for mode in modes:
        res = [combine(r, s, mode, threshold) for r, s in zip(rule_results, scores)]
        out[mode] = evaluate(g, _frame(ids, res))
    return out


def cross_validate(data: pd.DataFrame, rules, k: int = 5, text_column: str = "text", seed: int = 0,
                   modes: Iterable[str] = ("rules", "learned", "rules_first"),
                   threshold: float | dict[str, float] | None = None, epochs: int = 15) -> dict[str, EvaluationReport]:
    """k-fold estimate of each layer on labelled data (the classifier never sees the fold it is scored on)."""
    data = data.reset_index(drop=True)
    ids = list(data["id"]) if "id" in data.columns else list(range(len(data)))
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    folds = [order[i::k] for i in range(k)]
    texts = data[text_column].tolist()
    rule_results = list(rules.tag(texts)) if rules is not None else [TagResult() for _ in texts]
    scores: list[dict[str, dict[str, float]]] = [{} for _ in texts]
    for fold in folds:
        test = set(fold)
        train = data.iloc[[i for i in order if i not in test]]
        model = LearnedTagger.train(train, text_column=text_column, seed=seed, epochs=epochs)
        for i, s in zip(fold, model.predict([texts[i] for i in fold])):
            scores[i] = s
    gold = data.assign(id=ids)
    return {mode: evaluate(gold, _frame(ids, [combine(r, s, mode, threshold) for r, s in zip(rule_results, scores)]))
            for mode in modes}
