import math

import pytest
from review_helpers import seg_id

from interviewkit.review import agreement as A
from interviewkit.review import bulk
from interviewkit.review import events as E
from interviewkit.review.labels import ReviewError
from interviewkit.review.state import final_tags, segment_status


def _participant_segments(project):
    s = project.segments(role="participant")
    return s["segment_id"].tolist()


# ------------------------------------------------------------------ bulk


def test_accept_rule_is_one_batch_undone_at_once(project):
    res = bulk.accept_rule(project, "stage.support.fr[0]", "CV")
    support = {seg_id(project, "P01_entretien.txt", 1, 0), seg_id(project, "P01_entretien.txt", 1, 1)}
    assert set(res.segments) == support and len(res.event_ids) == 2 and res.batch_id
    ev = E.load_events(project)
    assert set(ev["batch_id"]) == {res.batch_id} and set(ev["label"]) == {"support"}
    assert set(segment_status(ev)["segment_id"]) == support
    E.undo(project, "CV")
    assert segment_status(E.load_events(project)).empty


def test_bulk_leaves_human_decisions_alone(project):
    sid = seg_id(project, "P01_entretien.txt", 1, 1)
    E.record(project, sid, "reject", "stage", "support", coder="HM")
    res = bulk.accept_rule(project, "stage.*", "CV")
    assert res.already_decided == 1 and sid not in res.segments
    assert len(res.segments) == 9  # every other tagged segment has stage evidence
    assert final_tags(project).set_index("segment_id").loc[sid, "stage"] == ""
    blind = bulk.accept_rule(project, "stage.support.*", "CV2", blind=True)  # blind: HM's decision is not seen
    assert sid in blind.segments


def test_accept_label_above_a_confidence(project):
    res = bulk.accept_label(project, "channel", "phone", "CV", min_confidence=0.9)
    assert res.segments == [seg_id(project, "P01_entretien.txt", 1, 0)]
    res = bulk.accept_label(project, "irritant", 1, "CV", min_confidence=0.7)
    assert len(res.segments) == 2  # 0.8 and 0.9; 0.65 is below
    assert bulk.accept_label(project, "emotion", "fear", "CV").batch_id is None  # nothing matched
    with pytest.raises(ReviewError):
        bulk.accept_label(project, "stage", "payment", "CV")


# ------------------------------------------------------------------ kappa


def test_kappa_on_hand_computed_cases():
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    # p_o = 0.8, p_e = 0.4*0.4 + 0.6*0.6 = 0.52 -> (0.8 - 0.52) / 0.48
    assert A.kappa(a, b) == pytest.approx(0.28 / 0.48)
    # three classes: p_o = 4/6, p_e = (2*2 + 2*3 + 2*1)/36 = 1/3 -> 0.5
    assert A.kappa([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]) == pytest.approx(0.5)
    assert A.kappa([1, 0, 1], [1, 0, 1]) == 1.0
    assert math.isnan(A.kappa([0, 0, 0], [0, 0, 0]))


def _double_code(project):
    segs = _participant_segments(project)
    for coder, coded in (("A", {0, 1, 2, 3}), ("B", {0, 1, 2, 4})):
        for i, sid in enumerate(segs):
            E.accept_segment(project, sid, coder)
            if i in coded:
                E.record(project, sid, "add", label="rappel", coder=coder)
    return segs


def test_two_coder_agreement_per_code(project):
    segs = _double_code(project)
    E.record(project, segs[5], "edit", "emotion", value="joy", coder="B")  # A: sadness
    table = A.coder_agreement(project, "A", "B").set_index(["field", "label"])
    row = table.loc[("code", "rappel")]
    assert (row["n"], row["a_yes"], row["b_yes"], row["both_yes"]) == (10, 4, 4, 3)
    assert row["agreement"] == pytest.approx(0.8) and row["kappa"] == pytest.approx(0.28 / 0.48)
    assert table.loc[("stage", "support"), "kappa"] == 1.0
    assert table.loc[("emotion", "sadness"), "agreement"] == pytest.approx(0.9)
    assert 0 < table.loc[("emotion", "(all)"), "kappa"] < 1
    with pytest.raises(ReviewError) as err:
        A.coder_agreement(project, "A", "nobody")
    assert err.value.code == "E816"


def test_disagreements_are_listed_and_resolved(project):
    segs = _double_code(project)
    dis = A.disagreements(project, "A", "B")
    assert sorted(dis["segment_id"]) == sorted([segs[3], segs[4]])
    assert set(dis["field"]) == {"code"}
    assert dis.set_index("segment_id").loc[segs[3], "value_a"] == "rappel"
    eid = A.resolve(project, segs[3], "code", True, label="rappel", coder="LEAD", memo="consensus")
    ev = E.load_events(project).set_index("event_id").loc[eid]
    assert (ev["action"], ev["coder"], ev["memo"]) == ("resolve", "LEAD", "consensus")
    assert A.disagreements(project, "A", "B")["segment_id"].tolist() == [segs[4]]
    full = A.disagreements(project, "A", "B", include_resolved=True).set_index("segment_id")
    assert full.loc[segs[3], "resolved"]
    status = segment_status(E.load_events(project)).set_index("segment_id")["review_status"]
    assert status[segs[3]] == "resolved"
    assert "rappel" in final_tags(project).set_index("segment_id").loc[segs[3], "codes"]


def test_auto_tagger_vs_human_agreement(project):
    segs = _participant_segments(project)
    support = {seg_id(project, "P01_entretien.txt", 1, 0), seg_id(project, "P01_entretien.txt", 1, 1)}
    for sid in segs:
        E.accept_segment(project, sid, "A")
        if sid in support:
            E.record(project, sid, "reject", "stage", "support", coder="A")
    table = A.auto_agreement(project, "A").set_index(["field", "label"])
    row = table.loc[("stage", "support")]
    assert (row["n"], row["a_yes"], row["b_yes"]) == (10, 2, 0)  # a = auto, b = human
    assert row["agreement"] == pytest.approx(0.8) and row["kappa"] == pytest.approx(0.0)
    assert table.loc[("channel", "web"), "kappa"] == 1.0
