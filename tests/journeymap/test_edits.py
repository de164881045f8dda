import sqlite3

import pytest
from jm_evidence import ACTIF, SENIOR, evidence_rows, make_frame

import interviewkit as ik
from interviewkit.journeymap import (
    ALL_PARTICIPANTS, MapEdit, MapError, apply_edits, build_maps, build_project_maps, load_edits,
    project_edit_report, record_edit,
)
from interviewkit.store import latest_version

WAIT = "topic:attente de la dépanneuse"


def edit(edit_id, action, stage="support", lane="irritants", key=WAIT, persona=ACTIF, **payload):
    return MapEdit(edit_id, "2026-01-02T10:00:00+00:00", "claire", persona, stage, lane, key, action, payload)


def test_apply_replace_hide_approve_in_order(evidence):
    maps = build_maps(evidence)
    report = apply_edits(maps, [
        edit(3, "hide", key="topic:service client injoignable"),
        edit(1, "replace_text", text="Attente de la dépanneuse (4 h)"),
        edit(2, "approve", key=""),
        edit(4, "edit_opportunity", lane="opportunities", key="opp:" + WAIT, text="Réduire l'attente : SMS d'ETA."),
        edit(5, "add_opportunity", lane="opportunities", key="", text="Proposer un véhicule de prêt."),
    ])
    assert report.applied == [1, 2, 3, 4, 5] and report.orphaned == []
    cell = maps[ACTIF].cell("support", "irritants")
    item = cell.find(WAIT)
    assert item.label == "Attente de la dépanneuse (4 h)" and item.edited
    assert item.generated_label == "attente de la dépanneuse"
    assert cell.find("topic:service client injoignable").hidden
    assert cell.status == "edited"  # edit 3 came after the approval
    opp = maps[ACTIF].cell("support", "opportunities")
    assert opp.find("opp:" + WAIT).label == "Réduire l'attente : SMS d'ETA." and opp.status == "edited"
    added = opp.find("custom:5")
    assert added.source == "researcher" and not added.is_evidence
    assert maps[ACTIF].applied_edits == [1, 2, 3, 4, 5]


def test_undo_by_appending_the_opposite_edit(evidence):
    maps = build_maps(evidence)
    apply_edits(maps, [edit(1, "replace_text", text="x"), edit(2, "hide"), edit(3, "revert_text"), edit(4, "show"),
                       edit(5, "approve", key="")])
    cell = maps[ACTIF].cell("support", "irritants")
    item = cell.find(WAIT)
    assert item.label == "attente de la dépanneuse" and not item.hidden and cell.status == "approved"


def test_orphans_are_reported_never_dropped(evidence):
    maps = build_maps(evidence)
    report = apply_edits(maps, [
        edit(1, "hide", key="topic:disparu"),
        edit(2, "hide", persona="Persona supprimée"),
        edit(3, "replace_text", stage="purchase", lane="actions", key="payer", text="Payer en ligne"),
    ])
    assert report.applied == [] and [o["edit_id"] for o in report.orphaned] == [1, 2, 3]
    assert [o["edit_id"] for o in maps[ACTIF].orphaned_edits] == [1, 3]
    assert "assez d'éléments" in maps[ACTIF].orphaned_edits[1]["reason"]
    assert maps[ALL_PARTICIPANTS].orphaned_edits[0]["persona"] == "Persona supprimée"


def test_edit_targeting_an_item_beyond_the_top_n_shows_it(evidence):
    maps = build_maps(evidence, max_items=1)
    cell = maps[SENIOR].cell("support", "actions")
    hidden_key = cell.more_items[0].key
    apply_edits(maps, [edit(1, "replace_text", persona=SENIOR, lane="actions", key=hidden_key, text="Écrire")])
    assert cell.find(hidden_key) in cell.items


@pytest.fixture
def project(tmp_path):
    p = ik.open_project(tmp_path / "proj")
    yield p
    p.close()


def test_migration_adds_an_append_only_map_edits_table(project):
    assert latest_version() >= 4
    edit_id = record_edit(project, ACTIF, "support", "irritants", "hide", item_key=WAIT, coder="claire")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.conn.execute("UPDATE map_edits SET action = 'show' WHERE edit_id = ?", (edit_id,))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.conn.execute("DELETE FROM map_edits")
    stored = load_edits(project)
    assert [(e.edit_id, e.coder, e.action, e.item_key) for e in stored] == [(edit_id, "claire", "hide", WAIT)]


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"action": "delete", "item_key": WAIT}, "E910"),
    ({"action": "hide", "item_key": ""}, "E912"),
    ({"action": "approve", "item_key": WAIT}, "E912"),
    ({"action": "replace_text", "item_key": WAIT, "payload": {"text": "  "}}, "E913"),
    ({"action": "edit_opportunity", "item_key": WAIT, "payload": {"text": "x"}}, "E911"),
    ({"action": "hide", "item_key": WAIT, "lane": "swimlane"}, "E911"),
    ({"action": "hide", "item_key": WAIT, "stage": "after"}, "E911"),
])
def test_bad_edits_are_refused_before_storing(project, kwargs, code):
    args = {"persona": ACTIF, "stage": "support", "lane": "irritants", **kwargs}
    with pytest.raises(MapError) as err:
        record_edit(project, coder="claire", **args)
    assert err.value.code == code
    assert load_edits(project) == []


def test_edits_survive_a_rebuild_and_orphans_are_reported(project, evidence):
    record_edit(project, ACTIF, "support", "irritants", "replace_text", item_key=WAIT,
                payload={"text": "Attente de la dépanneuse"}, coder="claire")
    record_edit(project, ACTIF, "support", "actions", "hide", item_key="appeler|assureur", coder="hugo")
    maps = build_project_maps(project, evidence)
    cell = maps[ACTIF].cell("support", "irritants")
    approve = record_edit(project, ACTIF, "support", "irritants", "approve", coder="claire",
                          fingerprint=cell.fingerprint)
    # a rebuild from the same evidence: everything re-applied, the approval holds
    maps = build_project_maps(project, evidence)
    assert maps[ACTIF].cell("support", "irritants").find(WAIT).label == "Attente de la dépanneuse"
    assert maps[ACTIF].cell("support", "actions").find("appeler|assureur").hidden
    assert maps[ACTIF].cell("support", "irritants").status == "approved"
    assert project_edit_report(maps).applied == [1, 2, approve]
    # new evidence: the waiting topic is gone, one more irritant in the cell
    rows = [r for r in evidence_rows() if r["segment_id"] not in ("S04", "S05")]
    maps = build_project_maps(project, make_frame(rows))
    report = project_edit_report(maps)
    assert [o["edit_id"] for o in report.orphaned] == [1]
    assert report.orphaned[0]["reason"].startswith("élément disparu")
    assert report.stale == [approve]
    cell = maps[ACTIF].cell("support", "irritants")
    assert cell.status == "draft" and "à revoir" in cell.review_note
    assert len(load_edits(project)) == 3  # nothing deleted
