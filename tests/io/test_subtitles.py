"""WebVTT (Zoom, Teams) and SRT readers."""
from __future__ import annotations

import pytest

from interviewkit.errors import InputError
from interviewkit.io import read_document
from interviewkit.io.subtitles import parse_srt, parse_vtt

ZOOM = """WEBVTT
Kind: captions
Language: fr

NOTE Zoom export
cette note est ignorée

STYLE
::cue { color: yellow }

1
00:00:01.000 --> 00:00:03.000
<v Claire Vidal>Bonjour Karim,</v>

2
00:00:03.500 --> 00:00:05.250
<v Claire Vidal>vous m&apos;entendez ?</v>

3
00:00:05.500 --> 00:00:08.000
<v Karim Benali>Oui, <i>très</i> bien 🙂</v>

4
00:01:02.000 --> 00:01:04.000
<v Claire Vidal>Parfait.</v>
"""

TEAMS = """WEBVTT

b7f3c6c1-4c1e-4f0e-9b57-3f1d2c1e0a11/12-0
00:00:00.000 --> 00:00:02.500
Claire Vidal: Bonjour à tous.

b7f3c6c1-4c1e-4f0e-9b57-3f1d2c1e0a11/13-0
00:00:02.500 --> 00:00:04.000
Nadia: Bonjour !

b7f3c6c1-4c1e-4f0e-9b57-3f1d2c1e0a11/14-0
00:00:04.000 --> 00:00:06.000
Nadia: Je déménage le mois prochain.

00:00:06.000 --> 00:00:07.000
<v Claire Vidal>D'accord.</v>
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Hugo Martin: Bonjour Lucie,
merci d'être là.

2
00:00:04,500 --> 00:00:06,000
Lucie: Avec plaisir.

3
00:00:06,000 --> 00:00:09,000
Lucie: La fibre, quelle histoire...

4
01:00:00,000 --> 01:00:02,000
Hugo Martin: Merci.
"""


def test_zoom_vtt_merges_consecutive_cues_of_a_speaker() -> None:
    doc = parse_vtt(ZOOM, "P04.vtt", "utf-8")
    assert doc.format == "vtt" and doc.kind == "transcript"
    assert [(t.speaker, t.start, t.end) for t in doc.turns] == [
        ("Claire Vidal", 1.0, 5.25), ("Karim Benali", 5.5, 8.0), ("Claire Vidal", 62.0, 64.0)]
    assert doc.turns[0].text == "Bonjour Karim, vous m'entendez ?"
    assert doc.turns[1].text == "Oui, très bien 🙂"
    assert doc.turns[0].line == 12
    assert doc.metadata == {"kind": "captions", "language": "fr"}
    assert doc.warnings == []


def test_teams_vtt_with_cue_ids_and_name_prefixes() -> None:
    doc = parse_vtt(TEAMS)
    assert [(t.speaker, t.start, t.end, t.text) for t in doc.turns] == [
        ("Claire Vidal", 0.0, 2.5, "Bonjour à tous."),
        ("Nadia", 2.5, 6.0, "Bonjour ! Je déménage le mois prochain."),
        ("Claire Vidal", 6.0, 7.0, "D'accord."),
    ]


def test_vtt_cue_with_two_voices_gives_two_turns() -> None:
    doc = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A B>Oui ?</v>\n<v Cé D>Non.</v>\n")
    assert [(t.speaker, t.text) for t in doc.turns] == [("A B", "Oui ?"), ("Cé D", "Non.")]


def test_vtt_without_speakers_keeps_one_turn_per_cue() -> None:
    doc = parse_vtt("WEBVTT\n\n00:01.000 --> 00:02.000\nBonjour\n\n00:02.000 --> 00:03.000\nau revoir\n")
    assert [(t.speaker, t.start, t.text) for t in doc.turns] == [(None, 1.0, "Bonjour"), (None, 2.0, "au revoir")]


