"""Tagging quality of each profile on the gold file (corpora/gold/gold_segments.csv), with
``interviewkit.evaluation.evaluate``: what the faster profiles cost in quality."""
from __future__ import annotations

from pathlib import Path

from .harness import ROOT, Result, child

GOLD = ROOT / "corpora" / "gold" / "gold_segments.csv"
PROFILES = ("full", "fast", "lookup")
HEADLINE = ("stage_macro_f1", "channel_macro_f1", "emotion_macro_f1", "irritant_f1", "moments_macro_f1",
            "lane_macro_f1", "valence_mae")


def step_quality(gold: str) -> dict:
    import pandas as pd

    from interviewkit.evaluation import evaluate
    from interviewkit.tagging import JourneyTagger

    gold_df = pd.read_csv(gold, dtype=str, keep_default_na=False)
    out = {}
    for profile in PROFILES:
        tagger = JourneyTagger(profile=profile)
        rows = [r.to_row() for r in tagger.tag(gold_df["text"].tolist())]
        pred = pd.concat([gold_df[["gold_id"]].reset_index(drop=True), pd.DataFrame(rows)], axis=1)
        out[profile] = evaluate(gold_df, pred).summary()
    return {"summaries": out, "n": len(gold_df)}


def run(quick: bool, workdir: Path) -> Result:
    res = Result("quality")
    if not GOLD.exists():
        res.skipped = f"gold file {GOLD} not found"
        return res
    out = child("benchmarks.bench_quality:step_quality", gold=str(GOLD))
    summaries = out["summaries"]
    full = summaries["full"]
    for profile in ("fast", "lookup"):
        for key in HEADLINE:
            if key in full and key in summaries[profile]:
                res.add(f"{profile}: {key}", summaries[profile][key], "", full[key], "full profile",
                        note=f"change {summaries[profile][key] - full[key]:+.3f}" if key == "stage_macro_f1" else "")
    res.details.update(n_gold=out["n"], summaries=summaries, peak_rss_mb=out["peak_rss_mb"])
    return res
