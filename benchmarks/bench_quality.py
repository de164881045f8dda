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
    contexts = [c or None for c in gold_df["context"]] if "context" in gold_df else None
    out, by_kind = {}, {}
    for profile in PROFILES:
        tagger = JourneyTagger(profile=profile)
        rows = [r.to_row() for r in tagger.tag(gold_df["text"].tolist(), contexts=contexts)]
        pred = pd.concat([gold_df[["gold_id"]].reset_index(drop=True), pd.DataFrame(rows)], axis=1)
        out[profile] = evaluate(gold_df, pred).summary()
        if profile == "fast":
            verbatim = gold_df["source"].eq("verbatims.csv")
            for split in ("dev", "test"):
                for kind, mask in (("survey verbatims", verbatim), ("interview sentences", ~verbatim)):
                    sel = (gold_df["split"] == split) & mask
                    by_kind[f"{split} {kind}"] = dict(evaluate(gold_df[sel], pred[sel]).summary(), rows=int(sel.sum()))
    return {"summaries": out, "by_kind": by_kind, "n": len(gold_df)}


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
    for name, summary in out["by_kind"].items():
        print(f"  fast, {name} ({summary['rows']} rows): " + ", ".join(
            f"{key} {summary[key]:.3f}" for key in HEADLINE if key in summary))
    res.details.update(n_gold=out["n"], summaries=summaries, by_kind=out["by_kind"], peak_rss_mb=out["peak_rss_mb"])
    return res
