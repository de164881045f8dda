"""Decision layer: turn the (negated, intensified) cues of a segment into a :class:`TagResult`.

Per field, each label's score is the sum of the weights of its cues (the
strongest of overlapping matches of one label counts once; negative weights
cancel). A label is given when its score reaches the field ``threshold``.
Emotion and lane take the best label (else the field ``default``). Valence
comes from the emotion cues' valences (pattern ``valence`` or the label's),
weighed by side (positive vs negative), then raised by intensity. Irritant cues count
towards ``counts_as`` (anger) when the irritant is given; against another negative
emotion their summed share is capped at ``SHARE_CAP`` ("très déçu" in a long complaint
is sadness), never so that a positive emotion wins; and a positive emotion does not win a
segment whose pain point weighs as much (``POSITIVE_OVER_PAIN``: thanks around a complaint are
politeness or irony). Finally the
codebook's ``derive`` rules run in order. Context cues fill ``stage`` only
when the segment alone gives none, with half the confidence.

Confidence of a label with score ``s`` is ``s / (s + 0.35)`` (0.74 for one
full-weight cue, 0.85 for two); defaults and derived values get fixed lower
figures (see :data:`DEFAULT_CONFIDENCE`).
"""
from __future__ import annotations

from typing import Any

from interviewkit.codebook import LABEL_FIELDS, Codebook, DeriveRule
from interviewkit.tagging.intensity import Emphasis
from interviewkit.tagging.result import Cue, TagResult

CONTEXT_FACTOR = 0.5
DEFAULT_CONFIDENCE = {"empty": 0.6, "default": 0.5, "derived": 0.55, "no_irritant": 0.75}
CONTRAST_AFTER, CONTRAST_BEFORE = 1.5, 0.7
INTENSIFIED, DOWNTONED, FLIPPED, RELIEF = 1.3, 0.7, 0.8, 0.5
COMPANY_LANE = "frontstage"  # default lane of a segment about a touchpoint or a pain point
SHARE_CAP = 1.0  # irritant cues' summed share of the emotion when another negative emotion competes
POSITIVE_OVER_PAIN = 1.0  # a positive emotion keeps a segment with a pain point only when it outweighs it
IRRITANT_PEAK = 3.0  # summed irritant weight that makes a pain point a peak (valence -2)
LANE_CUSTOMER_MIN = 0.3


def conf(score: float) -> float:
    return round(min(0.97, max(0.0, score) / (max(0.0, score) + 0.35)), 3)


Item = tuple[Cue, str, float, "int | None"]  # cue, label, effective weight, valence


