"""The review queue's text search: folding (case, accents) and the folded column kept current."""
import unicodedata

import pandas as pd
from review_helpers import seg_id

from interviewkit.review import ReviewController, ReviewQueue
from interviewkit.review.queue import _fold


def test_fold_removes_case_and_accents_keeps_index_and_length():
    s = pd.Series(["Élodie DÉÇUE", unicodedata.normalize("NFD", "rappelée"), None, "Straße", "cœur", ""],
                  index=[10, 11, 12, 13, 14, 15])
    out = _fold(s)
    assert out.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert out.tolist() == ["elodie decue", "rappelee", "", "strasse", "cœur", ""]


def test_search_ignores_case_and_accents_both_ways(project):
    q = ReviewQueue(project)
    target = {seg_id(project, "P01_entretien.txt", 1, 1)}          # "Personne ne m'a rappelée, ..."
    assert set(q.filter(search="rappelee")["segment_id"]) == target
    assert set(q.filter(search="RAPPELÉE")["segment_id"]) == target
    assert set(q.filter(search=unicodedata.normalize("NFD", "rappelée"))["segment_id"]) == target
    assert q.filter(search="rappelee introuvable").empty                 # every word must appear


def test_search_is_ready_when_the_queue_is_built_and_follows_new_codes(project):
    c = ReviewController(project, "CV")
    assert c.queue._folded is not None and len(c.queue._folded) == len(c.queue.frame)
    sid = c.segment_id
    assert sid not in set(c.queue.filter(search="Délai")["segment_id"])
    c.add("Délai de réponse")                                           # a researcher code on the current segment
    assert set(c.queue.filter(search="delai reponse")["segment_id"]) == {sid}
    c.undo()
    assert c.queue.filter(search="delai reponse").empty
    c.queue.refresh()                                                   # rebuilt from the store: same answer
    assert c.queue.filter(search="delai reponse").empty
