"""Shared helpers for the reliability suite: CLI runner, corpus builders, store inspection, kill helpers.

Imported by the tests (the folder is put on ``sys.path`` by ``conftest.py``) and by ``rel_worker.py``,
which the durability and concurrency tests start as real subprocesses.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PII_CORPUS = REPO / "tests" / "data" / "pii" / "corpus.json"
DEMO = REPO / "corpora" / "demo"
PYTHON = sys.executable
EXE = shutil.which("interviewkit", path=str(Path(sys.executable).parent)) or shutil.which("interviewkit") or "interviewkit"
WORKER = HERE / "rel_worker.py"

# Sentences of tests/data/pii/corpus.json whose only personal datum is a name that no rule knows and that
# the NER model misses: the 3 misses `python benchmarks/privacy_quality.py --details` lists (person-name
# recall 0.942, documented in README.md). They are measured there, not guaranteed, so the zero-leak
# tests leave them out; every other seeded item must never reach an export.
KNOWN_NER_MISSES = {"pii-102": "Oksana", "pii-112": "Chahinez", "pii-113": "Garnier"}


# --------------------------------------------------------------------------- processes

def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cli(*args, timeout: float = 600, check: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed console script as a user would."""
    proc = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=child_env(), **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"interviewkit {' '.join(map(str, args))} -> {proc.returncode}\n{proc.stderr}")
    return proc


def has_command(name: str) -> bool:
    """Whether the installed command line offers ``interviewkit NAME`` (features land at different times)."""
    return cli(name, "--help").returncode == 0


