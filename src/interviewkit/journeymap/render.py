"""``render``: write maps in several formats at once."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .model import JourneyMap, MapError
from .render_common import file_stems, prepare_dir

FORMATS = ("html", "json", "xlsx", "md", "png", "pptx")
_LINK_LABELS = {"json": "JSON", "md": "Markdown", "png": "PNG carte", "xlsx": "XLSX", "pptx": "PPTX"}


def _writer(fmt: str):
    if fmt == "json":
        from .render_json import render_json
        return render_json
    if fmt == "md":
        from .render_md import render_markdown
        return render_markdown
    if fmt == "xlsx":
        from .render_xlsx import render_xlsx
        return render_xlsx
    if fmt == "png":
        from .render_png import render_png
        return render_png
    if fmt == "pptx":
        from .render_pptx import render_pptx
        return render_pptx
    from .render_html import render_html
    return render_html


def render(maps: dict[str, JourneyMap], out_dir: str | Path,
           formats: Iterable[str] = FORMATS) -> dict[str, list[Path]]:
    """Write ``maps`` to ``out_dir`` in each of ``formats``; returns {format: [paths]}.

    Files: ``<persona>.html`` + ``index.html``, ``<persona>.json``, ``<persona>.md``,
    ``<persona>.png`` + ``<persona>-emotions.png``, ``journeymaps.xlsx``, ``journeymaps.pptx``
    (persona names become ASCII file names: "Actif pressé" -> ``actif-presse``).
    """
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise MapError("E920", "unknown map export format", value=unknown[0], allowed=FORMATS,
                       hint="use some of html, json, xlsx, md, png, pptx")
    if not maps:
        raise MapError("E920", "no map to render", hint="build maps first (build_maps or build_project_maps)")
    out = prepare_dir(out_dir)
    written: dict[str, list[Path]] = {}
    for fmt in [f for f in formats if f != "html"]:
        written[fmt] = _writer(fmt)(maps, out)
    if "html" in formats:
        stems = file_stems(maps)
        names = {fmt: {p.name for p in paths} for fmt, paths in written.items()}
        links: dict[str, list[tuple[str, str]]] = {}
        for persona, stem in stems.items():
            expected = {"json": [f"{stem}.json"], "md": [f"{stem}.md"], "png": [f"{stem}.png", f"{stem}-emotions.png"],
                        "xlsx": ["journeymaps.xlsx"], "pptx": ["journeymaps.pptx"]}
            for fmt in written:
                for name in expected.get(fmt, []):
                    if name in names[fmt]:
                        label = "PNG courbe" if name.endswith("-emotions.png") else _LINK_LABELS[fmt]
                        links.setdefault(persona, []).append((label, name))
        written["html"] = _writer("html")(maps, out, other_files=links)
    return {f: written[f] for f in formats}
