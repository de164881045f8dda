"""Deterministic scale corpus: any number of words of French customer speech, built from the demo corpus.

The sentences of ``corpora/demo`` (interview answers, interviewer questions, survey verbatims) are cut
into clauses and recombined (a clause of one answer + a clause of another), with spoken fillers, new
durations and amounts, so that texts are varied (few exact repeats: a parse cache must not make the
benchmark optimistic) while reading like the demo corpus. Personas set the length and style of answers.
The same ``seed`` and ``words`` always give the same files.

    python -m benchmarks.corpus --words 1000000 --kind csv --out /tmp/scale        # verbatims.csv
    python -m benchmarks.corpus --words 200000 --kind transcripts --out /tmp/scale  # P0001.txt ... + corpus.yml
"""
from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "demo"

_SENT = re.compile(r"(?<=[.!?…])\s+(?=[\"«A-ZÀ-ÖØ-Ý])")
_CLAUSE = re.compile(r",\s+")
_QUANTITY = re.compile(
    r"\b(\d+|deux|trois|quatre|cinq|six|sept|huit|dix|quinze|vingt|trente|quarante|cinquante)\s+"
    r"(minutes|heures|jours|semaines|mois|euros|fois)\b")
NUMBERS = ["deux", "trois", "quatre", "cinq", "six", "huit", "dix", "douze", "quinze", "vingt", "trente",
           "quarante", "cinquante", "3", "4", "7", "12", "20", "45", "90"]
FILLERS = ["Alors", "Bah", "Euh", "En fait", "Du coup", "Franchement", "Bon", "Et puis", "Mais bon",
           "Honnêtement", "Voilà", "Enfin", "Ben", "Après"]
CONNECTORS = [", et", ", mais", ", du coup", ", parce que", ", alors que", ", et en plus", ", sauf que"]
SERVICES = ["assurance auto", "banque", "fournisseur internet", "e-commerce", "énergie", "mutuelle", "garage",
            "opérateur mobile", "transport ferroviaire", "magasin de bricolage"]
FIRST_NAMES = ["Sophie", "Marc", "Jeanne", "Karim", "Lucie", "Gérard", "Nadia", "Thomas", "Monique", "Élodie",
               "Antoine", "Yvette", "Julien", "Camille", "Rachid", "Inès", "Bernard", "Chloé", "Hélène", "Mehdi"]
INTERVIEWERS = ["Claire Vidal", "Hugo Martin"]


@dataclass(frozen=True)
class Persona:
    name: str
    turn_sentences: tuple[int, int]      # participant turn length range (sentences)
    verbatim_sentences: tuple[int, int]  # survey answer length range
    filler_rate: float


PERSONAS = [
    Persona("Actif pressé", (1, 5), (1, 3), 0.15),
    Persona("Senior attentif", (2, 9), (1, 5), 0.10),
    Persona("Étudiant connecté", (1, 4), (1, 2), 0.30),
    Persona("Parent organisé", (2, 6), (1, 4), 0.20),
]


@dataclass
class Pools:
    answers: list[str]
    questions: list[str]
    verbatims: list[str]
    clauses: list[str]


_LEAD = re.compile(r"^(et|mais|donc|alors|puis|parce que|sauf que|bah|euh)\b[\s,…]*", re.IGNORECASE)


def _bare(clause: str) -> str:
    """A clause without its leading conjunction or filler, lower-cased, to follow a connector."""
    clause = _LEAD.sub("", clause).strip() or clause
    return clause[0].lower() + clause[1:]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(" ".join(text.split())) if len(s.split()) >= 3]


@lru_cache(maxsize=1)
def load_pools(demo: Path = DEMO) -> Pools:
    """Sentences of the demo corpus, by kind (sorted, so the pools do not depend on file order)."""
    from interviewkit.io import read_document
    from interviewkit.io.manifest import load_manifest
    from interviewkit.io.model import VERBATIMS, ReadOptions

    manifest = load_manifest(demo)
    interviewers = set(manifest.interviewers if manifest else INTERVIEWERS)
    answers: set[str] = set()
    questions: set[str] = set()
    verbatims: set[str] = set()
    for path in sorted(demo.iterdir()):
        if path.name in ("README.md", "corpus.yml", "participants.csv") or path.is_dir():
            continue
        options = manifest.options_for(path, ReadOptions()) if manifest else ReadOptions()
        doc = read_document(path, options)
        for turn in doc.turns:
            target = verbatims if doc.kind == VERBATIMS else (
                questions if turn.speaker in interviewers else answers)
            target.update(_sentences(turn.text))
    clauses = sorted({c.strip(" .!?…") for s in answers | verbatims for c in _CLAUSE.split(s)
                      if len(c.split()) >= 4})
    return Pools(sorted(answers), sorted(questions), sorted(verbatims), clauses)


