import json

import pytest

import interviewkit as ik
from interviewkit.review import events as E
from interviewkit.review.labels import ReviewError
from interviewkit.review.state import field_state, final_tags, history, segment_status

from review_helpers import seg_id


@pytest.fixture
def sid(project):
    return seg_id(project, "P01_entretien.txt", 1, 1)  # support, phone, anger, -2, irritant, irritating


def _final(project, sid, coder=None):
    return final_tags(project, coder).set_index("segment_id").loc[sid]


def test_every_event_type_is_appended_with_its_metadata(project, sid):
    ids = [
        E.record(project, sid, "accept", "stage", "support", coder="CV", memo="clair"),
        E.record(project, sid, "reject", "emotion", coder="CV"),
        E.record(project, sid, "edit", "valence", value=-1, coder="CV"),
        E.record(project, sid, "edit", "channel", "phone", span_start=0, span_end=8, coder="CV"),
        E.record(project, sid, "add", label="rappel non tenu", coder="CV"),
        E.record(project, sid, "add", "moments", "breaking_point", coder="CV"),
        E.record(project, sid, "remove", "moments", "irritating", coder="CV"),
        E.record(project, sid, "skip", coder="HM"),
        E.record(project, sid, "resolve", "lane", value="frontstage", coder="LEAD", memo="accord"),
    ]
    ids.append(E.undo(project, "CV"))
    ids.append(E.redo(project, "CV"))
    assert ids == sorted(ids) and len(set(ids)) == 11
    ev = E.load_events(project)
    assert ev["action"].tolist() == ["accept", "reject", "edit", "edit", "add", "add", "remove", "skip", "resolve",
                                     "undo", "redo"]
    assert set(ev["codebook_version"].iloc[:9]) == {"2025.1"}
    assert ev["created_at"].str.match(r"\d{4}-\d\d-\d\dT").all()
    assert ev.loc[0, "memo"] == "clair" and ev.loc[8, "coder"] == "LEAD"
    reject = ev.loc[1]
    assert (reject["label"], json.loads(reject["value_json"]), json.loads(reject["auto_json"])) == (
        "anger", "neutral", "anger")
    assert ev.loc[9, "target_event_id"] == ids[6]  # the coder's latest decision
    assert ev.loc[10, "target_event_id"] == ids[9]
    final = _final(project, sid)
    assert final["stage"] == "support"
    assert final["emotion"] == "neutral"
    assert final["valence"] == -1
    assert final["moments"] == "breaking_point"  # irritating removed (undone then redone), breaking_point added
    assert final["lane"] == "frontstage"
    assert final["codes"] == "rappel non tenu"
    assert json.loads(final["confidence"])["stage"] == 1.0
    human = [e for e in json.loads(final["evidence"]) if e["rule"] == "human"]
    assert human == [{"field": "channel", "label": "phone", "rule": "human", "start": 0, "end": 8, "coder": "CV"}]