def start_cli(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([EXE, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=child_env(), **kwargs)


class Worker:
    """A ``rel_worker.py`` process whose acknowledgements go to a file (a pipe nobody reads would block it)."""

    def __init__(self, log: Path, *args) -> None:
        self.log = Path(log)
        self.err = self.log.with_suffix(".err")
        with open(self.log, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen([PYTHON, str(WORKER), *map(str, args)], stdout=out, stderr=err,
                                         env=child_env())

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def acks(self) -> list[str]:
        """Writes acknowledged so far (only complete lines: a SIGKILL may cut the last one)."""
        text = self.log.read_text() if self.log.exists() else ""
        return [line[4:] for line in text.split("\n")[:-1] if line.startswith("ack ")]

    def wait_ready(self, timeout: float = 120) -> None:
        if not wait_until(lambda: "ready" in self.lines(), timeout, proc=self.proc):
            raise AssertionError(f"worker not ready: {self.stderr()}")

    def stderr(self) -> str:
        return self.err.read_text() if self.err.exists() else ""

    def wait(self, timeout: float = 300) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        sigkill(self.proc)


def start_worker(log: Path, *args) -> Worker:
    return Worker(log, *args)


def sigkill(proc: subprocess.Popen) -> None:
    """SIGKILL the process we started (by its pid) and reap it."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


# --------------------------------------------------------------------------- store inspection

def ro_count(db: Path, sql: str, params: tuple = ()) -> int:
    """A count read with a fresh connection (0 while the table does not exist yet)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute(sql, params).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def wait_until(predicate, timeout: float, interval: float = 0.05, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc is not None and proc.poll() is not None:
            return bool(predicate())
        time.sleep(interval)
    return False


def integrity(db: Path) -> list[str]:
    conn = sqlite3.connect(str(db))
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return ([] if rows == ["ok"] else rows) + [f"foreign key {r}" for r in fk]


def dump_table(db: Path, table: str, order: str) -> list[tuple]:
    conn = sqlite3.connect(str(db))
    try:
        return [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]
    finally:
        conn.close()


# --------------------------------------------------------------------------- corpora

def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pii_corpus() -> dict:
    return json.loads(PII_CORPUS.read_text(encoding="utf-8"))


QUESTIONS = [
    "Vous pouvez me raconter comment ça s'est passé ?",
    "Et ensuite, qu'est-ce qui s'est passé ?",
    "Comment avez-vous vécu ce moment ?",
    "Qu'est-ce qui vous a le plus marqué ?",
]
# Verbatims that a spreadsheet would read as formulas if they were not escaped.
FORMULA_VERBATIMS = [
    "=HYPERLINK(\"http://exemple.invalid\";\"cliquez\") le site ne marche pas",
    "+33 c'est l'indicatif qu'ils demandent, mais le formulaire le refuse",
    "-10 % annoncés en magasin, rien sur la facture",
    "@service client : aucune réponse depuis un mois",
    "=1+1 voilà le niveau de leur appli",
]


def seeded_pii_corpus(root: Path, file_names_with_names: bool = False) -> dict:
    """A French corpus (txt, md, vtt, srt, docx transcripts + csv and xlsx verbatims) holding every
    ``pii`` sentence of ``tests/data/pii/corpus.json``, spoken by participants named in a participants
    file, interviewed by the corpus' interviewers (named in corpus.yml).

    Returns ``{"root", "originals": [(kind, text)], "sentences": [ids], "formula_verbatims"}``.
    ``file_names_with_names`` names the transcripts like the demo corpus (``P01_sophie_...``).
    """
    import openpyxl

    data = pii_corpus()
    root.mkdir(parents=True, exist_ok=True)
    people = data["known_people"]  # name -> participant id
    by_id = {pid: name for name, pid in people.items()}
    interviewers = data["extra_names"]
    sentences = [s for s in data["sentences"] if s["group"] == "pii"]
    first = {pid: name.split()[0].lower().replace("é", "e") for pid, name in by_id.items()}
    stem = (lambda pid, what: f"{pid}_{first[pid]}_{what}") if file_names_with_names else (lambda pid, what: f"{pid}_{what}")
    docs = [  # (file name, participant id, writer)
        (stem("P01", "entretien") + ".txt", "P01", "txt"),
        (stem("P01", "suivi") + ".md", "P01", "md"),
        (stem("P02", "entretien") + ".vtt", "P02", "vtt"),
        (stem("P02", "suivi") + ".srt", "P02", "srt"),
        (stem("P03", "entretien") + ".docx", "P03", "docx"),
    ]
    n_docs = len(docs) + 2  # + csv + xlsx verbatims
    parts: list[list[dict]] = [[] for _ in range(n_docs)]
    for i, s in enumerate(sentences):
        parts[i % n_docs].append(s)
    for (name, pid, kind), chunk in zip(docs, parts):
        speaker = by_id[pid]
        turns: list[tuple[str, str]] = []
        for j, s in enumerate(chunk):
            turns.append((interviewers[j % len(interviewers)], QUESTIONS[j % len(QUESTIONS)]))
            turns.append((speaker, s["text"]))
        path = root / name
        if kind == "txt":  # with a form feed and a vertical tab, as PDF and Word exports leave them
            turns.append((interviewers[0], "Et la livraison ?"))
            turns.append((speaker, "Le livreur n'est jamais venu\x0cet personne ne m'a rappelée\x0bde la journée."))
            path.write_text("".join(f"{who}: {text}\n" for who, text in turns), encoding="utf-8")
        elif kind == "md":
            path.write_text("# Entretien de suivi\n\n" + "".join(f"**{who}:** {text}\n\n" for who, text in turns),
                            encoding="utf-8")
        elif kind == "vtt":
            blocks = ["WEBVTT"] + [f"00:{k // 60:02d}:{k % 60:02d}.000 --> 00:{k // 60:02d}:{k % 60:02d}.900\n"
                                   f"<v {who}>{text}</v>" for k, (who, text) in enumerate(turns)]
            path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
        elif kind == "srt":
            blocks = [f"{k + 1}\n00:{k // 60:02d}:{k % 60:02d},000 --> 00:{k // 60:02d}:{k % 60:02d},900\n{who}: {text}"
                      for k, (who, text) in enumerate(turns)]
            path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
        else:
            path.write_bytes(docx_bytes([f"{who}: {text}" for who, text in turns]))
    csv_rows, xlsx_rows = parts[-2], parts[-1]
    with open(root / "verbatims.csv", "w", encoding="utf-8", newline="") as fh:
        import csv

        writer = csv.writer(fh)
        writer.writerow(["respondent_id", "persona", "nps", "verbatim"])
        for k, s in enumerate(csv_rows):
            writer.writerow([f"R{k + 1:03d}", "Actif pressé", k % 11, s["text"]])
        for k, text in enumerate(FORMULA_VERBATIMS):
            writer.writerow([f"F{k + 1:03d}", "Senior attentif", 3, text])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["respondent_id", "persona", "nps", "verbatim"])
    for k, s in enumerate(xlsx_rows):
        sheet.append([f"X{k + 1:03d}", "Étudiant connecté", k % 11, s["text"]])
    book.save(root / "enquete.xlsx")
    with open(root / "participants.csv", "w", encoding="utf-8") as fh:
        fh.write("participant_id,name,persona,document\n")
        for pid, name in by_id.items():
            names = ";".join(n for n, p, _ in docs if p == pid)
            fh.write(f"{pid},{name},Actif pressé,{names}\n")
    (root / "corpus.yml").write_text(textwrap.dedent(f"""\
        version: 1
        language: fr
        participants: participants.csv
        interviewers: {json.dumps(interviewers, ensure_ascii=False)}
        files:
          verbatims.csv: {{text_column: verbatim, id_column: respondent_id, persona_column: persona}}
          enquete.xlsx: {{text_column: verbatim, id_column: respondent_id, persona_column: persona}}
        """), encoding="utf-8")
    originals = [(kind, value) for s in sentences for kind, value in s["pii"]]
    originals += [("PERS", name) for name in list(people) + list(interviewers)]
    return {"root": root, "originals": originals, "sentences": [s["id"] for s in sentences],
            "formula_verbatims": FORMULA_VERBATIMS, "people": people, "interviewers": interviewers}


# --------------------------------------------------------------------------- leak search in files

def file_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) pieces of an export file to search: its raw bytes decoded, every member of a ZIP
    container (xlsx, pptx, qdpx, docx) decoded, and each row (cells joined by `` | ``) and the schema
    metadata of a Parquet file (its pages are compressed, so raw bytes alone prove nothing)."""
    raw = path.read_bytes()
    out = [(path.name, raw.decode("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8", errors="replace"))]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                data = archive.read(info)
                out.append((f"{path.name}!{info.filename}", data.decode("utf-8", errors="replace")))
    if raw[:4] == b"PAR1":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        columns = [column.to_pylist() for column in table.columns]
        for i in range(table.num_rows):
            out.append((f"{path.name} (row {i})", " | ".join(str(c[i]) for c in columns if c[i] is not None)))
        meta = table.schema.metadata or {}
        out.append((path.name + " (schema)", "\n".join(v.decode("utf-8", "replace") for v in meta.values())))
    return out


def _binary(path: Path) -> bool:
    head = path.read_bytes()[:8]
    return head[:4] == b"PAR1" or head.startswith(b"\x89PNG")


def substring_leaks(paths, originals) -> list[tuple[str, str, str]]:
    """(file piece, kind, original) for every seeded original found verbatim in the files (as a whole word;
    names with their capital, other kinds in any case; HTML/XML entities decoded first)."""
    import html
    import re

    patterns = [(kind, value, re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)",
                                         0 if kind == "PERS" else re.IGNORECASE)) for kind, value in originals]
    found = []
    for path in paths:
        for where, text in file_texts(Path(path)):
            hay = html.unescape(text)
            for kind, value, pattern in patterns:
                if pattern.search(hay):
                    found.append((where, kind, value))
    return found


def key_leaks(paths, key_path: Path) -> list[tuple[str, str, str]]:
    """``interviewkit.privacy.scan_for_leaks`` over every piece of the files: (piece, kind, pseudonym)."""
    import html

    from interviewkit.privacy import scan_for_leaks

    pieces = [(where, html.unescape(text)) for path in paths for where, text in file_texts(Path(path))
              if not (where == Path(path).name and _binary(Path(path)))]  # digit runs in binary pages are noise
    leaks = scan_for_leaks([t for _, t in pieces], key_path)
    return [(pieces[leak.index][0], leak.kind, leak.pseudonym) for leak in leaks]
