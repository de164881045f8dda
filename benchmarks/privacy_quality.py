"""Measured quality of interviewkit.privacy on the seeded corpus (run on demand).

    python benchmarks/privacy_quality.py                      # fr_core_news_sm and fr_core_news_md
    python benchmarks/privacy_quality.py --model fr_core_news_md --details
    python benchmarks/privacy_quality.py --model none         # rules, known names and first-name list only
    python benchmarks/privacy_quality.py --corpus my_corpus.json

Prints, per kind: gold spans, recall (gold spans fully covered by a detection of
that kind), precision (detections touching a gold span of their kind), leaked
(gold spans with a character covered by no detection at all) and fp_tricky
(detections in the sentences without personal data), then the known limits
(corpus group "limits", not counted above) and the speed of pseudonymise_many.
The corpus is fictional, so --details may print the missed strings.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from interviewkit.privacy import Pseudonymiser
from interviewkit.privacy.quality import evaluate, load_corpus

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii" / "corpus.json"


def run(model: str, corpus_path: Path, details: bool) -> None:
    import pandas as pd

    pd.set_option("display.width", 160)
    corpus = load_corpus(corpus_path)
    if model == "none":
        nlp = False
    else:
        import spacy

        nlp = spacy.load(model)
    texts = [s["text"] for s in corpus["sentences"]]

    def make() -> Pseudonymiser:
        return Pseudonymiser(None, nlp=nlp, known_people=corpus.get("known_people"),
                             extra_names=corpus.get("extra_names", ()))

    detections = make().detect_many(texts)
    table, problems = evaluate(corpus, detections)
    limits, limit_problems = evaluate(corpus, detections, groups=("limits",))
    n_pii = sum(s["group"] == "pii" for s in corpus["sentences"])
    n_tricky = sum(s["group"] == "tricky" for s in corpus["sentences"])
    print(f"\n=== model: {model}   corpus: {corpus_path.name} ({n_pii} sentences with personal data, "
          f"{n_tricky} tricky sentences without)")
    print(table.to_string(index=False))
    structured = table[table["kind"].isin(["EMAIL", "TEL", "IBAN", "CARTE", "PLAQUE", "NIR"])]
    print(f"structured kinds recall: {structured['recalled'].sum() / structured['gold'].sum():.3f}   "
          f"all kinds precision: {table['true_positive'].sum() / table['detected'].sum():.3f}   "
          f"false alarms on tricky sentences: {int(table['fp_tricky'].sum())}")
    found_limits = limits[limits["gold"] > 0]
    print(f"known limits (not counted): {int(found_limits['recalled'].sum())}/{int(found_limits['gold'].sum())} found")
    if details:
        sentences = {s["id"]: s["text"] for s in corpus["sentences"]}
        for p in problems + limit_problems:
            text = sentences[p["id"]]
            print(f"  {p['id']:<11} {p['problem']:<11} {p['kind']:<8} {text[p['start']:p['end']]!r:<40} | {text[:70]}")
    many = texts * max(1, 2000 // len(texts))
    pseudonymiser = make()
    start = time.perf_counter()
    pseudonymiser.pseudonymise_many(many)
    elapsed = time.perf_counter() - start
    print(f"speed: {len(many) / elapsed:,.0f} sentences/s with pseudonymise_many ({len(many)} sentences)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append",
                        help="spaCy pipeline name, or 'none' (repeatable; default: fr_core_news_sm and fr_core_news_md)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--details", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    for model in args.model or ["fr_core_news_sm", "fr_core_news_md"]:
        run(model, args.corpus, args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
