"""Import a REFI-QDA ``.qdpx`` (ours, or from NVivo/ATLAS.ti/MAXQDA/QualCoder) as review events.

Sources are matched to the project's current documents, in this order: by
GUID or plain text identical to what :mod:`.refiqda` exports (our own files:
offsets map exactly); by content hash to a document an earlier import created;
by name (or GUID) when the text changed since the export (offsets carried over
by aligning the two texts with ``difflib``, with a warning). A source that
matches nothing is **ingested**: its plain text is written to a
temporary ``.txt`` file and passed to ``project.ingest`` (readers, speaker
roles, pseudonymisation and segmentation as for any file; the temporary file
is deleted, so clear text never stays in the project folder). Selection
offsets are then carried onto the pseudonymised turns by aligning each turn
with its lines in the source (``difflib``).

Every coding becomes an ``add`` event on each segment its selection overlaps
(with ``span_start``/``span_end`` when it covers part of the segment), in one
batch (``events.undo`` cancels the whole import). Codes are recognised by our
GUIDs, else by a parent code named like a field (``stage`` > ``support``); any
other code is a researcher code named by its path (``Parent/Child``). The
coder is the file's user of the coding, except for our ``interviewkit-auto``
user and codings without a user, which get ``coder``. Codes a segment
already shows (auto tag or decision) are not added again, so re-importing a
file changes nothing. Memos (NoteRef) on a
selection become the events' memo.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import tempfile
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .events import _check_coder, new_batch_id, record_many
from .labels import CODE_FIELD, LABELS, TAG_FIELDS, LabelSet, ReviewError
from .refiqda import AUTO_USER, NS, code_guid, document_texts, field_labels, segment_codes, source_guid

_Q = f"{{{NS}}}"


@dataclass
class ImportReport:
    batch_id: str | None = None
    documents_matched: list[str] = field(default_factory=list)
    documents_created: list[str] = field(default_factory=list)
    events: int = 0
    codes: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.documents_matched)} documents matched, {len(self.documents_created)} created, "
                f"{self.events} codes added ({len(self.codes)} distinct); {len(self.warnings)} warnings")


def _read(path: Path):
    try:
        zf = zipfile.ZipFile(path)
        root = etree.fromstring(zf.read("project.qde"))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise ReviewError("E814", f"not a readable REFI-QDA project ({exc})", path=path,
                          hint="export the project from your QDA tool as REFI-QDA project (.qdpx)") from exc
    if root.tag != f"{_Q}Project":
        raise ReviewError("E814", "project.qde is not a REFI-QDA 1.0 project", path=path, value=root.tag,
                          allowed=[f"{_Q}Project"])
    return zf, root


def _code_map(root, labels: LabelSet) -> dict[str, tuple[str, str]]:
    """Code GUID -> (field, label): ours by GUID, a field parent by name, else a researcher code by path."""
    ours = {code_guid(f, lab): (f, lab) for f in TAG_FIELDS for lab in field_labels(labels, f)}
    out: dict[str, tuple[str, str]] = {}

    def walk(el, path: list[str]) -> None:
        for code in el.findall(f"{_Q}Code"):
            name = (code.get("name") or "").replace(";", ",").strip()
            g = code.get("guid", "").strip("{}").lower()
            here = path + [name]
            if g in ours:
                out[g] = ours[g]
            elif len(here) == 2 and here[0] in TAG_FIELDS and name in field_labels(labels, here[0]):
                out[g] = (here[0], name)
            elif code.get("isCodable", "true") == "true" and name:
                out[g] = (CODE_FIELD, "/".join(p for p in here if p)[:200])
            walk(code, here)

    codes = root.find(f"{_Q}CodeBook/{_Q}Codes")
    if codes is not None:
        walk(codes, [])
    return out


def _source_text(zf, src) -> str | None:
    content = src.find(f"{_Q}PlainTextContent")
    if content is not None:
        return content.text or ""
    path = src.get("plainTextPath") or ""
    name = path.split("internal://", 1)[-1]
    for candidate in (f"sources/{name}", name):
        if candidate in zf.namelist():
            return zf.read(candidate).decode("utf-8-sig")
    return None


def import_qdpx(path: str | Path, project, coder: str, *, pseudonymise: bool = True, lang: str = "auto",
               labels: LabelSet = LABELS) -> ImportReport:
    """Import the codings of a ``.qdpx`` into ``project`` as ``add`` events (see the module docstring)."""
    coder = _check_coder(coder)
    path = Path(path)
    zf, root = _read(path)
    report = ImportReport()
    users = {u.get("guid", "").strip("{}").lower(): (u.get("name") or u.get("id") or "").strip()
             for u in root.iter(f"{_Q}User")}
    notes = {n.get("guid", "").strip("{}").lower(): (n.findtext(f"{_Q}PlainTextContent") or "").strip()
             for n in root.iter(f"{_Q}Note")}
    codes = _code_map(root, labels)
    docs = project.documents()
    texts = document_texts(project, docs)
    by_guid = {source_guid(d._asdict()): d.document_id for d in docs.itertuples(index=False)}
    by_text = {t: doc_id for doc_id, (t, _) in texts.items()}
    by_name = {**{d.name: d.document_id for d in docs.itertuples(index=False)}, **by_guid}
    items: dict[str, list[dict]] = {}
    seen: set[tuple[str, str, str]] = set()
    for src in root.iter(f"{_Q}TextSource"):
        if src.getparent().tag != f"{_Q}Sources":
            continue
        name = src.get("name") or src.get("guid")
        text = _source_text(zf, src)
        if text is None:
            report.warnings.append(f"source {name!r}: no plain text in the file; skipped")
            continue
        if src.findall(f"{_Q}Coding"):
            report.warnings.append(f"source {name!r}: codings of the whole document are not imported")
        g = (src.get("guid") or "").strip("{}").lower()
        doc_id = by_guid.get(g) if by_guid.get(g) in texts and texts[by_guid[g]][0] == text else by_text.get(text)
        previous = _previous_import(project, text)
        same_name = by_name.get(g) or by_name.get(name)
        if doc_id is not None:  # our own export of this very text: offsets map exactly
            report.documents_matched.append(name)
            mapper = _overlaps(_bounds(project, doc_id, texts[doc_id][1]))
        elif previous is not None:  # created by an earlier import of this source
            report.documents_matched.append(name)
            mapper = _aligned_mapper(project, previous, text)
        elif same_name is not None and same_name in texts:  # same document, text changed since the export
            report.documents_matched.append(name)
            report.warnings.append(f"source {name!r}: text differs from the project's document; offsets aligned")
            to_source = _aligner(text, texts[same_name][0])
            mapper = _overlaps([(to_source(s), to_source(e - 1) + 1, sid)
                                for s, e, sid in _bounds(project, same_name, texts[same_name][1])])
        else:
            doc_id = _ingest(project, name, text, pseudonymise, lang, report)
            if doc_id is None:
                continue
            report.documents_created.append(name)
            mapper = _aligned_mapper(project, doc_id, text)
        for sel in src.findall(f"{_Q}PlainTextSelection"):
            _selection(sel, mapper, codes, users, notes, coder, items, seen, report, name)
    shown = segment_codes(project, None, labels)
    known = set(zip(shown["segment_id"], shown["field"], shown["label"]))
    batch = new_batch_id()
    for who, rows in items.items():
        rows = [{k: v for k, v in r.items() if k != "key"} for r in rows if r["key"] not in known]
        ids = record_many(project, rows, coder=who, batch_id=batch, labels=labels)
        report.events += len(ids)
    report.batch_id = batch if report.events else None
    return report


def _selection(sel, mapper, codes, users, notes, coder, items, seen, report, name) -> None:
    try:
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    except (TypeError, ValueError):
        report.warnings.append(f"source {name!r}: a selection without valid positions was skipped")
        return
    memo = "\n".join(notes.get(n.get("targetGUID", "").strip("{}").lower(), "")
                     for n in sel.findall(f"{_Q}NoteRef")).strip() or None
    hits = mapper(start, end)
    if not hits:
        report.warnings.append(f"source {name!r}: selection {start}-{end} overlaps no segment")
        return
    for coding in sel.findall(f"{_Q}Coding"):
        ref = coding.find(f"{_Q}CodeRef")
        target = (ref.get("targetGUID") if ref is not None else "").strip("{}").lower()
        if target not in codes:
            report.warnings.append(f"source {name!r}: a coding refers to an unknown code {target}")
            continue
        f, label = codes[target]
        user = users.get((coding.get("creatingUser") or sel.get("creatingUser") or "").strip("{}").lower(), "")
        who = coder if not user or user == AUTO_USER else user
        for sid, s, e, seg_len in hits:
            key = (sid, f, label)
            if key in seen:
                continue
            seen.add(key)
            row = {"segment_id": sid, "action": "add", "field": f, "memo": memo, "key": key}
            if f == "irritant":
                row["value"] = 1
            elif f in ("emotion", "lane", "valence"):
                row["value"] = label
            else:
                row["label"] = label
                if (s, e) != (0, seg_len):
                    row["span_start"], row["span_end"] = s, e
            items.setdefault(who, []).append(row)
            report.codes.add(f"{f}/{label}" if f != CODE_FIELD else label)


# --------------------------------------------------------------------------- offsets -> segments


def _segments(project, doc_id: int):
    return project.query(
        """SELECT s.segment_id, t.idx AS turn_index, t.line, t.text AS turn_text, s.start_char, s.end_char
           FROM segments s JOIN turns t ON t.turn_id = s.turn_id WHERE s.document_id = ?
           ORDER BY t.idx, s.idx""", (int(doc_id),))


def _overlaps(bounds: list[tuple[int, int, str]]):
    """A function (start, end) -> [(segment_id, span_start, span_end, segment length)] (segment coordinates)."""
    bounds = sorted(bounds)
    ends = [e for _, e, _ in bounds]
    # segments do not overlap, so their ends are sorted too: start the scan at the first end past ``start``

    def hits(start: int, end: int):
        out = []
        for s, e, sid in bounds[bisect_right(ends, start):]:
            if s >= end:
                break
            a, b = max(s, start), min(e, end)
            if a < b:
                out.append((sid, a - s, b - s, e - s))
        return out
    return hits


def _bounds(project, doc_id: int, offsets: dict[int, int]) -> list[tuple[int, int, str]]:
    """Segment bounds in the plain text :func:`.refiqda.document_texts` builds."""
    segs = _segments(project, doc_id)
    return [(offsets[int(r.turn_index)] + int(r.start_char), offsets[int(r.turn_index)] + int(r.end_char),
             r.segment_id) for r in segs.itertuples(index=False)]


def _aligned_mapper(project, doc_id: int, text: str):
    """Segment bounds in source coordinates: each turn aligned with the source lines it came from."""
    segs = _segments(project, doc_id)
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]
    turn_lines = sorted({int(x) for x in segs["line"].dropna()})
    bounds = []
    for turn_index, group in segs.groupby("turn_index", sort=True):
        first = group.iloc[0]
        if first["line"] is None or first["line"] != first["line"]:
            continue
        line = int(first["line"])
        nxt = turn_lines[bisect_right(turn_lines, line)] if bisect_right(turn_lines, line) < len(turn_lines) else None
        lo = line_starts[min(line - 1, len(line_starts) - 1)]
        hi = line_starts[nxt - 1] if nxt is not None and nxt - 1 < len(line_starts) else len(text)
        to_source = _aligner(text[lo:hi], first["turn_text"])
        for r in group.itertuples(index=False):
            bounds.append((lo + to_source(int(r.start_char)), lo + to_source(int(r.end_char) - 1) + 1, r.segment_id))
    return _overlaps(bounds)


def _aligner(region: str, turn_text: str):
    """Map a char offset in ``turn_text`` (maybe pseudonymised) to an offset in ``region`` (the source)."""
    at = region.find(turn_text)
    if at >= 0:
        return lambda p: at + p
    blocks = [b for b in difflib.SequenceMatcher(None, region, turn_text, autojunk=False).get_matching_blocks()
              if b.size]

    def to_source(p: int) -> int:
        best = 0
        for a, b, size in blocks:
            if b <= p < b + size:
                return a + (p - b)
            if b + size <= p:
                best = a + size - 1
        return best
    return to_source


def _previous_import(project, text: str) -> int | None:
    """The current document an earlier import ingested from this very text (same file bytes)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = project.conn.execute("SELECT document_id FROM documents WHERE content_hash = ? AND is_current = 1",
                               (digest,)).fetchone()
    return None if row is None else row[0]


def _ingest(project, name: str, text: str, pseudonymise: bool, lang: str, report: ImportReport) -> int | None:
    stem = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip() or "source"
    file_name = stem if stem.lower().endswith(".txt") else stem + ".txt"
    with tempfile.TemporaryDirectory(prefix="ik-qdpx-") as tmp:
        f = Path(tmp) / file_name
        f.write_bytes(text.encode("utf-8"))
        result = project.ingest([f], pseudonymise=pseudonymise, lang=lang)
    if not result.ingested:
        why = "; ".join(x["message"] for x in result.failed) or "not ingested"
        report.warnings.append(f"source {name!r}: could not be ingested ({why})")
        return None
    return result.ingested[0]["document_id"]


__all__ = ["ImportReport", "import_qdpx"]
