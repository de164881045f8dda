import zipfile
from pathlib import Path

import pytest
from lxml import etree
from review_helpers import seg_id

import interviewkit as ik
from interviewkit.review import events as E
from interviewkit.review import export_project_qdpx, import_qdpx, segment_codes
from interviewkit.review.labels import ReviewError
from interviewkit.review.refiqda import NS, document_texts
from interviewkit.review.refiqda_import import _aligner

XSD = Path(__file__).resolve().parents[2].parent / "shared" / "refi-qda" / "Project-mrt2019.xsd"


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"REFI-QDA schema not found at {XSD} (provided in ../shared/refi-qda beside the checkout)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def _decide(project):
    sid = seg_id(project, "P01_entretien.txt", 1, 1)
    E.record(project, sid, "reject", "channel", "phone", coder="CV")
    E.record(project, sid, "add", label="rappel non tenu", coder="CV", memo="à creuser <vite> & bien",
             span_start=0, span_end=24)
    E.record(project, seg_id(project, "P02_entretien.txt", 3, 0), "add", label="paiement refusé", coder="HM")
    E.record(project, seg_id(project, "P02_entretien.txt", 3, 1), "edit", "emotion", value="confusion", coder="HM")
    return sid


def _codes_by_position(project):
    df = segment_codes(project).merge(project.segments()[["segment_id", "document", "turn_index", "segment_index"]])
    return set(zip(df["document"], df["turn_index"], df["segment_index"], df["code"],
                   df["span_start"].fillna(-1).astype(int), df["span_end"].fillna(-1).astype(int)))


def test_export_is_schema_valid_with_sources_codebook_codings_and_notes(project, tmp_path, schema):
    sid = _decide(project)
    out = export_project_qdpx(project, tmp_path / "projet.qdpx")
    zf = zipfile.ZipFile(out)
    root = etree.fromstring(zf.read("project.qde"))
    assert schema.validate(root), schema.error_log
    q = {"q": NS}
    sources = root.findall("q:Sources/q:TextSource", q)
    assert [s.get("name") for s in sources] == ["P01_entretien.txt", "P02_entretien.txt"]
    texts = document_texts(project)
    for s in sources:
        name = s.get("plainTextPath").split("internal://")[1]
        text = zf.read(f"sources/{name}").decode("utf-8")
        assert text in {t for t, _ in texts.values()}
        assert text.startswith("Claire Vidal: ")
        for sel in s.findall("q:PlainTextSelection", q):  # offsets point at the segment text
            seg = project.segments().set_index("segment_id").loc[sel.get("name"), "text"]
            assert seg.startswith(text[int(sel.get("startPosition")):int(sel.get("endPosition"))])
    fields = [c.get("name") for c in root.findall("q:CodeBook/q:Codes/q:Code", q)]
    assert fields[:7] == ["stage", "channel", "emotion", "valence", "irritant", "moments", "lane"]
    assert set(fields[7:]) == {"rappel non tenu", "paiement refusé"}
    users = {u.get("name") for u in root.findall("q:Users/q:User", q)}
    assert users == {"CV", "HM", "interviewkit-auto"}
    note = root.find("q:Notes/q:Note", q)
    assert note.findtext("q:PlainTextContent", namespaces=q) == "à creuser <vite> & bien"
    refs = root.findall(".//q:PlainTextSelection/q:NoteRef", q)
    assert [r.get("targetGUID") for r in refs] == [note.get("guid")]
    assert refs[0].getparent().get("name") == sid
    cases = root.findall("q:Cases/q:Case", q)
    assert len(cases) == 2 and all(c.find("q:SourceRef", q) is not None for c in cases)
    reviewed = etree.fromstring(zipfile.ZipFile(export_project_qdpx(project, tmp_path / "r.qdpx", reviewed_only=True))
                                .read("project.qde"))
    assert {s.get("name") for s in reviewed.iter(f"{{{NS}}}PlainTextSelection")} == {
        sid, seg_id(project, "P02_entretien.txt", 3, 0), seg_id(project, "P02_entretien.txt", 3, 1)}
    # GUIDs are stable from one export to the next
    again = etree.fromstring(zipfile.ZipFile(export_project_qdpx(project, tmp_path / "b.qdpx")).read("project.qde"))
    guids = lambda r: sorted(e.get("guid") for e in r.iter() if e.get("guid"))  # noqa: E731
    assert guids(again) == guids(root)


