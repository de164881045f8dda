"""Plain, timestamped, Otter.ai and Markdown transcripts, and .txt format detection."""
from __future__ import annotations

import time

import pytest

from interviewkit.errors import InputError
from interviewkit.io import detect_format, read_document, sniff_text_format
from interviewkit.io.plaintext import (
    looks_like_name, parse_markdown, parse_otter, parse_plain, parse_timestamp,
)


def speakers(doc) -> list[str | None]:
    return [t.speaker for t in doc.turns]


# --- plain ``Name: text`` ---------------------------------------------------------------

def test_plain_turns_with_continuations_and_accented_names() -> None:
    text = (
        "Claire Vidal: Bonjour Sophie, merci d'être là.\n"
        "Comme convenu, on parle de votre réclamation.\n"
        "Sophie: Oui, bonjour.\n"
        "Jean-Pierre de la Tour : Je me joins à vous.\n"
        "Élodie Saint-Exupéry: Moi aussi.\n"
    )
    doc = parse_plain(text, "P01.txt", "utf-8")
    assert speakers(doc) == ["Claire Vidal", "Sophie", "Jean-Pierre de la Tour", "Élodie Saint-Exupéry"]
    assert doc.turns[0].text == "Bonjour Sophie, merci d'être là.\nComme convenu, on parle de votre réclamation."
    assert [t.line for t in doc.turns] == [1, 3, 4, 5]
    assert doc.format == "plain" and doc.kind == "transcript" and doc.encoding == "utf-8"


def test_remarque_inside_a_paragraph_is_not_a_speaker() -> None:
    text = (
        "Claire: Qu'est-ce qui s'est passé ?\n\n"
        "Sophie: J'ai appelé le SAV.\n"
        "Remarque: ils ne rappellent jamais.\n"
        "Bref: c'était long.\n"
        "Voir http://exemple.fr/aide pour le détail.\n\n"
        "Claire: D'accord.\n"
    )
    doc = parse_plain(text)
    assert speakers(doc) == ["Claire", "Sophie", "Claire"]
    assert "Remarque: ils ne rappellent jamais." in doc.turns[1].text
    assert "Bref: c'était long." in doc.turns[1].text


def test_blank_line_paragraph_without_speaker_keeps_the_floor() -> None:
    text = "Préambule : entretien du 12 mars, Lyon.\n\nSophie: Premier paragraphe.\n\nDeuxième paragraphe.\n"
    doc = parse_plain(text)
    assert [(t.speaker, t.text) for t in doc.turns] == [
        (None, "Préambule : entretien du 12 mars, Lyon."),
        ("Sophie", "Premier paragraphe."),
        ("Sophie", "Deuxième paragraphe."),
    ]
    assert doc.turns[2].line == 5


def test_file_without_speakers_gives_paragraph_turns() -> None:
    text = "Le client a appelé trois fois.\nPersonne ne l'a rappelé.\n\n\nIl a fini par résilier.\n"
    doc = parse_plain(text)
    assert [(t.speaker, t.line) for t in doc.turns] == [(None, 1), (None, 5)]
    assert doc.turns[0].text == "Le client a appelé trois fois.\nPersonne ne l'a rappelé."


def test_lowercase_role_labels_recurring_are_speakers() -> None:
    doc = parse_plain("interviewer: bonjour\nparticipant: salut\ninterviewer: ça va ?\nparticipant: oui\n")
    assert speakers(doc) == ["interviewer", "participant", "interviewer", "participant"]


def test_sentence_with_colon_is_not_a_speaker() -> None:
    doc = parse_plain("Sophie: bonjour\nEt là il m'a dit: rappelez demain.\n")
    assert len(doc.turns) == 1
    assert doc.turns[0].text.endswith("Et là il m'a dit: rappelez demain.")


@pytest.mark.parametrize("name", ["Claire Vidal", "P03", "Participant 2", "Jean-Pierre de la Tour", "محمد", "SOPHIE"])
def test_names_that_look_like_names(name: str) -> None:
    assert looks_like_name(name)


