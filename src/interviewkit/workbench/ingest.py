"""Notebook 01: import files, read the ingestion report, check pseudonymisation, add a missed name.

* :func:`run_ingest` runs :func:`interviewkit.ingest.ingest` with a progress bar, then re-applies the
  names a researcher added (:func:`load_extra_names`) to the documents it just stored.
* :class:`ImportForm`: paths box + file upload (saved into ``PROJECT/inbox/``), participants file,
  interviewer names, language, an « Importer » button, the report table.
* :func:`pseudonym_counts`, :func:`pseudonymised_segments`, :class:`PseudonymisationPreview`: what was
  replaced, per kind and per document, with the pseudonyms highlighted in context.
* :func:`add_extra_names` / :func:`repseudonymise`: a name the detector missed is stored in
  ``PROJECT/private/extra_names.json`` (mode 0600, next to the pseudonym key: it holds real names) and every
  current document whose stored text still contains it becomes a new version with the name replaced by
  its pseudonym (``[PERS-…]``, or the participant id when the key knows the name).

Why not ``ingest()`` again: ``ingest`` takes no extra names and skips unchanged files, so the new version
is written here from the stored (already pseudonymised) text, through the public ``Pseudonymiser``
(``extra_names=``, ``nlp=False``: only the added names are looked for, with the key's pseudonyms) and
``Segmenter`` — the same steps as ingestion, without re-reading the source (which may have moved).
Earlier versions of those documents are scrubbed in place (their turn and segment texts, offsets kept
consistent), and the parsed-Doc caches of the old texts are dropped, so the name does not stay in the
store. Speaker roles, participant links, timestamps and attributes are carried over unchanged.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError
from ..store import utcnow
from .messages import message_html, table_html
from .progress import ProgressBar
from .steps import friendly, require

INBOX = "inbox"
EXTRA_NAMES_FILE = "extra_names.json"
UPLOAD_SUFFIXES = (".txt", ".md", ".vtt", ".srt", ".docx", ".csv", ".tsv", ".xlsx", ".yml", ".yaml")
KIND_LABELS = {
    "PERS": "personnes / people", "EMAIL": "e-mails", "TEL": "téléphones / phones",
    "ADRESSE": "adresses / addresses", "IBAN": "IBAN", "CARTE": "cartes bancaires / cards",
    "PLAQUE": "plaques / licence plates", "NIR": "n° sécurité sociale / NIR",
}
_GENERATED = re.compile(r"\[(PERS|EMAIL|TEL|ADRESSE|IBAN|CARTE|PLAQUE|NIR)-\d{3,}\]")
_INTERVIEWER = re.compile(r"\bINT-\d{2,}\b")


# ------------------------------------------------------------------------------------------ ingestion

def _paths(value: str | Path | Iterable[str | Path] | None) -> list[Path]:
    """Paths from a list or from text (one per line, or separated by ``;``)."""
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        items = [p for p in re.split(r"[\n;]+", str(value))]
    else:
        items = [str(p) for p in value]
    return [Path(p.strip().strip('"').strip("'")).expanduser() for p in items if p and p.strip()]


def run_ingest(project, paths, participants=None, interviewers: Sequence[str] | str = (), lang: str = "auto",
               progress: bool = True):
    """Ingest ``paths`` (files or folders) with a progress bar; returns the :class:`IngestReport`.

    ``ingest`` already replaces the names added with :func:`add_extra_names`; afterwards they are looked
    for once more in the documents just stored (a safety net: a document still holding one gets a new,
    scrubbed version); what that did is in ``report.extra_names_applied`` (usually no document).
    """
    from ..ingest import ingest

    if isinstance(interviewers, str):
        interviewers = [n.strip() for n in re.split(r"[,;\n]+", interviewers) if n.strip()]
    bar = ProgressBar("Import", unit="fichier", disable=not progress)
    try:
        report = ingest(project, _paths(paths), participants=participants or None,
                        interviewers=list(interviewers), lang=lang, progress=bar)
    finally:
        bar.close()
    names = load_extra_names(project)
    report.extra_names_applied = None
    if names and report.ingested:
        report.extra_names_applied = repseudonymise(
            project, names, document_ids=[int(i["document_id"]) for i in report.ingested], progress=False)
    return report


def report_table(report) -> pd.DataFrame:
    """One row per file of an :class:`IngestReport`: fichier, statut, version, participant, segments,
    pseudonymised items, error code, line, message (French status words, English in the header)."""
    rows = []
    for item in report.ingested:
        rows.append({"fichier / file": Path(item["path"]).name, "statut / status": "importé / ingested",
                     "version": item["version"], "participant": item.get("participant") or "",
                     "segments": item["segments"], "pseudonymisés / pseudonymised": item["pseudonymised_items"],
                     "code": "", "ligne / line": "",
                     "message": "; ".join(str(w) for w in item.get("warnings") or [])})
    for path in report.unchanged:
        rows.append({"fichier / file": Path(path).name, "statut / status": "inchangé / unchanged",
                     "message": "déjà importé, identique / already ingested, unchanged"})
    for item in report.failed:
        rows.append({"fichier / file": Path(item["path"]).name, "statut / status": "échec / failed",
                     "code": item.get("code") or "", "ligne / line": item.get("line") or "",
                     "message": item.get("message") or ""})
    for item in report.skipped:
        rows.append({"fichier / file": Path(item["path"]).name, "statut / status": "ignoré / skipped",
                     "message": item.get("reason") or ""})
    columns = ["fichier / file", "statut / status", "version", "participant", "segments",
               "pseudonymisés / pseudonymised", "code", "ligne / line", "message"]
    return pd.DataFrame(rows, columns=columns).fillna("")


def report_html(report) -> str:
    ok = "success" if report.ok and not report.failed else ("warning" if report.ok else "error")
    counts = (f"{len(report.ingested)} importé(s), {len(report.unchanged)} inchangé(s), {len(report.failed)} en "
              f"échec, {len(report.skipped)} ignoré(s)")
    out = message_html(ok, counts, report.summary())
    applied = getattr(report, "extra_names_applied", None)
    if applied is not None and applied.documents:
        out += message_html("info", f"Noms ajoutés ré-appliqués à {len(applied.documents)} document(s).",
                            f"Added names re-applied to {len(applied.documents)} document(s).")
    return out + table_html(report_table(report), max_rows=200)


# ------------------------------------------------------------------------------------------ uploads

def inbox_dir(project) -> Path:
    """``PROJECT/inbox/``: uploaded transcripts (clear text: mode 0700, like ``private/``)."""
    folder = project.path / INBOX
    folder.mkdir(exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def safe_upload_name(name: str) -> str:
    """The base name of an uploaded file, without folders or characters a file system dislikes.

    >>> safe_upload_name("../../etc/P01 entretien (1).txt")
    'P01 entretien (1).txt'
    """
    base = re.split(r"[\\/]", str(name))[-1].strip().lstrip(".")
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)
    return base[:180] or "upload"


def save_uploads(project, uploads: Iterable[dict[str, Any]]) -> list[Path]:
    """Write ``FileUpload.value`` items (dicts with ``name`` and ``content``) into the inbox; returns paths.

    A file of the same name is replaced (a new content then becomes a new version at import).
    """
    folder = inbox_dir(project)
    written = []
    for item in uploads:
        name = safe_upload_name(item.get("name", "upload"))
        if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise ConfigError("NB02", "this kind of file cannot be imported", value=name, allowed=UPLOAD_SUFFIXES,
                              hint="export the transcript as .txt, .docx, .vtt, .srt, .md, or the table as .csv/.xlsx")
        dest = folder / name
        tmp = dest.with_name(f".{dest.name}.part")
        tmp.write_bytes(bytes(item["content"]))
        tmp.replace(dest)
        written.append(dest)
    return written


class ImportForm:
    """The import form of notebook 01 (``display(form.widget)``; ``form.run()`` = the button)."""

    def __init__(self, project, paths=None, participants=None, interviewers: Sequence[str] = (),
                 lang: str = "auto") -> None:
        import ipywidgets as w

        self.project = project
        self.report = None
        initial = "\n".join(str(p) for p in _paths(paths))
        self.paths = w.Textarea(value=initial, description="Fichiers", rows=3, layout=w.Layout(width="95%"),
                                placeholder="un chemin par ligne (fichier ou dossier) / one path per line")
        self.upload = w.FileUpload(multiple=True, accept=",".join(UPLOAD_SUFFIXES),
                                   description="Téléverser / upload")
        self.upload.observe(self._on_upload, names="value")
        self.participants = w.Text(value=str(participants or ""), description="Participants",
                                   placeholder="participants.csv (facultatif / optional)", layout=w.Layout(width="95%"))
        self.interviewers = w.Text(value=", ".join(interviewers), description="Enquêteurs",
                                   placeholder="Claire Vidal, Hugo Martin", layout=w.Layout(width="95%"))
        self.lang = w.Dropdown(options=[("détection auto / auto", "auto"), ("français", "fr"), ("English", "en")],
                               value=lang, description="Langue")
        self.button = w.Button(description="Importer / ingest", button_style="primary", icon="upload")
        self.button.add_class("ik-ingest")
        self.button.on_click(lambda _: self.run())
        self.uploaded = w.HTML()
        self.output = w.Output()
        self.result = w.HTML()
        self.widget = w.VBox([
            w.HTML("<b>Importer des entretiens / import interviews</b>"), self.paths,
            w.HBox([self.upload, self.uploaded]), self.participants, self.interviewers, self.lang, self.button,
            self.output, self.result])

    def _on_upload(self, change: dict[str, Any]) -> None:
        try:
            written = save_uploads(self.project, change["new"] or ())
        except ConfigError as exc:
            self.uploaded.value = message_html("error", "Fichier refusé.", "File refused.", detail=str(exc))
            return
        if not written:
            return
        folder = str(inbox_dir(self.project))
        lines = [p for p in self.paths.value.splitlines() if p.strip()]
        if folder not in lines:
            self.paths.value = "\n".join(lines + [folder])
        self.uploaded.value = (f"<small>{len(written)} fichier(s) enregistré(s) dans <code>{html.escape(folder)}"
                               "</code> / file(s) saved in the inbox</small>")

    def run(self):
        """Run the ingestion with the form's values; shows the report and returns it."""
        self.output.clear_output()
        self.result.value = ""
        if not _paths(self.paths.value):
            self.result.value = message_html("warning", "Indiquez au moins un fichier ou un dossier.",
                                             "Give at least one file or folder.")
            return None
        with self.output:
            self.report = friendly(run_ingest)(self.project, self.paths.value, self.participants.value.strip() or None,
                                               self.interviewers.value, self.lang.value)
        if self.report is not None:
            self.result.value = report_html(self.report)
        return self.report