def test_validation_errors_are_clear(project, sid):
    cases = [
        (dict(segment_id="nope", action="accept", field="stage"), "E801"),
        (dict(segment_id=sid, action="like"), "E802"),
        (dict(segment_id=sid, action="accept", field="mood"), "E803"),
        (dict(segment_id=sid, action="add", field="stage", label="payment"), "E804"),
        (dict(segment_id=sid, action="edit", field="valence", value=3), "E805"),
        (dict(segment_id=sid, action="edit", field="valence", value="beaucoup"), "E805"),
        (dict(segment_id=sid, action="edit", field="irritant", value=2), "E806"),
        (dict(segment_id=sid, action="add", label="  "), "E807"),
        (dict(segment_id=sid, action="accept"), "E807"),
        (dict(segment_id=sid, action="add", label="x", span_start=5, span_end=500), "E810"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ReviewError) as err:
            E.record(project, coder="CV", **kwargs)
        assert err.value.code == code, (kwargs, err.value)
    with pytest.raises(ReviewError) as err:
        E.record(project, sid, "accept", "stage", coder=" ")
    assert err.value.code == "E811"
    assert "allowed: discover" in str(
        pytest.raises(ReviewError, E.record, project, sid, "add", "stage", "payment", coder="CV").value)
    assert E.load_events(project).empty  # nothing half-written


def test_codes_outside_the_codebook_are_free(project, sid):
    E.record(project, sid, "add", "code", "Prix trop élevé", coder="CV")
    E.record(project, sid, "add", label="  délai   de rappel ", coder="CV")
    assert _final(project, sid)["codes"] == "Prix trop élevé;délai de rappel"
    E.record(project, sid, "remove", "code", "Prix trop élevé", coder="CV")
    assert _final(project, sid)["codes"] == "délai de rappel"


def test_undo_redo_work_across_reopened_projects(project, sid):
    path = project.path
    E.record(project, sid, "reject", "stage", "support", coder="CV")
    E.record(project, sid, "edit", "emotion", value="sadness", coder="CV")
    project.close()
    p2 = ik.open_project(path)
    E.undo(p2, "CV")  # undoes the emotion edit of the previous session
    assert _final(p2, sid)["emotion"] == "anger"
    p2.close()
    p3 = ik.open_project(path)
    E.undo(p3, "CV")
    assert _final(p3, sid)["stage"] == "support"
    with pytest.raises(ReviewError) as err:
        E.undo(p3, "CV")
    assert err.value.code == "E808"
    E.redo(p3, "CV")  # the latest undo first: the stage reject
    p3.close()
    p4 = ik.open_project(path)
    assert _final(p4, sid)["stage"] == ""
    E.redo(p4, "CV")
    assert _final(p4, sid)["emotion"] == "sadness"
    with pytest.raises(ReviewError) as err:
        E.redo(p4, "CV")
    assert err.value.code == "E809"
    p4.close()


def test_a_new_decision_clears_the_redo_stack_and_undo_is_per_coder(project, sid):
    E.record(project, sid, "reject", "stage", "support", coder="CV")
    E.record(project, sid, "accept", "channel", "phone", coder="HM")
    E.undo(project, "CV")
    E.record(project, sid, "accept", "emotion", coder="CV")
    with pytest.raises(ReviewError):
        E.redo(project, "CV")
    E.undo(project, "HM")
    state = field_state(E.load_events(project))
    assert set(state["field"]) == {"emotion"}


def test_undo_of_a_batch_cancels_the_whole_batch(project, sid):
    other = seg_id(project, "P01_entretien.txt", 3, 1)
    E.record(project, other, "add", label="gentillesse", coder="CV")
    ids = E.accept_segment(project, sid, "CV")
    assert len(ids) == 7
    assert segment_status(E.load_events(project)).set_index("segment_id").loc[sid, "review_status"] == "accepted"
    E.undo(project, "CV")
    ev = E.load_events(project)
    assert sid not in set(segment_status(ev)["segment_id"])
    assert _final(project, other)["codes"] == "gentillesse"
    h = history(project, sid)
    assert h["active"].tolist() == [False] * 7 + [True]
    E.redo(project, "CV")
    assert history(project, sid)["active"].tolist() == [True] * 7 + [False, True]


def test_explicit_undo_target_and_bad_targets(project, sid):
    first = E.record(project, sid, "reject", "stage", "support", coder="CV")
    E.record(project, sid, "reject", "channel", "phone", coder="CV")
    E.undo(project, "CV", target_event_id=first)
    final = _final(project, sid)
    assert (final["stage"], final["channel"]) == ("support", "")
    for bad in (first, 999):
        with pytest.raises(ReviewError) as err:
            E.undo(project, "CV", target_event_id=bad)
        assert err.value.code == "E808"


def test_skip_is_an_explicit_status_superseded_by_a_later_decision(project, sid):
    E.record(project, sid, "skip", coder="CV")
    status = lambda: segment_status(E.load_events(project)).set_index("segment_id").loc[sid, "review_status"]  # noqa: E731
    assert status() == "skipped"
    E.record(project, sid, "accept", "stage", coder="CV")
    assert status() == "accepted"
    E.record(project, sid, "edit", "lane", value="backstage", coder="CV")
    assert status() == "edited"


def test_accept_on_a_segment_without_auto_tags_is_refused(project):
    interviewer = seg_id(project, "P01_entretien.txt", 0, 0)
    for call in (lambda: E.accept_segment(project, interviewer, "CV"),
                 lambda: E.record(project, interviewer, "accept", "emotion", coder="CV")):
        with pytest.raises(ReviewError) as err:
            call()
        assert err.value.code == "E812"
    E.record(project, interviewer, "add", "stage", "support", coder="CV")  # a human may still code it
    assert _final(project, interviewer)["stage"] == "support"


def test_the_store_refuses_to_rewrite_history(project, sid):
    import sqlite3

    eid = E.record(project, sid, "accept", "stage", coder="CV")
    for sql in ("UPDATE decisions SET coder = 'X' WHERE event_id = ?", "DELETE FROM decisions WHERE event_id = ?"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            project.conn.execute(sql, (eid,))
    assert E.load_events(project)["coder"].tolist() == ["CV"]


def test_reject_concerns_what_the_coder_sees(project, sid):
    with pytest.raises(ReviewError) as err:
        E.undo(project, "CV")  # empty store
    assert err.value.code == "E808"
    E.record(project, sid, "edit", "emotion", value="joy", coder="CV")
    E.record(project, sid, "reject", "emotion", coder="CV")
    E.record(project, sid, "reject", "irritant", coder="CV")   # auto 1 -> 0
    E.record(project, sid, "reject", "irritant", coder="CV")   # seen 0 -> 1
    ev = E.load_events(project)
    assert ev["label"].tolist() == ["joy", "joy", "1", "0"]
    final = _final(project, sid)
    assert (final["emotion"], final["irritant"]) == ("neutral", 1)