def test_round_trip_into_a_fresh_project_keeps_the_codes_of_every_segment(project, tmp_path):
    _decide(project)
    out = export_project_qdpx(project, tmp_path / "projet.qdpx")
    fresh = ik.open_project(tmp_path / "fresh")
    report = import_qdpx(out, fresh, "IMPORT", pseudonymise=False, lang="fr")
    assert report.documents_created == ["P01_entretien.txt", "P02_entretien.txt"] and not report.warnings
    assert _codes_by_position(fresh) == _codes_by_position(project)
    ev = E.load_events(fresh)
    assert set(ev["action"]) == {"add"} and ev["batch_id"].nunique() == 1
    assert set(ev["coder"]) == {"IMPORT", "CV", "HM"}  # auto tags -> the importing coder; humans keep theirs
    assert ev.loc[ev["label"] == "rappel non tenu", "memo"].tolist() == ["à creuser <vite> & bien"]
    # importing the same file again (into either project) adds nothing
    assert import_qdpx(out, fresh, "IMPORT", pseudonymise=False, lang="fr").events == 0
    again = import_qdpx(out, project, "IMPORT")
    assert again.events == 0 and again.documents_matched == ["P01_entretien.txt", "P02_entretien.txt"]
    # one undo cancels a whole import
    E.undo(fresh, "IMPORT")
    assert segment_codes(fresh).empty


FOREIGN_TEXT = ("Enquêteur: Comment s'est passée la livraison ?\n"
                "Alice: J'adore ce produit. Mais la livraison était très lente, j'ai dû appeler trois fois.\n")


def _foreign_qdpx(path: Path, text: str = FOREIGN_TEXT) -> Path:
    def pos(fragment):
        start = text.index(fragment)
        return start, start + len(fragment)

    s1, e1 = pos("la livraison était très lente")
    s2, e2 = pos("appeler trois fois")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Étude NVivo" origin="NVivo 14">
  <Users><User guid="{{0A1B2C3D-0000-4000-8000-000000000001}}" name="Marie Dupont"/></Users>
  <CodeBook><Codes>
    <Code guid="10000000-0000-4000-8000-000000000001" name="Irritants" isCodable="true">
      <Code guid="10000000-0000-4000-8000-000000000002" name="Livraison lente" isCodable="true"/>
    </Code>
    <Code guid="10000000-0000-4000-8000-000000000003" name="channel" isCodable="false">
      <Code guid="10000000-0000-4000-8000-000000000004" name="phone" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="20000000-0000-4000-8000-000000000001" name="Entretien Alice">
      <PlainTextContent>{text}</PlainTextContent>
      <PlainTextSelection guid="30000000-0000-4000-8000-000000000001" startPosition="{s1}" endPosition="{e1}"
                          creatingUser="0a1b2c3d-0000-4000-8000-000000000001">
        <Coding guid="40000000-0000-4000-8000-000000000001" creatingUser="0a1b2c3d-0000-4000-8000-000000000001">
          <CodeRef targetGUID="10000000-0000-4000-8000-000000000002"/>
        </Coding>
        <NoteRef targetGUID="50000000-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="30000000-0000-4000-8000-000000000002" startPosition="{s2}" endPosition="{e2}">
        <Coding guid="40000000-0000-4000-8000-000000000002">
          <CodeRef targetGUID="10000000-0000-4000-8000-000000000004"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="50000000-0000-4000-8000-000000000001" name="mémo"><PlainTextContent>Revoir avec l'équipe</PlainTextContent></Note>
  </Notes>
</Project>"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8"))
    return path


