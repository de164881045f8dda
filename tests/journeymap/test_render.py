import json
import re
import warnings

import pytest
from jm_evidence import ACTIF, FORMULA, IMG, SCRIPT

from interviewkit.journeymap import (
    ALL_PARTICIPANTS, FORMATS, LANES, STAGES, MapError, build_maps, load_schema, render, validate_map_dict,
)
from interviewkit.journeymap.model import LANE_LABELS, STAGE_LABELS
from interviewkit.journeymap.render_md import md_escape


@pytest.fixture(scope="module")
def exported(tmp_path_factory, built_maps):
    out = tmp_path_factory.mktemp("maps")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = render(built_maps, out)
    return out, files, [str(w.message) for w in caught]


def test_render_writes_every_format(exported, built_maps):
    out, files, _ = exported
    assert list(files) == list(FORMATS)
    assert [p.name for p in files["html"]] == ["tous-les-participants.html", "actif-presse.html",
                                              "senior-attentif.html", "index.html"]
    assert len(files["json"]) == len(files["md"]) == len(built_maps)
    assert len(files["png"]) == 2 * len(built_maps)
    assert [p.name for p in files["xlsx"]] == ["journeymaps.xlsx"]
    assert [p.name for p in files["pptx"]] == ["journeymaps.pptx"]
    assert all(p.exists() and p.parent == out for paths in files.values() for p in paths)


def test_json_is_valid_against_the_versioned_schema(exported, built_maps):
    import jsonschema

    _, files, _ = exported
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"]["const"] == "1.0"
    for path in files["json"]:
        data = json.loads(path.read_text(encoding="utf-8"))
        validate_map_dict(data)
        assert data["schema_version"] == "1.0"
    data = json.loads(files["json"][1].read_text(encoding="utf-8"))
    assert data["persona"] == ACTIF
    cell = next(c for c in data["cells"] if c["stage"] == "support" and c["lane"] == "irritants")
    assert cell["items"][0]["segment_ids"] and cell["items"][0]["quotes"][0]["participant"]
    bad = dict(data, schema_version="2.0")
    with pytest.raises(jsonschema.ValidationError):
        validate_map_dict(bad)


def _html(path):
    import lxml.html

    return lxml.html.fromstring(path.read_bytes())


def test_html_has_stages_lanes_quotes_and_evidence_links(exported):
    _, files, _ = exported
    page = files["html"][1]
    doc = _html(page)
    assert [e.text_content().strip().startswith(STAGE_LABELS[s]) for s, e in
            zip(STAGES, doc.xpath('//div[contains(@class,"stage-head")]'))] == [True] * len(STAGES)
    lane_heads = [e.get("data-lane") for e in doc.xpath('//div[contains(@class,"lane-head")][@data-lane]')]
    assert lane_heads == list(LANES)
    assert LANE_LABELS["opportunities"] in doc.text_content()
    assert len(doc.xpath('//div[contains(@class," cell ") or starts-with(@class,"cell ")]')) == len(STAGES) * len(LANES)
    # every quote links to an appendix row that exists; items carry their segment ids in a tooltip
    ids = set(doc.xpath("//@id"))
    links = doc.xpath('//blockquote//a/@href')
    assert links and all(h.startswith("#") and h[1:] in ids for h in links)
    assert doc.xpath('//li[contains(@title, "Segments : S04")]')
    assert "— P01" in doc.text_content() and "pas assez d'éléments" in doc.text_content()
    # the emotion curve is inline SVG
    assert doc.xpath("//svg//circle") and doc.xpath("//svg//title")


def test_html_is_self_contained_and_print_ready(exported):
    _, files, _ = exported
    for path in files["html"]:
        text = path.read_text(encoding="utf-8")
        doc = _html(path)
        assert doc.xpath("//script") == [] and doc.xpath("//link") == [] and doc.xpath("//img") == []
        assert doc.xpath("//iframe | //object | //embed") == []
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", text)
        assert "@import" not in text and "url(" not in text and "@font-face" not in text
        assert "@page { size: A3 landscape" in text
    text = files["html"][1].read_text(encoding="utf-8")
    assert "width: 400mm" in text and "overflow-wrap: anywhere" in text
    widths = re.search(r"grid-template-columns: ([\d.]+)mm repeat\((\d+), ([\d.]+)mm\)", text)
    assert widths and float(widths[1]) + int(widths[2]) * float(widths[3]) <= 400.0


def test_html_and_markdown_escape_corpus_text(exported):
    _, files, _ = exported
    for path in files["html"][:2]:
        text = path.read_text(encoding="utf-8")
        doc = _html(path)
        assert doc.xpath("//script") == [] and doc.xpath("//img") == []
        assert not doc.xpath("//@onerror")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert "<script" not in text.lower() and "<img" not in text.lower()
        assert SCRIPT in doc.text_content() and IMG in doc.text_content()  # shown as text
    md = files["md"][1].read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert md_escape("[clic](javascript:alert(1)) **x** | y") == "\\[clic\\](javascript:alert(1)) \\*\\*x\\*\\* \\| y"


