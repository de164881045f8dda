"""Participants files at ingestion: found in a folder, loaded into the store, linked to documents, and
checked against the batch (a row naming a document that is not there is a warning, not a failure)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .io.participants import read_participants
from .project import Project
from .roles import fold, name_matches


PARTICIPANTS_NAMES = {"participants", "participant", "participants list", "liste participants", "liste des participants",
                      "panel", "repondants", "personas"}


def detect_participants_files(folders: list[Path]) -> list[Path]:
    """A folder without manifest: a table named like "participants" is the participants file."""
    found = []
    for folder in folders:
        for f in sorted(folder.iterdir()):
            if f.suffix.lower() in (".csv", ".xlsx", ".tsv") and fold(f.stem).replace("_", " ") in PARTICIPANTS_NAMES:
                found.append(f)
    return found


def load_participants(project: Project, files: list[Path]) -> dict[str, dict[str, Any]]:
    """Upsert participants from the participants files; returns id → {name, persona, documents, rows}
    (``rows``: ``(participants file, row number, document as written)`` for each document named)."""
    from .io.tabular import load_table

    known: dict[str, dict[str, Any]] = {}
    for path in files:
        df = read_participants(path)
        numbers = [n for n, _ in load_table(path).rows] if df["documents"].map(bool).any() else []
        with project.transaction():
            for row in df.itertuples(index=False):
                attrs = {k: v for k, v in (row.attributes or {}).items() if fold(str(k)) not in {"name", "nom"}}
                project.conn.execute(
                    """INSERT INTO participants (participant_id, persona, source, attributes_json)
                       VALUES (?, ?, 'participants file', ?)
                       ON CONFLICT (participant_id) DO UPDATE SET persona = excluded.persona,
                       source = excluded.source, attributes_json = excluded.attributes_json""",
                    (row.participant_id, row.persona, json.dumps(attrs, ensure_ascii=False, default=str)),
                )
        for i, row in enumerate(df.itertuples(index=False)):
            known[row.participant_id] = {
                "name": row.name,
                "persona": row.persona,
                "documents": [fold(d) for d in (row.documents or [])],
                "rows": [(path, numbers[i] if i < len(numbers) else None, d) for d in (row.documents or [])],
            }
    return known


def unknown_documents(known: dict[str, dict[str, Any]], files: list[Path]) -> list[str]:
    """A warning for each participants-file row naming a document that is not among the batch's files."""
    names = {fold(f.name) for f in files} | {fold(f.stem) for f in files}
    warnings = []
    for pid, info in known.items():
        for path, number, document in info.get("rows", []):
            if fold(document) not in names and fold(Path(document).stem) not in names:
                where = f"row {number}" if number is not None else f"participant {pid}"
                warnings.append(f"participants file {path.name}, {where}: document {document!r} (participant {pid}) "
                                "is not among the files of this batch; check its spelling or add the file")
    return warnings


def link_participant(path: Path, speakers: Iterable[str], participants: dict[str, dict[str, Any]]) -> str | None:
    name = fold(path.name)
    for pid, info in participants.items():
        if name in info["documents"] or fold(path.stem) in [fold(Path(d).stem) for d in info["documents"]]:
            return pid
    tokens = set(re.split(r"[^0-9a-z]+", fold(path.stem)))
    for pid in participants:
        if fold(pid) in tokens:
            return pid
    for pid, info in participants.items():
        if info["name"] and any(name_matches(s, [info["name"]]) for s in speakers):
            return pid
    return None