@friendly
def import_form(project, paths=None, participants=None, interviewers: Sequence[str] = (), lang: str = "auto"):
    """The :class:`ImportForm` widget (a message instead when no project is open)."""
    require(project)
    return ImportForm(project, paths, participants, interviewers, lang).widget


# ------------------------------------------------------------------------------------------ preview

def pseudonym_counts(project) -> pd.DataFrame:
    """Replacements per kind over current documents: kind, label, count."""
    rows = project.query(
        "SELECT pc.kind, SUM(pc.count) AS count FROM pseudonym_counts pc JOIN documents d "
        "ON d.document_id = pc.document_id WHERE d.is_current = 1 GROUP BY pc.kind ORDER BY count DESC")
    rows.insert(1, "label", [KIND_LABELS.get(k, k) for k in rows["kind"]])
    return rows


def pseudonym_counts_by_document(project) -> pd.DataFrame:
    """One row per current document, one column per kind (number of replacements)."""
    df = project.query(
        "SELECT d.name AS document, d.participant_id AS participant, pc.kind, pc.count FROM documents d "
        "LEFT JOIN pseudonym_counts pc ON pc.document_id = d.document_id WHERE d.is_current = 1")
    if df.empty:
        return pd.DataFrame(columns=["document", "participant"])
    wide = df.pivot_table(index=["document", "participant"], columns="kind", values="count", aggfunc="sum",
                          fill_value=0, dropna=False).reset_index()
    wide.columns.name = None
    wide = wide.drop(columns=[c for c in wide.columns if str(c) == "nan"], errors="ignore")
    kinds = [c for c in wide.columns if c not in ("document", "participant")]
    wide["total"] = wide[kinds].sum(axis=1) if kinds else 0
    return wide.sort_values("document").reset_index(drop=True)


