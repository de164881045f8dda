"""spaCy factories: usable with nlp.add_pipe by anyone, codebook travelling with to_disk/from_disk."""
from __future__ import annotations

import spacy

import interviewkit.tagging  # noqa: F401  (registers the factories)
from interviewkit.codebook import load_codebook
from interviewkit.tagging.components import FACTORIES

TEXT = "Toujours pas reçu mon colis, personne ne m'a rappelé !!!"


def test_factories_registered():
    for name in FACTORIES:
        assert spacy.Language.has_factory(name)
        assert name.endswith("_v1") and name.startswith("interviewkit_")


def test_layered_components_match_all_in_one():
    nlp = spacy.blank("fr")
    for name in ("interviewkit_lemma_exceptions_v1", "interviewkit_journey_rules_v1", "interviewkit_negation_v1",
                 "interviewkit_intensity_v1", "interviewkit_journey_decide_v1"):
        nlp.add_pipe(name)
    doc = nlp(TEXT)
    assert doc._.journey_cues and doc._.journey_scopes and doc._.journey_emphasis.level == 1
    layered = doc._.journey
    one = spacy.blank("fr")
    one.add_pipe("interviewkit_journey_v1")
    single = one(TEXT)._.journey
    assert layered.to_row() == single.to_row()
    assert "deliver" in layered.stage and layered.irritant == 1 and layered.valence == -2


def test_lemma_exceptions_component_rewrites_lemmas():
    nlp = spacy.blank("fr")
    nlp.add_pipe("interviewkit_lemma_exceptions_v1")
    doc = nlp("un SMS, une appli qui bugue, tjrs")
    assert [t.lemma_ for t in doc if t.text in ("SMS", "bugue", "tjrs")] == ["sms", "buguer", "toujours"]


def test_context_extension_in_pipeline():
    nlp = spacy.blank("fr")
    nlp.add_pipe("interviewkit_journey_v1")
    doc = nlp.make_doc("Ça a pris trois semaines.")
    doc._.journey_context = "J'ai commandé sur le site."
    doc = nlp.get_pipe("interviewkit_journey_v1")(doc)
    assert doc._.journey.stage == ["purchase"] and doc._.journey.channel == []


def test_codebook_travels_with_to_disk(tmp_path):
    cb = load_codebook()
    cb.add_pattern("channel", "mail", "pigeon voyageur", lang="fr")
    path = tmp_path / "my_codebook.yml"
    cb.save(path)
    nlp = spacy.blank("fr")
    nlp.add_pipe("interviewkit_journey_v1", config={"codebook": str(path)})
    assert nlp("par pigeon voyageur")._.journey.channel == ["mail"]
    nlp.to_disk(tmp_path / "pipe")
    path.unlink()  # the original codebook file is gone: the saved pipeline carries its own copy
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded("par pigeon voyageur")._.journey.channel == ["mail"]
    comp = loaded.get_pipe("interviewkit_journey_v1")
    assert comp.codebook.hash == cb.hash
    # bytes round trip too
    other = spacy.blank("fr")
    other.add_pipe("interviewkit_journey_v1").from_bytes(comp.to_bytes())
    assert other("par pigeon voyageur")._.journey.channel == ["mail"]


def test_add_to_pipe_on_full_model(sm_tagger):
    nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner"])
    sm_tagger.add_to_pipe(nlp)
    doc = nlp("J'ai résilié mon abonnement, le SAV était injoignable.")
    assert doc._.journey.stage == ["support", "leave"] and doc._.journey.irritant == 1
