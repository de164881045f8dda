import json
import statistics

import pandas as pd
import pytest
from jm_evidence import ACTIF, COLUMNS, SENIOR, evidence_rows, make_frame, seg

from interviewkit.journeymap import (
    ALL_PARTICIPANTS, LANES, STAGES, JourneyMap, MapError, OpportunityItem, build_maps,
)
from interviewkit.journeymap.model import CHANNEL_LABELS, EMOTION_LABELS, MOMENT_LABELS, STAGE_LABELS


def test_one_map_per_persona_plus_all(built_maps):
    assert list(built_maps) == [ALL_PARTICIPANTS, ACTIF, SENIOR]
    jm = built_maps[ACTIF]
    assert isinstance(jm, JourneyMap)
    assert jm.stages == list(STAGES) and jm.lanes == list(LANES)
    assert len(jm.cells) == len(STAGES) * len(LANES)
    assert jm.participants == ["P01", "P02", "P03"]
    assert built_maps[ALL_PARTICIPANTS].participants == ["P01", "P02", "P03", "P04", "P05"]
    assert jm.schema_version == "1.0"


def test_counts_and_evidence_ids_are_consistent(built_maps, evidence):
    customer = evidence[evidence["role"] == "participant"]
    for persona, jm in built_maps.items():
        rows = customer if persona == ALL_PARTICIPANTS else customer[customer["persona"] == persona]
        own_ids = set(rows["segment_id"])
        owner = dict(zip(rows["segment_id"], rows["participant"]))
        for cell in jm.cells:
            assert cell.n_segments == len(cell.segment_ids) == len(set(cell.segment_ids))
            assert set(cell.segment_ids) <= own_ids
            assert cell.participants == sorted({owner[s] for s in cell.segment_ids})
            for item in cell.items:
                if item.is_evidence:
                    assert item.segment_ids and set(item.segment_ids) <= set(cell.segment_ids)
                    assert item.participants == sorted({owner[s] for s in item.segment_ids})
                    assert item.n_participants == len(set(item.participants))
                for q in item.quotes:
                    assert q.segment_id in item.segment_ids and q.participant == owner[q.segment_id]
                    assert q.segment_id in jm.segments
    assert "S90" not in {s for jm in built_maps.values() for c in jm.cells for s in c.segment_ids}  # interviewer


def test_actions_are_verb_phrases_grouped_by_lemma_and_counted_by_participants(built_maps):
    cell = built_maps[ACTIF].cell("support", "actions")
    first = cell.items[0]
    assert first.key == "appeler|assureur" and first.label == "appeler l'assureur"
    assert first.n_participants == 3 and first.segment_ids == ["S01", "S02", "S03"]
    assert "appeler mon assureur" in first.variants
    wait = cell.find("attendre|dépanneuse")
    assert wait is not None and wait.participants == ["P01", "P02"]
    # back-office sentences (the garage orders the part) are not customer actions
    assert cell.find("commander|pièce") is None
    assert [i.n_participants for i in cell.items] == sorted((i.n_participants for i in cell.items), reverse=True)


def test_touchpoints_emotions_backstage(built_maps):
    jm = built_maps[ACTIF]
    phone = jm.cell("support", "touchpoints").find("phone")
    assert phone.label == CHANNEL_LABELS["phone"] and phone.n_participants == 3 and phone.n_segments == 5
    emo = jm.cell("support", "emotions")
    valence = emo.items[0]
    assert valence.key == "valence"
    # mean of each participant's own mean (expressive segments only), sample std across participants
    per_person = [statistics.mean([-2, -1]), statistics.mean([-1, -1, 2]), -2.0]
    assert valence.mean_valence == round(statistics.mean(per_person), 2)
    assert valence.std_valence == round(statistics.stdev(per_person), 2)
    assert valence.n_participants == 3 and "écart-type" in valence.label
    dominant = [i for i in emo.items if i.key.startswith("emotion:")]
    assert dominant[0].key == "emotion:anger" and dominant[0].label == EMOTION_LABELS["anger"]
    curve = {p["stage"]: p for p in jm.emotion_curve()}
    assert curve["support"]["mean"] == valence.mean_valence and curve["purchase"]["mean"] is None
    back = jm.cell("support", "backstage")
    assert back.items[0].key == "backstage:commander|pièce" and back.items[0].participants == ["P01", "P03"]


def test_irritants_by_topic_with_quotes_from_different_participants(built_maps):
    cell = built_maps[ACTIF].cell("support", "irritants")
    wait = cell.find("topic:attente de la dépanneuse")
    assert wait.grouping == "topic" and wait.topic_id == 3 and wait.n_participants == 2
    assert len(wait.quotes) == 2 and len({q.participant for q in wait.quotes}) == 2
    # a topic outlier (-1) with no usable action falls in "Autres", listed last
    assert cell.items[-1].key == "other" and cell.items[-1].segment_ids == ["S08"]


def test_irritants_fall_back_to_actions_without_topics_and_say_so():
    rows = [dict(r, topic_id=None, topic_label=None) for r in evidence_rows()]
    maps = build_maps(make_frame(rows).drop(columns=["topic_id", "topic_label"]), min_segments=2)
    jm = maps[SENIOR]
    cell = jm.cell("support", "irritants")
    assert cell.note == "thèmes absents : irritants regroupés par action"
    assert cell.items[0].key == "action:ne pas recevoir|réponse" and cell.items[0].grouping == "action"
    assert any("Thèmes d'irritants absents" in w for w in jm.warnings)


