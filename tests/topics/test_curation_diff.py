"""Curation decisions re-applied after a new fit, new segments, run diff."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from interviewkit.errors import ConfigError
from interviewkit.topics import IrritantTopicModel, TopicResult, apply_curation, assign_new, diff_runs
from interviewkit.topics import curation as C


def _majority(result, corpus) -> dict[int, str]:
    a = result.assignments.merge(corpus[["segment_id", "theme"]], on="segment_id")
    a = a[a["topic_id"] >= 0]
    return {int(t): g["theme"].value_counts().index[0] for t, g in a.groupby("topic_id")}


def _main_topic(result, corpus, theme) -> int:
    a = result.assignments.merge(corpus[["segment_id", "theme"]], on="segment_id")
    counts = a.loc[(a["theme"] == theme) & (a["topic_id"] >= 0), "topic_id"].value_counts()
    return int(counts.index[0])


def test_curation_is_reapplied_after_a_new_fit(corpus, tfidf_model):
    r1 = tfidf_model.result_
    maj = _majority(r1, corpus)
    qr_topics = sorted(t for t, th in maj.items() if th == "qr")
    service = _main_topic(r1, corpus, "service")
    split_ids = r1.members(service)[:6]
    decisions = [
        C.rename(r1, _main_topic(r1, corpus, "sms"), "SMS promis jamais reçu"),
        C.merge(r1, qr_topics, label="QR code refusé") if len(qr_topics) > 1
        else C.rename(r1, qr_topics[0], "QR code refusé"),
        C.mark_not_irritant(r1, _main_topic(r1, corpus, "facture")),
        C.move(r1, "qr-00", None),
        C.split(r1, service, split_ids, label="Renvoi vers l'agence"),
    ]
    decisions = [C.decision_from_dict(C.decision_to_dict(d)) for d in decisions]  # plain dicts round-trip

    # next fit on next month's corpus: some segments gone, new ones added -> other topic ids
    new_rows = corpus[corpus["segment_id"].isin(["devis-01", "sms-01", "qr-01", "facture-01", "service-01"])].copy()
    new_rows["segment_id"] = [f"new-{i}" for i in range(len(new_rows))]
    new_rows["text"] = ["Le devis a mis trois semaines à arriver.", "Aucun SMS reçu malgré la promesse.",
                        "La borne a refusé mon QR code.", "Je n'ai toujours pas la facture.",
                        "On m'a transféré de service en service."]
    kept = corpus[~corpus["segment_id"].isin(["devis-00", "sms-03", "facture-07"])]
    changed = pd.concat([new_rows, kept], ignore_index=True)
    r2 = IrritantTopicModel(embedding="tfidf-svd").fit(changed).result_
    assert r2.topic_ids() and set(r2.assignments["segment_id"]) != set(r1.assignments["segment_id"])
    cur = apply_curation(r2, decisions)
    log = pd.DataFrame(cur.curation_log)
    assert (log["status"] == "applied").all(), log.to_string()
    labels = dict(zip(cur.topics["topic_id"], cur.topics["label"]))
    assert labels[_main_topic(cur, changed, "sms")] == "SMS promis jamais reçu"
    assert labels[_main_topic(cur, changed, "qr")] == "QR code refusé"
    fact = cur.topics.set_index("topic_id").at[_main_topic(cur, changed, "facture"), "is_irritant"]
    assert not bool(fact)
    assert int(cur.assignments.set_index("segment_id").at["qr-00", "topic_id"]) == -1
    new_topic = cur.topics.loc[cur.topics["label"] == "Renvoi vers l'agence"]
    assert len(new_topic) == 1
    members = set(cur.members(int(new_topic["topic_id"].iloc[0])))
    assert members and members <= set(split_ids)
    # counts stay consistent
    sizes = cur.assignments[cur.assignments["topic_id"] >= 0].groupby("topic_id").size()
    assert dict(zip(cur.topics["topic_id"], cur.topics["segments"])) == sizes.to_dict()
    assert set(cur.centroids) == set(cur.topics["topic_id"])
    # the original result is untouched
    assert "Renvoi vers l'agence" not in set(r2.topics["label"])


def test_unmatched_and_undone_decisions_are_reported(tfidf_model):
    r = tfidf_model.result_
    ghost = C.Rename(C.TopicRef(99, "ancien", ["croisière", "norvège"], ["x-1", "x-2"]), "fantôme")
    rename = C.decision_to_dict(C.rename(r, 0, "premier renommage"))
    rename["decision_id"] = 1
    undo = {"action": "undo", "target_id": 1}
    cur = apply_curation(r, [ghost, rename, undo])
    status = [e["status"] for e in cur.curation_log]
    assert status == ["unmatched", "undone", "applied"]
    assert "fantôme" not in set(cur.topics["label"]) and "premier renommage" not in set(cur.topics["label"])
    with pytest.raises(ConfigError) as err:
        C.decision_from_dict({"action": "explode"})
    assert err.value.code == "E708"
    with pytest.raises(ConfigError):
        C.rename(r, 12345, "x")


def test_assign_new_segments_to_saved_curated_topics(corpus, tfidf_model, tmp_path):
    from interviewkit.topics import load_result, save_result

    r = tfidf_model.result_
    facture = sorted(t for t, th in _majority(r, corpus).items() if th == "facture")
    cur = apply_curation(r, [C.merge(r, facture, label="Facture jamais reçue")])
    save_result(cur, tmp_path / "model")
    loaded = load_result(tmp_path / "model")
    new = pd.DataFrame({
        "segment_id": ["n1", "n2", "n3"],
        "text": ["Je n'ai jamais reçu la facture du garage.", "La facture ne m'a jamais été envoyée.",
                 "Le QR code de l'application a été refusé à la borne."],
        "participant": "P99", "persona": None, "document": "P99.txt", "stage": "", "channel": "",
        "irritant": 1, "language": "fr"})
    out = assign_new(loaded, new)
    assert list(out.columns) == ["segment_id", "topic_id", "probability", "label"]
    assert out.loc[0, "label"] == "Facture jamais reçue"
    assert out.loc[0, "topic_id"] == out.loc[1, "topic_id"] != out.loc[2, "topic_id"]
    model = IrritantTopicModel.load(tmp_path / "model")
    pd.testing.assert_frame_equal(model.assign_new(new), out)


def _result(groups: dict[int, list[str]], labels: dict[int, str], extra_outliers=()) -> TopicResult:
    rows, topics = [], []
    for t, segs in groups.items():
        rows += [(s, t, 0.9) for s in segs]
        topics.append({"topic_id": t, "label": labels[t], "keywords": [labels[t]], "segments": len(segs),
                       "participants": len(segs), "is_irritant": True, "representative_segment_ids": segs[:2]})
    rows += [(s, -1, 0.0) for s in extra_outliers]
    assignments = pd.DataFrame(rows, columns=["segment_id", "topic_id", "probability"])
    return TopicResult(pd.DataFrame(topics), assignments, 0.0, "")


def test_run_diff_on_a_known_case():
    s = [f"s{i}" for i in range(70)]
    old = _result({0: s[0:10], 1: s[10:20], 2: s[20:30], 3: s[30:35], 4: s[50:60]},
                  {0: "devis", 1: "attente", 2: "facture", 3: "sms", 4: "QR code"})
    new = _result({0: s[0:20], 1: s[20:25], 2: s[25:30], 3: s[60:68], 4: s[50:60]},
                  {0: "attente du devis", 1: "facture perdue", 2: "facture non reçue", 3: "appli", 4: "QR refusé"},
                  extra_outliers=s[30:35])
    d = diff_runs(old, new)
    by = {r["change"]: r for _, r in d.iterrows()}
    assert set(by) == {"merged", "split", "vanished", "appeared", "renamed"}
    assert by["merged"]["old_topic_ids"] == [0, 1] and by["merged"]["new_topic_ids"] == [0]
    assert by["split"]["old_topic_ids"] == [2] and by["split"]["new_topic_ids"] == [1, 2]
    assert by["vanished"]["old_topic_ids"] == [3] and by["vanished"]["delta_segments"] == -5
    assert by["appeared"]["new_topic_ids"] == [3] and by["appeared"]["new_segments"] == 8
    assert by["renamed"]["old_labels"] == ["QR code"] and by["renamed"]["new_labels"] == ["QR refusé"]
    assert by["merged"]["shared_segments"] == 20
    assert list(d.columns)[:3] == ["change", "old_topic_ids", "new_topic_ids"]


def test_run_diff_without_shared_segments_uses_keywords():
    old = _result({0: ["a1", "a2"], 1: ["a3", "a4"]}, {0: "devis", 1: "facture"})
    new = _result({0: ["b1", "b2", "b3"], 1: ["b4"]}, {0: "devis", 1: "sms"})
    d = diff_runs(old, new)
    changes = sorted(d["change"])
    assert changes == ["appeared", "stable", "vanished"]
    stable = d[d["change"] == "stable"].iloc[0]
    assert stable["delta_segments"] == 1


def test_diff_of_a_run_with_itself_is_stable(tfidf_model):
    d = diff_runs(tfidf_model.result_, tfidf_model.result_)
    assert (d["change"] == "stable").all() and (d["delta_segments"] == 0).all()
    assert np.all(d["old_topic_ids"].tolist() == d["new_topic_ids"].tolist())