def _pseudonym_pattern(project) -> re.Pattern:
    ids = [str(p) for p in project.query("SELECT participant_id FROM participants WHERE source != 'verbatims'")
           ["participant_id"] if p]
    parts = [_GENERATED.pattern, _INTERVIEWER.pattern]
    if ids:
        parts.append(r"\b(?:" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r")\b")
    return re.compile("|".join(f"(?:{p})" for p in parts))


def _kind_of(token: str) -> str:
    m = _GENERATED.fullmatch(token)
    return m.group(1) if m else "PERS"


def highlight_pseudonyms(text: str, pattern: re.Pattern) -> str:
    """``text`` HTML-escaped with every pseudonym in ``<mark class="ik-pseudonym">``."""
    out, cursor = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[cursor:m.start()]))
        out.append(f"<mark class='ik-pseudonym' title='{_kind_of(m.group())}'>{html.escape(m.group())}</mark>")
        cursor = m.end()
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def pseudonymised_segments(project, kind: str | None = None, document: str | None = None,
                           limit: int | None = 200) -> pd.DataFrame:
    """Current segments holding at least one pseudonym (of ``kind`` when given): segment_id, document,
    speaker, role, pseudonyms (``;``-joined), text."""
    seg = project.segments()
    if document:
        seg = seg[seg["document"] == document]
    pattern = _pseudonym_pattern(project)
    found = seg["text"].map(lambda t: [m.group() for m in pattern.finditer(str(t))])
    if kind:
        found = found.map(lambda toks: toks if any(_kind_of(t) == kind for t in toks) else [])
    keep = found.map(bool)
    out = seg.loc[keep, ["segment_id", "document", "speaker", "role", "text"]].copy()
    out.insert(4, "pseudonyms", found[keep].map(lambda toks: ";".join(dict.fromkeys(toks))))
    out = out.reset_index(drop=True)
    return out.head(limit) if limit else out


