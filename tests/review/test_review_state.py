import pandas as pd
import pytest
from review_helpers import AUTO, seg_id, write_auto_tags

from interviewkit.review import events as E
from interviewkit.review.state import (
    active_flags,
    atoms,
    disagreements_with_auto,
    field_state,
    final_tags,
    history,
    segment_status,
)


def _events(rows):
    """A hand-made events frame (state is a pure function of it)."""
    base = {"segment_id": "S1", "field": None, "label": None, "value_json": None, "span_start": pd.NA,
            "span_end": pd.NA, "coder": "A", "created_at": "t", "codebook_version": "1", "memo": None,
            "target_event_id": pd.NA, "batch_id": None, "auto_json": None}
    df = pd.DataFrame([{**base, "event_id": i + 1, **r} for i, r in enumerate(rows)])
    for col in ("span_start", "span_end", "target_event_id"):
        df[col] = df[col].astype("Int64")
    return df


def test_state_is_a_pure_function_of_the_events():
    ev = _events([
        {"action": "accept", "field": "stage", "value_json": '["support", "use"]'},
        {"action": "reject", "field": "stage", "label": "use", "value_json": "false"},
        {"action": "edit", "field": "emotion", "label": "anger", "value_json": '"anger"', "coder": "B"},
        {"action": "add", "field": "code", "label": "délai", "value_json": "true", "batch_id": "b1"},
        {"action": "add", "field": "code", "label": "prix", "value_json": "true", "batch_id": "b1",
         "segment_id": "S2"},
        {"action": "undo", "target_event_id": 5, "batch_id": "b1", "segment_id": "S2"},
        {"action": "skip", "segment_id": "S3"},
    ])
    assert active_flags(ev).tolist() == [True, True, True, False, False, True, True]
    st = field_state(ev).set_index(["segment_id", "field"])
    assert st.loc[("S1", "stage"), "labels_on"] == "support"
    assert "use" in st.loc[("S1", "stage"), "labels_off"].split(";")
    assert st.loc[("S1", "stage"), "status"] == "rejected"
    assert (st.loc[("S1", "emotion"), "value"], st.loc[("S1", "emotion"), "coder"]) == ("anger", "B")
    assert ("S1", "code") not in st.index
    seg = segment_status(ev).set_index("segment_id")["review_status"].to_dict()
    assert seg == {"S1": "edited", "S3": "skipped"}
    # per coder (blind): A never sees B's emotion edit
    assert set(field_state(ev, coder="A")["field"]) == {"stage"}


def test_resolve_outranks_later_ordinary_decisions():
    ev = _events([
        {"action": "edit", "field": "emotion", "label": "anger", "value_json": '"anger"'},
        {"action": "resolve", "field": "emotion", "label": "sadness", "value_json": '"sadness"', "coder": "LEAD"},
        {"action": "edit", "field": "emotion", "label": "joy", "value_json": '"joy"', "coder": "B"},
    ])
    at = atoms(ev)
    assert at.loc[at["field"] == "emotion", "value"].tolist() == ["sadness"]
    assert segment_status(ev)["review_status"].tolist() == ["resolved"]
    assert atoms(ev, coder="B")["value"].tolist() == ["joy"]


def test_final_tags_overlay_auto_tags_with_decisions(project):
    sid = seg_id(project, "P02_entretien.txt", 1, 1)  # consider;purchase, web
    E.record(project, sid, "reject", "stage", "consider", coder="CV")
    E.record(project, sid, "add", "channel", "store", coder="CV")
    E.record(project, sid, "edit", "irritant", value=1, coder="CV")
    final = final_tags(project).set_index("segment_id")
    row = final.loc[sid]
    assert (row["stage"], row["channel"], row["irritant"], row["review_status"]) == (
        "purchase", "web;store", 1, "edited")
    untouched = final.loc[seg_id(project, "P01_entretien.txt", 1, 0)]
    assert (untouched["stage"], untouched["review_status"]) == ("support", "unreviewed")
    interviewer = final.loc[seg_id(project, "P01_entretien.txt", 0, 0)]
    assert pd.isna(interviewer["stage"]) and interviewer["codes"] == ""
    assert list(final.columns) == ["stage", "channel", "emotion", "valence", "irritant", "moments", "lane",
                                   "confidence", "evidence", "review_status", "codes"]


def test_retag_after_decisions_keeps_decisions_and_lists_disagreements(project):
    sid = seg_id(project, "P01_entretien.txt", 1, 1)
    E.record(project, sid, "accept", "stage", coder="CV")          # support (whole field)
    E.record(project, sid, "reject", "channel", "phone", coder="CV")
    E.record(project, sid, "accept", "emotion", coder="CV")        # anger
    assert disagreements_with_auto(project)["label"].tolist() == ["phone"]  # the reject itself
    retag = dict(AUTO)
    key = ("P01_entretien.txt", 1, 1)
    retag[key] = {**AUTO[key], "stage": "use", "channel": "phone;email", "emotion": "sadness"}
    write_auto_tags(project, {key: retag[key]}, run_version="2025.2")
    final = final_tags(project).set_index("segment_id").loc[sid]
    assert (final["stage"], final["emotion"]) == ("support", "anger")   # human decisions win
    assert final["channel"] == "email"                                  # new auto label, never decided
    dis = disagreements_with_auto(project).set_index(["field", "label"])
    assert set(dis.index) == {("stage", "support"), ("stage", "use"), ("channel", "phone"), ("emotion", "")}
    assert dis.loc[("stage", "use"), "auto_changed"] and not dis.loc[("channel", "phone"), "auto_changed"]
    assert dis.loc[("emotion", ""), "human"] == "anger" and dis.loc[("emotion", ""), "auto_now"] == "sadness"
    assert (dis["text"] == "Personne ne m'a rappelée, c'est inadmissible.").all()
    assert project.conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 3  # listed, not applied


def test_history_lists_every_event_with_its_activity(project):
    sid = seg_id(project, "P01_entretien.txt", 3, 0)
    E.record(project, sid, "accept", "stage", "deliver", coder="CV", memo="ok")
    E.undo(project, "CV")
    h = history(project, sid)
    assert h[["action", "active", "status"]].values.tolist() == [["accept", False, "accepted"],
                                                                 ["undo", True, "undo"]]
    assert h.loc[0, "value"] is True and h.loc[0, "memo"] == "ok"


@pytest.mark.parametrize("field,value,expected", [("valence", "2", 2), ("irritant", "oui", 1), ("lane", "backstage",
                                                                                                 "backstage")])
def test_single_valued_fields_normalise_values(project, field, value, expected):
    sid = seg_id(project, "P01_entretien.txt", 3, 0)
    E.record(project, sid, "edit", field, value=value, coder="CV")
    assert final_tags(project).set_index("segment_id").loc[sid, field] == expected
