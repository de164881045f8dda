from interviewkit.roles import assign_roles, fold, name_matches

TURNS = [
    ("Claire Vidal", "Bonjour, vous pouvez me raconter ce qui s'est passé ?"),
    ("Sophie", "Oui, ma voiture ne démarrait pas un lundi."),
    ("Claire Vidal", "Et ensuite ?"),
    ("Sophie", "J'ai appelé l'assistance."),
]


def test_interviewer_names_win():
    roles = assign_roles(TURNS, interviewers=["Claire Vidal"])
    assert roles["Claire Vidal"] == ("interviewer", "interviewers")
    assert roles["Sophie"] == ("participant", "inferred")


def test_first_name_matches_full_name_accent_insensitively():
    assert name_matches("Gérard", ["Gerard Morel"])
    assert name_matches("MOREL", ["Gérard Morel"])
    assert not name_matches("Gérald", ["Gérard Morel"])
    assert fold("  Élodie   MARCHAND ") == "elodie marchand"


def test_participant_names_from_the_participants_file():
    roles = assign_roles(TURNS, participant_names=["Sophie Lemaire"])
    assert roles["Sophie"] == ("participant", "participants")
    assert roles["Claire Vidal"] == ("interviewer", "inferred")


def test_inferred_interviewer_is_the_one_who_asks():
    roles = assign_roles(TURNS)
    assert roles["Claire Vidal"][0] == "interviewer"
    assert roles["Sophie"][0] == "participant"


def test_generic_labels_and_overrides():
    turns = [("Enquêtrice", "Vous avez appelé ?"), ("Speaker 2", "Oui ?"), ("Speaker 2", "Trois fois.")]
    roles = assign_roles(turns)
    assert roles["Enquêtrice"] == ("interviewer", "label")
    assert roles["Speaker 2"] == ("participant", "inferred")
    roles = assign_roles(turns, overrides={"Speaker 2": "interviewer"})
    assert roles["Speaker 2"] == ("interviewer", "researcher")


def test_single_speaker_without_questions_is_a_participant():
    assert assign_roles([("Marc", "Tout s'est bien passé.")]) == {"Marc": ("participant", "inferred")}