@pytest.mark.parametrize("name", ["Remarque", "et puis le conseiller", "Note importante", "Bref"])
def test_labels_that_are_not_names(name: str) -> None:
    assert not looks_like_name(name)


def test_emoji_and_right_to_left_text() -> None:
    text = "سارة: مرحبا 🙂\nשרה: שלום\nسارة: ça marche 👍\n"
    doc = parse_plain(text)
    assert speakers(doc) == ["سارة", "שרה", "سارة"]
    assert doc.turns[2].text == "ça marche 👍"


# --- timestamped ------------------------------------------------------------------------

def test_timestamp_variants_give_start_seconds() -> None:
    text = (
        "[00:01:02] Claire Vidal: Bonjour.\n"
        "(01:05) Sophie: Bonjour !\n"
        "00:01:10 Claire Vidal: On commence ?\n"
        "[1:02:03.5] Sophie: Oui.\n"
        "Claire Vidal [00:02:00]: Parfait.\n"
        "[00:03:00.000 --> 00:03:04.500] Sophie: Range.\n"
    )
    doc = parse_plain(text)
    assert speakers(doc) == ["Claire Vidal", "Sophie", "Claire Vidal", "Sophie", "Claire Vidal", "Sophie"]
    assert [t.start for t in doc.turns] == [62.0, 65.0, 70.0, 3723.5, 120.0, 180.0]
    assert doc.turns[5].end == 184.5
    assert doc.turns[0].text == "Bonjour."


def test_timestamp_alone_on_its_line_dates_the_next_turn() -> None:
    doc = parse_plain("[00:00:05]\nClaire: Bonjour\n[00:00:09]\nSophie: Salut\n")
    assert [(t.speaker, t.start) for t in doc.turns] == [("Claire", 5.0), ("Sophie", 9.0)]


def test_timed_lines_without_speaker() -> None:
    doc = parse_plain("[00:00:01] Bonjour à tous.\n[00:00:04] On commence.\n")
    assert [(t.speaker, t.start, t.text) for t in doc.turns] == [(None, 1.0, "Bonjour à tous."), (None, 4.0, "On commence.")]


@pytest.mark.parametrize(("value", "seconds"), [("01:02", 62.0), ("1:02:13", 3733.0), ("00:00:01,250", 1.25),
                                                ("12:75", None), ("1:60:00", None), ("abc", None)])
def test_parse_timestamp(value: str, seconds: float | None) -> None:
    assert parse_timestamp(value) == seconds


# --- Otter.ai ---------------------------------------------------------------------------

OTTER = """SUMMARY KEYWORDS
garage, panne, véhicule de prêt, franchise

SPEAKERS
Claire Vidal, Marc Dubois

Claire Vidal  00:04
Bon, ça enregistre. Bonjour Marc.

Marc Dubois  00:14
Ouais, bonjour.
Je suis sur le chantier.

Claire Vidal  1:02:13
Merci beaucoup.

Transcribed by https://otter.ai
"""


def test_otter_export() -> None:
    doc = parse_otter(OTTER, "P02.txt")
    assert doc.format == "otter"
    assert [(t.speaker, t.start, t.line) for t in doc.turns] == [
        ("Claire Vidal", 4.0, 7), ("Marc Dubois", 14.0, 10), ("Claire Vidal", 3733.0, 14)]
    assert doc.turns[1].text == "Ouais, bonjour.\nJe suis sur le chantier."
    assert doc.metadata["keywords"] == ["garage", "panne", "véhicule de prêt", "franchise"]
    assert doc.metadata["speakers"] == ["Claire Vidal", "Marc Dubois"]
    assert all("SUMMARY" not in t.text and "otter.ai" not in t.text for t in doc.turns)


def test_otter_without_header_and_unknown_speakers() -> None:
    text = "Speaker 1  0:00\nBonjour.\n\nUnknown Speaker  0:07\nOui ?\n\nSpeaker 1  0:12\nVoilà.\n"
    assert sniff_text_format(text) == "otter"
    doc = parse_otter(text)
    assert speakers(doc) == ["Speaker 1", "Unknown Speaker", "Speaker 1"]
    assert [t.start for t in doc.turns] == [0.0, 7.0, 12.0]


