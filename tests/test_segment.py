import spacy

from interviewkit.segment import Segmenter, Span, _chunks, interpolate_times


def blank():
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    return nlp


def test_offsets_point_into_the_text():
    text = "  J'ai appelé le service client lundi. Personne ne m'a rappelé depuis !  "
    spans = Segmenter(nlp=blank()).split(text)
    assert [s.text for s in spans] == ["J'ai appelé le service client lundi.", "Personne ne m'a rappelé depuis !"]
    for s in spans:
        assert text[s.start_char:s.end_char] == s.text


def test_short_fragments_are_merged_with_a_neighbour():
    spans = Segmenter(nlp=blank()).split("Bon. Oui. J'ai attendu trois semaines le devis. Voilà.")
    assert [s.text for s in spans] == ["Bon. Oui. J'ai attendu trois semaines le devis. Voilà."]


def test_blank_text_gives_no_segment():
    assert Segmenter(nlp=blank()).split("   \n ") == []


def test_long_text_is_chunked_and_offsets_stay_exact():
    sentence = "Le technicien n'est jamais venu malgré le rendez-vous confirmé. "
    text = sentence * 2000  # ~130k chars, cut into several chunks
    spans = Segmenter(nlp=blank()).split(text)
    assert len(spans) == 2000
    assert all(text[s.start_char:s.end_char] == s.text for s in spans)


def test_chunks_cover_the_text_exactly():
    text = "mot " * 30000
    pieces = list(_chunks(text, size=1000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 for _, p in pieces)


def test_real_french_pipeline_splits_spoken_french(fr_senter):
    text = ("Alors euh bah du coup j'ai appelé l'assurance le lundi matin. Ils m'ont dit que la dépanneuse "
            "arrivait dans deux heures. Elle est arrivée à midi ! Vous imaginez ?")
    spans = Segmenter(nlp=fr_senter).split(text)
    assert len(spans) == 3
    assert spans[0].text.startswith("Alors euh")
    assert spans[-1].text.endswith("Vous imaginez ?")


def test_interpolated_times():
    spans = [Span(0, 10, "x" * 10), Span(10, 30, "y" * 20)]
    assert interpolate_times(spans, 30, 60.0, 90.0) == [(60.0, 70.0), (70.0, 90.0)]
    assert interpolate_times(spans, 30, None, None) == [(None, None), (None, None)]
    assert interpolate_times(spans, 30, 5.0, None) == [(5.0, None), (5.0, None)]