class Decider:
    def __init__(self, codebook: Codebook) -> None:
        self.cb = codebook
        self.order = {f: {lid: i for i, lid in enumerate(codebook.label_ids(f))} for f in LABEL_FIELDS}
        self.default_valence = {lid: (lab.valence if lab.valence is not None else 0)
                                for lid, lab in codebook.labels["emotion"].items()}

    # ------------------------------------------------------------------ cue policies
    def accept(self, cues: list[Cue], contrast_at: list[int] | None = None) -> tuple[dict[str, list[Item]], list[Cue]]:
        """Apply negation policies and weight modifiers; return accepted items per field and relief cues."""
        cb = self.cb
        items: dict[str, list[Item]] = {f: [] for f in LABEL_FIELDS}
        items["_valence"] = []
        items["_share"] = []  # irritant cues counting as an emotion (used when the irritant is given)
        relief: list[Cue] = []
        last_contrast = max(contrast_at) if contrast_at else None
        share_label = cb.fields["irritant"].counts_as
        share_weight = cb.fields["irritant"].counts_as_weight
        for c in cues:
            f = c.field
            if f == "_valence":
                items["_valence"].append((c, "_valence", c.weight, c.valence))
                continue
            spec = cb.fields.get(f)
            if spec is None or c.label not in cb.labels[f]:
                continue
            policy = c.on_negation or spec.on_negation
            label, weight, valence = c.label, c.weight, c.valence
            if policy == "only":
                if not c.negated:
                    continue
            elif c.negated:
                if policy == "drop":
                    if f == "irritant" and weight > 0:
                        relief.append(c)
                    continue
                if policy == "flip":
                    target = cb.labels[f][label].negated_to if f == "emotion" else None
                    if not target:
                        continue
                    label, weight, valence = target, weight * FLIPPED, None
                elif policy not in ("keep",):
                    label, valence = policy, None
            if c.downtoned:
                weight *= DOWNTONED
            elif c.intensified and f in ("emotion", "irritant") and weight > 0:
                weight *= INTENSIFIED
            if f in ("emotion", "irritant") and last_contrast is not None and weight > 0:
                weight *= CONTRAST_AFTER if c.start > last_contrast else CONTRAST_BEFORE
            items[f].append((c, label, weight, valence))
            if f == "irritant" and share_label and weight > 0 and c.valence != 0:  # valence 0: told without feeling
                items["_share"].append((c, share_label, weight * share_weight, None))
        return items, relief

    @staticmethod
    def scores(items: list[Item]) -> dict[str, tuple[float, list[Item]]]:
        """Per label: summed weight (overlapping positive matches of a label count once, and so does a
        pattern matching several times) and the items kept.

        A negative-weight pattern ("lettre recommandée") cancels the overlapping matches of its label.
        """
        if not items:
            return {}
        negatives: dict[str, list[Item]] = {}
        by_label: dict[str, list[Item]] = {}
        for it in items:
            (negatives if it[2] < 0 else by_label).setdefault(it[1], []).append(it)
        per: dict[str, tuple[float, list[Item]]] = {}
        for label, group in by_label.items():
            if len(group) > 1:
                group.sort(key=lambda x: -x[2])
            negs = negatives.get(label, ())
            total = 0.0
            kept: list[Item] = []
            spans: list[tuple[int, int, str]] = []
            rules: set[tuple[str, str]] = set()
            for cue, lab, w, val in group:
                cs, ce, src = cue.start, cue.end, cue.source
                if spans and any(cs < e and ce > s_ and src == so for s_, e, so in spans):
                    continue
                if (cue.rule, src) in rules:
                    continue  # a pattern repeated in a long verbatim is still one piece of evidence
                for n_cue, _, n_w, _ in negs:
                    if n_cue.source == src and cs < n_cue.end and ce > n_cue.start:
                        w += n_w
                if w <= 0:
                    continue
                spans.append((cs, ce, src))
                rules.add((cue.rule, src))
                kept.append((cue, lab, w, val))
                total += w
            if kept:
                per[label] = (total, kept)
        return per

    # ------------------------------------------------------------------ decision
    def decide(self, cues: list[Cue], emphasis: Emphasis | None = None,
               context_cues: list[Cue] | None = None,
               model_scores: dict[str, tuple[Any, float]] | None = None) -> TagResult:
        """Decide the tags from the cues; ``model_scores`` (field -> (ModelSpec, p)) adds each model's
        ``weight * (p - center)`` to the rules' summed score of its field."""
        cb = self.cb
        emphasis = emphasis or Emphasis()
        items, relief = self.accept(cues, emphasis.contrast_at)
        res = TagResult(emotion=cb.fields["emotion"].default or "neutral", lane=cb.fields["lane"].default or "customer")
        ev: list[dict[str, Any]] = []
        confd: dict[str, float] = {}

        for f in ("stage", "channel", "moments"):
            labels, c = self._multi(f, items[f], ev)
            if not labels and context_cues and f == "stage":
                ctx_items, _ = self.accept(context_cues)
                labels, c = self._multi(f, ctx_items[f], ev, factor=CONTEXT_FACTOR)
            setattr(res, f, labels)
            confd[f] = c

        # irritant
        irr = self.scores(items["irritant"]).get("irritant")
        thr = cb.fields["irritant"].threshold
        if irr and irr[0] >= thr:
            res.irritant = 1
            confd["irritant"] = conf(irr[0])
            ev.extend(self._evidence("irritant", irr[1]))
        else:
            res.irritant = 0
            partial = irr[0] if irr else 0.0
            confd["irritant"] = round(DEFAULT_CONFIDENCE["no_irritant"] - 0.3 * min(1.0, max(0.0, partial) / thr), 3)
        vote = _model_vote(model_scores, "irritant")
        if vote and res.irritant and irr[0] + vote["weight"] < thr:
            self._model_veto(res, irr, vote, confd, ev)

        if res.irritant:
            items["emotion"].extend(items["_share"])
        # relief: a negated irritant cue ("aucun problème") credits an emotion when nothing else is wrong
        target = cb.fields["irritant"].negated_to
        if relief and target and not res.irritant:
            for c in relief:
                items["emotion"].append((c, target, c.weight * RELIEF, None))

        # emotion
        ranked = self._ranked_emotions(items["emotion"])
        if res.irritant and ranked:
            # the pain points weigh on the emotion, but against another negative emotion together never
            # more than SHARE_CAP: an explicit "très déçu" still names the emotion of a long complaint
            # (a positive emotion never wins that way; the valence takes them in full)
            shared = {id(it) for it in items["_share"]}
            total = sum(w for _, _, w, _ in items["_share"])
            if total > SHARE_CAP:
                scale = SHARE_CAP / total
                capped = self._ranked_emotions([(it[0], it[1], it[2] * scale, it[3]) if id(it) in shared else it
                                                for it in items["emotion"]])
                if capped and capped[0][0] != ranked[0][0] and self.default_valence.get(capped[0][0], 0) < 0:
                    ranked = capped
        felt_score = self._felt_score(items)
        if (res.irritant and felt_score and ranked and self.default_valence.get(ranked[0][0], 0) > 0
                and felt_score >= POSITIVE_OVER_PAIN * ranked[0][1][0]):
            ranked = self._not_positive(ranked, items, ev)
        emotion_by_default = not (ranked and ranked[0][1][0] >= cb.fields["emotion"].threshold)
        if not emotion_by_default:
            top, (score, kept) = ranked[0]
            second = ranked[1][1][0] if len(ranked) > 1 else 0.0
            res.emotion = top
            confd["emotion"] = round(conf(score) * (0.6 + 0.4 * (score - second) / score), 3)
            ev.extend(self._evidence("emotion", kept))
        else:
            confd["emotion"] = DEFAULT_CONFIDENCE["default"]

        # valence
        res.valence, confd["valence"], vev = self._valence(items["emotion"] + items["_valence"], emphasis)
        ev.extend(vev)

        # lane
        lanes = self.scores(items["lane"])
        ranked_l = sorted(((k, v) for k, v in lanes.items() if v[0] > 0),
                          key=lambda kv: (-kv[1][0], self.order["lane"].get(kv[0], 99)))
        if ranked_l and ranked_l[0][1][0] >= cb.fields["lane"].threshold:
            res.lane = ranked_l[0][0]
            confd["lane"] = conf(ranked_l[0][1][0])
            ev.extend(self._evidence("lane", ranked_l[0][1][1]))
        else:
            res.lane, confd["lane"], lane_ev = self._default_lane(res, lanes)
            ev.extend(lane_ev)

        # a pain point resting only on cues marked ``valence: 0`` (a reservation: "chambre un peu petite")
        without_feeling = bool(irr) and irr[0] >= cb.fields["irritant"].threshold > felt_score
        for rule in cb.derive:
            if _holds(rule, res, items, emotion_by_default, without_feeling):
                changed = _apply(rule, res)
                for fname, label in changed:
                    ev.append({"field": fname, "label": label, "rule": f"derive.{rule.id}", "source": "derived"})
                    confd[fname] = max(confd.get(fname, 0.0), DEFAULT_CONFIDENCE["derived"]) if fname in (
                        "moments", "stage", "channel") else DEFAULT_CONFIDENCE["derived"]
        if res.irritant and felt_score >= IRRITANT_PEAK and res.valence == -1:
            # many pain cues in one segment (waiting + chasing + failure...): the peak of a story
            res.valence = -2
            ev.append({"field": "valence", "label": "-2", "rule": "decide.irritant_peak", "source": "derived",
                       "weight": round(felt_score, 3)})
            for rule in cb.derive:
                if "irritating" in rule.add.get("moments", ()) and _holds(rule, res, items, emotion_by_default,
                                                                         without_feeling):
                    for fname, label in _apply(rule, res):
                        ev.append({"field": fname, "label": label, "rule": f"derive.{rule.id}", "source": "derived"})
        self._coherent_valence(res, ev)
        if vote and "decided" not in vote:
            self._model_raise(res, irr, vote, confd, ev)
        res.confidence = confd
        res.evidence = ev
        return res

    def _model_veto(self, res: TagResult, irr: tuple, vote: dict[str, Any], confd: dict[str, float],
                    ev: list[dict[str, Any]]) -> None:
        """The model says no to the rules' irritant cues (their weight plus its vote stays under the
        threshold): the segment is decided as without an irritant, so the emotion, valence and moments
        that follow agree with it. An irritant a derive rule gives later is not vetoed."""
        thr = self.cb.fields["irritant"].threshold
        res.irritant = 0
        score = irr[0] + vote["weight"]
        confd["irritant"] = round(DEFAULT_CONFIDENCE["no_irritant"] - 0.3 * min(1.0, max(0.0, score) / thr), 3)
        ev[:] = [e for e in ev if e.get("field") != "irritant"]
        vote.update(label="irritant", decided=False, overruled=sorted({it[0].rule for it in irr[1]}))
        ev.append(vote)

    def _model_raise(self, res: TagResult, irr: tuple | None, vote: dict[str, Any], confd: dict[str, float],
                     ev: list[dict[str, Any]]) -> None:
        """After the rules decided everything else: the model's vote gives the irritant the rules
        missed (rules' weight plus the vote reaches the threshold). The emotion and valence stay the
        rules' (measured: letting the vote drive them lowered emotion macro-F1 on real sets)."""
        thr = self.cb.fields["irritant"].threshold
        rule_score = irr[0] if irr else 0.0
        if not res.irritant and rule_score + vote["weight"] >= thr:
            res.irritant = 1
            confd["irritant"] = conf(rule_score + vote["weight"])
            if irr:  # the rules' cues under the threshold count with the vote: they are evidence too
                ev.extend(self._evidence("irritant", irr[1]))
            vote.update(label="irritant", decided=True)
            ev.append(vote)
        elif res.irritant:
            vote.update(label="irritant", decided=True)
            ev.append(vote)

    def _not_positive(self, ranked: list, items: dict[str, list[Item]], ev: list[dict[str, Any]]) -> list:
        """A segment with a lived pain point is not told with a positive emotion: thanks and praise
        around a complaint are politeness or irony ("merci free !!", "bravo ... l'incompétence").
        The best non-positive emotion wins; with none, the irritant's ``counts_as`` emotion."""
        rest = [r for r in ranked if self.default_valence.get(r[0], 0) <= 0]
        if not rest:
            target = self.cb.fields["irritant"].counts_as
            shares = [it for it in items["_share"] if it[1] == target]
            if not target or not shares:
                return ranked
            rest = [(target, (max(self.cb.fields["emotion"].threshold, sum(it[2] for it in shares)), shares))]
        ev.append({"field": "emotion", "label": rest[0][0], "rule": "decide.irritant_not_positive",
                   "source": "derived", "instead_of": ranked[0][0]})
        return rest

    def _felt_score(self, items: dict[str, list[Item]]) -> float:
        """Summed weight of the irritant cues told with feeling (not marked ``valence: 0``)."""
        felt = self.scores([it for it in items["irritant"] if it[0].valence != 0]).get("irritant")
        return felt[0] if felt else 0.0

    def _ranked_emotions(self, items: list[Item]) -> list[tuple[str, tuple[float, list[Item]]]]:
        emo = {k: v for k, v in self.scores(items).items() if v[0] > 0}
        return sorted(emo.items(), key=lambda kv: (-round(kv[1][0], 6), -round(_named(kv[1][1]), 6),
                                                   self.order["emotion"].get(kv[0], 99)))

    def _coherent_valence(self, res: TagResult, ev: list[dict[str, Any]]) -> None:
        """Make valence agree with the emotion: the sign of the emotion's label valence (joy/trust +,
        anger/sadness/fear/confusion -); a surprise takes the sign of the pain point (negative with an
        irritant, else positive). The default emotion (neutral) keeps the valence of polarity-only cues."""
        polarity = self.default_valence.get(res.emotion, 0)
        if res.emotion == self.cb.fields["emotion"].default:
            new = res.valence  # a polarity-only cue (lexicon) may move the valence of a neutral segment
        elif polarity > 0:
            new = res.valence if res.valence > 0 else 1
        elif polarity < 0:
            new = res.valence if res.valence < 0 else -1
        else:
            new = res.valence or (-1 if res.irritant else 1)
        if new != res.valence:
            res.valence = new
            ev.append({"field": "valence", "label": str(new), "rule": "decide.coherence", "source": "derived"})

    def _default_lane(self, res: TagResult, lanes: dict[str, tuple[float, list[Item]]]) -> tuple[str, float, list[dict[str, Any]]]:
        """Lane when no lane cue reaches the threshold.

        A segment that names a touchpoint (a channel) or reports a pain point, without the
        customer as the acting subject, is about what the company shows the customer:
        :data:`COMPANY_LANE` (frontstage). Otherwise the field default (customer).
        """
        spec = self.cb.fields["lane"]
        default = spec.default or "customer"
        company = COMPANY_LANE
        if company not in self.cb.labels["lane"]:
            return default, DEFAULT_CONFIDENCE["default"] - 0.05, []
        customer = lanes.get(default, (0.0, []))[0]
        if (res.channel or res.irritant) and customer < LANE_CUSTOMER_MIN:
            why = "channel" if res.channel else "irritant"
            return company, DEFAULT_CONFIDENCE["default"] - 0.05, [
                {"field": "lane", "label": company, "rule": f"default.lane_{why}", "source": "derived"}]
        return default, DEFAULT_CONFIDENCE["default"] - 0.05, []

    def _multi(self, f: str, items: list[Item], ev: list[dict[str, Any]], factor: float = 1.0) -> tuple[list[str], float]:
        thr = self.cb.fields[f].threshold
        sc = self.scores(items)
        chosen = [lid for lid in self.cb.label_ids(f) if lid in sc and sc[lid][0] >= thr]
        if not chosen:
            return [], DEFAULT_CONFIDENCE["empty"] if not items else round(DEFAULT_CONFIDENCE["empty"] - 0.1, 3)
        for lid in chosen:
            ev.extend(self._evidence(f, sc[lid][1]))
        c = sum(conf(sc[lid][0]) for lid in chosen) / len(chosen)
        return chosen, round(c * factor, 3)

    @staticmethod
    def _evidence(f: str, kept: list[Item], limit: int = 3) -> list[dict[str, Any]]:
        pos = [k for k in kept if k[2] > 0][:limit]
        return [k[0].evidence(f, k[1], k[2]) for k in pos]

    def _valence(self, items: list[Item], emphasis: Emphasis) -> tuple[int, float, list[dict[str, Any]]]:
        scored: list[tuple[float, int, Item]] = []
        deduped = [it for _, kept in self.scores(items).values() for it in kept]  # overlapping matches count once
        for it in deduped:
            cue, label, w, v = it
            if w <= 0:
                continue
            val = v if v is not None else self.default_valence.get(label, 0)
            if val and cue.intensified and not cue.downtoned:
                val = max(-2, min(2, val + (1 if val > 0 else -1)))
            if val:
                scored.append((w, val, it))
        if not scored:
            return 0, 0.55, []
        pos = sum(w for w, v, _ in scored if v > 0)
        neg = sum(w for w, v, _ in scored if v < 0)
        sign = -1 if neg >= pos else 1
        side = [(w, v, it) for w, v, it in scored if (v > 0) == (sign > 0)]
        main, other = (neg, pos) if sign < 0 else (pos, neg)
        magnitude = max(abs(v) for _, v, _ in side)
        if other >= 0.6 * main:
            magnitude = 1
        ev = []
        if emphasis.level and magnitude < 2:
            magnitude += 1
            ev.extend({**e, "label": str(sign * magnitude)} for e in emphasis.evidence[:1])
        side.sort(key=lambda x: (-abs(x[1]), -x[0]))
        ev = [it[0].evidence("valence", str(sign * min(2, abs(v))), w) for w, v, it in side[:2]] + ev
        c = conf(main) * (0.6 + 0.4 * (main - other) / (main + other))
        return sign * magnitude, round(c, 3), ev