def test_markdown_lists_stages_lanes_and_evidence(exported):
    _, files, _ = exported
    md = files["md"][1].read_text(encoding="utf-8")
    assert md.startswith("# Carte d'expérience — Actif pressé")
    for stage in STAGES:
        assert f"## {STAGE_LABELS[stage]}" in md.replace("\\", "")
    assert "### Irritants" in md and "S04" in md and "Suggestion (brouillon)" in md
    assert "## Annexe : verbatims cités" in md


def test_xlsx_one_sheet_per_persona_plus_evidence_and_no_formula(exported, built_maps):
    from openpyxl import load_workbook

    _, files, _ = exported
    wb = load_workbook(files["xlsx"][0])
    assert wb.sheetnames == [ALL_PARTICIPANTS, ACTIF, "Senior attentif", "evidence"]
    ws = wb[ACTIF]
    assert ws.cell(row=1, column=2).value == STAGE_LABELS["discover"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 4)] == [LANE_LABELS["actions"], LANE_LABELS["touchpoints"]]
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    formula_cells = [c for c in cells if c.value == FORMULA]
    assert formula_cells and all(c.data_type == "s" for c in formula_cells)
    evidence = wb["evidence"]
    header = [c.value for c in evidence[1]]
    assert header[:4] == ["persona", "stage", "lane", "item_key"] and "segment_id" in header


def test_png_map_and_curve_render_with_accents(exported):
    from PIL import Image

    _, files, caught = exported
    sizes = {p.name: Image.open(p).size for p in files["png"]}
    assert sizes["actif-presse.png"][0] > sizes["actif-presse.png"][1] > 1000  # A3 landscape proportions
    assert sizes["actif-presse-emotions.png"][0] > 1000
    assert not [m for m in caught if "Glyph" in m or "missing from" in m]


def test_pptx_one_editable_slide_per_persona(exported, built_maps):
    from pptx import Presentation

    _, files, _ = exported
    prs = Presentation(str(files["pptx"][0]))
    slides = list(prs.slides)
    assert len(slides) == len(built_maps)
    for slide, persona in zip(slides, built_maps):
        tables = [s for s in slide.shapes if s.has_table]
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert len(tables) == 1 and len(pictures) == 1
        assert any(persona in t for t in texts)
        table = tables[0].table
        assert len(table.rows) == len(LANES) + 1 and len(table.columns) == len(STAGES) + 1
        assert table.cell(0, 1).text == STAGE_LABELS["discover"]
        assert "S0" in slide.notes_slide.notes_text_frame.text or persona == "Senior attentif"


def test_index_links_every_map_and_format(exported, built_maps):
    _, files, _ = exported
    index = files["html"][-1]
    doc = _html(index)
    hrefs = set(doc.xpath("//a/@href"))
    assert {p.name for p in files["html"][:-1]} <= hrefs
    assert "journeymaps.xlsx" in hrefs and "actif-presse.json" in hrefs


def test_render_subset_and_errors(tmp_path, built_maps):
    files = render(built_maps, tmp_path / "sub", formats=("json",))
    assert list(files) == ["json"]
    with pytest.raises(MapError) as err:
        render(built_maps, tmp_path, formats=("html", "svg"))
    assert err.value.code == "E920"
    with pytest.raises(MapError):
        render({}, tmp_path)


def test_edited_and_hidden_items_render_accordingly(tmp_path, evidence):
    from interviewkit.journeymap import MapEdit, apply_edits

    maps = build_maps(evidence, personas=[ACTIF], include_all=False)
    apply_edits(maps, [
        MapEdit(1, "2026-01-01T00:00:00+00:00", "c", ACTIF, "support", "irritants", "topic:attente de la dépanneuse",
                "replace_text", {"text": "Attente <b>longue</b>"}),
        MapEdit(2, "2026-01-01T00:00:00+00:00", "c", ACTIF, "support", "irritants",
                "topic:service client injoignable", "hide", {}),
        MapEdit(3, "2026-01-01T00:00:00+00:00", "c", ACTIF, "support", "moments", "moment:disparu", "hide", {}),
    ])
    files = render(maps, tmp_path, formats=("html", "md"))
    html = files["html"][0].read_text(encoding="utf-8")
    doc = _html(files["html"][0])
    assert "Attente &lt;b&gt;longue&lt;/b&gt;" in html and not doc.xpath("//b")
    assert doc.xpath('//li[@data-key="topic:attente de la dépanneuse"][contains(@class, "edited")]')
    assert not doc.xpath('//li[@data-key="topic:service client injoignable"]')
    assert "Modifications orphelines (1)" in html and "moment:disparu" in html
    md = files["md"][0].read_text(encoding="utf-8")
    assert "## Modifications orphelines" in md
