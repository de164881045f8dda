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
