"""Selective re-tagging after a codebook edit (interviewkit.retag): the tags equal a from-scratch run.

Small inline transcripts, ``lookup`` profile (no neural model). Each edit is re-tagged selectively on a
tagged project and compared, row for row, with a cold run of the edited codebook on a fresh copy.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import interviewkit as ik
from interviewkit.codebook import load_codebook
from interviewkit.project_tagging import tag_project
from interviewkit.retag import load_snapshot, pattern_diff, rules_source, save_snapshot

sys.path.insert(0, str(Path(__file__).parent))
from test_project_tagging import copy_project  # noqa: E402

TRANSCRIPTS = {
    "P01_entretien.txt": """\
        Claire Vidal: Bonjour, pouvez-vous me raconter votre commande ?
        Sophie: J'ai commandé un canapé sur le site internet. La livraison devait arriver en trois jours. Le colis n'est jamais arrivé et personne ne répondait au téléphone.
        Claire Vidal: Et ensuite ?
        Sophie: J'ai appelé le service client quatre fois. Au final ils m'ont remboursée mais c'était long. Je suis vraiment déçue par cette enseigne.
        """,
    "P02_entretien.txt": """\
        Hugo Martin: Comment s'est passée l'ouverture de votre compte ?
        Marc: L'application plante à chaque connexion depuis la mise à jour. La conseillère en agence était très patiente avec moi. Elle m'a envoyé un SMS pour confirmer le rendez-vous.
        Hugo Martin: Parlez-moi de la livraison.
        Marc: Franchement le prix de l'abonnement est trop cher pour ce service. Je vais sûrement changer de banque l'année prochaine.
        """,
}
COLUMNS = ("segment_id, text_hash, codebook_hash, pipeline_id, stage, channel, emotion, valence, irritant, moments, "
           "lane, confidence_json, evidence_json")


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    root = tmp_path_factory.mktemp("retag")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in TRANSCRIPTS.items():
        (corpus / name).write_text(textwrap.dedent(text), encoding="utf-8")
    project = ik.open_project(root / "seed")
    report = project.ingest([corpus], interviewers=["Claire Vidal", "Hugo Martin"], lang="fr", pseudonymise=False)
    assert report.failed == []
    return project


def tag_rows(project) -> list[tuple]:
    """Auto tag rows; in the evidence the rule id is left out: when two patterns of one label match the
    same words with the same weight, which one the tagger cites depends on where unrelated patterns sit
    in the codebook (match order), so even two full runs of related codebooks may cite either."""
    rows = []
    for r in project.conn.execute(f"SELECT {COLUMNS} FROM auto_tags ORDER BY segment_id"):
        evidence = [{k: v for k, v in e.items() if k != "rule"} for e in json.loads(r["evidence_json"])]
        rows.append((*tuple(r)[:-1], evidence))
    return rows


def rules_used(project) -> set[str]:
    return {e["rule"] for (ev,) in project.conn.execute("SELECT evidence_json FROM auto_tags")
            for e in json.loads(ev) if "rule" in e}


def retag_and_compare(seed, tmp_path, edit):
    """Tag with the bundled codebook, edit it, re-tag; return the re-tag report after checking its rows
    equal those of a cold run of the edited codebook."""
    project = copy_project(seed, tmp_path / "warm")
    tag_project(project, profile="lookup")
    book = load_codebook()
    edit(book, project)
    path = book.save(tmp_path / "edited" / "codebook.yml")
    report = tag_project(project, codebook=path, profile="lookup")
    cold = copy_project(seed, tmp_path / "cold")
    tag_project(cold, codebook=path, profile="lookup")
    assert tag_rows(project) == tag_rows(cold)
    n = len(project.segments(role="participant"))
    assert report.tagged + report.carried == n and report.reused == 0
    return report


def test_added_pattern_reannotates_only_segments_it_matches(seed, tmp_path):
    report = retag_and_compare(seed, tmp_path, lambda b, p: b.add_pattern("channel", "sms", "canapé", lang="fr"))
    assert report.retag_mode == "selective"
    assert report.tagged == report.candidates == 1 and report.carried > 0
    # the first pass keeps the segment and the one after it (context); the exact probe drops the second
    assert report.probed == 2
    assert "selective re-tag" in report.summary()


def test_added_pattern_matching_nothing_carries_every_row_over(seed, tmp_path):
    report = retag_and_compare(seed, tmp_path,
                               lambda b, p: b.add_pattern("channel", "sms", "pigeon voyageur", lang="fr", weight=0.5))
    assert report.retag_mode == "selective" and report.tagged == 0 and report.parsed == 0
    assert report.probed == 0  # the spaCy-free first pass decided every segment


def test_an_edit_matching_nothing_is_retagged_without_importing_spacy(seed, tmp_path):
    """A fresh process (``interviewkit tag`` after a codebook edit): validation, the first pass and the
    carry-over need neither spaCy nor the tokenizer."""
    project = copy_project(seed, tmp_path / "warm")
    tag_project(project, profile="lookup")
    book = load_codebook()
    book.add_pattern("channel", "sms", "pigeon voyageur", lang="fr")
    path = book.save(tmp_path / "edited" / "codebook.yml")
    code = textwrap.dedent(f"""
        import sys
        import interviewkit as ik
        from interviewkit.project_tagging import tag_project
        r = tag_project(ik.open_project({str(project.path)!r}), codebook={str(path)!r}, profile="lookup")
        print(r.retag_mode, r.carried, r.candidates, r.tagged, "spacy" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    n = len(project.segments(role="participant"))
    assert out == ["selective", str(n), "0", "0", "False"]


def _used_pattern(book, project):
    """(field, label, index) of an index-named pattern that matched a tagged segment."""
    for rule in sorted(rules_used(project)):
        field, label, rest = rule.split(".", 2)
        if rest.startswith("fr[") and field in book.labels:
            return field, label, int(rest[3:-1])
    raise AssertionError("no pattern matched")


def test_removed_pattern_equals_a_cold_run(seed, tmp_path):
    def edit(book, project):
        field, label, i = _used_pattern(book, project)
        book.remove_pattern(field, label, i, lang="fr")

    report = retag_and_compare(seed, tmp_path, edit)
    assert report.retag_mode == "selective" and report.candidates >= 1


def test_changed_weight_equals_a_cold_run(seed, tmp_path):
    def edit(book, project):
        field, label, i = _used_pattern(book, project)
        book.labels[field][label].patterns["fr"][i].weight = 0.05

    report = retag_and_compare(seed, tmp_path, edit)
    assert report.retag_mode == "selective" and report.candidates >= 1


def test_cue_edit_takes_the_full_path(seed, tmp_path):
    report = retag_and_compare(seed, tmp_path, lambda b, p: b.add_cue("intensifier", "vachement", lang="fr"))
    assert report.retag_mode == "full" and report.carried == 0 and report.candidates == 0


def test_missing_snapshot_takes_the_full_path(seed, tmp_path):
    def edit(book, project):
        for snap in (project.cache_dir / "codebooks").glob("*.json"):
            snap.unlink()
        book.add_pattern("channel", "sms", "canapé", lang="fr")

    report = retag_and_compare(seed, tmp_path, edit)
    assert report.retag_mode == "full" and report.carried == 0


def test_selective_retag_never_touches_human_decisions(seed, tmp_path):
    project = copy_project(seed, tmp_path / "p")
    tag_project(project, profile="lookup")
    seg = project.segments(role="participant")["segment_id"].iloc[0]
    with project.transaction():
        project.conn.execute("INSERT INTO decisions (segment_id, action, field, label, coder, created_at)"
                             " VALUES (?, 'accept', 'stage', 'deliver', 'ana', '2026-01-01')", (seg,))
    before = project.conn.execute("SELECT * FROM decisions").fetchall()
    book = load_codebook()
    book.models = []  # what a project is tagged with by default (the rules alone)
    book.add_pattern("channel", "sms", "canapé", lang="fr")
    report = tag_project(project, codebook=book, profile="lookup")
    assert report.retag_mode == "selective"
    assert project.conn.execute("SELECT * FROM decisions").fetchall() == before
    assert {r[0] for r in project.conn.execute("SELECT DISTINCT codebook_hash FROM auto_tags")} == {book.hash}


def test_snapshot_round_trip_and_pattern_diff(tmp_path):
    project = ik.open_project(tmp_path / "p")
    book = load_codebook()
    save_snapshot(project, book)
    old = load_snapshot(project, book.hash)
    assert old is not None and load_snapshot(project, "0" * 16) is None
    edited = book.copy()
    edited.version = "edited"
    edited.labels["channel"]["sms"].label_fr = "Texto"
    assert pattern_diff(old, _snap(edited)) == {}  # nothing a rule reads changed
    edited.add_pattern("channel", "sms", "texto", lang="fr")
    assert pattern_diff(old, _snap(edited)) == {"fr": [("channel", "sms", "texto")]}
    removed = book.copy()
    pats = removed.labels["channel"]["sms"].patterns["fr"]
    removed.remove_pattern("channel", "sms", 0, lang="fr")
    changed = pattern_diff(old, _snap(removed))["fr"]
    assert len(changed) >= len(pats)  # the first is gone, the others' index-based rule ids moved
    moved = book.copy()
    pats = moved.labels["channel"]["sms"].patterns["fr"]
    for p in pats:
        p.id = p.id or f"p{id(p)}"
    with_ids = _snap(moved)
    pats.reverse()
    assert pattern_diff(with_ids, _snap(moved)) is None  # same patterns, another order
    lexicon = book.copy()
    lexicon.add_lemma_exception("texto", "sms", lang="fr")
    assert pattern_diff(old, _snap(lexicon)) is None


def _snap(book) -> dict:
    return json.loads(json.dumps({"hash": book.hash, "codebook": book.to_dict(), "rules_source": rules_source(),
                                  "lexicon_hashes": [lex.content_hash for lex in book.lexicons],
                                  "model_hashes": [m.content_hash for m in book.models]}, default=str))


def test_rows_tagged_by_other_rule_code_are_not_carried_over(tmp_path):
    book = load_codebook()
    old = _snap(book)
    old["rules_source"] = "0" * 16  # as if tagging/*.py changed since
    edited = book.copy()
    edited.add_pattern("channel", "sms", "texto", lang="fr")
    assert pattern_diff(old, _snap(edited)) is None


def test_stage_pattern_in_the_context_makes_a_candidate(seed, tmp_path):
    # "Et ensuite ?" is the interviewer's: it matters only as the context of the answer after it
    report = retag_and_compare(seed, tmp_path, lambda b, p: b.add_pattern("stage", "support", "ensuite", lang="fr"))
    assert report.retag_mode == "selective" and report.candidates >= 1


def test_channel_pattern_in_the_context_only_is_not_a_candidate(seed, tmp_path):
    report = retag_and_compare(seed, tmp_path, lambda b, p: b.add_pattern("channel", "sms", "ensuite", lang="fr"))
    assert report.retag_mode == "selective" and report.candidates == 0
