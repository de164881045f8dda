"""Files in → clean, pseudonymised, speaker-attributed segments in the project store.

For each file: hash it (an unchanged file is skipped at once), read it into
turns, detect its language, link it to a participant, assign speaker roles,
pseudonymise turn text and speaker names, split turns into sentence segments,
and write everything in one transaction. Before the texts, the document's
speaker labels are registered with the pseudonymiser, so a speaker's own name in
the text gets the label's pseudonym. The stored document name is the file name
with its person names pseudonymised, and the path is that name plus a keyed hash
of the file's path (``privacy/documents.py``): no file name or path in clear.
With pseudonymisation, the run holds the project lock (``privacy/lock.py``) from
loading the key to the last commit, so a second ingestion waits for it. Rows are
pseudonymised and segmented in chunks of ``CHUNK_ROWS`` (a 1M-word survey export is one document) and written
in batches inside that transaction, so nothing is half-written on failure and
the write lock is held only while writing. A file that fails is reported with
its reason and the batch goes on; a changed file becomes a new version and the
old version (and anything coded on it) is kept.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, InputError, InterviewkitError
from .ingest_participants import (
    detect_participants_files,
    link_participant,
    load_participants,
    unknown_documents,
)
from .io import iter_corpus_files, read_document
from .io.manifest import Manifest, load_manifest
from .io.model import VERBATIMS, ParsedDocument, ReadOptions
from .language import detect_language
from .project import Project
from .roles import assign_roles, fold, name_matches
from .segment import Segmenter, interpolate_times
from .store import utcnow

LANG_CHOICES = ("fr", "en", "auto")
CHUNK_ROWS = 2000     # rows pseudonymised / segmented per spaCy pass (bounds spaCy's working memory)
WRITE_BATCH = 10_000  # rows per executemany inside the document's one transaction


@dataclass
class IngestReport:
    """What one ingestion did. ``failed`` items carry path, code, line and message."""

    run_id: int
    ingested: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the batch (participants file rows...)

    @property
    def ok(self) -> bool:
        return bool(self.ingested or self.unchanged)

    def summary(self) -> str:
        text = (
            f"{len(self.ingested)} ingested, {len(self.unchanged)} unchanged, "
            f"{len(self.failed)} failed, {len(self.skipped)} skipped"
        )
        warned = len(self.warnings) + sum(len(i.get("warnings") or []) for i in self.ingested)
        return text + (f", {warned} warning(s)" if warned else "")


@dataclass
class _Context:
    """Options resolved for one file (command line overrides manifest)."""

    read: ReadOptions
    language: str
    interviewers: list[str]
    participant: str | None = None
    format: str | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _resolve_contexts(
    manifests: dict[Path, Manifest], text_column: str | None, lang: str, interviewers: list[str]
) -> Callable[[Path], _Context]:
    def context_for(file: Path) -> _Context:
        read = ReadOptions(text_column=text_column)
        language = lang
        names = list(interviewers)
        participant = fmt = None
        for manifest in manifests.values():
            if manifest.relative(file) is None:
                continue
            names += [n for n in manifest.interviewers if n not in names]
            read = manifest.options_for(file, read)
            if text_column is not None:
                read.text_column = text_column
            if lang == "auto":
                language = manifest.language_for(file) or "auto"
            entry = manifest.file_options(file)
            participant = entry.participant if entry else None
            fmt = entry.format if entry else None
        return _Context(read=read, language=language, interviewers=names, participant=participant, format=fmt)

    return context_for


def ingest(
    project: Project,
    paths: Iterable[str | Path],
    *,
    participants: str | Path | None = None,
    interviewers: Iterable[str] = (),
    text_column: str | None = None,
    lang: str = "auto",
    pseudonymise: bool = True,
    strict: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively) into ``project``; see module docstring.

    ``progress(path, done, total)`` is called after each file. ``strict`` only
    changes the command-line exit code; the report is the same.
    """
    if lang not in LANG_CHOICES:
        raise ConfigError("E250", "unknown language option", value=lang, allowed=LANG_CHOICES,
                          hint="use --lang fr, en or auto")
    paths = [Path(p).expanduser() for p in paths]
    interviewers = list(interviewers)
    for p in paths:
        if not p.exists():
            raise ConfigError("E251", "no such file or folder", path=p, hint="check the path")
    manifests: dict[Path, Manifest] = {}
    for p in paths:
        if p.is_dir():
            manifest = load_manifest(p)
            if manifest is not None:
                manifests[p.resolve()] = manifest
    participant_files = [Path(participants)] if participants else []
    for manifest in manifests.values():
        if manifest.participants and not participant_files:
            participant_files.append(manifest.participants)
    if not participant_files:
        participant_files = detect_participants_files([p for p in paths if p.is_dir() and p.resolve() not in manifests])
    known = load_participants(project, participant_files)

    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in paths:
        found = iter_corpus_files([p], manifest=manifests.get(p.resolve()) if p.is_dir() else None)
        files += [f for f in found if f not in files]
        skipped += found.skipped
    excluded = {f.resolve() for f in participant_files}
    skipped += [(f, "participants file") for f in files if f.resolve() in excluded]
    files = [f for f in files if f.resolve() not in excluded]
    batch_warnings = unknown_documents(known, files)
    from .privacy import document_secret, project_lock

    waited: list[str] = []
    lock = (project_lock(project.private_dir, on_wait=lambda: waited.append(
        "waited for another ingestion of this project to finish (the pseudonym key is used by one run at a time)"))
        if pseudonymise else contextlib.nullcontext())
    with lock:
        context_for = _resolve_contexts(manifests, text_column, lang, interviewers)
        pseudonymiser = _make_pseudonymiser(project, known, context_for, files) if pseudonymise else None
        secret = document_secret(project.private_dir)
        report = _run(project, paths, files, skipped, known, context_for, pseudonymiser, secret,
                      {"lang": lang, "pseudonymise": pseudonymise, "interviewers": len(interviewers)},
                      progress)
    report.warnings[:0] = waited + batch_warnings
    return report