def _named(kept: list[Item]) -> float:
    """Weight of the emotion cues themselves (not the irritant cues counted as an emotion): at equal
    scores the feeling the customer names ("déçu") wins over the pain points' share."""
    return sum(w for cue, _, w, _ in kept if cue.field == "emotion")


def _holds(rule: DeriveRule, res: TagResult, items: dict[str, list[Item]], emotion_by_default: bool = False,
           without_feeling: bool = False) -> bool:
    """``emotion_by_default``: no emotion label reached the threshold (the emotion is the field default,
    not an explicitly cued one such as a calm question about an outage being ``neutral``);
    ``without_feeling``: the irritant rests only on cues marked ``valence: 0``."""
    w = rule.when
    if "emotion_by_default" in w and w["emotion_by_default"] != emotion_by_default:
        return False
    if "emotion" in w and res.emotion not in w["emotion"]:
        return False
    if "lane" in w and res.lane not in w["lane"]:
        return False
    if "irritant" in w and res.irritant != w["irritant"]:
        return False
    if "irritant_felt" in w and (bool(res.irritant) and not without_feeling) != w["irritant_felt"]:
        return False
    if "valence_min" in w and res.valence < w["valence_min"]:
        return False
    if "valence_max" in w and res.valence > w["valence_max"]:
        return False
    for f in ("stage", "channel", "moments"):
        if f in w and not set(w[f]) & set(getattr(res, f)):
            return False
    if w.get("no_stage") and res.stage:
        return False
    if w.get("no_channel") and res.channel:
        return False
    if "has_cues" in w and not all(items.get(f) for f in w["has_cues"]):
        return False
    if "patterns" in w and not any(it[2] > 0 and it[0].rule.rsplit(".", 1)[-1] in w["patterns"]
                                   for f in LABEL_FIELDS for it in items.get(f, ())):
        return False
    for f, labels in w.get("cues", {}).items():
        if not any(it[1] in labels and it[2] > 0 for it in items.get(f, ())):
            return False
    return True


def _apply(rule: DeriveRule, res: TagResult) -> list[tuple[str, str]]:
    changed: list[tuple[str, str]] = []
    for f, val in rule.set.items():
        if getattr(res, f) != val:
            setattr(res, f, val)
            changed.append((f, str(val)))
    for f, labels in rule.add.items():
        cur = getattr(res, f)
        for lab in labels:
            if lab not in cur:
                cur.append(lab)
                changed.append((f, lab))
    return changed


def _model_vote(model_scores: dict[str, tuple[Any, float]] | None, field_name: str) -> dict[str, Any] | None:
    """The evidence entry of a model's vote on ``field_name`` (its ``weight`` is what it adds to the score)."""
    if not model_scores or field_name not in model_scores:
        return None
    spec, p = model_scores[field_name]
    return {"field": field_name, "rule": f"model.{spec.id}", "source": "model", "p": round(float(p), 3),
            "weight": round(spec.weight * (float(p) - spec.center), 3)}