class SpeechGenerator:
    """Recombined French customer sentences (seeded)."""

    def __init__(self, seed: int = 0, pools: Pools | None = None) -> None:
        self.rng = random.Random(seed)
        self.pools = pools or load_pools()

    def _mutate(self, sentence: str) -> str:
        rng = self.rng
        sentence = _QUANTITY.sub(lambda m: f"{rng.choice(NUMBERS)} {m.group(2)}", sentence)
        return sentence

    def _finish(self, text: str) -> str:
        text = text.strip()
        if text and text[-1] not in ".!?…":
            text += self.rng.choice([".", ".", ".", " !", "…"])
        return text[0].upper() + text[1:] if text else text

    def sentence(self, source: list[str], filler_rate: float = 0.2) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            text = rng.choice(source)
        elif roll < 0.7:
            a, b = rng.choice(self.pools.clauses), _bare(rng.choice(self.pools.clauses))
            text = f"{a}{rng.choice(CONNECTORS)} {b}"
        else:
            a = rng.choice(source)
            b = _bare(rng.choice(self.pools.clauses))
            text = f"{a.rstrip(' .!?…')}, {b}"
        text = self._mutate(text)
        if rng.random() < filler_rate:
            text = f"{rng.choice(FILLERS)}, {text[0].lower() + text[1:]}"
        return self._finish(text)

    def answer(self, persona: Persona) -> str:
        n = self.rng.randint(*persona.turn_sentences)
        return " ".join(self.sentence(self.pools.answers, persona.filler_rate) for _ in range(n))

    def verbatim(self, persona: Persona) -> str:
        n = self.rng.randint(*persona.verbatim_sentences)
        src = self.pools.verbatims if self.rng.random() < 0.7 else self.pools.answers
        return " ".join(self.sentence(src, persona.filler_rate) for _ in range(n))

    def question(self) -> str:
        n = 1 if self.rng.random() < 0.7 else 2
        return " ".join(self.rng.choice(self.pools.questions) for _ in range(n))


def words_of(text: str) -> int:
    return len(text.split())


def verbatim_rows(words: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """Survey rows (respondent_id, date, persona, service, nps, verbatim) until ``words`` words are written."""
    gen = SpeechGenerator(seed)
    rng = gen.rng
    total, i = 0, 0
    while total < words:
        i += 1
        persona = rng.choice(PERSONAS)
        text = gen.verbatim(persona)
        total += words_of(text)
        yield {"respondent_id": f"R{i:07d}", "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               "persona": persona.name, "service": rng.choice(SERVICES), "nps": str(rng.randint(0, 10)),
               "verbatim": text}


def write_verbatims(words: int, out: Path, seed: int = 0) -> dict[str, object]:
    """A verbatims CSV (one document) of about ``words`` words, written row by row."""
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = total = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["respondent_id", "date", "persona", "service", "nps", "verbatim"])
        writer.writeheader()
        for row in verbatim_rows(words, seed):
            writer.writerow(row)
            rows += 1
            total += words_of(row["verbatim"])
    return {"path": str(out), "rows": rows, "words": total}


def write_transcripts(words: int, out: Path, seed: int = 0, interview_words: tuple[int, int] = (3000, 9000)
                      ) -> dict[str, object]:
    """Plain-text interviews (``Name: text`` turns) of about ``words`` words in all, with participants.csv
    and corpus.yml (interviewers, participants file), ready for ``interviewkit ingest``."""
    out.mkdir(parents=True, exist_ok=True)
    gen = SpeechGenerator(seed)
    rng = gen.rng
    total, n = 0, 0
    participants = []
    while total < words:
        n += 1
        persona = rng.choice(PERSONAS)
        first = rng.choice(FIRST_NAMES)
        interviewer = rng.choice(INTERVIEWERS)
        pid = f"P{n:04d}"
        target = min(rng.randint(*interview_words), max(200, words - total))
        lines, written = [], 0
        while written < target:
            q, a = gen.question(), gen.answer(persona)
            lines += [f"{interviewer}: {q}", f"{first}: {a}"]
            written += words_of(q) + words_of(a)
        (out / f"{pid}_entretien.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        participants.append((pid, f"{first} Test{n}", persona.name, f"{pid}_entretien.txt"))
        total += written
    with open(out / "participants.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["participant_id", "name", "persona", "document"])
        w.writerows(participants)
    (out / "corpus.yml").write_text(
        "version: 1\nlanguage: fr\nparticipants: participants.csv\n"
        f"interviewers: [{', '.join(repr(i) for i in INTERVIEWERS)}]\n", encoding="utf-8")
    return {"path": str(out), "interviews": n, "words": total}


def segment_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` customer sentences (for tagging benchmarks that need texts, not files)."""
    gen = SpeechGenerator(seed)
    personas = PERSONAS
    return [gen.sentence(gen.pools.answers if i % 3 else gen.pools.verbatims,
                         personas[i % len(personas)].filler_rate) for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--kind", choices=["csv", "transcripts", "both"], default="csv")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.kind in ("csv", "both"):
        print(write_verbatims(args.words, args.out / "verbatims.csv", args.seed))
    if args.kind in ("transcripts", "both"):
        print(write_transcripts(args.words, args.out / "transcripts", args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
