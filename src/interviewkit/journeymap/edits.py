"""Researcher edits to journey maps: validated, stored append-only, re-applied after each rebuild.

An edit targets ``(persona, stage, lane, item_key)``; item keys are stable
across rebuilds (action lemma key, channel id, ``topic:<label>``,
``moment:<type>``, ``opp:<source key>``). Edits are applied in ``edit_id``
order, so the last word wins and undoing is appending the opposite edit
(``show`` after ``hide``, ``revert_text`` after ``replace_text``, ``reopen``
after ``approve``). An edit whose target no longer exists (persona gone,
cell without evidence, item vanished) is kept in the store and reported as
*orphaned* on the map; it is never dropped silently. An approval recorded
with the cell's fingerprint goes *stale* when the evidence under the cell
changed: the cell falls back to draft and says it must be reviewed.

>>> e = MapEdit(1, "2026-01-01T00:00:00+00:00", "claire", "Actif pressé", "support", "irritants",
...             "topic:attente", "hide", {})
>>> e.describe()
'#1 hide Actif pressé / support / irritants / topic:attente'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import ALL_PARTICIPANTS, LANES, JourneyMap, MapError, OpportunityItem

ITEM_ACTIONS = ("replace_text", "revert_text", "hide", "show", "edit_opportunity")
CELL_ACTIONS = ("approve", "reopen")
ADD_ACTIONS = ("add_opportunity",)
ACTIONS = ITEM_ACTIONS + ADD_ACTIONS + CELL_ACTIONS
TEXT_ACTIONS = ("replace_text", "edit_opportunity", "add_opportunity")
MAX_TEXT = 2000


@dataclass(frozen=True)
class MapEdit:
    edit_id: int
    created_at: str
    coder: str
    persona: str
    stage: str
    lane: str
    item_key: str
    action: str
    payload: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        target = f"{self.persona} / {self.stage} / {self.lane}" + (f" / {self.item_key}" if self.item_key else "")
        return f"#{self.edit_id} {self.action} {target}"

    def to_dict(self) -> dict[str, Any]:
        return {"edit_id": self.edit_id, "created_at": self.created_at, "coder": self.coder,
                "persona": self.persona, "stage": self.stage, "lane": self.lane, "item_key": self.item_key,
                "action": self.action, "payload": dict(self.payload)}


@dataclass
class EditReport:
    applied: list[int] = field(default_factory=list)
    orphaned: list[dict[str, Any]] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.applied)} edits applied, {len(self.orphaned)} orphaned, "
                f"{len(self.stale)} approvals to review")


def validate_edit(stage: str, lane: str, action: str, item_key: str | None, payload: dict | None,
                  stages: tuple[str, ...] | list[str] | None = None) -> dict[str, Any]:
    """Check an edit before it is stored; returns the payload to store (E910-E914)."""
    from .model import STAGES

    payload = dict(payload or {})
    if action not in ACTIONS:
        raise MapError("E910", "unknown map edit action", value=action, allowed=ACTIONS,
                       hint="replace_text / hide / show / revert_text an item, edit_opportunity, "
                            "add_opportunity, approve / reopen a cell")
    if lane not in LANES:
        raise MapError("E911", "unknown lane", value=lane, allowed=LANES)
    known_stages = tuple(stages) if stages is not None else STAGES
    if stage not in known_stages:
        raise MapError("E911", "unknown stage", value=stage, allowed=known_stages)
    if action in ITEM_ACTIONS and not item_key:
        raise MapError("E912", f"'{action}' needs the item_key of the item to change", value=item_key,
                       hint="take it from the map (item.key, shown in the JSON export and the HTML tooltips)")
    if action in CELL_ACTIONS and item_key:
        raise MapError("E912", f"'{action}' applies to a whole cell: leave item_key empty", value=item_key)
    if action in ("edit_opportunity", "add_opportunity") and lane != "opportunities":
        raise MapError("E911", f"'{action}' is only for the opportunities lane", value=lane,
                       allowed=["opportunities"])
    if action in TEXT_ACTIONS:
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            raise MapError("E913", f"'{action}' needs payload {{'text': '...'}} with some text", value=text)
        if len(text) > MAX_TEXT:
            raise MapError("E913", f"edit text longer than {MAX_TEXT} characters", value=len(text),
                           hint="shorten the text (a map cell is read at a glance)")
        payload["text"] = text.strip()
    return payload


def apply_edits(maps: dict[str, JourneyMap], edits: list[MapEdit]) -> EditReport:
    """Apply ``edits`` (any order; applied by ``edit_id``) to ``maps`` in place; orphans are recorded.

    Orphans of a persona that is not among ``maps`` are attached to the "Tous les participants"
    map when it is there (else to the first map), so that every orphan is shown somewhere.
    """
    report = EditReport()
    for m in maps.values():
        m.applied_edits, m.orphaned_edits, m.stale_edits = [], [], []
    for edit in sorted(edits, key=lambda e: e.edit_id):
        reason = _apply_one(maps, edit, report)
        if reason is None:
            report.applied.append(edit.edit_id)
            maps[edit.persona].applied_edits.append(edit.edit_id)
            continue
        orphan = {**edit.to_dict(), "reason": reason}
        report.orphaned.append(orphan)
        host = maps.get(edit.persona) or maps.get(ALL_PARTICIPANTS) or next(iter(maps.values()), None)
        if host is not None:
            host.orphaned_edits.append(orphan)
    return report


def _apply_one(maps: dict[str, JourneyMap], edit: MapEdit, report: EditReport) -> str | None:
    """Apply one edit; returns None when applied, else why it is orphaned (French, shown to researchers)."""
    jm = maps.get(edit.persona)
    if jm is None:
        return "persona absente de cette construction"
    if not jm.has_cell(edit.stage, edit.lane):
        return "cellule absente (étape ou ligne inconnue de cette carte)"
    cell = jm.cell(edit.stage, edit.lane)
    if edit.action == "approve":
        expected = edit.payload.get("fingerprint")
        if expected and expected != cell.fingerprint:
            cell.status = "draft"
            cell.review_note = (f"approuvée le {edit.created_at[:10]} par {edit.coder} sur d'autres éléments : "
                                "à revoir")
            report.stale.append(edit.edit_id)
            jm.stale_edits.append(edit.edit_id)
        else:
            cell.status, cell.review_note = "approved", None
        cell.edit_ids.append(edit.edit_id)
        return None
    if edit.action == "reopen":
        cell.status = "edited" if any(i.edited or i.hidden for i in cell.items) else "draft"
        cell.edit_ids.append(edit.edit_id)
        return None
    if edit.action == "add_opportunity":
        key = edit.item_key or f"custom:{edit.edit_id}"
        item = cell.find(key)
        if item is None:
            item = OpportunityItem(key=key, label=edit.payload["text"], source="researcher")
            cell.items.append(item)
        item.label, item.edited = edit.payload["text"], True
        _touch(cell, item, edit)
        return None
    item = cell.find(edit.item_key)
    if item is None:
        if not cell.sufficient and cell.lane != "opportunities":
            return "élément disparu : la cellule n'a plus assez d'éléments"
        return "élément disparu après reconstruction (clé introuvable)"
    if edit.action in ("replace_text", "edit_opportunity"):
        item.label, item.edited = edit.payload["text"], True
    elif edit.action == "revert_text":
        item.label, item.edited = item.generated_label or item.label, False
    elif edit.action == "hide":
        item.hidden = True
    elif edit.action == "show":
        item.hidden = False
    _touch(cell, item, edit)
    return None


def _touch(cell, item, edit: MapEdit) -> None:
    item.edit_ids.append(edit.edit_id)
    cell.edit_ids.append(edit.edit_id)
    cell.status = "edited"
    if item in cell.more_items:  # a researcher chose it: show it
        cell.more_items.remove(item)
        cell.items.append(item)