def test_import_a_minimal_file_from_another_tool(project, tmp_path, schema):
    path = _foreign_qdpx(tmp_path / "nvivo.qdpx")
    assert schema.validate(etree.fromstring(zipfile.ZipFile(path).read("project.qde"))), schema.error_log
    report = import_qdpx(path, project, "CV", pseudonymise=False, lang="fr")
    assert report.documents_created == ["Entretien Alice"] and report.events == 2, report
    assert report.codes == {"Irritants/Livraison lente", "channel/phone"}
    ev = E.load_events(project).merge(project.segments()[["segment_id", "document", "text"]])
    assert set(ev["document"]) == {"Entretien Alice.txt"}
    code = ev[ev["field"] == "code"].iloc[0]
    assert (code["label"], code["coder"], code["memo"]) == ("Irritants/Livraison lente", "Marie Dupont",
                                                            "Revoir avec l'équipe")
    assert code["text"][code["span_start"]:code["span_end"]] == "la livraison était très lente"
    phone = ev[ev["field"] == "channel"].iloc[0]
    assert (phone["label"], phone["coder"]) == ("phone", "CV")  # no user on that coding
    assert phone["text"][phone["span_start"]:phone["span_end"]] == "appeler trois fois"


def test_import_aligns_selections_with_pseudonymised_text(project, tmp_path):
    text = ("Enquêteur: Comment s'est passée la livraison ?\n"
            "Alice Martin: Mon voisin Jean Dupont au 06 12 34 56 78 m'a aidée. "
            "Mais la livraison était très lente, j'ai dû appeler trois fois.\n")
    path = _foreign_qdpx(tmp_path / "pii.qdpx", text)
    report = import_qdpx(path, project, "CV", lang="fr")  # pseudonymised, offsets shift
    assert report.events == 2, report
    stored = " ".join(project.segments()["text"])
    assert "06 12 34 56 78" not in stored and "Jean Dupont" not in stored
    ev = E.load_events(project).merge(project.segments()[["segment_id", "text"]])
    spans = {r.label: r.text[r.span_start:r.span_end] for r in ev.itertuples()}
    assert spans == {"Irritants/Livraison lente": "la livraison était très lente", "phone": "appeler trois fois"}


def test_aligner_maps_offsets_through_replacements():
    original = "Alice: J'ai appelé Jean Dupont hier, très déçue."
    pseudo = "J'ai appelé [PERS-001] hier, très déçue."
    to_src = _aligner(original, pseudo)
    for fragment in ("J'ai", "hier", "très déçue."):
        p = pseudo.index(fragment)
        assert original[to_src(p):to_src(p + len(fragment) - 1) + 1] == fragment


def test_unreadable_files_are_refused(project, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReviewError) as err:
        import_qdpx(bad, project, "CV")
    assert err.value.code == "E814"
    with zipfile.ZipFile(tmp_path / "other.qdpx", "w") as zf:
        zf.writestr("project.qde", "<Other/>")
    with pytest.raises(ReviewError):
        import_qdpx(tmp_path / "other.qdpx", project, "CV")


def test_import_into_a_document_whose_text_changed_aligns_offsets(project, tmp_path):
    import re

    sid = _decide(project)
    out = export_project_qdpx(project, tmp_path / "projet.qdpx")
    E.record(project, sid, "remove", "code", "rappel non tenu", coder="CV")
    # the same file, as if the other tool's copy had an extra word early in the first document
    zin = zipfile.ZipFile(out)
    qde = zin.read("project.qde").decode("utf-8")
    first = re.search(r'plainTextPath="internal://([^"]+)"', qde).group(1)
    changed = tmp_path / "changed.qdpx"
    with zipfile.ZipFile(changed, "w") as zout:
        for name in zin.namelist():
            if name == "project.qde":
                continue
            data = zin.read(name)
            if name == f"sources/{first}":
                data = data.decode("utf-8").replace("Bonjour,", "Bonjour madame,", 1).encode("utf-8")
            zout.writestr(name, data)
        head, tail = qde.split(f'plainTextPath="internal://{first}"', 1)
        doc, rest = tail.split("</TextSource>", 1)
        doc = re.sub(r'(startPosition|endPosition)="(\d+)"', lambda m: f'{m.group(1)}="{int(m.group(2)) + 7}"', doc)
        zout.writestr("project.qde", head + f'plainTextPath="internal://{first}"' + doc + "</TextSource>" + rest)
    report = import_qdpx(changed, project, "IMPORT")
    assert report.events == 1 and "offsets aligned" in report.warnings[0]
    ev = E.load_events(project).iloc[-1]
    assert (ev["segment_id"], ev["label"], ev["span_start"], ev["span_end"], ev["coder"]) == (
        sid, "rappel non tenu", 0, 24, "CV")