def test_srt_with_name_prefixes() -> None:
    doc = parse_srt(SRT, "P05.srt")
    assert doc.format == "srt"
    assert [(t.speaker, t.start, t.end, t.line) for t in doc.turns] == [
        ("Hugo Martin", 1.0, 4.0, 2), ("Lucie", 4.5, 9.0, 7), ("Hugo Martin", 3600.0, 3602.0, 15)]
    assert doc.turns[0].text == "Bonjour Lucie, merci d'être là."
    assert doc.turns[1].text == "Avec plaisir. La fibre, quelle histoire..."


def test_srt_without_blank_lines_between_cues() -> None:
    doc = parse_srt("1\n00:00:01,000 --> 00:00:02,000\nSophie: un\n2\n00:00:03,000 --> 00:00:04,000\nMarc: deux\n")
    assert [(t.speaker, t.text, t.start) for t in doc.turns] == [("Sophie", "un", 1.0), ("Marc", "deux", 3.0)]


def test_some_malformed_cues_are_skipped_with_a_warning() -> None:
    text = SRT.replace("00:00:04,500 --> 00:00:06,000", "00:00:04,500 --> 00:0x:06,000")
    text = text.replace("01:00:00,000 --> 01:00:02,000", "01:00:00,000 -> 01:00:02,000")
    doc = parse_srt(text, "P05.srt")
    assert [t.speaker for t in doc.turns] == ["Hugo Martin", "Lucie"]
    assert doc.turns[1].text == "La fibre, quelle histoire..."
    assert len(doc.warnings) == 1
    assert "line(s) 7, 15" in doc.warnings[0]


def test_vtt_malformed_cue_warning_names_the_line() -> None:
    text = ZOOM.replace("00:00:05.500 --> 00:00:08.000", "00:00:05.500 --> demain")
    doc = parse_vtt(text)
    assert [t.speaker for t in doc.turns] == ["Claire Vidal"]  # the two Claire cues around merge
    assert "line(s) 20" in doc.warnings[0]


def test_all_cues_malformed_is_an_error_with_the_line() -> None:
    text = "WEBVTT\n\n1\n00:00:01 -> 00:00:02\nBonjour\n\n2\n00:00:03.000 --> bientôt\nSalut\n"
    with pytest.raises(InputError) as err:
        parse_vtt(text, "cassé.vtt")
    assert err.value.code == "E121"
    assert err.value.line == 4
    assert "cassé.vtt:4" in str(err.value)
    assert "line(s) 4, 8" in str(err.value)


def test_srt_all_bad_timings() -> None:
    with pytest.raises(InputError) as err:
        parse_srt("1\n00:00:01.000 - 00:00:02.000\nBonjour\n", "a.srt")
    assert err.value.code == "E121" and err.value.line == 2


def test_no_cue_at_all() -> None:
    with pytest.raises(InputError) as err:
        parse_vtt("WEBVTT\n\nNOTE rien ici\n", "vide.vtt")
    assert err.value.code == "E122"
    with pytest.raises(InputError) as err:
        parse_srt("Ceci n'est pas un sous-titre.\n", "faux.srt")
    assert err.value.code == "E122"


def test_missing_header_and_backwards_cue_are_warnings() -> None:
    doc = parse_vtt("00:00:05.000 --> 00:00:02.000\n<v Claire>Bonjour</v>\n")
    assert doc.turns[0].start == 5.0 and doc.turns[0].end is None
    assert any("WEBVTT" in w for w in doc.warnings)
    assert any("ending before" in w for w in doc.warnings)


def test_read_document_dispatches_by_extension(tmp_path) -> None:
    vtt = tmp_path / "P04.vtt"
    vtt.write_text(ZOOM, encoding="utf-8-sig")
    srt = tmp_path / "P05.srt"
    srt.write_bytes(SRT.replace("\n", "\r\n").encode("cp1252"))
    doc = read_document(vtt)
    assert doc.format == "vtt" and doc.encoding == "utf-8-sig" and len(doc.turns) == 3
    doc = read_document(srt)
    assert doc.format == "srt" and doc.encoding == "cp1252" and doc.turns[0].text == "Bonjour Lucie, merci d'être là."