def _safe_name(pseudonymiser, name: str) -> str:
    return name if pseudonymiser is None else pseudonymiser.pseudonymise_file_name(name)


def _run(project, paths, files, skipped, known, context_for, pseudonymiser, secret, options, progress) -> IngestReport:
    """Ingest ``files`` and record the run (under the project lock when pseudonymising)."""
    conn = project.conn
    given = [_safe_name(pseudonymiser, p.name) for p in paths]  # the run's options hold no clear file name
    with project.transaction():
        run_id = conn.execute(
            "INSERT INTO ingest_runs (started_at, options_json) VALUES (?, ?)",
            (utcnow(), json.dumps({"paths": given, **options}, ensure_ascii=False)),
        ).lastrowid
    report = IngestReport(run_id=run_id, skipped=[{"path": str(p), "reason": r} for p, r in skipped])
    segmenters: dict[str, Segmenter] = {}

    for done, file in enumerate(files, start=1):
        try:
            status = _ingest_file(project, file, context_for(file), known, pseudonymiser, segmenters, secret)
            if status is None:
                report.unchanged.append(str(file))
            else:
                report.ingested.append(status)
        except InterviewkitError as exc:
            report.failed.append(_failure(file, exc))
        except Exception as exc:  # a reader bug must not stop the batch
            err = InputError("E199", f"unexpected error while reading the file ({type(exc).__name__}: {exc})",
                             path=file, hint="report this file to the interviewkit maintainers")
            report.failed.append(_failure(file, err))
        if progress:
            progress(str(file), done, len(files))

    stored_failures = [(run_id, *_stored_failure(f, pseudonymiser), f["code"], f["line"]) for f in report.failed]
    if pseudonymiser is not None:
        pseudonymiser.save()  # names of failed files may have taught the key a first name
    with project.transaction():
        conn.executemany(
            "INSERT INTO ingest_errors (run_id, path, message, code, line) VALUES (?, ?, ?, ?, ?)",
            stored_failures,
        )
        conn.execute(
            "UPDATE ingest_runs SET finished_at = ?, ingested = ?, unchanged = ?, failed = ? WHERE run_id = ?",
            (utcnow(), len(report.ingested), len(report.unchanged), len(report.failed), run_id),
        )
    return report


def _failure(file: Path, exc: InterviewkitError) -> dict[str, Any]:
    return {"path": str(file), "code": exc.code, "line": exc.line, "message": str(exc)}


def _stored_failure(failure: dict[str, Any], pseudonymiser) -> tuple[str, str]:
    """``(path, message)`` of a failure as stored: the file named by its pseudonymised name only."""
    if pseudonymiser is None:
        return failure["path"], failure["message"]
    file = Path(failure["path"])
    safe = pseudonymiser.pseudonymise_file_name(file.name)
    message = failure["message"]
    for form in sorted({str(file), str(file.resolve()), str(file.expanduser())}, key=len, reverse=True):
        message = message.replace(form, safe)
    return safe, message.replace(file.name, safe)