class PseudonymisationPreview:
    """Counts per kind and per document, segments with their pseudonyms highlighted (filter by kind and
    document), and the « add a missed name » box (:func:`add_extra_names`)."""

    def __init__(self, project, limit: int = 100) -> None:
        import ipywidgets as w

        self.project = project
        self.limit = limit
        docs = ["(tous / all)"] + sorted(project.documents()["name"].tolist())
        self.kind = w.Dropdown(options=[("(tous / all)", "")] + [(f"{k} – {v}", k) for k, v in KIND_LABELS.items()],
                               description="Type")
        self.document = w.Dropdown(options=docs, description="Document")
        self.kind.observe(lambda _: self.refresh(), names="value")
        self.document.observe(lambda _: self.refresh(), names="value")
        self.counts = w.HTML()
        self.segments = w.HTML()
        self.name = w.Text(placeholder="ex. Roger Salengro", description="Nom oublié")
        self.add_button = w.Button(description="Ajouter et re-pseudonymiser / add", button_style="warning",
                                   layout=w.Layout(width="auto"))
        self.add_button.add_class("ik-add-name")
        self.add_button.on_click(lambda _: self.add(self.name.value))
        self.names = w.HTML()
        self.result = w.HTML()
        self.widget = w.VBox([
            w.HTML("<b>Pseudonymisation</b> — remplacements par type / replacements per kind"), self.counts,
            w.HBox([self.kind, self.document]), self.segments,
            w.HTML("<b>Un nom a échappé au détecteur ? / a name was missed?</b> Il sera remplacé partout, "
                   "dans une nouvelle version des documents concernés / it is replaced everywhere, in a new "
                   "version of the documents concerned."),
            w.HBox([self.name, self.add_button]), self.names, self.result])
        self.refresh()

    def refresh(self) -> None:
        counts = pseudonym_counts(self.project)
        by_doc = pseudonym_counts_by_document(self.project)
        self.counts.value = table_html(counts) + "<details><summary>par document / per document</summary>" + \
            table_html(by_doc, max_rows=500) + "</details>"
        document = None if self.document.value.startswith("(") else self.document.value
        seg = pseudonymised_segments(self.project, self.kind.value or None, document, limit=None)
        pattern = _pseudonym_pattern(self.project)
        shown = seg.head(self.limit).copy()
        shown["text"] = [highlight_pseudonyms(str(t), pattern) for t in shown["text"]]
        shown["speaker"] = shown["speaker"].map(lambda s: html.escape(str(s)) if s is not None else "")
        header = f"<small>{len(seg)} segment(s) avec pseudonymes / with pseudonyms</small>"
        self.segments.value = header + table_html(shown[["segment_id", "document", "speaker", "text"]],
                                                  max_rows=self.limit, escape=False)
        names = load_extra_names(self.project)
        self.names.value = (f"<small>{len(names)} nom(s) ajouté(s) / added name(s) (fichier privé "
                            f"<code>private/{EXTRA_NAMES_FILE}</code>)</small>")

    def add(self, names: str | Sequence[str]):
        """Add the name(s) and re-pseudonymise; shows and returns the :class:`RepseudonymiseReport`."""
        names = [names] if isinstance(names, str) else list(names)
        names = [n.strip() for n in names if n and n.strip()]
        if not names:
            self.result.value = message_html("warning", "Écrivez d'abord le nom à remplacer.",
                                             "Type the name to replace first.")
            return None
        try:
            report = add_extra_names(self.project, names, progress=False)
        except ConfigError as exc:
            self.result.value = message_html("error", "Nom refusé.", "Name refused.", detail=str(exc))
            return None
        self.name.value = ""
        self.result.value = repseudonymise_html(report)
        self.refresh()
        return report


