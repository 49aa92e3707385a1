#!/usr/bin/python3
"""Experiment analysis: prospect vs pandas + statsmodels + scipy on the same generated data, one run.

Generates an assignment + outcome table (variant 50/50, visit, conversion, spend), writes the raw
arrays for the prospect driver, then times both sides on data already in memory (pandas DataFrame /
prospect Table; loading is not timed on either side). Work on both sides: SRM chi-square; z-test +
Wald CI + relative lift for visit and conversion; Welch t + CI + Mann-Whitney U for spend; Holm over
the three tests. Prints both results, the quality comparison and the time ratio.
"""
import argparse
import json
import os
import platform
import subprocess
import time

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest


def generate(rows, seed=7):
    rng = np.random.default_rng(seed)
    variant = (rng.random(rows) < 0.5).astype(np.uint8)
    visit = rng.random(rows) < np.where(variant == 1, 0.16, 0.15)
    conversion = visit & (rng.random(rows) < np.where(variant == 1, 0.065, 0.06))
    spend = np.where(conversion, rng.gamma(2.0, 50.0, rows), 0.0)
    return pd.DataFrame({"variant": pd.Categorical.from_codes(variant, ["control", "treatment"]),
                         "visit": visit, "conversion": conversion, "spend": spend})


def peer(df):
    out = {}
    counts = df["variant"].value_counts()
    n_c, n_t = int(counts["control"]), int(counts["treatment"])
    chi = stats.chisquare([n_c, n_t])
    out["srm_p"] = float(chi.pvalue)
    is_t = (df["variant"] == "treatment").to_numpy()
    pvals = []
    for m in ["visit", "conversion"]:
        sums = df.groupby("variant", observed=True)[m].sum()
        x_c, x_t = int(sums["control"]), int(sums["treatment"])
        z, p = proportions_ztest([x_t, x_c], [n_t, n_c])
        lo, hi = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="wald", compare="diff")
        out[m] = {"z": float(z), "p": float(p), "ci": [float(lo), float(hi)],
                  "relative": float((x_t / n_t) / (x_c / n_c) - 1)}
        pvals.append(p)
    spend = df["spend"].to_numpy()
    t, c = spend[is_t], spend[~is_t]
    w = stats.ttest_ind(t, c, equal_var=False)
    diff = t.mean() - c.mean()
    vt, vc = t.var(ddof=1) / len(t), c.var(ddof=1) / len(c)
    dof = (vt + vc) ** 2 / (vt**2 / (len(t) - 1) + vc**2 / (len(c) - 1))
    q = stats.t.ppf(0.975, dof)
    mw = stats.mannwhitneyu(t, c, alternative="two-sided")
    out["spend"] = {"t": float(w.statistic), "p": float(w.pvalue),
                    "ci": [float(diff - q * np.sqrt(vt + vc)), float(diff + q * np.sqrt(vt + vc))],
                    "mw_u": float(mw.statistic), "mw_p": float(mw.pvalue)}
    pvals.append(w.pvalue)
    out["holm"] = multipletests(pvals, method="holm")[1].tolist()
    return out


def mw_reference(t, c):
    """Mann-Whitney as scipy computes it, but with the tie term in float64: scipy 1.10's _tie_term
    computes t**3 in int64, which overflows when more than 2,097,151 values tie (here: the zeros)."""
    n1, n2 = len(t), len(c)
    allv = np.concatenate([t, c])
    ranks = stats.rankdata(allv)
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    _, cnt = np.unique(allv, return_counts=True)
    cnt = cnt.astype(np.float64)
    tie = (cnt**3 - cnt).sum()
    n = n1 + n2
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1))))
    z = (max(u1, n1 * n2 - u1) - n1 * n2 / 2 - 0.5) / s
    return float(u1), float(min(1.0, 2 * stats.norm.sf(z)))


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    df = generate(args.rows)
    df["variant"].cat.codes.to_numpy().astype(np.uint8).tofile(os.path.join(args.dir, "variant.u8"))
    df["visit"].to_numpy().astype(np.uint8).tofile(os.path.join(args.dir, "visit.u8"))
    df["conversion"].to_numpy().astype(np.uint8).tofile(os.path.join(args.dir, "conversion.u8"))
    df["spend"].to_numpy().astype(np.float64).tofile(os.path.join(args.dir, "spend.f64"))

    peer_time = 1e300
    for _ in range(args.repeats):
        start = time.perf_counter()
        ref = peer(df)
        peer_time = min(peer_time, time.perf_counter() - start)

    run = subprocess.run([args.driver, args.dir, str(args.repeats)], check=True, capture_output=True, text=True)
    ours = json.loads(run.stdout)
    a = ours["analysis"]
    comp = {m["metric"]: m["comparisons"][0] for m in a["metrics"]}

    is_t = (df["variant"] == "treatment").to_numpy()
    spend = df["spend"].to_numpy()
    mw_u, mw_p = mw_reference(spend[is_t], spend[~is_t])

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}, "
          f"pandas {pd.__version__}, statsmodels {statsmodels.__version__}, scipy {scipy.__version__}")
    print(f"rows: {args.rows:,} (2 variants, 3 metrics); best of {args.repeats}; data in memory on both sides; "
          f"prospect on {ours['threads']} thread")
    print(f"{'quantity':34s} {'prospect':>24s} {'pandas+statsmodels':>24s} {'rel diff':>10s}")
    rows = [("SRM chi-square p", a["srm"]["p_value"], ref["srm_p"])]
    for m in ["visit", "conversion"]:
        rows += [(f"{m} z-test p", comp[m]["p_value"], ref[m]["p"]),
                 (f"{m} lift CI low", comp[m]["absolute_ci"][0], ref[m]["ci"][0]),
                 (f"{m} lift CI high", comp[m]["absolute_ci"][1], ref[m]["ci"][1]),
                 (f"{m} relative lift", comp[m]["relative_lift"], ref[m]["relative"])]
    rows += [("spend Welch t", comp["spend"]["statistic"], ref["spend"]["t"]),
             ("spend Welch p", comp["spend"]["p_value"], ref["spend"]["p"]),
             ("spend lift CI low", comp["spend"]["absolute_ci"][0], ref["spend"]["ci"][0]),
             ("spend Mann-Whitney U", comp["spend"]["mann_whitney"]["u"], ref["spend"]["mw_u"]),
             ("spend MW p (vs float64 tie term)", comp["spend"]["mann_whitney"]["p_value"], mw_p)]
    for name, x, y in rows:
        print(f"{name:34s} {x:>24.12g} {y:>24.12g} {rel(x, y):>10.1e}")
    print(f"{'spend MW p as scipy returns it':34s} {'':>24s} {ref['spend']['mw_p']:>24.12g}   (int64 tie-term overflow)")
    worst = max(rel(x, y) for _, x, y in rows)
    print(f"worst relative difference: {worst:.1e}")
    print(f"time: prospect {ours['seconds']:.3f} s, pandas+statsmodels+scipy {peer_time:.3f} s, "
          f"ratio {peer_time / ours['seconds']:.1f}x")


if __name__ == "__main__":
    main()
