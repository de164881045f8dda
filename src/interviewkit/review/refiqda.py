"""Export a project to REFI-QDA (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace
``urn:QDA-XML:project:1.0``, schema ``Project-mrt2019.xsd``) and ``sources/``.
Mapping:

* each current document -> ``TextSource`` whose plain text (``sources/GUID.txt``)
  is the pseudonymised turns joined one per line as ``Speaker: text`` (line
  breaks inside a turn become spaces, so offsets are kept);
* codebook -> ``CodeBook``: one parent code per field (not codable) with its
  labels as children (valence ``-2`` … ``2``, irritant ``irritant``), then the
  researcher's own codes as top-level codes;
* each segment's final tags (auto tags overlaid with decisions; field defaults
  emotion=neutral, lane=customer, valence=0, irritant=0 are not exported) and
  codes -> ``PlainTextSelection`` (``startPosition``/``endPosition``: character
  offsets into that plain text; a human span edit narrows it) with one
  ``Coding`` per code (``creatingUser``: the deciding coder, or the user
  ``interviewkit-auto`` for unreviewed auto tags);
* decision memos -> ``Notes`` referenced from the segment's selection;
* participants -> ``Cases`` (with the ``persona`` variable) referencing their documents.

GUIDs are uuid5 of stable ids (document path and version, segment id, code),
so exporting twice gives the same GUIDs.
"""
from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import pandas as pd
from lxml import etree

import interviewkit

from ..store import utcnow
from .events import load_events
from .labels import CODE_FIELD, FREE, LABELS, MULTI, TAG_FIELDS, LabelSet, split_labels
from .state import active_flags, atoms, final_tags

NS = "urn:QDA-XML:project:1.0"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://interviewkit.org/refi-qda")
AUTO_USER = "interviewkit-auto"
DEFAULTS = {"emotion": "neutral", "lane": "customer", "valence": "0", "irritant": "0"}


def guid(kind: str, *parts: object) -> str:
    """Stable GUID of an object (``kind`` + its ids)."""
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join([kind, *map(str, parts)])))


def code_guid(field: str, label: str) -> str:
    return guid("code", field, label)


def field_labels(labels: LabelSet, field: str) -> tuple[str, ...]:
    """Codes exported for a field (labels, valence values, ``irritant``), defaults included."""
    if field == "irritant":
        return ("irritant",)
    return labels.allowed(field)


def document_texts(project, documents: pd.DataFrame | None = None) -> dict[int, tuple[str, dict[int, int]]]:
    """Per current document: (plain text, {turn_index: offset of the turn text in it})."""
    turns = project.turns()
    if documents is not None:
        turns = turns[turns["document_id"].isin(documents["document_id"])]
    out = {}
    for doc_id, group in turns.groupby("document_id", sort=False):
        lines, offsets, pos = [], {}, 0
        for t in group.sort_values("turn_index").itertuples(index=False):
            prefix = f"{t.speaker}: " if isinstance(t.speaker, str) and t.speaker else ""
            body = t.text.replace("\r", " ").replace("\n", " ")
            offsets[int(t.turn_index)] = pos + len(prefix)
            lines.append(prefix + body)
            pos += len(prefix) + len(body) + 1
        out[int(doc_id)] = ("\n".join(lines), offsets)
    return out


def source_guid(document_row) -> str:
    return guid("source", document_row["path"], document_row["version"])


def segment_codes(project, coder: str | None = None, labels: LabelSet = LABELS,
                  reviewed_only: bool = False) -> pd.DataFrame:
    """One row per code on a segment, as exported: segment_id, field, label, code (``field/label``,
    or the code name), span_start, span_end (None: whole segment), coder (None: auto tag)."""
    final = final_tags(project, coder, labels)
    if reviewed_only:
        final = final[~final["review_status"].isin(["unreviewed", "skipped"])]
    events = load_events(project)
    at = atoms(events, coder, labels)
    decided = {(r.segment_id, r.field, r.label if r.label else ""): r for r in at.itertuples(index=False)}
    rows = []
    for f in list(TAG_FIELDS) + ["codes"]:
        col = final[["segment_id", f]].dropna()
        for sid, value in col.itertuples(index=False):
            field = CODE_FIELD if f == "codes" else f
            kind = labels.kind(field)
            if kind in (MULTI, FREE):
                labs = split_labels(value)
            else:
                value = str(value)
                if DEFAULTS.get(field) == value:
                    continue
                labs = ["irritant"] if field == "irritant" else [value]
            for lab in labs:
                d = decided.get((sid, field, lab if kind in (MULTI, FREE) else ""))
                span = (None, None)
                if d is not None and pd.notna(d.span_start):
                    span = (int(d.span_start), int(d.span_end))
                rows.append((sid, field, lab, lab if field == CODE_FIELD else f"{field}/{lab}", *span,
                             None if d is None else d.coder))
    return pd.DataFrame(rows, columns=["segment_id", "field", "label", "code", "span_start", "span_end", "coder"])


def _el(parent, tag: str, **attrs) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", {k: str(v) for k, v in attrs.items() if v is not None})