@friendly
def pseudonymisation_preview(project, limit: int = 100):
    """The :class:`PseudonymisationPreview` widget (a message when nothing is imported yet)."""
    require(project, "import")
    return PseudonymisationPreview(project, limit).widget


# ------------------------------------------------------------------------------------------ extra names

def extra_names_path(project) -> Path:
    return project.private_dir / EXTRA_NAMES_FILE


def load_extra_names(project) -> list[str]:
    """Names added by researchers (``PROJECT/private/extra_names.json``), in the order they were added."""
    try:
        data = json.loads(extra_names_path(project).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ConfigError("NB03", f"the list of added names is unreadable: {exc}", path=extra_names_path(project),
                          hint="fix the JSON ({\"version\": 1, \"names\": [...]}) or restore it from a backup") from exc
    names = data.get("names", []) if isinstance(data, dict) else []
    return [str(n) for n in names if isinstance(n, str) and n.strip()]


def _check_name(name: str) -> str:
    from ..privacy import normalise_name

    clean = " ".join(str(name).split())
    norm = normalise_name(clean)
    if len(norm.replace(" ", "")) < 2 or len(clean) > 100:
        raise ConfigError("NB04", "a name must hold at least two letters and at most 100 characters", value=clean,
                          hint="type the name as it appears in the transcripts, e.g. « Roger Salengro »")
    if re.search(r"\d", norm):
        raise ConfigError("NB04", "a name cannot hold digits", value=clean,
                          hint="numbers (phones, references) are found by the other detectors")
    return clean


def save_extra_names(project, names: Iterable[str]) -> list[str]:
    """Add ``names`` to the stored list (duplicates ignored, case and accents included); returns the list."""
    from ..privacy import normalise_name

    current = load_extra_names(project)
    seen = {normalise_name(n) for n in current}
    for name in names:
        clean = _check_name(name)
        if normalise_name(clean) not in seen:
            current.append(clean)
            seen.add(normalise_name(clean))
    path = extra_names_path(project)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"version": 1, "names": current}, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)
    os.chmod(path, 0o600)
    return current


def _forms(names: Iterable[str]) -> set[str]:
    """Normalised forms of the names that count as a mention: full name, reversed two-word name, parts."""
    from ..privacy import normalise_name
    from ..privacy.names import name_parts

    forms: set[str] = set()
    for name in names:
        norm = normalise_name(name)
        if not norm:
            continue
        forms.add(norm)
        parts = name_parts(name)
        forms.update(parts)
        if len(parts) == 2:
            forms.add(f"{parts[1]} {parts[0]}")
    return forms


def _name_pseudonymiser(project, names: Sequence[str]):
    from ..privacy import Pseudonymiser

    return Pseudonymiser(project.key_path, nlp=False, extra_names=list(names)).prepare()


def _name_spans(pseudonymiser, text: str, forms: set[str]) -> list:
    """PERS spans of ``text`` that are one of the added names (other detections are left alone)."""
    from ..privacy import normalise_name

    if not text:
        return []
    out = []
    for span in pseudonymiser.detect(text):
        if span.kind != "PERS":
            continue
        norm = f" {normalise_name(span.text)} "
        if any(f" {f} " in norm for f in forms):
            out.append(span)
    return out


@dataclass
class _Edit:
    text: str
    moves: list[tuple[int, int, int, int]] = field(default_factory=list)  # old start, old end, new start, new end
    count: int = 0

    def map(self, pos: int, end: bool = False) -> int:
        """Offset ``pos`` of the old text in the new text (inside a replaced name: its new start/end)."""
        shift = 0
        for a, b, na, nb in self.moves:
            if pos >= b:
                shift = nb - b
            elif pos > a:
                return nb if end else na
            else:
                break
        return pos + shift


def _replace(pseudonymiser, text: str | None, forms: set[str]) -> _Edit:
    if text is None:
        return _Edit("")
    spans = _name_spans(pseudonymiser, text, forms)
    edit = _Edit(text)
    if not spans:
        return edit
    pieces, cursor, new_len = [], 0, 0
    for span in spans:
        pieces.append(text[cursor:span.start])
        new_len += span.start - cursor
        pseudonym = pseudonymiser.pseudonym_for(span.text, "PERS")
        pieces.append(pseudonym)
        edit.moves.append((span.start, span.end, new_len, new_len + len(pseudonym)))
        new_len += len(pseudonym)
        cursor = span.end
    pieces.append(text[cursor:])
    edit.text = "".join(pieces)
    edit.count = len(spans)
    return edit


