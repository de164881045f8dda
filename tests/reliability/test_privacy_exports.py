"""Personal data seeded in a corpus (names, e-mails, phones, addresses, IBAN, cards, plates, NIRs in several
formats: every ``pii`` sentence of tests/data/pii/corpus.json, spoken in txt/md/vtt/srt/docx transcripts and
written in csv/xlsx verbatims) never reaches an export: checked with ``interviewkit.privacy.scan_for_leaks``
and with a plain search of the seeded originals in the bytes of each file (ZIP containers opened, Parquet
cells read). Exports keep corpus text from becoming spreadsheet formulas.

Only the 3 names that the NER model misses in `benchmarks/privacy_quality.py` are left out (conftest.py
``KNOWN_NER_MISSES``): they measure recall, they are not a guarantee.
"""
from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import reliability_helpers as h

import interviewkit as ik

FORMATS = ("csv", "xlsx", "parquet")


@pytest.fixture(scope="module")
def segment_exports(seeded, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in FORMATS:
        path = out / f"segments.{fmt}"
        h.cli("export", "--project", seeded["project_path"], "--what", "segments", "--format", fmt, "--out", path,
              check=True)
        files[fmt] = path
    return files


def test_the_seeded_corpus_is_what_the_guarantee_is_about(seeded):
    kinds = {k for k, _ in seeded["guaranteed"]}
    assert kinds == {"PERS", "EMAIL", "TEL", "ADRESSE", "IBAN", "CARTE", "PLAQUE", "NIR"}
    assert len(seeded["guaranteed"]) >= 130 and len(seeded["sentences"]) == 121
    excluded = set(h.KNOWN_NER_MISSES.values())
    assert len([o for o in seeded["originals"] if o[1] in excluded]) == len(h.KNOWN_NER_MISSES)
    project = seeded["project"]
    assert project.info()["pseudonymised_items"] >= 130
    assert set(project.documents()["format"]) == {"plain", "markdown", "vtt", "srt", "docx", "csv", "xlsx"}


def test_the_store_text_holds_no_seeded_original(seeded, tmp_path):
    project = seeded["project"]
    texts = pd.concat([project.turns(current_only=False)[["speaker", "text"]].stack(),
                       project.segments(current_only=False)["text"]]).astype(str)
    dump = tmp_path / "store.txt"
    dump.write_text("\n".join(texts), encoding="utf-8")
    assert h.substring_leaks([dump], seeded["guaranteed"]) == []
    assert h.key_leaks([dump], project.key_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_segment_exports_hold_no_personal_data(seeded, segment_exports, fmt):
    path = segment_exports[fmt]
    leaks = h.substring_leaks([path], seeded["guaranteed"])
    assert leaks == [], leaks
    assert h.key_leaks([path], seeded["project"].key_path) == []
    df = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt](path)
    assert len(df) == len(seeded["project"].segments())
    text = " ".join(df["text"].astype(str))
    assert "[EMAIL-" in text and "[IBAN-" in text and "[NIR-" in text and "[PLAQUE-" in text  # replaced, not dropped
    assert not (set(df["speaker"].dropna()) & {n for n in list(seeded["people"]) + seeded["interviewers"]})


def test_the_key_never_lands_in_an_export(seeded, segment_exports):
    key = seeded["project"].key_path.read_bytes()
    mapping = json.loads(key)["mapping"]
    for path in segment_exports.values():
        raw = path.read_bytes()
        assert key not in raw and b'"mapping"' not in raw
    originals = [o for kind in mapping.values() for o in kind]
    assert len(originals) > 100


# --------------------------------------------------------------------------- formula injection

def test_csv_cells_that_look_like_formulas_are_prefixed(seeded, segment_exports):
    with open(segment_exports["csv"], encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    for verbatim in seeded["formula_verbatims"]:
        first = verbatim.split(" ")[0]
        assert not any(c.startswith(first) for c in cells), f"unescaped cell starting with {first!r}"
        assert any(c.startswith("'" + first) for c in cells), f"{first!r} verbatim missing from the export"
    def number(cell: str) -> bool:
        try:
            float(cell)
            return True
        except ValueError:
            return False

    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not number(c)]


def test_xlsx_cells_holding_text_are_never_formulas(seeded, segment_exports):
    _assert_no_formula_cells(segment_exports["xlsx"], seeded["formula_verbatims"])


def _assert_no_formula_cells(path: Path, must_hold: list[str] = ()) -> None:
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    for verbatim in must_hold:
        assert any(t.startswith(verbatim.split(" ")[0]) for t in texts), verbatim


def test_control_characters_in_corpus_text_do_not_break_the_xlsx_export(tmp_path):
    """Regression: a form feed or vertical tab (PDF and terminal exports) made openpyxl refuse the whole file."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_bytes(
        "Claire Vidal: Bonjour, vous pouvez me raconter ?\nSophie: Oui, la page\x0cde garde et le\x0bretour,"
        " puis un code\x1b[0m couleur et rien de plus.\n".encode("utf-8"))
    project = ik.open_project(tmp_path / "p")
    assert not project.ingest([tmp_path / "c"], pseudonymise=False, interviewers=["Claire Vidal"]).failed
    project.close()
    out = tmp_path / "s.xlsx"
    proc = h.cli("export", "--project", tmp_path / "p", "--what", "segments", "--format", "xlsx", "--out", out)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(str(c.value) for row in openpyxl.load_workbook(out).active.iter_rows() for c in row)
    assert "la page de garde et le retour" in text


# --------------------------------------------------------------------------- names in file names, options

@pytest.fixture(scope="module")
def named_files_project(tmp_path_factory):
    """A transcript named like the demo corpus' files (``P01_sophie_…``), the interviewer given with
    ``--interviewer``, ingested through the CLI; then a segments export and a default backup."""
    root = tmp_path_factory.mktemp("named")
    corpus = root / "c"
    corpus.mkdir()
    (corpus / "P01_sophie_panne_voiture.txt").write_text(
        "Hugo Martin: Bonjour, racontez-moi la panne de votre voiture.\n"
        "Sophie Lemaire: Le lundi matin elle ne démarrait plus, j'ai attendu la dépanneuse quatre heures.\n",
        encoding="utf-8")
    (corpus / "participants.csv").write_text("participant_id,name,persona\nP01,Sophie Lemaire,Actif pressé\n",
                                             encoding="utf-8")
    h.cli("ingest", corpus, "--project", root / "p", "--interviewer", "Hugo Martin", check=True)
    export = root / "segments.csv"
    h.cli("export", "--project", root / "p", "--what", "segments", "--format", "csv", "--out", export, check=True)
    backup = Path(h.cli("backup", "--project", root / "p", check=True).stdout.strip())
    return {"export": export, "backup": backup, "key": root / "p" / "private" / "pseudonym_key.json"}


def test_names_in_speaker_labels_are_pseudonymised(named_files_project):
    df = pd.read_csv(named_files_project["export"])
    assert set(df["speaker"]) == {"INT-01", "P01"}
    assert not [line for line in df["text"] if "Sophie" in line or "Hugo" in line]


def test_participant_names_in_file_names_do_not_reach_exports_or_backups(named_files_project):
    files = [named_files_project["export"], named_files_project["backup"]]
    leaks = h.key_leaks(files[:1], named_files_project["key"]) + h.substring_leaks(files, [("PERS", "sophie")])
    assert leaks == [], leaks
    # the stored name keeps the file's other words, the name replaced by the participant's pseudonym
    assert set(pd.read_csv(files[0])["document"]) == {"P01_P01_panne_voiture.txt"}


def test_interviewer_names_given_on_the_command_line_are_not_stored_in_clear(named_files_project):
    assert b"Hugo Martin" not in named_files_project["backup"].read_bytes()


# --------------------------------------------------------------------------- every other export (slow)

def _exported_files(project, out: Path) -> dict[str, list[Path]]:
    """Every export the command line offers: `export --what` each table it lists in every format, the REFI-QDA
    project (``--what project --format qdpx``) and `interviewkit map` in every format."""
    from interviewkit.review.exports import export as export_any  # what `interviewkit export` calls

    files: dict[str, list[Path]] = {}
    offered = h.cli("export", "--help").stdout
    for what in ("segments", "decisions", "codes", "topics"):
        if what not in offered:
            continue
        path = out / f"{what}.csv"
        proc = h.cli("export", "--project", project.path, "--what", what, "--format", "csv", "--out", path)
        if what == "topics" and proc.returncode != 0 and "topic" in proc.stderr.lower():
            continue  # no topic run in this project
        assert proc.returncode == 0, (what, proc.stderr)
        files[what] = [path]
        with ik.open_project(project.path, create=False) as opened:  # the other formats in-process (faster)
            files[what] += [export_any(opened, what, fmt, out / f"{what}.{fmt}") for fmt in FORMATS[1:]]
    if "qdpx" in offered:
        h.cli("export", "--project", project.path, "--what", "project", "--format", "qdpx", "--out",
              out / "projet.qdpx", check=True)
        files["qdpx"] = [out / "projet.qdpx"]
    if h.has_command("map"):
        h.cli("map", "--project", project.path, "--out", out / "maps", "--min-participants", 1, check=True)
        files["map"] = [p for p in (out / "maps").rglob("*") if p.is_file()]
    return files


@pytest.mark.slow
def test_every_export_holds_no_personal_data(seeded, seeded_copy, tmp_path):
    project = seeded_copy
    h.cli("tag", "--project", project.path, check=True)
    import interviewkit.review as review

    tagged = [r[0] for r in project.conn.execute("SELECT segment_id FROM auto_tags ORDER BY segment_id")]
    review.accept_segment(project, tagged[0], "CV")
    review.record(project, tagged[1], "add", label="=HYPERLINK(\"http://x.invalid\")", coder="CV", memo="+33 à revoir")
    project.close()
    files = _exported_files(project, tmp_path)
    assert {"segments", "decisions", "codes", "qdpx", "map"} <= set(files), set(files)
    assert {p.suffix for p in files["map"]} >= {".html", ".json", ".md", ".xlsx", ".pptx", ".png"}
    # the corpus holds a form feed and a vertical tab: no export failed on them (the CLI exited 0 above)
    all_files = [p for paths in files.values() for p in paths]
    leaks = h.substring_leaks(all_files, seeded["guaranteed"])
    assert leaks == [], leaks
    assert h.key_leaks(all_files, project.key_path) == []
    for path in all_files:
        if path.suffix == ".xlsx":
            _assert_no_formula_cells(path)
    with open(tmp_path / "decisions.csv", encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'=HYPERLINK(\"http://x.invalid\")" in cells and "'+33 à revoir" in cells

