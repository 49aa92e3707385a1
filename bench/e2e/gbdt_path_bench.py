#!/usr/bin/python3
"""The whole path CSV → features → GBDT → scores, prospect CLI against pandas + xgboost, in one run.

prospect: `init`, `ingest` (typed columnar load into the store), `train --model gbdt`
(feature pipeline: one-hot categoricals, imputation; stratified 80/20 split; XGBoost hist), and
`score` of every row to a CSV. The peer: pandas.read_csv, get_dummies, train_test_split
(stratified 80/20), xgboost.train (hist) and predict of every row, written with DataFrame.to_csv.
Both use the same booster parameters (200 rounds, eta 0.1, depth 6, no early stopping, so both fit
on the whole training part) and 2 threads.
Wall seconds of each step and held-out ROC-AUC of each side are printed, for each of --repeats
interleaved runs (prospect, then pandas, in each), then the "outside training" totals: prospect
init + ingest + score against pandas read + features + score, each side's best run by that sum,
with the training step of the same run beside it. A probe then trains with 1 boosting round on both
sides (best of --repeats), to show how much of prospect's train step is not boosting.
"""
import json
import os
import shutil
import subprocess
import time

import numpy as np
import pandas as pd
import xgboost
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from bench_args import peer_parser


def run(cmd):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return out, time.perf_counter() - t0


def train_cmd(p, rounds, name):
    params = ["--param", f"n_estimators={rounds}", "--param", "learning_rate=0.1", "--param", "max_depth=6",
              "--param", "early_stopping_rounds=0"]
    return p + ["--json", "train", "--table", "bank", "--target", "y", "--positive", "yes",
                "--exclude", "duration", "--model", "gbdt", "--name", name] + params


def prospect_path(args, run_no):
    ws = os.path.join(args.work, f"ws{run_no}")
    shutil.rmtree(ws, ignore_errors=True)
    p = [args.prospect, "--workspace", ws, "--threads", str(args.threads), "--quiet"]
    times = {}
    _, times["init"] = run([args.prospect, "init", ws, "--quiet"])
    _, times["ingest"] = run(p + ["ingest", "bank", args.csv, "--delimiter", ";"])
    out, times["train"] = run(train_cmd(p, args.rounds, "bank_gbdt"))
    auc = json.loads(out)["metrics"]["roc_auc"]
    _, times["score"] = run(p + ["score", "bank_gbdt", "--table", "bank", "--out", os.path.join(args.work, "p.csv")])
    # Probe (not part of the path): the same train with 1 boosting round.
    _, probe = run(train_cmd(p, 1, "bank_gbdt_probe"))
    return times, auc, probe, ws