def test_moments_and_opportunities(built_maps):
    jm = built_maps[ACTIF]
    moments = jm.cell("support", "moments")
    breaking = moments.find("moment:breaking_point")
    assert breaking.label == MOMENT_LABELS["breaking_point"] and breaking.participants == ["P01", "P03"]
    assert all(q.segment_id in breaking.segment_ids for q in breaking.quotes)
    opp = jm.cell("support", "opportunities")
    assert all(isinstance(i, OpportunityItem) and not i.is_evidence and i.draft for i in opp.items)
    assert opp.items[0].label == "Réduire « attente de la dépanneuse » (2 participants) : …"
    assert opp.items[0].based_on[0]["key"] == "topic:attente de la dépanneuse"
    assert opp.items[0].segment_ids == []  # never presented as evidence
    assert opp.find("opp:moment:breaking_point").label.startswith("Éviter le point de rupture")
    assert "pas des constats" in opp.note


def test_thin_cells_say_so_instead_of_inventing(built_maps):
    jm = built_maps[ACTIF]
    purchase = jm.cell("purchase", "actions")
    assert not purchase.sufficient and purchase.items == []
    assert purchase.note.startswith("pas assez d'éléments : 1 participant, 1 segment")
    assert purchase.segment_ids == ["S13"]  # evidence stays reachable
    empty = jm.cell("discover", "irritants")
    assert empty.items == [] and empty.note.startswith("aucun élément")
    assert jm.cell("discover", "opportunities").items == []
    senior = built_maps[SENIOR].cell("support", "emotions")
    assert senior.n_participants == 2 and senior.n_segments == 2 and senior.items == []


def test_thresholds_are_parameters(evidence):
    loose = build_maps(evidence, personas=[SENIOR], min_participants=1, min_segments=1)
    assert list(loose) == [ALL_PARTICIPANTS, SENIOR]
    assert loose[SENIOR].cell("support", "emotions").items
    strict = build_maps(evidence, min_participants=4)
    assert strict[ACTIF].cell("support", "actions").items == []
    with pytest.raises(MapError) as err:
        build_maps(evidence, min_participants=0)
    assert err.value.code == "E907"


def test_multi_stage_segment_counts_in_each_stage_and_unstaged_are_reported(built_maps):
    jm = built_maps[SENIOR]
    assert "S24" in jm.cell("purchase", "actions").segment_ids
    assert "S24" in jm.cell("support", "actions").segment_ids
    assert jm.n_segments_without_stage == 1


def test_deterministic_whatever_the_row_order(evidence):
    a = build_maps(evidence)
    b = build_maps(evidence.sample(frac=1.0, random_state=7).reset_index(drop=True))
    dump = lambda maps: json.dumps({k: v.to_dict() for k, v in maps.items()}, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert dump(a) == dump(b)


def test_persona_selection_and_errors(evidence):
    assert list(build_maps(evidence, personas=[ACTIF], include_all=False)) == [ACTIF]
    with pytest.raises(MapError) as err:
        build_maps(evidence, personas=["Inconnu"])
    assert err.value.code == "E906" and ACTIF in err.value.allowed
    reserved = evidence.assign(persona=ALL_PARTICIPANTS)
    with pytest.raises(MapError, match="reserved"):
        build_maps(reserved)
    other = evidence.assign(segment=evidence["participant"].map({"P01": "A", "P02": "A"}).fillna("B"))
    assert list(build_maps(other, persona_column="segment")) == [ALL_PARTICIPANTS, "A", "B"]


@pytest.mark.parametrize(("change", "code"), [
    (lambda df: df.drop(columns=["stage"]), "E901"),
    (lambda df: df.assign(stage=df["stage"].replace({"support": "aftersales"})), "E903"),
    (lambda df: df.assign(channel=df["channel"].replace({"phone": "pigeon"})), "E903"),
    (lambda df: df.assign(emotion=df["emotion"].replace({"anger": "rage"})), "E903"),
    (lambda df: df.assign(valence=df["valence"].replace({-2: -3})), "E904"),
    (lambda df: df.assign(irritant=df["irritant"].replace({1: 2})), "E904"),
    (lambda df: pd.concat([df, df.head(1)]), "E905"),
])
def test_bad_evidence_is_refused_with_a_clear_error(evidence, change, code):
    with pytest.raises(MapError) as err:
        build_maps(change(evidence))
    assert err.value.code == code
    assert "Fix:" in str(err.value) or err.value.allowed


def test_empty_evidence_gives_an_all_participants_map_saying_so():
    maps = build_maps(pd.DataFrame(columns=COLUMNS))
    assert list(maps) == [ALL_PARTICIPANTS]
    assert all(c.items == [] and c.note for c in maps[ALL_PARTICIPANTS].cells)


def test_missing_participant_is_counted_by_document_with_a_warning(evidence):
    df = evidence.copy()
    df.loc[df["segment_id"] == "S13", "participant"] = None
    jm = build_maps(df)[ACTIF]
    assert jm.cell("purchase", "actions").participants == ["?P01_entretien.txt"]
    assert any("sans participant" in w for w in jm.warnings)


def test_labels_match_the_shipped_codebook():
    from interviewkit.codebook import load_codebook

    cb = load_codebook()
    assert tuple(cb.label_ids("stage")) == STAGES
    for field, labels in (("stage", STAGE_LABELS), ("channel", CHANNEL_LABELS), ("emotion", EMOTION_LABELS),
                          ("moments", MOMENT_LABELS)):
        assert {i: cb.label(field, i).label_fr for i in cb.label_ids(field)} == labels


def test_extra_rows_of_the_same_action_raise_its_count(evidence):
    more = pd.concat([evidence, make_frame([seg("S30", "P03", "J'ai attendu la dépanneuse jusqu'au soir.", "support")])])
    item = build_maps(more)[ACTIF].cell("support", "actions").find("attendre|dépanneuse")
    assert item.participants == ["P01", "P02", "P03"] and item.n_segments == 3
