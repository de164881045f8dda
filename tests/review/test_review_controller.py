import pytest
from review_helpers import seg_id, synthetic_project

import interviewkit as ik
from interviewkit.review import ReviewController, ReviewQueue
from interviewkit.review import events as E
from interviewkit.review.labels import ReviewError


def test_queue_order_least_certain_then_most_frequent_labels(project):
    q = ReviewQueue(project)
    order = q.filter()
    assert len(order) == 10 and set(order["role"]) == {"participant"}
    assert order["segment_id"].tolist()[:2] == [seg_id(project, "P01_entretien.txt", 5, 1),   # 0.3
                                                seg_id(project, "P01_entretien.txt", 3, 1)]   # 0.4
    bin5 = order[(order["confidence"] >= 0.5) & (order["confidence"] < 0.6)]
    assert bin5["label_freq"].is_monotonic_decreasing
    assert bin5["segment_id"].iloc[-1] == seg_id(project, "P01_entretien.txt", 3, 0)  # deliver is rarer
    assert order["confidence"].iloc[-1] == 0.8


def test_queue_filters(project):
    q = ReviewQueue(project)
    ids = lambda **kw: set(q.filter(**kw)["segment_id"])  # noqa: E731
    assert ids(stage="support") == {seg_id(project, "P01_entretien.txt", 1, 0),
                                    seg_id(project, "P01_entretien.txt", 1, 1)}
    assert ids(stage=["consider", "leave"], channel="web") == {seg_id(project, "P02_entretien.txt", 1, 1)}
    assert len(ids(emotion="anger", irritant=1)) == 2
    assert ids(confidence=(0.3, 0.45)) == {seg_id(project, "P01_entretien.txt", 5, 1),
                                           seg_id(project, "P01_entretien.txt", 3, 1)}
    assert ids(search="RAPPELEE inadmissible") == {seg_id(project, "P01_entretien.txt", 1, 1)}
    p02 = q.frame.loc[seg_id(project, "P02_entretien.txt", 1, 0), "participant"]
    assert len(ids(participant=p02)) == 4 and ids(document="P02_entretien.txt") == ids(participant=p02)
    assert len(ids(status="unreviewed")) == 10
    for bad in (dict(colour="red"), dict(status="done"), dict(stage="payment")):
        with pytest.raises(ReviewError):
            q.filter(**bad)


def test_controller_persists_each_action_before_reporting(project):
    c = ReviewController(project, "CV")
    seen = []

    def check(change):
        if change["kind"] == "saved":  # the event is already readable from another connection
            other = ik.open_project(project.path, create=False)
            n = other.conn.execute("SELECT COUNT(*) FROM decisions WHERE event_id = ?",
                                   (change["event_ids"][-1],)).fetchone()[0]
            other.close()
            seen.append((change["action"], n))

    c.on_change(check)
    first = c.segment_id
    item = c.current
    assert item.text == "J'ai fini par résilier mon abonnement." and item.status == "unreviewed"
    assert [(t.field, t.label) for t in item.tags][:2] == [("stage", "leave"), ("emotion", "sadness")]
    assert item.context_before[0]["speaker"] == "Claire Vidal" and item.context_after == []
    c.reject("stage", "leave")
    c.add("résiliation", span=(14, 22))
    c.edit("emotion", "anger")
    assert c.segment_id == first  # chip actions stay on the segment
    item = c.current
    stage = [t for t in item.tags if t.field == "stage"][0]
    assert (stage.present, stage.status) == (False, "rejected")
    assert [(t.label, t.evidence[0]["start"]) for t in item.codes] == [("résiliation", 14)]
    assert item.status == "edited"
    c.accept_all()
    assert c.index == 1
    c.skip()
    assert c.index == 2
    assert seen == [("reject", 1), ("add", 1), ("edit", 1), ("accept", 1), ("skip", 1)]
    assert c.progress() == {**c.progress(), "reviewed": 1, "skipped": 1, "total": 10, "remaining": 9}
    c.undo()  # the skip: the cursor goes back to that segment
    assert c.index == 1 and c.current.status == "unreviewed"
    c.redo()
    assert c.current.status == "skipped"
    # what another notebook writes shows after refresh(), the cursor stays put
    E.record(project, c.items[5], "skip", coder="HM")
    c.refresh()
    assert c.index == 1 and c.progress()["skipped"] == 2
    # a new controller (another session) shows the same state
    c2 = ReviewController(ik.open_project(project.path, create=False), "CV")
    assert c2.progress()["skipped"] == 2 and c2.queue.frame.loc[first, "codes"] == "résiliation"