def build_qde(project, coder: str | None = None, labels: LabelSet = LABELS,
              reviewed_only: bool = False) -> tuple[etree._Element, dict[str, str]]:
    """The ``project.qde`` tree and the source files (zip path -> text)."""
    now = utcnow()
    docs = project.documents()
    texts = document_texts(project, docs)
    segs = project.segments().set_index("segment_id")
    codes = segment_codes(project, coder, labels, reviewed_only)
    events = load_events(project)
    memos = events[active_flags(events) & events["memo"].notna()] if not events.empty else events
    if coder is not None and not memos.empty:
        memos = memos[memos["coder"] == coder]

    users = sorted(set(codes["coder"].dropna()) | set(memos["coder"].dropna()) | {AUTO_USER})
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS},
                         name=project.path.name, origin=f"interviewkit {interviewkit.__version__}",
                         creationDateTime=now)
    users_el = _el(root, "Users")
    for u in users:
        _el(users_el, "User", guid=guid("user", u), name=u, id=u)

    book = _el(_el(root, "CodeBook"), "Codes")
    for f in TAG_FIELDS:
        parent = _el(book, "Code", guid=guid("field", f), name=f, isCodable="false")
        for lab in field_labels(labels, f):
            child = _el(parent, "Code", guid=code_guid(f, lab), name=lab, isCodable="true")
            name = labels.display(f, lab)
            if name != lab:
                _el(child, "Description").text = name
    for lab in sorted(set(codes.loc[codes["field"] == CODE_FIELD, "label"]) | _all_custom_codes(events)):
        _el(book, "Code", guid=code_guid(CODE_FIELD, lab), name=lab, isCodable="true")

    participants = project.participants()
    turns = project.turns()[["document_id", "participant"]].dropna().drop_duplicates()
    if not participants.empty:
        variables = _el(root, "Variables")
        _el(variables, "Variable", guid=guid("variable", "persona"), name="persona", typeOfVariable="Text")
        cases = _el(root, "Cases")
        doc_guid = {r.document_id: source_guid(r._asdict()) for r in docs.itertuples(index=False)}
        for p in participants.itertuples(index=False):
            case = _el(cases, "Case", guid=guid("case", p.participant_id), name=p.participant_id)
            if isinstance(p.persona, str) and p.persona:
                vv = _el(case, "VariableValue")
                _el(vv, "VariableRef", targetGUID=guid("variable", "persona"))
                _el(vv, "TextValue").text = p.persona
            for d in turns.loc[turns["participant"] == p.participant_id, "document_id"]:
                if d in doc_guid:
                    _el(case, "SourceRef", targetGUID=doc_guid[d])

    files: dict[str, str] = {}
    sources = _el(root, "Sources")
    note_refs: dict[str, list[tuple[str, str, str]]] = {}  # segment -> (note guid, field, label)
    notes_el = None
    if not memos.empty:
        notes_el = _el(root, "Notes")
        for m in memos.itertuples(index=False):
            g = guid("note", m.event_id)
            note = _el(notes_el, "Note", guid=g, name=f"memo {m.coder} {m.segment_id}",
                       creatingUser=guid("user", m.coder), creationDateTime=m.created_at)
            _el(note, "PlainTextContent").text = m.memo
            note_refs.setdefault(m.segment_id, []).append((g, m.field, m.label))
    by_seg = {sid: list(g.itertuples(index=False)) for sid, g in codes.groupby("segment_id", sort=False)}
    for d in docs.itertuples(index=False):
        if d.document_id not in texts:
            continue
        text, offsets = texts[d.document_id]
        g = source_guid(d._asdict())
        src = _el(sources, "TextSource", guid=g, name=d.name, plainTextPath=f"internal://{g}.txt",
                  creationDateTime=now)
        files[f"sources/{g}.txt"] = text
        doc_segs = segs[(segs["document_id"] == d.document_id)
                        & (segs.index.isin(by_seg.keys()) | segs.index.isin(note_refs.keys()))]
        for seg in doc_segs.itertuples():
            sid, base = seg.Index, offsets[int(seg.turn_index)]
            whole = (base + int(seg.start_char), base + int(seg.end_char))
            spans: dict[tuple[int, int], list] = {}
            for c in by_seg.get(sid, []):
                span = whole if pd.isna(c.span_start) else (whole[0] + int(c.span_start), whole[0] + int(c.span_end))
                spans.setdefault(span, []).append(c)
            notes_at: dict[tuple[int, int], list[str]] = {}
            for g, f, lab in note_refs.get(sid, []):  # on the selection of the memo's code, else the segment
                at = next((sp for sp, items in spans.items() if any((c.field, c.label) == (f, lab) for c in items)),
                          whole)
                spans.setdefault(at, [])
                notes_at.setdefault(at, []).append(g)
            for (s, e), items in sorted(spans.items()):
                sel = _el(src, "PlainTextSelection", guid=guid("selection", sid, s, e), name=sid,
                          startPosition=s, endPosition=e, creationDateTime=now)
                for c in items:
                    user = c.coder if isinstance(c.coder, str) else AUTO_USER
                    coding = _el(sel, "Coding", guid=guid("coding", sid, c.field, c.label),
                                 creatingUser=guid("user", user), creationDateTime=now)
                    _el(coding, "CodeRef", targetGUID=code_guid(c.field, c.label))
                for n in notes_at.get((s, e), []):
                    _el(sel, "NoteRef", targetGUID=n)
    return root, files


def _all_custom_codes(events: pd.DataFrame) -> set[str]:
    if events.empty:
        return set()
    return set(events.loc[(events["field"] == CODE_FIELD) & events["label"].notna(), "label"])


def export_project_qdpx(project, out: str | Path, coder: str | None = None, labels: LabelSet = LABELS,
                        reviewed_only: bool = False) -> Path:
    """Write the project as a REFI-QDA ``.qdpx`` file (see the module docstring).

    ``coder``: one coder's view (auto tags + their decisions); ``reviewed_only``: codings of
    reviewed segments only (no unreviewed auto tags).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    root, files = build_qde(project, coder, labels, reviewed_only)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    tmp.replace(out)
    return out
