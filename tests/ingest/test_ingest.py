import json

import pytest

import interviewkit as ik
from interviewkit.errors import ConfigError


@pytest.fixture
def project(tmp_path):
    return ik.open_project(tmp_path / "proj")


def test_corpus_with_manifest_ingests_everything(project, mini_corpus):
    report = project.ingest([mini_corpus])
    assert report.failed == []
    assert len(report.ingested) == 3
    info = project.info()
    assert info["documents"] == 3
    assert info["participants"] == 2
    assert info["respondents"] == 3  # the empty answer is not a segment nor a respondent
    assert info["turns_by_role"] == {"interviewer": 3, "participant": 6, "unknown": 0}
    assert info["languages"] == {"fr": 3}
    assert set(info["personas"]) == {"Actif pressé", "Senior attentif", "Étudiant connecté"}
    segs = project.segments()
    assert (segs["segment_id"].is_unique)
    p01 = segs[segs["document"] == "P01_entretien.txt"]
    assert set(p01[p01.role == "participant"]["participant"]) == {"P01"}
    assert set(p01[p01.role == "participant"]["persona"]) == {"Actif pressé"}
    verb = segs[segs["document"] == "verbatims.csv"]
    assert set(verb["participant"]) == {"R1", "R2", "R4"}
    srt = segs[segs["document"] == "P02_entretien.srt"]
    assert srt["start"].notna().all()


def test_text_is_pseudonymised_before_storage(project, mini_corpus):
    project.ingest([mini_corpus])
    raw = project.db_path.read_bytes()
    for secret in (b"06 12 34 56 78", b"Lemaire", b"Julien Moreau", "Élodie".encode()):
        assert secret not in raw
    turns = project.turns()
    assert set(turns[turns.role == "participant"]["speaker"].dropna()) >= {"P01", "P02"}
    assert "Claire Vidal" not in set(turns["speaker"])
    key = json.loads(project.key_path.read_text())
    assert "sophie lemaire" in json.dumps(key).lower()
    assert project.info()["pseudonymised_items"] >= 2
    assert (project.key_path.stat().st_mode & 0o777) == 0o600


def test_no_pseudonymise_is_explicit(project, mini_corpus):
    project.ingest([mini_corpus / "P01_entretien.txt"], pseudonymise=False, interviewers=["Claire Vidal"])
    text = " ".join(project.segments()["text"])
    assert "06 12 34 56 78" in text
    assert project.documents()["pseudonymised"].tolist() == [0]


def test_reingesting_unchanged_files_is_a_no_op(project, mini_corpus):
    project.ingest([mini_corpus])
    before = project.segments()
    report = project.ingest([mini_corpus])
    assert report.ingested == [] and len(report.unchanged) == 3
    assert project.segments().equals(before)


def test_changed_file_becomes_a_new_version_and_keeps_the_old(project, mini_corpus):
    project.ingest([mini_corpus])
    f = mini_corpus / "P01_entretien.txt"
    f.write_text(f.read_text(encoding="utf-8") + "Sophie: Finalement la facture est arrivée après trois semaines.\n",
                 encoding="utf-8")
    report = project.ingest([mini_corpus])
    assert [i["version"] for i in report.ingested] == [2]
    docs = project.documents(current_only=False)
    p01 = docs[docs["name"] == "P01_entretien.txt"].sort_values("version")
    assert p01["is_current"].tolist() == [0, 1]
    old_ids = set(project.segments(current_only=False).query("document_id == @p01.document_id.iloc[0]")["segment_id"])
    assert old_ids and old_ids.isdisjoint(set(project.segments()["segment_id"]))
    assert project.check() == []


def test_bad_files_are_reported_and_the_rest_is_ingested(project, mini_corpus):
    (mini_corpus / "vide.txt").write_bytes(b"")
    (mini_corpus / "binaire.txt").write_bytes(bytes(range(256)) * 20)
    (mini_corpus / "tronque.docx").write_bytes(b"PK\x03\x04\x14\x00\x00\x00garbage")
    (mini_corpus / "mauvais.vtt").write_text("WEBVTT\n\n00:00:xx --> 00:00:02.000\nBonjour\n", encoding="utf-8")
    (mini_corpus / "sans_colonne.csv").write_text("id,note\n1,5\n2,3\n", encoding="utf-8")
    report = project.ingest([mini_corpus])
    failed = {f["path"].rsplit("/", 1)[-1]: f for f in report.failed}
    assert set(failed) == {"vide.txt", "binaire.txt", "tronque.docx", "mauvais.vtt", "sans_colonne.csv"}
    for name, failure in failed.items():
        assert name in failure["message"]
        assert failure["code"].startswith("E1")
    assert len(report.ingested) == 3
    assert len(project.info()["errors"]) == 5