def _current_version(project, file: Path, tag: str, pseudonymiser):
    """The current stored version of ``file`` (found by its source tag), or None.

    A version stored before source tags (path and name in clear) is found by its path. Either way, when the
    file name pseudonymised with today's key differs from the stored one (a name learned since), every
    version of the document gets the new name and path (``role_overrides`` follow)."""
    conn = project.conn
    query = "SELECT document_id, path, content_hash, version FROM documents WHERE is_current = 1 AND "
    row = conn.execute(query + "substr(path, -?) = ?", (len(tag) + 1, "#" + tag)).fetchone()
    if row is None:
        row = conn.execute(query + "path = ?", (str(file.resolve()),)).fetchone()
        if row is None:
            return None
        return _move(project, row, _safe_name(pseudonymiser, file.name), tag)
    return row if pseudonymiser is None else _move(project, row, pseudonymiser.pseudonymise_file_name(file.name), tag)


def _move(project, row, name: str, tag: str):
    """Give every version of ``row``'s document the stored name ``name`` (and its path); returns the new row."""
    from .privacy.documents import stored_path

    new_path = stored_path(name, tag)
    if row["path"] == new_path:
        return row
    with project.transaction():
        project.conn.execute("UPDATE documents SET path = ?, name = ? WHERE path = ?", (new_path, name, row["path"]))
        project.conn.execute("UPDATE role_overrides SET path = ? WHERE path = ?", (new_path, row["path"]))
    return project.conn.execute("SELECT document_id, path, content_hash, version FROM documents "
                                "WHERE is_current = 1 AND path = ?", (new_path,)).fetchone()


def _make_pseudonymiser(project: Project, known: dict[str, dict[str, Any]], context_for, files: list[Path]):
    """Participants keep their id as pseudonym; interviewers get ``INT-01``, ``INT-02``… (kept in the key)."""
    from .privacy import PseudonymKey, Pseudonymiser, normalise_name

    people = {info["name"]: pid for pid, info in known.items() if info.get("name")}
    interviewers: list[str] = []
    for f in files:
        for name in context_for(f).interviewers:
            if name not in interviewers:
                interviewers.append(name)
    key = PseudonymKey.load(project.key_path)
    taken = {v for v in key.mapping.get("PERS", {}).values() if str(v).startswith("INT-")}
    for name in interviewers:
        previous = key.lookup("PERS", normalise_name(name))
        if previous and previous.startswith("INT-"):
            people[name] = previous
        else:
            number = 1
            while f"INT-{number:02d}" in taken:
                number += 1
            people[name] = f"INT-{number:02d}"
            taken.add(people[name])
    return Pseudonymiser(project.key_path, known_people=people, extra_names=_added_names(project)).prepare()


def _added_names(project: Project) -> list[str]:
    """Names a researcher added because the detector missed them (``private/extra_names.json``)."""
    path = project.private_dir / "extra_names.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError("E255", f"the list of added names is unreadable: {exc}", path=path,
                          hint='fix the JSON ({"version": 1, "names": [...]}) or restore it from a backup') from exc
    names = data.get("names", []) if isinstance(data, dict) else []
    return [str(n) for n in names if isinstance(n, str) and n.strip()]


