"""Incremental project tagging: what is re-tagged, what is re-parsed, resumability, the parsed-Doc cache.

Small inline transcripts ingested without pseudonymisation; most tests use the ``lookup`` profile
(blank French pipeline, no neural model) so that they run in seconds. Nothing here is timed.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

import interviewkit as ik
from interviewkit.project_tagging import (CodebookRef, PipelineRegistry, doc_from_bytes, doc_to_bytes, pipeline_key,
                                          tag_project)

TRANSCRIPT_1 = """\
Claire Vidal: Bonjour, pouvez-vous me raconter votre commande ?
Sophie: J'ai commandé un canapé sur le site internet. La livraison devait arriver en trois jours. Le colis n'est jamais arrivé et personne ne répondait au téléphone.
Claire Vidal: Et ensuite ?
Sophie: J'ai appelé le service client quatre fois. Au final ils m'ont remboursée mais c'était long. Je suis vraiment déçue par cette enseigne.
"""
TRANSCRIPT_2 = """\
Hugo Martin: Comment s'est passée l'ouverture de votre compte ?
Marc: L'application plante à chaque connexion depuis la mise à jour. La conseillère en agence était très patiente avec moi. Elle m'a envoyé un SMS pour confirmer le rendez-vous.
Hugo Martin: Merci.
Marc: Franchement le prix de l'abonnement est trop cher pour ce service. Je vais sûrement changer de banque l'année prochaine.
"""
COLUMNS = ("segment_id, text_hash, codebook_hash, pipeline_id, stage, channel, emotion, valence, irritant, moments, "
           "lane, confidence_json, evidence_json")


def write_corpus(root, t1: str = TRANSCRIPT_1, t2: str = TRANSCRIPT_2):
    root.mkdir(parents=True, exist_ok=True)
    (root / "P01_entretien.txt").write_text(textwrap.dedent(t1), encoding="utf-8")
    (root / "P02_entretien.txt").write_text(textwrap.dedent(t2), encoding="utf-8")
    return root


def make_project(path, corpus):
    project = ik.open_project(path)
    report = project.ingest([corpus], interviewers=["Claire Vidal", "Hugo Martin"], lang="fr", pseudonymise=False)
    assert report.failed == []
    return project


@pytest.fixture(scope="module")
def seed_project(tmp_path_factory):
    """An ingested project kept pristine: tests work on copies (ingestion runs the segmenter once)."""
    root = tmp_path_factory.mktemp("seed")
    return make_project(root / "project", write_corpus(root / "corpus"))


@pytest.fixture
def project(seed_project, tmp_path):
    return copy_project(seed_project, tmp_path / "project")


def copy_project(source, dest):
    for sub in ("private", "cache", "backups"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(dest / "interviewkit.sqlite"))
    source.conn.backup(target)
    target.close()
    return ik.open_project(dest)


def n_customer(project) -> int:
    return len(project.segments(role="participant"))


def tag_rows(project) -> list[tuple]:
    return project.conn.execute(f"SELECT {COLUMNS} FROM auto_tags ORDER BY segment_id").fetchall()


def tags_and_evidence(project) -> list[tuple]:
    """:func:`tag_rows` with the rule ids left out of the evidence: of two patterns of one label matching
    the same words with the same weight, the one cited depends on where unrelated patterns sit in the
    codebook, so a selective re-tag may cite the other one (tags, confidences and spans are the same)."""
    return [(*tuple(r)[:-1], [{k: v for k, v in e.items() if k != "rule"} for e in json.loads(r[-1])])
            for r in tag_rows(project)]


def edited_codebook(tmp_path):
    from interviewkit.codebook import load_codebook

    book = load_codebook()
    book.add_pattern("channel", "sms", "pigeon voyageur", lang="fr", weight=0.5)
    return book.save(tmp_path / "edited" / "codebook.yml")


def test_first_run_tags_customer_segments_and_rerun_reuses_them(project):
    n = n_customer(project)
    first = tag_project(project, profile="lookup")
    assert (first.tagged, first.reused) == (n, 0)
    assert first.parsed > 0 and first.engine == "local"
    tagged_ids = {r[0] for r in tag_rows(project)}
    assert tagged_ids == set(project.segments(role="participant")["segment_id"])
    second = tag_project(project, profile="lookup")
    assert (second.tagged, second.reused, second.parsed) == (0, n, 0)
    assert not second.model_loaded
    runs = project.conn.execute("SELECT status, engine, tagged, reused FROM tag_runs ORDER BY run_id").fetchall()
    assert [tuple(r) for r in runs] == [("done", "local", n, 0), ("done", "local", 0, n)]


def test_rerun_with_nothing_changed_does_not_import_spacy(project):
    tag_project(project, profile="lookup")
    code = textwrap.dedent(f"""
        import sys, json, interviewkit as ik
        from interviewkit.project_tagging import tag_project
        report = tag_project(ik.open_project({str(project.path)!r}), profile="lookup")
        print(json.dumps([report.tagged, "spacy" in sys.modules, report.model_loaded]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [0, False, False]


def test_changed_text_retags_only_that_segment(project):
    tag_project(project, profile="lookup")
    seg = project.segments(role="participant").iloc[2]
    new_text = "Le livreur a laissé le colis devant la porte sans sonner."
    with project.transaction():
        project.conn.execute("UPDATE segments SET text = ?, text_hash = ? WHERE segment_id = ?",
                             (new_text, hashlib.sha1(new_text.encode()).hexdigest(), seg["segment_id"]))
    report = tag_project(project, profile="lookup")
    assert report.tagged == 1 and report.parsed == 1  # its context was parsed before: a cache hit
    assert report.parse_cache_hits >= 1
    row = project.conn.execute("SELECT text_hash FROM auto_tags WHERE segment_id = ?", (seg["segment_id"],)).fetchone()
    assert row[0] == hashlib.sha1(new_text.encode()).hexdigest()


def test_new_document_version_parses_only_the_changed_sentence(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    project = make_project(tmp_path / "project", corpus)
    tag_project(project, profile="lookup")
    edited = textwrap.dedent(TRANSCRIPT_1).replace("quatre fois", "six fois dans la semaine")
    (corpus / "P01_entretien.txt").write_text(edited, encoding="utf-8")
    project.ingest([corpus], interviewers=["Claire Vidal", "Hugo Martin"], lang="fr", pseudonymise=False)
    doc = project.documents().set_index("name").loc["P01_entretien.txt"]
    assert doc["version"] == 2
    segs = project.segments(role="participant")
    new_ids = set(segs[segs["document_id"] == doc["document_id"]]["segment_id"])
    report = tag_project(project, profile="lookup")
    assert report.tagged == len(new_ids)  # new segment ids, so tagged again...
    assert report.parsed == 1  # ...but only the edited sentence is parsed
    assert report.parse_cache_hits >= len(new_ids) - 1


def test_codebook_change_retags_every_segment_without_parsing(project, tmp_path):
    """Every row moves to the new codebook hash; the added pattern matches nothing here, so every row is
    carried over (selective re-tag, tests/test_retag.py) and no segment is parsed."""
    n = n_customer(project)
    first = tag_project(project, profile="lookup")
    book = edited_codebook(tmp_path)
    second = tag_project(project, codebook=book, profile="lookup")
    assert (second.tagged + second.carried, second.parsed) == (n, 0)
    assert second.retag_mode == "selective" and second.parse_cache_hits >= n
    hashes = {r[2] for r in tag_rows(project)}
    assert hashes == {CodebookRef(book, models=False).hash} != {CodebookRef(None, models=False).hash}
    assert first.parsed > 0


def test_codebook_hash_is_known_without_parsing_an_unchanged_file(project, tmp_path, monkeypatch):
    book = edited_codebook(tmp_path)
    ref = CodebookRef(book, project)
    assert ref._book is not None  # first sight: parsed
    import interviewkit.codebook as cb

    monkeypatch.setattr(cb, "load_codebook", lambda *a, **k: pytest.fail("the codebook was parsed again"))
    again = CodebookRef(book, project)
    assert (again.hash, again.version) == (ref.hash, ref.version)
    monkeypatch.undo()
    book.write_text(book.read_text(encoding="utf-8").replace("pigeon voyageur", "pigeon postal"), encoding="utf-8")
    assert CodebookRef(book, project).hash != ref.hash


def test_pipeline_change_reparses_everything(project):
    from interviewkit.tagging import JourneyTagger

    class NextVersion(JourneyTagger):
        @property
        def pipeline_id(self) -> str:
            return super().pipeline_id + ":next"

    n = n_customer(project)
    first = tag_project(project, profile="lookup", tagger_factory=lambda lang: JourneyTagger(lang=lang, profile="lookup"))
    second = tag_project(project, tagger_factory=lambda lang: NextVersion(lang=lang, profile="lookup"))
    assert second.tagged == n
    assert second.parsed == first.parsed and second.parse_cache_hits == 0
    assert {r[3] for r in tag_rows(project)} == {NextVersion(profile="lookup").pipeline_id}


def test_profile_change_is_a_pipeline_change(project):
    n = n_customer(project)
    tag_project(project, profile="lookup")
    report = tag_project(project, profile="fast")
    assert report.tagged == n and report.parse_cache_hits == 0 and report.model_loaded


def test_stale_pipeline_registry_is_corrected(project):
    tag_project(project, profile="lookup")
    registry = PipelineRegistry(project)
    key = pipeline_key("fr", "lookup")
    good = registry.get(key)
    registry.put(key, "bogus-pipeline")
    report = tag_project(project, profile="lookup")
    assert report.tagged == 0
    assert PipelineRegistry(project).get(key) == good


def test_interrupted_run_resumes_with_the_rest(project):
    n = n_customer(project)
    calls = []

    def stop_after_two_batches(step, done, total):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tag_project(project, profile="lookup", batch_size=3, progress=stop_after_two_batches)
    assert len(tag_rows(project)) == 6
    status = project.conn.execute("SELECT status FROM tag_runs ORDER BY run_id DESC").fetchone()[0]
    assert status == "interrupted"
    report = tag_project(project, profile="lookup", batch_size=3)
    assert (report.tagged, report.reused) == (n - 6, 6)


def test_codebook_edit_with_the_model_equals_a_cold_run(project, seed_project, tmp_path):
    """After a codebook edit the rules run on cached Docs with the model's tokenizer only (no neural
    components): the tags equal those of a cold run with the edited codebook."""
    book = edited_codebook(tmp_path)
    tag_project(project, profile="fast")
    warm = tag_project(project, codebook=book, profile="fast")
    assert warm.parsed == 0 and not warm.model_loaded
    cold_project = copy_project(seed_project, tmp_path / "cold")
    cold = tag_project(cold_project, codebook=book, profile="fast")
    assert cold.parsed > 0
    assert tags_and_evidence(project) == tags_and_evidence(cold_project)


def test_doc_bytes_round_trip_keeps_every_annotation():
    from interviewkit.tagging import JourneyTagger

    tagger = JourneyTagger(profile="full")
    texts = ["Le conseiller de Lyon ne m'a jamais rappelé, c'est inadmissible !",
             "J'ai reçu un SMS de La Poste. Le colis est arrivé mardi.", ""]
    for doc in tagger.parse(texts):
        back = doc_from_bytes(tagger.nlp.vocab, doc_to_bytes(doc))
        assert back.to_json() == doc.to_json()
        assert [e.text for e in back.ents] == [e.text for e in doc.ents]
        assert tagger.annotate(back).to_row() == tagger.annotate(doc).to_row()


def test_human_decisions_are_not_touched(project):
    seg = project.segments(role="participant")["segment_id"].iloc[0]
    with project.transaction():
        project.conn.execute("INSERT INTO decisions (segment_id, action, field, label, coder, created_at)"
                             " VALUES (?, 'accept', 'stage', 'deliver', 'ana', '2026-01-01')", (seg,))
    tag_project(project, profile="lookup")
    assert project.conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 1


def test_model_votes_are_opt_in_for_projects_and_cached_per_text(project):
    n = n_customer(project)
    rules = tag_project(project, profile="lookup")
    rules_hash = project.conn.execute("SELECT codebook_hash FROM tag_runs WHERE run_id = ?", (rules.run_id,)).fetchone()[0]
    assert not any("model.irritant_e5" in (r[-1] or "") for r in tag_rows(project))
    voted = tag_project(project, profile="lookup", models=True)
    assert voted.tagged == n  # another codebook hash: everything re-annotated, from the parse cache
    voted_hash = project.conn.execute("SELECT codebook_hash FROM tag_runs WHERE run_id = ?", (voted.run_id,)).fetchone()[0]
    assert voted_hash != rules_hash
    evidence = [r[-1] or "" for r in tag_rows(project)]
    assert any('"source": "model"' in e for e in evidence)
    cache = project.cache_dir / "embeddings.sqlite"
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] > 0
    assert tag_project(project, profile="lookup", models=True).tagged == 0
    assert tag_project(project, profile="lookup").tagged == n  # back to the rules alone