def test_role_correction_is_kept_and_reapplied(project, mini_corpus):
    project.ingest([mini_corpus])
    assert project.set_speaker_role("P01_entretien.txt", "P01", "unknown") == 2
    turns = project.turns()
    assert set(turns[(turns.document == "P01_entretien.txt") & (turns.speaker == "P01")]["role_source"]) == {"researcher"}
    f = mini_corpus / "P01_entretien.txt"
    f.write_text(f.read_text(encoding="utf-8") + "Sophie: Une phrase de plus pour changer le fichier.\n", encoding="utf-8")
    project.ingest([mini_corpus])
    turns = project.turns()
    assert set(turns[(turns.document == "P01_entretien.txt") & (turns.speaker == "P01")]["role"]) == {"unknown"}


def test_interviewer_inferred_without_any_option(project, tmp_path):
    f = tmp_path / "libre.txt"
    f.write_text("Marie: Qu'est-ce qui vous a le plus agacé ?\nPaul: Attendre le technicien toute la journée.\n"
                 "Marie: Et après ?\nPaul: Il n'est jamais venu et personne ne m'a prévenu.\n", encoding="utf-8")
    project.ingest([f])
    turns = project.turns()
    roles = dict(zip(turns["role_source"], turns["role"]))
    assert roles == {"inferred": "participant"} or set(turns["role_source"]) == {"inferred"}
    assert sorted(turns["role"].unique()) == ["interviewer", "participant"]


def test_unknown_path_and_language_option_errors(project, tmp_path):
    with pytest.raises(ConfigError):
        project.ingest([tmp_path / "nope"])
    with pytest.raises(ConfigError):
        project.ingest([tmp_path], lang="de")


def test_english_document_detected(project, tmp_path):
    f = tmp_path / "en.txt"
    f.write_text("Interviewer: How did the delivery go?\nCustomer: The parcel never arrived and nobody called me "
                 "back, I had to chase them three times by email.\n", encoding="utf-8")
    project.ingest([f])
    assert project.documents()["language"].tolist() == ["en"]


def test_participants_file_detected_without_manifest(project, mini_corpus):
    (mini_corpus / "corpus.yml").unlink()
    (mini_corpus / "verbatims.csv").unlink()
    report = project.ingest([mini_corpus], interviewers=["Claire Vidal"])
    assert report.failed == []
    assert any(s["path"].endswith("participants.csv") for s in report.skipped)
    segs = project.segments(role="participant")
    assert set(segs["participant"]) == {"P01", "P02"}


