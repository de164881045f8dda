"""The participants file (CSV/TSV/XLSX) named by ``participants:`` in ``corpus.yml``.

Columns (names compared without case, accents or punctuation):

* ``participant_id`` (required): also ``id``, ``participant``, ``respondent_id``, ``répondant``, ``identifiant``, ``code``;
* ``persona``: also ``profil``, ``profile``, ``segment``;
* ``name`` (real name, only used to pseudonymise): also ``nom``, ``full_name``,
  ``nom_complet``, or ``prénom`` + ``nom`` joined;
* ``document``: file name(s) of the transcripts, separated by ``;`` (or ``|``, new lines);
* any other column becomes an attribute.

Structural problems are :class:`~interviewkit.errors.ConfigError` (E2xx, the
participants file being part of the corpus configuration); a file that cannot
be read at all raises the readers' :class:`~interviewkit.errors.InputError` (E1xx).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "participants.csv"
>>> _ = p.write_text("ID;Profil;Prénom;Nom;Âge\\nP01;Pressée;Sophie;Martin;34\\n", encoding="utf-8")
>>> read_participants(p).iloc[0].to_dict()
{'participant_id': 'P01', 'persona': 'Pressée', 'name': 'Sophie Martin', 'documents': [], 'attributes': {'Âge': '34'}}
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewkit.errors import ConfigError
from interviewkit.io.tabular import load_table, normalise_column

if TYPE_CHECKING:
    import pandas as pd

ID_NAMES = ("participant_id", "id_participant", "participant", "respondent_id", "id_repondant",
            "repondant_id", "repondant", "respondent", "identifiant", "id", "code", "code_participant")
PERSONA_NAMES = ("persona", "personas", "persona_id", "profil", "profile", "segment")
NAME_NAMES = ("name", "full_name", "nom_complet", "nom_prenom", "prenom_nom", "nom_et_prenom")
LAST_NAMES = ("nom", "last_name", "nom_de_famille", "surname", "family_name")
FIRST_NAMES = ("prenom", "first_name", "firstname", "given_name")
DOCUMENT_NAMES = ("document", "documents", "fichier", "fichiers", "file", "files", "transcript",
                  "transcripts", "transcription", "transcriptions", "doc")
COLUMNS = ["participant_id", "persona", "name", "documents", "attributes"]


def _first(normalised: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


def read_participants(path: str | Path, max_bytes: int | None = None) -> pd.DataFrame:
    """Read the participants file into a DataFrame with columns :data:`COLUMNS`.

    Raises ConfigError E210 (no id column), E211 (duplicated ids, naming the rows),
    E212 (a row with data but no id).
    """
    import pandas as pd

    path = Path(path)
    table = load_table(path, max_bytes=max_bytes)
    normalised = [normalise_column(h) for h in table.header]
    id_i = _first(normalised, ID_NAMES)
    if id_i is None:
        raise ConfigError("E210", "the participants file has no participant id column", path=path,
                          allowed=table.header, hint="add a 'participant_id' column (P01, P02...) as the first column")
    persona_i = _first(normalised, PERSONA_NAMES)
    full_i = _first(normalised, NAME_NAMES)
    last_i = _first(normalised, LAST_NAMES) if full_i is None else None
    first_i = _first(normalised, FIRST_NAMES) if full_i is None else None
    doc_i = _first(normalised, DOCUMENT_NAMES)
    used = {i for i in (id_i, persona_i, full_i, last_i, first_i, doc_i) if i is not None}
    records: list[dict[str, Any]] = []
    rows_by_id: dict[str, list[int]] = {}
    for number, cells in table.rows:
        pid = _text(cells[id_i])
        if not pid:
            raise ConfigError("E212", f"row {number} of the participants file has no participant id", path=path,
                              line=number, hint="fill the participant_id cell or delete the row")
        rows_by_id.setdefault(pid.casefold(), []).append(number)
        if full_i is not None:
            name = _text(cells[full_i])
        else:
            name = " ".join(_text(cells[i]) for i in (first_i, last_i) if i is not None and _text(cells[i]))
        records.append({
            "participant_id": pid,
            "persona": _text(cells[persona_i]) or None if persona_i is not None else None,
            "name": name or None,
            "documents": _documents(cells[doc_i]) if doc_i is not None else [],
            "attributes": {h: cells[i] for i, h in enumerate(table.header) if i not in used},
        })
    duplicated = {k: rows for k, rows in rows_by_id.items() if len(rows) > 1}
    if duplicated:
        detail = "; ".join(f"{records[_index(table, rows[0])]['participant_id']} on rows "
                           + ", ".join(map(str, rows)) for rows in duplicated.values())
        first_row = min(rows[1] for rows in duplicated.values())
        raise ConfigError("E211", f"duplicated participant id(s): {detail}", path=path, line=first_row,
                          hint="give each participant a unique id (ids are compared without case)")
    frame = pd.DataFrame({
        column: pd.Series([r[column] for r in records], dtype="str" if column == "participant_id" else object)
        for column in COLUMNS
    })
    frame.attrs["warnings"] = table.warnings
    return frame


def _index(table: Any, row_number: int) -> int:
    return next(i for i, (n, _) in enumerate(table.rows) if n == row_number)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _documents(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;|\n]", _text(value)) if part.strip()]