def test_errors_are_reported_and_nothing_is_written(project):
    c = ReviewController(project, "CV")
    changes = []
    c.on_change(changes.append)
    with pytest.raises(ReviewError):
        c.edit("valence", 7)
    assert changes[-1]["kind"] == "error" and "E805" in changes[-1]["message"]
    assert E.load_events(project).empty
    c.filter(stage="discover", emotion="joy")
    assert c.current is None and c.progress()["total"] == 0
    with pytest.raises(ReviewError):
        c.skip()


def test_filters_status_and_navigation(project):
    c = ReviewController(project, "CV")
    assert c.filter(stage="support") == 2
    c.accept_all()
    c.filter(status="accepted")
    assert len(c.items) == 1 and c.current.status == "accepted"
    assert c.filter(status=["unreviewed", "skipped"]) == 9
    c.goto(100)
    assert c.index == 8
    c.next()
    assert c.index == 8
    c.goto(-3)
    assert c.index == 0 and c.previous() is not None


def test_blind_mode_hides_the_other_coders_decisions(project):
    a = ReviewController(project, "A", blind=True)
    sid = a.segment_id
    a.reject("stage", "leave")
    a.add("résiliation")
    b = ReviewController(project, "B", blind=True)
    assert b.queue.frame.loc[sid, "review_status"] == "unreviewed"
    item = b.item(sid)
    assert [t for t in item.tags if t.field == "stage"][0].present and item.codes == []
    assert b.history(sid).empty and len(a.history(sid)) == 2
    b.accept_all()
    assert a.item(sid).codes[0].label == "résiliation"  # A's own view unchanged
    lead = ReviewController(project, "LEAD")  # not blind: everyone's decisions, last one wins
    assert lead.queue.frame.loc[sid, "review_status"] in ("accepted", "edited")
    assert len(lead.history(sid)) == 9


def test_filters_on_a_large_queue_match_a_plain_pandas_reference(tmp_path):
    """Speed is measured by benchmarks/bench_review.py; here the vectorised filters must give exactly what a
    row-by-row reading of the same frame gives."""
    import unicodedata

    p = synthetic_project(tmp_path / "big", 5_000)
    q = ReviewQueue(p)
    df = q.frame
    assert len(df) == 5_000

    def fold(text):
        return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))

    def labels(cell):
        return set(cell.split(";")) - {""} if isinstance(cell, str) else set(cell or ())

    cases = [
        (dict(stage="support"), lambda r: "support" in labels(r["stage"])),
        (dict(stage=["support", "use"], channel="phone", emotion="anger"),
         lambda r: bool(labels(r["stage"]) & {"support", "use"}) and "phone" in labels(r["channel"])
         and r["emotion"] == "anger"),
        (dict(participant="P007"), lambda r: r["participant"] == "P007"),
        (dict(persona="persona 2", irritant=1), lambda r: r["persona"] == "persona 2" and r["irritant"] == 1),
        (dict(confidence=(0.1, 0.4)), lambda r: 0.1 <= r["confidence"] <= 0.4),
        (dict(search="remboursement déçue", stage="leave"),
         lambda r: "remboursement" in fold(r["text"]) and "decue" in fold(r["text"])
         and "leave" in labels(r["stage"])),
    ]
    for kw, keep in cases:
        expected = [sid for sid, (_, row) in zip(df["segment_id"], df.iterrows()) if keep(row)]
        got = q.filter(**kw)["segment_id"].tolist()
        assert got == expected and got, kw
