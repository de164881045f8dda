"""Helpers shared by the renderers: file names, counts and status wording, evidence ids."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .model import JourneyMap, MapError

STATUS_LABELS = {"draft": "brouillon", "approved": "approuvée", "edited": "modifiée"}
MAX_IDS_IN_TITLE = 40


def slugify(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:60] or "persona"


def file_stems(maps: dict[str, JourneyMap]) -> dict[str, str]:
    """persona -> unique file stem (``tous-les-participants``, ``actif-presse``…)."""
    stems: dict[str, str] = {}
    used: set[str] = {"index", "journeymaps", "evidence"}
    for persona in maps:
        base = slugify(persona)
        stem, n = base, 2
        while stem in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem)
        stems[persona] = stem
    return stems


def counts(n_participants: int, n_segments: int) -> str:
    p = f"{n_participants} participant{'s' if n_participants > 1 else ''}"
    s = f"{n_segments} segment{'s' if n_segments > 1 else ''}"
    return f"{p} · {s}"


def ids_title(segment_ids: list[str], prefix: str = "Segments") -> str:
    shown = list(segment_ids[:MAX_IDS_IN_TITLE])
    more = len(segment_ids) - len(shown)
    return f"{prefix} : " + ", ".join(shown) + (f" … (+{more})" if more > 0 else "")


def anchor(segment_id: str) -> str:
    """An HTML id for a segment (ids are escaped anyway; this keeps them valid and stable)."""
    return "seg-" + re.sub(r"[^A-Za-z0-9_-]", "_", str(segment_id))


def prepare_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise MapError("E921", "the output path exists and is not a folder", path=out,
                       hint="choose a folder for the map exports")
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_per_persona(maps: dict[str, JourneyMap], out_dir: str | Path, suffix: str, to_text) -> list[Path]:
    """Write ``to_text(map)`` to ``OUT/<stem><suffix>`` for every persona map; returns the paths."""
    out = prepare_dir(out_dir)
    paths = []
    for persona, stem in file_stems(maps).items():
        path = out / f"{stem}{suffix}"
        path.write_text(to_text(maps[persona]), encoding="utf-8")
        paths.append(path)
    return paths


def valence_text(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:+.1f}".replace(".", ",")
    return text.replace("-", "−")
