"""corpus.yml and the list of corpus files."""
from __future__ import annotations

import pytest

from interviewkit.errors import ConfigError, InputError
from interviewkit.io import iter_corpus_files
from interviewkit.io.manifest import FILE_KEYS, TOP_KEYS, glob_match, load_manifest
from interviewkit.io.model import ReadOptions

FULL = """version: 1
language: fr
participants: participants.csv
interviewers: ["Claire Vidal", "Hugo Martin"]
files:
  verbatims.csv: {text_column: verbatim, id_column: respondent_id, persona_column: persona}
  sous/P03.txt: {language: en, format: plain, participant: P03}
exclude: ["notes/**", "*.bak"]
"""


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "participants.csv").write_text("participant_id\nP01\n", encoding="utf-8")
    (tmp_path / "verbatims.csv").write_text("respondent_id,verbatim\n1,ok\n", encoding="utf-8")
    (tmp_path / "sous").mkdir()
    (tmp_path / "sous" / "P03.txt").write_text("Claire: Bonjour\n", encoding="utf-8")
    (tmp_path / "corpus.yml").write_text(FULL, encoding="utf-8")
    return tmp_path


def test_full_manifest(corpus) -> None:
    manifest = load_manifest(corpus)
    assert manifest is not None
    assert manifest.version == 1 and manifest.language == "fr"
    assert manifest.participants == corpus / "participants.csv"
    assert manifest.interviewers == ["Claire Vidal", "Hugo Martin"]
    assert manifest.exclude == ["notes/**", "*.bak"]
    options = manifest.options_for(corpus / "verbatims.csv", ReadOptions(max_bytes=10))
    assert (options.text_column, options.id_column, options.persona_column, options.max_bytes) == (
        "verbatim", "respondent_id", "persona", 10)
    assert manifest.options_for(corpus / "sous" / "P03.txt").text_column is None
    assert manifest.file_options(corpus / "sous" / "P03.txt").participant == "P03"
    assert manifest.language_for(corpus / "sous" / "P03.txt") == "en"
    assert manifest.language_for(corpus / "verbatims.csv") == "fr"


def test_no_manifest_and_empty_manifest(tmp_path) -> None:
    assert load_manifest(tmp_path) is None
    (tmp_path / "corpus.yaml").write_text("# rien\n", encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert manifest is not None and manifest.language == "auto" and manifest.files == {}


def _error(tmp_path, text: str) -> ConfigError:
    (tmp_path / "corpus.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(tmp_path)
    return err.value


def test_unknown_key_names_key_allowed_keys_and_file(tmp_path) -> None:
    err = _error(tmp_path, "version: 1\nlangue: fr\n")
    assert err.code == "E202"
    message = str(err)
    assert "'langue'" in message and "corpus.yml" in message
    assert all(key in message for key in TOP_KEYS)


@pytest.mark.parametrize("text", [
    "version: un\n",
    "interviewers: Claire Vidal\n",
    "exclude: notes\n",
    "files: [a.txt]\n",
    "participants: [a.csv]\n",
    "- juste\n- une liste\n",
    "version: true\n",
])
def test_wrong_types(tmp_path, text: str) -> None:
    assert _error(tmp_path, text).code == "E203"


def test_missing_files(tmp_path) -> None:
    err = _error(tmp_path, "files:\n  absent.csv: {text_column: verbatim}\n")
    assert err.code == "E204" and "absent.csv" in str(err)
    assert _error(tmp_path, "participants: participants.xlsx\n").code == "E204"


def test_bad_values(tmp_path) -> None:
    (tmp_path / "a.csv").write_text("verbatim\nx\n", encoding="utf-8")
    assert _error(tmp_path, "version: 2\n").code == "E205"
    assert _error(tmp_path, "language: de\n").code == "E206"
    assert _error(tmp_path, "files:\n  a.csv: {format: pdf}\n").code == "E206"
    err = _error(tmp_path, "files:\n  a.csv: {colonne: verbatim}\n")
    assert err.code == "E207" and all(key in str(err) for key in FILE_KEYS)


def test_yaml_syntax_and_duplicate_keys(tmp_path) -> None:
    err = _error(tmp_path, "version: 1\nfiles: {a: [\n")
    assert err.code == "E201" and err.line is not None
    err = _error(tmp_path, "version: 1\nlanguage: fr\nlanguage: en\n")
    assert err.code == "E209" and err.line == 3


def test_both_manifest_names(tmp_path) -> None:
    (tmp_path / "corpus.yml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text("version: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(tmp_path)
    assert err.value.code == "E208"


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("notes/**", "notes/a.txt", True),
    ("notes/**", "notes/x/y.txt", True),
    ("notes/**", "autres/notes.txt", False),
    ("*.bak", "a/b/c.bak", True),
    ("sous/*.txt", "sous/P03.txt", True),
    ("sous/*.txt", "sous/x/P03.txt", False),
    ("**/brouillon*", "a/b/brouillon_1.md", True),
    ("README.md", "README.md", True),
])
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_iter_corpus_files(corpus) -> None:
    (corpus / "notes").mkdir()
    (corpus / "notes" / "n.txt").write_text("x", encoding="utf-8")
    (corpus / "vieux.bak").write_text("x", encoding="utf-8")
    (corpus / ".DS_Store").write_bytes(b"\x00")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "config").write_text("x", encoding="utf-8")
    (corpus / "rapport.pdf").write_bytes(b"%PDF")
    (corpus / "B.docx").write_bytes(b"")
    (corpus / "a.VTT").write_text("WEBVTT\n", encoding="utf-8")
    manifest = load_manifest(corpus)
    files = iter_corpus_files([corpus], manifest)
    assert [p.relative_to(corpus).as_posix() for p in files] == ["B.docx", "a.VTT", "sous/P03.txt", "verbatims.csv"]
    reasons = {p.relative_to(corpus).as_posix(): why for p, why in files.skipped}
    assert reasons["corpus.yml"] == "corpus manifest"
    assert reasons["participants.csv"].startswith("participants file")
    assert "notes/**" in reasons["notes/n.txt"] and "*.bak" in reasons["vieux.bak"]
    assert reasons[".DS_Store"] == "hidden file" and reasons[".git"] == "hidden folder"
    assert reasons["rapport.pdf"].startswith("unsupported file type '.pdf'")


def test_iter_corpus_files_without_manifest_and_explicit_files(corpus) -> None:
    files = iter_corpus_files(corpus)
    assert corpus / "participants.csv" in files  # nothing says it is the participants file
    assert corpus / "corpus.yml" not in files
    explicit = iter_corpus_files([corpus / "sous" / "P03.txt", corpus / "sous"])
    assert list(explicit) == [corpus / "sous" / "P03.txt"]
    with pytest.raises(InputError) as err:
        iter_corpus_files([corpus / "absent"])
    assert err.value.code == "E101"
