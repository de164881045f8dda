"""End to end on the demo corpus: ingest, placeholder tags (test only), maps with a stored edit, exports."""
import json
import re
from pathlib import Path

import pytest

import interviewkit as ik
from interviewkit.journeymap import (
    ALL_PARTICIPANTS, build_project_maps, project_edit_report, record_edit, render, validate_map_dict,
)

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"

# Placeholder tagging for this test only (the product takes its tags from the store, never invents them).
_STAGE_WORDS = {
    "consider": r"devis|compar|renseign", "purchase": r"pay|achet|command|abonn|factur",
    "deliver": r"livr|dépann|install|technicien|colis", "use": r"utilis|appli|marche|panne",
    "support": r"appel|rappel|conseill|service client|assistance|sav|relanc", "leave": r"résili|quitt|recommand",
}
_CHANNEL_WORDS = {"phone": r"appel|téléphon", "email": r"mail", "app": r"appli", "web": r"site", "sms": r"sms|texto",
                  "store": r"agence|magasin|garage", "mail": r"courrier|lettre"}
_NEGATIVE = r"attend|jamais|personne|énerv|galère|retard|bloqu|rien|perdu"
_POSITIVE = r"super|gentil|parfait|adoré|merci|rapide"


def placeholder_tags(segments):
    text = segments["text"].str.lower()
    out = segments.copy()
    out["stage"] = text.map(lambda t: ";".join(s for s, rx in _STAGE_WORDS.items() if re.search(rx, t)))
    out["channel"] = text.map(lambda t: ";".join(c for c, rx in _CHANNEL_WORDS.items() if re.search(rx, t)))
    neg = text.str.contains(_NEGATIVE)
    pos = text.str.contains(_POSITIVE) & ~neg
    out["emotion"] = neg.map({True: "anger", False: "neutral"}).where(~pos, "joy")
    out["valence"] = neg.astype(int) * -1 + pos.astype(int)
    out["irritant"] = neg.astype(int)
    out["moments"] = text.map(lambda t: "breaking_point" if re.search(r"résili|plus jamais|quitt", t) else "")
    out["lane"] = text.map(lambda t: "backstage" if re.search(r"\b(ils|le garage|l'assurance) ont\b", t) else "customer")
    return out


@pytest.mark.slow
def test_demo_corpus_maps(tmp_path):
    project = ik.open_project(tmp_path / "demo")
    project.ingest([str(DEMO)])
    evidence = placeholder_tags(project.segments(role="participant"))
    maps = build_project_maps(project, evidence)
    assert list(maps)[0] == ALL_PARTICIPANTS and len(maps) == 4
    support = maps[ALL_PARTICIPANTS].cell("support", "actions")
    assert support.sufficient and support.items
    key = support.items[0].key
    record_edit(project, ALL_PARTICIPANTS, "support", "actions", "replace_text", item_key=key,
                payload={"text": "Joindre l'assistance"}, coder="claire")
    maps = build_project_maps(project, evidence)
    assert maps[ALL_PARTICIPANTS].cell("support", "actions").find(key).label == "Joindre l'assistance"
    assert project_edit_report(maps).orphaned == []
    files = render(maps, tmp_path / "exports", formats=("html", "json"))
    for path in files["json"]:
        validate_map_dict(json.loads(path.read_text(encoding="utf-8")))
    html = files["html"][0].read_text(encoding="utf-8")
    assert "Joindre l&#39;assistance" in html or "Joindre l'assistance" in html
    project.close()