def _ingest_file(project, file: Path, ctx: _Context, known, pseudonymiser, segmenters,
                 secret: bytes) -> dict[str, Any] | None:
    from .privacy.documents import source_tag, stored_path

    conn = project.conn
    digest = _sha256(file)
    tag = source_tag(secret, file)
    current = _current_version(project, file, tag, pseudonymiser)
    if current is not None and current["content_hash"] == digest:
        return None
    parsed = read_document(file, ctx.read, format=ctx.format)
    if not any(t.text.strip() for t in parsed.turns):
        raise InputError("E120", "the file holds no text to analyse", path=file,
                         hint="check that this is the transcript export and not an empty template")
    language = ctx.language
    if language == "auto":
        sample = " ".join(t.text for t in parsed.turns[:400])
        language = detect_language(sample) or "fr"
    if parsed.kind == VERBATIMS:
        rows = _verbatim_rows(parsed, file)
        doc_participant = None
    else:
        rows, doc_participant = _transcript_rows(parsed, file, ctx, known, conn)
    pseudo_counts: dict[str, int] = {}
    name = file.name
    if pseudonymiser is not None:
        # speaker labels first: "je m'appelle Quorvith" in a turn of "Quorvith Blamzek" gets the label's pseudonym
        speakers = {r["speaker"]: r["role"] for r in rows if r["speaker"] is not None and not r.get("speaker_is_id")}
        speakers = {s: _pseudonymise_speaker(pseudonymiser, s, role) for s, role in speakers.items()}
        for start in range(0, len(rows), CHUNK_ROWS):  # in order: names learnt in a row are sought in the next
            chunk = rows[start:start + CHUNK_ROWS]
            for row, res in zip(chunk, pseudonymiser.pseudonymise_many([r["text"] for r in chunk])):
                row["text"] = res.text
                for rep in res.replacements:
                    pseudo_counts[rep.kind] = pseudo_counts.get(rep.kind, 0) + 1
        for row in rows:
            row["speaker"] = speakers.get(row["speaker"], row["speaker"])
        name = pseudonymiser.pseudonymise_file_name(file.name)
        pseudonymiser.save()
        if current is not None:
            current = _move(project, current, name, tag)
    path_key = current["path"] if current is not None else stored_path(name, tag)
    overrides = {
        r["speaker"]: r["role"]
        for r in conn.execute("SELECT speaker, role FROM role_overrides WHERE path = ? ORDER BY override_id",
                              (path_key,))
    }
    _apply_overrides(rows, overrides)
    seg_lang = language if language in ("fr", "en") else "xx"
    segmenter = segmenters.setdefault(seg_lang, Segmenter(lang=seg_lang))
    # Segments as compact tuples (turn index, segment index, offsets, times, text, hash), found chunk by
    # chunk so that spaCy's intermediate objects stay bounded; the document ids come in the transaction.
    turn_rows: list[tuple] = []
    segment_parts: list[tuple] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        for idx, (row, spans) in enumerate(zip(chunk, segmenter.split_many(r["text"] for r in chunk)), start=start):
            turn_rows.append((idx, row["speaker"], row["role"], row["role_source"], row["participant"], row["start"],
                              row["end"], row["line"], row["text"],
                              json.dumps(row["attributes"], ensure_ascii=False, default=str)))
            times = interpolate_times(spans, len(row["text"]), row["start"], row["end"])
            for s_idx, (span, (t0, t1)) in enumerate(zip(spans, times)):
                segment_parts.append((idx, s_idx, span.start_char, span.end_char, t0, t1, span.text,
                                      hashlib.sha1(span.text.encode("utf-8")).hexdigest()))

    with project.transaction():
        version = 1
        if current is not None:
            version = current["version"] + 1
            conn.execute("UPDATE documents SET is_current = 0 WHERE document_id = ?", (current["document_id"],))
        doc_id = conn.execute(
            """INSERT INTO documents (path, name, content_hash, version, is_current, format, kind, language,
               encoding, participant_id, pseudonymised, metadata_json, warnings_json, ingested_at)
               VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (path_key, name, digest, version, parsed.format, parsed.kind, language, parsed.encoding,
             doc_participant, int(pseudonymiser is not None),
             json.dumps(_safe_metadata(parsed, pseudonymiser), ensure_ascii=False, default=str),
             json.dumps(parsed.warnings, ensure_ascii=False), utcnow()),
        ).lastrowid
        if parsed.kind == VERBATIMS:
            _upsert_respondents(conn, rows)
        # Turn ids are assigned here, under the write lock: the next free rowids, as INSERT would give.
        base = conn.execute("SELECT COALESCE(MAX(turn_id), 0) FROM turns").fetchone()[0] + 1
        for start in range(0, len(turn_rows), WRITE_BATCH):
            conn.executemany(
                """INSERT INTO turns (turn_id, document_id, idx, speaker, role, role_source, participant_id, start_s,
                   end_s, line, text, attributes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(base + t[0], doc_id, *t) for t in turn_rows[start:start + WRITE_BATCH]],
            )
        for start in range(0, len(segment_parts), WRITE_BATCH):
            conn.executemany(
                """INSERT INTO segments (segment_id, document_id, turn_id, idx, start_char, end_char, start_s, end_s,
                   text, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(f"D{doc_id:04d}-T{p[0]:04d}-S{p[1]:02d}", doc_id, base + p[0], *p[1:])
                 for p in segment_parts[start:start + WRITE_BATCH]],
            )
        n_segments = len(segment_parts)
        conn.executemany(
            "INSERT INTO pseudonym_counts (document_id, kind, count) VALUES (?, ?, ?)",
            [(doc_id, k, v) for k, v in sorted(pseudo_counts.items())],
        )
    return {
        "path": str(file), "document_id": doc_id, "version": version, "format": parsed.format,
        "kind": parsed.kind, "language": language, "participant": doc_participant, "turns": len(rows),
        "segments": n_segments, "pseudonymised_items": sum(pseudo_counts.values()), "warnings": parsed.warnings,
    }


def _safe_metadata(parsed: ParsedDocument, pseudonymiser) -> dict[str, Any]:
    """Document metadata with free text pseudonymised (titles, Otter speaker lists can hold names)."""
    meta = dict(parsed.metadata)
    if pseudonymiser is None:
        return meta
    for key, value in list(meta.items()):
        if isinstance(value, str):
            meta[key] = pseudonymiser.pseudonymise(value).text
        elif isinstance(value, list):
            meta[key] = [pseudonymiser.pseudonymise(str(v)).text for v in value]
    return meta


def _pseudonymise_speaker(pseudonymiser, speaker: str, role: str) -> str:
    """The stored label of a speaker; a label naming a person is registered so that the name is found in
    the texts pseudonymised after this call."""
    for name, pseudonym in pseudonymiser.known_people.items():
        if name_matches(speaker, [name]):
            return pseudonym
    if re.fullmatch(r"(speaker|intervenant|locuteur|participant|interviewer|enqu\w+|p?\d+)\s*\d*", fold(speaker)):
        return speaker
    return pseudonymiser.add_person(speaker) or pseudonymiser.pseudonym_for(speaker, "PERS")


def _verbatim_rows(parsed: ParsedDocument, file: Path) -> list[dict[str, Any]]:
    rows = []
    for turn in parsed.turns:
        if not turn.text.strip():
            continue
        pid = turn.participant or f"{file.stem}-row{turn.line}"
        rows.append({
            "speaker": pid, "speaker_is_id": True, "role": "participant", "role_source": "verbatims",
            "participant": pid, "start": turn.start, "end": turn.end, "line": turn.line,
            "text": turn.text.strip(), "attributes": dict(turn.attributes),
        })
    return rows


def _upsert_respondents(conn, rows: list[dict[str, Any]]) -> None:
    conn.executemany(
        """INSERT INTO participants (participant_id, persona, source, attributes_json)
           VALUES (?, ?, 'verbatims', ?)
           ON CONFLICT (participant_id) DO UPDATE SET persona = COALESCE(excluded.persona, participants.persona)""",
        [(r["participant"], _persona_of(r["attributes"]),
          json.dumps({k: v for k, v in r["attributes"].items() if k != "persona"}, ensure_ascii=False, default=str))
         for r in rows],
    )


def _persona_of(attributes: dict[str, Any]) -> str | None:
    value = attributes.get("persona")
    return str(value) if value not in (None, "") else None


def _transcript_rows(parsed, file, ctx: _Context, known, conn) -> tuple[list[dict[str, Any]], str | None]:
    turns = [t for t in parsed.turns if t.text.strip()]
    speakers = sorted({t.speaker for t in turns if t.speaker})
    doc_participant = ctx.participant or link_participant(file, speakers, known)
    names = [info["name"] for info in known.values() if info.get("name")]
    roles = assign_roles(((t.speaker, t.text) for t in turns), ctx.interviewers, names)
    if doc_participant is None:
        participant_speakers = [s for s in speakers if roles.get(s, ("", ""))[0] == "participant"]
        if len(participant_speakers) == 1:
            doc_participant = _inferred_participant(conn, file, participant_speakers[0], known)
    rows = []
    for turn in turns:
        role, source = roles.get(turn.speaker, ("unknown", "none")) if turn.speaker else ("unknown", "none")
        participant = None
        if role == "participant":
            participant = doc_participant
            for pid, info in known.items():
                if info.get("name") and name_matches(turn.speaker or "", [info["name"]]):
                    participant = pid
        rows.append({
            "speaker": turn.speaker, "role": role, "role_source": source, "participant": participant,
            "start": turn.start, "end": turn.end, "line": turn.line, "text": turn.text.strip(),
            "attributes": dict(turn.attributes),
        })
    return rows, doc_participant


def _apply_overrides(rows: list[dict[str, Any]], overrides: dict[str, str]) -> None:
    """Re-apply a researcher's role corrections, keyed by the stored (pseudonymised) speaker label."""
    for row in rows:
        if row["speaker"] in overrides:
            row["role"], row["role_source"] = overrides[row["speaker"]], "researcher"


def _inferred_participant(conn, file: Path, speaker: str, known) -> str:
    """A transcript with no participants-file entry gets an id derived from its path (``U`` + 6 hex digits).

    The file name is not used: it often holds the participant's real name.
    """
    pid = "U" + hashlib.sha1(str(file.resolve()).encode("utf-8")).hexdigest()[:6]
    conn.execute(
        "INSERT OR IGNORE INTO participants (participant_id, persona, source, attributes_json) "
        "VALUES (?, NULL, 'inferred', '{}')",
        (pid,),
    )
    known.setdefault(pid, {"name": None, "persona": None, "documents": [fold(file.name)]})
    return pid