def test_otter_header_only_has_no_turns() -> None:
    with pytest.raises(InputError) as err:
        parse_otter("SUMMARY KEYWORDS\nrien\n\nSPEAKERS\nA, B\n", "vide.txt")
    assert err.value.code == "E107"


# --- Markdown ---------------------------------------------------------------------------

MARKDOWN = """---
date: 2024-03-12
lieu: Lyon
---
# Entretien P08 – Thomas

## Contexte

**Claire Vidal :** Bonjour Thomas.

**Thomas**: Bonjour.
Suite de la réponse.

> Sophie: citée

- **Claire Vidal:** En liste.

### Fin
Claire Vidal: Merci.
"""


def test_markdown_transcript() -> None:
    doc = parse_markdown(MARKDOWN, "P08.md")
    assert doc.format == "markdown"
    assert doc.metadata["title"] == "Entretien P08 – Thomas"
    assert doc.metadata["lieu"] == "Lyon"
    assert speakers(doc) == ["Claire Vidal", "Thomas", "Sophie", "Claire Vidal", "Claire Vidal"]
    assert doc.turns[1].text == "Bonjour.\nSuite de la réponse."
    assert doc.turns[3].text == "En liste."
    assert all(not t.text.startswith("#") for t in doc.turns)
    assert doc.turns[0].line == 9


def test_markdown_with_only_headings_has_no_turns() -> None:
    with pytest.raises(InputError) as err:
        parse_markdown("# Titre\n\n## Partie\n", "t.md")
    assert err.value.code == "E107"


# --- detection, read_document, errors, size -------------------------------------------

def test_detect_format_of_txt_by_content(tmp_path) -> None:
    cases = {
        "plain.txt": "Claire: Bonjour\nSophie: Salut\n",
        "stamped.txt": "[00:00:01] Claire: Bonjour\n[00:00:03] Sophie: Salut\n",
        "otter.txt": OTTER,
        "vtt.txt": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Claire>Bonjour</v>\n",
        "srt.txt": "1\n00:00:01,000 --> 00:00:02,000\nClaire: Bonjour\n",
        "notes.md": "# Titre\n\nClaire: Bonjour\n",
    }
    expected = {"plain.txt": "plain", "stamped.txt": "plain", "otter.txt": "otter", "vtt.txt": "vtt",
                "srt.txt": "srt", "notes.md": "markdown"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        assert detect_format(path) == expected[name], name
        assert read_document(path).format == expected[name], name


def test_unsupported_extension(tmp_path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert err.value.code == "E106" and ".docx" in str(err.value)


@pytest.mark.parametrize("content", ["", "   \n\n\t\n"])
def test_blank_file_is_refused(content: str) -> None:
    with pytest.raises(InputError) as err:
        parse_plain(content, "vide.txt")
    assert err.value.code == "E102"


def test_one_megabyte_line() -> None:
    long = "réclamation " * 90_000  # ~1 MB on one line
    doc = parse_plain(f"Claire: Bonjour\nSophie: {long}\nClaire: Merci\n")
    assert speakers(doc) == ["Claire", "Sophie", "Claire"]
    assert len(doc.turns[1].text) == len(long.strip())
    doc = parse_plain(long)
    assert len(doc.turns) == 1 and doc.turns[0].speaker is None


def test_large_file_is_linear(tmp_path) -> None:
    block = "Claire Vidal: Et ensuite, qu'avez-vous fait ?\n\nSophie: J'ai rappelé l'assistance, 🙂 encore.\n\n"
    path = tmp_path / "gros.txt"
    path.write_text(block * 60_000, encoding="utf-8")  # ~7 MB, 240k lines
    started = time.perf_counter()
    doc = read_document(path)
    assert len(doc.turns) == 120_000
    assert time.perf_counter() - started < 20