def _replace_in_json(pseudonymiser, raw: str, forms: set[str]) -> tuple[str, int]:
    """Document metadata (titles, Otter speaker lists) with the names replaced."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        return raw, 0
    count = 0

    def walk(value):
        nonlocal count
        if isinstance(value, str):
            e = _replace(pseudonymiser, value, forms)
            count += e.count
            return e.text
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    meta = walk(meta)
    return json.dumps(meta, ensure_ascii=False, default=str), count


@dataclass
class RepseudonymiseReport:
    """What :func:`repseudonymise` did: ``documents`` (one dict per new version: document, path,
    old/new document id and version, replacements), ``scrubbed`` (earlier versions cleaned in place:
    document id, replacements), ``names`` (how many names were looked for)."""

    names: int
    documents: list[dict[str, Any]] = field(default_factory=list)
    scrubbed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def replacements(self) -> int:
        return sum(d["replacements"] for d in self.documents) + sum(d["replacements"] for d in self.scrubbed)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.documents, columns=["document", "old_version", "new_version", "old_document_id",
                                                     "new_document_id", "replacements"])


def repseudonymise_html(report: RepseudonymiseReport) -> str:
    if not report.documents and not report.scrubbed:
        return message_html("info", "Nom enregistré : il n'apparaît dans aucun document actuel (il sera remplacé "
                                    "dans les prochains imports).",
                            "Name stored: it appears in no current document (it will be replaced in later imports).")
    out = message_html(
        "success", f"{report.replacements} remplacement(s) : {len(report.documents)} document(s) passent à une "
                   "nouvelle version. Relancez le carnet 02 pour coder les nouveaux segments.",
        f"{report.replacements} replacement(s): {len(report.documents)} document(s) got a new version. Run notebook "
        "02 again to tag the new segments.")
    return out + table_html(report.table())


def find_name_occurrences(project, names: Sequence[str]) -> pd.DataFrame:
    """Current documents whose stored text (turns, speakers, metadata) still holds one of ``names``:
    document_id, document, version, occurrences. Names are looked for like the pseudonymiser does
    (case and accents ignored, first or last name alone when unambiguous)."""
    forms = _forms(names)
    pseudo = _name_pseudonymiser(project, names)
    rows = []
    for doc in project.conn.execute(
            "SELECT document_id, name, version, metadata_json FROM documents WHERE is_current = 1 ORDER BY path"):
        n = _replace_in_json(pseudo, doc["metadata_json"], forms)[1]
        for t in project.conn.execute("SELECT speaker, text FROM turns WHERE document_id = ?", (doc["document_id"],)):
            n += len(_name_spans(pseudo, t["text"], forms)) + len(_name_spans(pseudo, t["speaker"] or "", forms))
        if n:
            rows.append({"document_id": doc["document_id"], "document": doc["name"], "version": doc["version"],
                         "occurrences": n})
    return pd.DataFrame(rows, columns=["document_id", "document", "version", "occurrences"])


def _drop_parse_cache(project, text_hashes: set[str]) -> None:
    """Remove the parsed Docs of the old texts from ``cache/parsed-*.sqlite`` (derived caches whose
    records hold the words of the text)."""
    if not text_hashes:
        return
    hashes = sorted(text_hashes)
    for path in project.cache_dir.glob("parsed-*.sqlite"):
        try:
            conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
            try:
                for i in range(0, len(hashes), 500):
                    chunk = hashes[i:i + 500]
                    conn.execute(f"DELETE FROM docs WHERE text_hash IN ({','.join('?' * len(chunk))})", chunk)
            finally:
                conn.close()
        except sqlite3.DatabaseError:  # not a cache of the expected shape: it is derived, leave it
            continue


def repseudonymise(project, names: Sequence[str] | None = None, document_ids: Iterable[int] | None = None,
                   progress: bool = True, scrub_previous: bool = True) -> RepseudonymiseReport:
    """Replace ``names`` (default: the stored added names) in the current documents that still contain
    them: each becomes a new version (new segment ids, to be tagged again). ``document_ids`` restricts
    the documents looked at. With ``scrub_previous`` the earlier versions of those documents are cleaned
    in place too (decisions made on them stay attached). See the module docstring."""
    from ..segment import Segmenter, interpolate_times

    names = list(load_extra_names(project) if names is None else names)
    report = RepseudonymiseReport(names=len(names))
    if not names:
        return report
    forms = _forms(names)
    pseudo = _name_pseudonymiser(project, names)
    conn = project.conn
    where = "WHERE is_current = 1"
    params: list[Any] = []
    if document_ids is not None:
        ids = [int(i) for i in document_ids]
        if not ids:
            return report
        where += f" AND document_id IN ({','.join('?' * len(ids))})"
        params = ids
    docs = conn.execute(f"SELECT * FROM documents {where} ORDER BY path", params).fetchall()
    bar = ProgressBar("Re-pseudonymisation", unit="document", disable=not progress)
    segmenters: dict[str, Segmenter] = {}
    old_hashes: set[str] = set()
    for n_done, doc in enumerate(docs, start=1):
        turns = conn.execute("SELECT * FROM turns WHERE document_id = ? ORDER BY idx", (doc["document_id"],)).fetchall()
        edits = [(_replace(pseudo, t["text"], forms), _replace(pseudo, t["speaker"], forms)) for t in turns]
        meta, n_meta = _replace_in_json(pseudo, doc["metadata_json"], forms)
        count = sum(e.count + s.count for e, s in edits) + n_meta
        if count:
            pseudo.save()  # the key knows every pseudonym before the store holds it
            new_id = _write_version(project, doc, turns, edits, meta, count, segmenters, Segmenter, interpolate_times)
            report.documents.append({"document": doc["name"], "path": doc["path"], "old_version": doc["version"],
                                     "new_version": doc["version"] + 1, "old_document_id": doc["document_id"],
                                     "new_document_id": new_id, "replacements": count})
            if scrub_previous:
                report.scrubbed += _scrub_versions(project, doc["path"], new_id, pseudo, forms, old_hashes)
        bar(doc["name"], n_done, len(docs))
    bar.close()
    _drop_parse_cache(project, old_hashes)
    return report


def _write_version(project, doc, turns, edits, meta: str, count: int, segmenters, Segmenter, interpolate_times) -> int:
    conn = project.conn
    language = doc["language"]
    seg_lang = language if language in ("fr", "en") else "xx"
    segmenter = segmenters.setdefault(seg_lang, Segmenter(lang=seg_lang))
    texts = [e.text for e, _ in edits]
    spans_per_turn = list(segmenter.split_many(texts))
    counts = {r["kind"]: r["count"] for r in conn.execute(
        "SELECT kind, count FROM pseudonym_counts WHERE document_id = ?", (doc["document_id"],))}
    counts["PERS"] = counts.get("PERS", 0) + count
    try:
        meta_obj = json.loads(meta)
    except ValueError:
        meta_obj = {}
    if isinstance(meta_obj, dict):
        meta_obj["repseudonymised_from_version"] = doc["version"]
        meta = json.dumps(meta_obj, ensure_ascii=False, default=str)
    with project.transaction():
        conn.execute("UPDATE documents SET is_current = 0 WHERE document_id = ?", (doc["document_id"],))
        new_id = conn.execute(
            """INSERT INTO documents (path, name, content_hash, version, is_current, format, kind, language,
               encoding, participant_id, pseudonymised, metadata_json, warnings_json, ingested_at)
               VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (doc["path"], doc["name"], doc["content_hash"], doc["version"] + 1, doc["format"], doc["kind"],
             doc["language"], doc["encoding"], doc["participant_id"], doc["pseudonymised"], meta,
             doc["warnings_json"], utcnow()),
        ).lastrowid
        segment_rows = []
        for t, (edit, speaker), spans in zip(turns, edits, spans_per_turn):
            turn_id = conn.execute(
                """INSERT INTO turns (document_id, idx, speaker, role, role_source, participant_id, start_s, end_s,
                   line, text, attributes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (new_id, t["idx"], speaker.text if t["speaker"] is not None else None, t["role"], t["role_source"],
                 t["participant_id"], t["start_s"], t["end_s"], t["line"], edit.text, t["attributes_json"]),
            ).lastrowid
            times = interpolate_times(spans, len(edit.text), t["start_s"], t["end_s"])
            for s_idx, (span, (t0, t1)) in enumerate(zip(spans, times)):
                segment_rows.append((f"D{new_id:04d}-T{t['idx']:04d}-S{s_idx:02d}", new_id, turn_id, s_idx,
                                     span.start_char, span.end_char, t0, t1, span.text,
                                     hashlib.sha1(span.text.encode("utf-8")).hexdigest()))
        conn.executemany(
            """INSERT INTO segments (segment_id, document_id, turn_id, idx, start_char, end_char, start_s, end_s,
               text, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", segment_rows)
        conn.executemany("INSERT INTO pseudonym_counts (document_id, kind, count) VALUES (?, ?, ?)",
                         [(new_id, k, v) for k, v in sorted(counts.items())])
    return int(new_id)


def _scrub_versions(project, path: str, keep_id: int, pseudo, forms: set[str], old_hashes: set[str]) -> list[dict]:
    """Replace the names in the earlier versions of ``path`` in place (segment offsets remapped)."""
    conn = project.conn
    out = []
    for doc in conn.execute("SELECT document_id, metadata_json FROM documents WHERE path = ? AND document_id != ?",
                            (path, keep_id)).fetchall():
        turn_updates, seg_updates, total = [], [], 0
        for t in conn.execute("SELECT turn_id, speaker, text FROM turns WHERE document_id = ?",
                              (doc["document_id"],)).fetchall():
            edit = _replace(pseudo, t["text"], forms)
            speaker = _replace(pseudo, t["speaker"], forms)
            if not edit.count and not speaker.count:
                continue
            total += edit.count + speaker.count
            turn_updates.append((edit.text, speaker.text if t["speaker"] is not None else None, t["turn_id"]))
            for s in conn.execute("SELECT segment_id, start_char, end_char, text_hash FROM segments WHERE turn_id = ?",
                                  (t["turn_id"],)).fetchall():
                a, b = edit.map(s["start_char"]), edit.map(s["end_char"], end=True)
                text = edit.text[a:b]
                new_hash = hashlib.sha1(text.encode("utf-8")).hexdigest()
                if new_hash != s["text_hash"]:
                    old_hashes.add(s["text_hash"])
                if (a, b, new_hash) != (s["start_char"], s["end_char"], s["text_hash"]):
                    seg_updates.append((a, b, text, new_hash, s["segment_id"]))
        meta, n_meta = _replace_in_json(pseudo, doc["metadata_json"], forms)
        total += n_meta
        if not total:
            continue
        with project.transaction():
            conn.executemany("UPDATE turns SET text = ?, speaker = ? WHERE turn_id = ?", turn_updates)
            conn.executemany("UPDATE segments SET start_char = ?, end_char = ?, text = ?, text_hash = ? "
                             "WHERE segment_id = ?", seg_updates)
            if n_meta:
                conn.execute("UPDATE documents SET metadata_json = ? WHERE document_id = ?", (meta, doc["document_id"]))
        out.append({"document_id": doc["document_id"], "replacements": total})
    return out


def add_extra_names(project, names: str | Sequence[str], progress: bool = True) -> RepseudonymiseReport:
    """Store ``names`` (``private/extra_names.json``) and re-pseudonymise the current documents that still
    contain them (see :func:`repseudonymise`)."""
    names = [names] if isinstance(names, str) else list(names)
    clean = [_check_name(n) for n in names]
    save_extra_names(project, clean)
    return repseudonymise(project, clean, progress=progress)


# ------------------------------------------------------------------------------------------ notebook cells

def default_files(project_param: Any, files: Any) -> list[Path]:
    """The files of notebook 01: ``FILES`` when given, else the demo corpus for the demo project, else none."""
    if files:
        return _paths(files)
    if project_param is None:
        from ..demo import find_demo_corpus

        return [find_demo_corpus()]
    return []


@friendly
def ingest_files(project, files, participants=None, interviewers: Sequence[str] | str = (), lang: str = "auto",
                 progress: bool = True):
    """Notebook cell: ingest ``files`` with a progress bar and show the report table."""
    from IPython.display import HTML, display

    require(project)
    if not _paths(files):
        display(HTML(message_html("info", "Aucun fichier indiqué : remplissez FILES dans la cellule des paramètres "
                                          "ou utilisez le formulaire ci-dessus.",
                                  "No file given: set FILES in the parameters cell or use the form above.")))
        return None
    report = run_ingest(project, files, participants, interviewers, lang, progress=progress)
    display(HTML(report_html(report)))
    return report


@friendly
def add_names(project, names: Sequence[str] | str, progress: bool = True):
    """Notebook cell: :func:`add_extra_names` and show what changed."""
    from IPython.display import HTML, display

    require(project, "import")
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        return None
    report = add_extra_names(project, names, progress=progress)
    display(HTML(repseudonymise_html(report)))
    return report