def test_names_added_by_the_researcher_are_pseudonymised_at_ingestion(project, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("Claire Vidal: Qui vous a aidé ?\nPaul: C'est Quorvith au guichet qui a tout réglé, vraiment.\n",
                 encoding="utf-8")
    (project.private_dir / "extra_names.json").write_text('{"version": 1, "names": ["Quorvith"]}', encoding="utf-8")
    project.ingest([f], interviewers=["Claire Vidal"])
    assert "Quorvith" not in " ".join(project.segments()["text"])


# --------------------------------------------------------------------------- file names and paths not in clear

NAMED = ("Hugo Martin: Bonjour, racontez-moi la panne.\n"
         "Sophie Lemaire: La voiture ne démarrait plus, j'ai attendu la dépanneuse quatre heures.\n")


def _named_corpus(root):
    root.mkdir()
    (root / "P01_sophie_panne_voiture.txt").write_text(NAMED, encoding="utf-8")
    (root / "participants.csv").write_text("participant_id,name\nP01,Sophie Lemaire\n", encoding="utf-8")
    return root


def test_file_names_are_stored_pseudonymised_and_the_path_keyed(project, tmp_path):
    corpus = _named_corpus(tmp_path / "c")
    project.ingest([corpus], interviewers=["Hugo Martin"])
    doc = project.documents().iloc[0]
    assert doc["name"] == "P01_P01_panne_voiture.txt"
    assert doc["path"].startswith("P01_P01_panne_voiture.txt#") and len(doc["path"].rpartition("#")[2]) == 16
    raw = project.db_path.read_bytes() + b"".join(p.read_bytes() for p in project.path.glob("*.sqlite-wal"))
    assert b"sophie" not in raw.lower() and str(corpus).encode() not in raw
    assert (project.private_dir / "document_secret").stat().st_mode & 0o777 == 0o600
    # same file again: recognised as unchanged; edited: a new version of the same document
    assert len(project.ingest([corpus], interviewers=["Hugo Martin"]).unchanged) == 1
    f = corpus / "P01_sophie_panne_voiture.txt"
    f.write_text(NAMED + "Sophie Lemaire: Et le garage a rappelé le lendemain.\n", encoding="utf-8")
    report = project.ingest([corpus], interviewers=["Hugo Martin"])
    assert [i["version"] for i in report.ingested] == [2]
    docs = project.documents(current_only=False)
    assert docs["path"].nunique() == 1 and docs["is_current"].sum() == 1 and project.check() == []


def test_the_same_name_in_two_folders_is_two_documents(project, tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "entretien.txt").write_text(NAMED.replace("quatre", sub), encoding="utf-8")
    project.ingest([tmp_path / "a", tmp_path / "b"], pseudonymise=False)
    docs = project.documents()
    assert docs["name"].tolist() == ["entretien.txt", "entretien.txt"] and docs["path"].nunique() == 2


def test_a_document_stored_with_its_clear_path_is_moved_to_the_pseudonymised_form(project, tmp_path):
    corpus = _named_corpus(tmp_path / "c")
    f = corpus / "P01_sophie_panne_voiture.txt"
    project.ingest([corpus], interviewers=["Hugo Martin"])
    with project.transaction():  # as an interviewkit before this change stored it
        project.conn.execute("UPDATE documents SET path = ?, name = ?", (str(f.resolve()), f.name))
        project.conn.execute("INSERT INTO role_overrides (path, speaker, role, created_at) VALUES (?, 'P01', "
                             "'participant', '2026-01-01')", (str(f.resolve()),))
    report = project.ingest([corpus], interviewers=["Hugo Martin"])
    assert report.ingested == [] and len(report.unchanged) == 1
    doc = project.documents().iloc[0]
    assert doc["name"] == "P01_P01_panne_voiture.txt" and "sophie" not in doc["path"]
    assert [r[0] for r in project.conn.execute("SELECT path FROM role_overrides")] == [doc["path"]]


def test_a_name_learned_later_leaves_the_stored_file_name(project, tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "entretien_quorvith.txt").write_text(NAMED, encoding="utf-8")
    project.ingest([tmp_path / "c"], interviewers=["Hugo Martin"], participants=None)
    assert project.documents()["name"].tolist() == ["entretien_quorvith.txt"]  # not a name anyone knows yet
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "autre.txt").write_text("Hugo Martin: Bonjour ?\nQuorvith Blamzek: Bonjour, ça va.\n",
                                              encoding="utf-8")
    project.ingest([tmp_path / "d"], interviewers=["Hugo Martin"])
    report = project.ingest([tmp_path / "c"], interviewers=["Hugo Martin"])
    assert len(report.unchanged) == 1
    names = set(project.documents(current_only=False)["name"]) | set(project.documents()["path"])
    assert not [n for n in names if "quorvith" in n.lower()], names


def test_failed_files_are_stored_under_their_pseudonymised_name(project, tmp_path):
    corpus = _named_corpus(tmp_path / "c")
    (corpus / "P02_sophie_vide.txt").write_bytes(b"")
    report = project.ingest([corpus], interviewers=["Hugo Martin"])
    assert len(report.failed) == 1 and "P02_sophie_vide.txt" in report.failed[0]["path"]  # the report is in clear
    stored = project.info()["errors"]
    assert stored[0]["path"] == "P02_P01_vide.txt" and "sophie" not in stored[0]["message"].lower(), stored
    options = project.conn.execute("SELECT options_json FROM ingest_runs").fetchone()[0]
    assert str(corpus) not in options


def test_a_second_ingestion_waits_for_the_project_lock(project, tmp_path):
    import threading
    import time

    from interviewkit.privacy import project_lock

    corpus = _named_corpus(tmp_path / "c")
    done = {}

    def run():
        done["report"] = project.ingest([corpus], interviewers=["Hugo Martin"], lang="fr")
        done["at"] = time.monotonic()

    with project_lock(project.private_dir):
        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive() and project.query("SELECT COUNT(*) AS n FROM documents")["n"][0] == 0
        released = time.monotonic()
    worker.join(120)
    assert done["at"] > released and len(done["report"].ingested) == 1
    assert any("waited for another ingestion" in w for w in done["report"].warnings)