def peer_path(args):
    peer = {}
    t0 = time.perf_counter()
    df = pd.read_csv(args.csv, sep=";")
    peer["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    y = (df["y"] == "yes").astype(float).to_numpy()
    feats = df.drop(columns=["y", "duration"])
    cats = [c for c in feats.columns if feats[c].dtype == object]
    X = pd.get_dummies(feats, columns=cats, dtype=float).to_numpy(dtype=np.float32)
    xtr, xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
    peer["features"] = time.perf_counter() - t0
    params = {"objective": "binary:logistic", "eta": 0.1, "max_depth": 6, "tree_method": "hist",
              "max_bin": 256, "nthread": args.threads, "seed": 42}
    t0 = time.perf_counter()
    booster = xgboost.train(params, xgboost.DMatrix(xtr, label=ytr), num_boost_round=args.rounds)
    peer["train"] = time.perf_counter() - t0
    auc = roc_auc_score(yte, booster.predict(xgboost.DMatrix(xte)))
    t0 = time.perf_counter()
    scores = booster.predict(xgboost.DMatrix(X))
    pd.DataFrame({"row": np.arange(1, len(scores) + 1), "score": scores}).to_csv(os.path.join(args.work, "q.csv"), index=False)
    peer["score"] = time.perf_counter() - t0
    # Probe (not part of the path): xgboost.train with 1 boosting round.
    t0 = time.perf_counter()
    xgboost.train(params, xgboost.DMatrix(xtr, label=ytr), num_boost_round=1)
    probe = time.perf_counter() - t0
    return peer, auc, probe


def steps(d):
    return ", ".join(f"{k} {v:.2f}" for k, v in d.items())


def main():
    ap = peer_parser("--prospect", "--csv")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3, help="interleaved runs of the whole path on each side")
    args = ap.parse_args()
    load_before = open("/proc/loadavg").read().split()[:3]
    print(f"# {args.csv}; {os.cpu_count()} cores, load {os.getloadavg()}; xgboost {xgboost.__version__}; "
          f"pandas {pd.__version__}; {args.threads} threads each; {args.repeats} interleaved runs")
    prospect_runs, peer_runs = [], []
    for r in range(args.repeats):
        times, prospect_auc, p_probe, ws = prospect_path(args, r)
        prospect_runs.append((times, prospect_auc, p_probe))
        shutil.rmtree(ws, ignore_errors=True)
        peer, peer_auc, q_probe = peer_path(args)
        peer_runs.append((peer, peer_auc, q_probe))

    # The table of before (one row per side): each side's run with the best total.
    p_times, prospect_auc, _ = min(prospect_runs, key=lambda x: sum(x[0].values()))
    peer, peer_auc, _ = min(peer_runs, key=lambda x: sum(x[0].values()))
    prospect_total, peer_total = sum(p_times.values()), sum(peer.values())
    print(f"Best total of {args.repeats} runs, each side:")
    print("| side | steps (wall s) | total s | held-out ROC-AUC |")
    print("|---|---|---|---|")
    print(f"| prospect CLI | {steps(p_times)} | {prospect_total:.2f} | {prospect_auc:.4f} |")
    print(f"| pandas + xgboost | {steps(peer)} | {peer_total:.2f} | {peer_auc:.4f} |")
    print(f"# ratio peer/prospect: {peer_total / prospect_total:.2f}x; load after {os.getloadavg()}")
    print()
    print("All runs, in the order run (prospect, then pandas, in each):")
    print("| run | side | steps (wall s) | total s | held-out ROC-AUC |")
    print("|---|---|---|---|---|")
    for r in range(args.repeats):
        times, p_auc, _ = prospect_runs[r]
        q_times, q_auc, _ = peer_runs[r]
        print(f"| {r + 1} | prospect CLI | {steps(times)} | {sum(times.values()):.2f} | {p_auc:.4f} |")
        print(f"| {r + 1} | pandas + xgboost | {steps(q_times)} | {sum(q_times.values()):.2f} | {q_auc:.4f} |")

    # Outside training: each side's run with the smallest sum of its non-training steps.
    def outside(d):
        return sum(v for k, v in d.items() if k != "train")
    p_best = min((t for t, _, _ in prospect_runs), key=outside)
    q_best = min((t for t, _, _ in peer_runs), key=outside)
    p_out, q_out = outside(p_best), outside(q_best)
    print()
    print(f"Outside training (each side's run with the smallest sum of its other steps, of {args.repeats}; "
          f"training of that same run beside it):")
    print("| side | steps outside training (wall s) | outside training s | train s (same run) | "
          "best train s of all runs |")
    print("|---|---|---|---|---|")
    print(f"| prospect CLI | {steps({k: v for k, v in p_best.items() if k != 'train'})} | {p_out:.3f} | "
          f"{p_best['train']:.2f} | {min(t['train'] for t, _, _ in prospect_runs):.2f} |")
    print(f"| pandas + xgboost | read_csv {q_best['read']:.2f}, features (get_dummies + split) "
          f"{q_best['features']:.2f}, score (predict + to_csv) {q_best['score']:.2f} | {q_out:.3f} | "
          f"{q_best['train']:.2f} | {min(t['train'] for t, _, _ in peer_runs):.2f} |")
    best_p_train = min(t["train"] for t, _, _ in prospect_runs)
    best_q_train = min(t["train"] for t, _, _ in peer_runs)
    print(f"# outside training, pandas/prospect: **{q_out / p_out:.2f}x** ({q_out:.3f} s vs {p_out:.3f} s); "
          f"training alone, pandas/prospect (best of each): {best_q_train / best_p_train:.2f}x "
          f"({best_q_train:.2f} s vs {best_p_train:.2f} s)")
    p_probe = min(pr for _, _, pr in prospect_runs)
    q_probe = min(pr for _, _, pr in peer_runs)
    print(f"# probe, train with 1 boosting round (best of {args.repeats}): prospect `train` {p_probe:.3f} s, "
          f"xgboost.train {q_probe:.3f} s")
    print("# notes: prospect's train step is a whole CLI process: it loads the table from the store, fits the "
          "pipeline (one-hot, imputation) and splits 80/20 (work pandas counts under 'features'), then boosts, "
          "scores the held-out rows for its metrics (pandas' held-out predict is not timed) and registers the "
          "model; the 1-round probe above bounds that non-boosting part. prospect's score step loads the table "
          "and the model again and runs the pipeline before predicting. prospect's init is counted outside "
          "training; pandas' features include train_test_split (a few ms).")
    print(json.dumps({"prospect_runs": [{"steps": t, "auc": a, "probe_1_round": pr} for t, a, pr in prospect_runs],
                      "pandas_runs": [{"steps": t, "auc": a, "probe_1_round": pr} for t, a, pr in peer_runs],
                      "outside_training": {"prospect": p_out, "pandas": q_out, "ratio": q_out / p_out},
                      "load_before": load_before, "load_after": open("/proc/loadavg").read().split()[:3]}))


if __name__ == "__main__":
    main()
