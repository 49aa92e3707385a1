#!/usr/bin/python3
"""Drift: prospect vs a scipy loop doing Evidently's default tests, on the same data, one run.

Generates a reference and a current table (ROWS rows each; 150 numeric columns, 30 of them with
few integer values, and 50 categorical ones with 10 categories; drift planted in 20 numeric and 5
categorical columns), writes them column by column for the prospect driver, then times both sides
on data already in memory (pandas / prospect Table; loading is not timed on either side). Work on
both sides, per column: Evidently's choice of test for a reference of more than 1,000 rows
(Wasserstein distance over the reference's standard deviation for numbers with more than 5
values, else the Jensen-Shannon distance of Evidently's binning) and the PSI of that binning;
then the data set's drift share. The peer restates Evidently 0.4's functions
(evidently/calculations/stattests/*.py, not a Debian package); its binning is the one
tests/fixtures/monitor/make_drift_fixtures.py restates.
Prints both sides' statistics compared column by column, the drift flags' agreement and the time
ratio.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial import distance

# Evidently's binning as the drift fixtures restate it: one restatement for tests and benchmark.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "fixtures", "monitor"))
from make_drift_fixtures import binned  # noqa: E402

NUM, FEW, CAT = 150, 30, 50


def generate(rows, seed=11):
    rng = np.random.default_rng(seed)
    ref, cur = {}, {}
    for j in range(NUM):
        shift = 0.2 if j % 7 == 0 and len([k for k in range(j) if k % 7 == 0]) < 20 else 0.0
        if j < NUM - FEW:
            mu, sd = rng.uniform(-5, 5), rng.uniform(0.5, 3)
            ref[f"x{j}"] = rng.normal(mu, sd, rows)
            cur[f"x{j}"] = rng.normal(mu + shift * sd, sd, rows)
        else:
            lam = rng.uniform(1, 4)
            ref[f"x{j}"] = rng.poisson(lam, rows).astype(float)
            cur[f"x{j}"] = rng.poisson(lam * (1 + shift), rows).astype(float)
    for j in range(CAT):
        p = rng.dirichlet(np.ones(10))
        q = rng.dirichlet(np.ones(10)) * 0.3 + p * 0.7 if j < 5 else p
        ref[f"c{j}"] = rng.choice(10, rows, p=p).astype(np.int32)
        cur[f"c{j}"] = rng.choice(10, rows, p=q / q.sum()).astype(np.int32)
    return pd.DataFrame(ref), pd.DataFrame(cur)


def peer(ref_df, cur_df):
    out = {}
    for name in ref_df.columns:
        ref, cur = ref_df[name], cur_df[name]
        numeric = name.startswith("x")
        n_values = pd.concat([ref, cur]).nunique()  # registry._get_default_stattest
        r, c = binned(ref, cur, numeric)
        psi = float(np.sum((r - c) * np.log(r / c)))
        if numeric and n_values > 5:
            value = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
            method = "wasserstein"
        else:
            value = distance.jensenshannon(r, c)
            method = "jensenshannon"
        out[name] = {"method": method, "value": float(value), "drifted": bool(value >= 0.1),
                     "psi": psi}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    ref, cur = generate(args.rows)
    for side, df in (("reference", ref), ("current", cur)):
        np.concatenate([df[f"x{j}"].to_numpy() for j in range(NUM)]).tofile(
            os.path.join(args.dir, f"{side}_num.f64"))
        np.concatenate([df[f"c{j}"].to_numpy() for j in range(CAT)]).tofile(
            os.path.join(args.dir, f"{side}_cat.i32"))

    start = time.perf_counter()
    theirs = peer(ref, cur)
    peer_time = time.perf_counter() - start

    run = subprocess.run([args.driver, args.dir, str(args.rows), str(NUM), str(CAT),
                          str(args.threads)], check=True, capture_output=True, text=True)
    ours = json.loads(run.stdout)
    mine = {c["column"]: c for c in ours["report"]["columns"]}

    worst = {"wasserstein": 0.0, "jensenshannon": 0.0, "psi": 0.0}
    same_method = same_flag = 0
    for name, t in theirs.items():
        m = mine[name]
        same_method += m["method"] == t["method"]
        same_flag += m["drifted"] == t["drifted"]
        worst[t["method"]] = max(worst[t["method"]], abs(m["value"] - t["value"]))
        worst["psi"] = max(worst["psi"], abs(m["psi"] - t["psi"]))
    n = len(theirs)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; python "
          f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, scipy "
          f"{scipy.__version__}")
    print(f"rows: {args.rows:,} reference + {args.rows:,} current, {n} columns ({NUM} numeric, "
          f"{CAT} categorical); data in memory on both sides; prospect on {ours['threads']} "
          f"threads, the peer on 1")
    print(f"same test chosen: {same_method}/{n}; same drift verdict: {same_flag}/{n}; drifted "
          f"columns: prospect {ours['report']['drifted_columns']}, peer "
          f"{sum(t['drifted'] for t in theirs.values())}")
    print(f"exact summaries (every value kept): {ours['exact_columns']}/{n} columns; the rest are "
          f"sketches (values rounded to 12 significant bits)")
    for k, v in worst.items():
        print(f"max |prospect - peer| {k:14s} {v:.2e}")
    print(f"time: prospect {ours['seconds']:.2f} s, scipy loop {peer_time:.2f} s, ratio "
          f"{peer_time / ours['seconds']:.1f}x")


if __name__ == "__main__":
    main()
