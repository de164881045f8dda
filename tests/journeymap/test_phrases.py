import pytest

from interviewkit.journeymap.phrases import BACKSTAGE_SUBJECTS, CUSTOMER_SUBJECTS, best_phrase, default_extractor


@pytest.fixture(scope="module")
def extract():
    ex = default_extractor()
    return lambda text: ex.extract([text])[0]


@pytest.mark.parametrize(("text", "key", "label", "subject"), [
    ("J'ai appelé l'assureur dès huit heures.", "appeler|assureur", "appeler l'assureur", "first"),
    ("J'ai attendu la dépanneuse pendant quatre heures.", "attendre|dépanneuse", "attendre la dépanneuse", "first"),
    ("On a attendu la dépanneuse tout l'après-midi.", "attendre|dépanneuse", "attendre la dépanneuse", "on"),
    ("Je n'ai pas reçu de réponse pendant deux mois.", "ne pas recevoir|réponse", "ne pas recevoir de réponse",
     "first"),
    ("Ils ont transmis mon dossier au service sinistres.", "transmettre|dossier", "transmettre mon dossier", "other"),
    ("J'ai rappelé [PERS-002] le lendemain.", "rappeler|[PERS-002]", "rappeler [PERS-002]", "first"),
])
def test_verb_plus_complement(extract, text, key, label, subject):
    phrases = extract(text)
    found = {p.key: p for p in phrases}
    assert key in found, phrases
    assert found[key].label == label and found[key].subject == subject


def test_modal_and_light_verbs_alone_are_not_actions(extract):
    assert extract("Je pense que c'est bien.") == ()
    assert extract("Il faut voir.") == ()


def test_best_phrase_prefers_negated_then_main_verb(extract):
    phrases = extract("J'ai appelé le service client mais je n'ai pas reçu le devis.")
    best = best_phrase(phrases)
    assert best is not None and best.negated
    assert best_phrase(extract("Le garage a commandé la pièce."), CUSTOMER_SUBJECTS) is None
    assert best_phrase(extract("Le garage a commandé la pièce."), BACKSTAGE_SUBJECTS).key == "commander|pièce"


def test_each_text_is_parsed_once():
    ex = default_extractor()
    text = "J'ai comparé les prix sur trois sites."
    first = ex.extract([text, text])
    assert first[0] is first[1] and ex.extract([text])[0] is first[0]
