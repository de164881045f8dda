"""Row positions from ReviewQueue.filter_rows: same rows as filter, counts over them, stale after a rebuild."""
from interviewkit.review import ReviewController, ReviewQueue


def test_filter_rows_match_filter_and_counts(project):
    q = ReviewQueue(project)
    for kw in ({}, {"stage": "support"}, {"irritant": 1, "search": "appel"}, {"emotion": "nobody-feels-this"}):
        rows = q.filter_rows(**kw)
        assert q.frame["segment_id"].iloc[rows].tolist() == q.filter(**kw)["segment_id"].tolist()
        assert q.counts(rows=rows) == q.counts(q.filter(**kw)["segment_id"])


def test_progress_is_right_after_a_decision_and_after_a_rebuild(project):
    c = ReviewController(project, "CV")
    c.filter(irritant=1)
    before = c.progress()
    assert before["total"] == 3 and before["reviewed"] == 0
    c.accept_all()
    assert c.progress()["reviewed"] == 1
    version = c.queue.version
    other = ReviewController(project, "MB")
    other.filter(irritant=1)
    other.next()                           # not the segment CV accepted (first in the same order)
    other.skip()
    c.queue.refresh()                      # positions kept by the controller are now stale
    assert c.queue.version == version + 1
    p = c.progress()                       # falls back to the segment ids
    assert (p["total"], p["reviewed"], p["skipped"]) == (3, 1, 1)
