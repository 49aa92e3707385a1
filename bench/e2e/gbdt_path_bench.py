#!/usr/bin/python3
"""The whole path CSV → features → GBDT → scores, prospect CLI against pandas + xgboost, in one run.

prospect: `init`, `ingest` (typed columnar load into the SQLite store), `train --model gbdt`
(feature pipeline: one-hot categoricals, imputation; stratified 80/20 split; XGBoost hist), and
`score` of every row to a CSV. The peer: pandas.read_csv, get_dummies, train_test_split
(stratified 80/20), xgboost.train (hist) and predict of every row, written with DataFrame.to_csv.
Both use the same booster parameters (200 rounds, eta 0.1, depth 6, no early stopping, so both fit
on the whole training part) and 2 threads.
Wall seconds of each step and held-out ROC-AUC of each side are printed.
"""
import json
import os
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


def main():
    ap = peer_parser("--prospect", "--csv")
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    print(f"# {args.csv}; {os.cpu_count()} cores, load {os.getloadavg()}; xgboost {xgboost.__version__}")
    ws = os.path.join(args.work, "ws")
    p = [args.prospect, "--workspace", ws, "--threads", str(args.threads), "--quiet"]
    times = {}
    _, times["init"] = run([args.prospect, "init", ws, "--quiet"])
    _, times["ingest"] = run(p + ["ingest", "bank", args.csv, "--delimiter", ";"])
    params = ["--param", f"n_estimators={args.rounds}", "--param", "learning_rate=0.1", "--param", "max_depth=6",
              "--param", "early_stopping_rounds=0"]
    out, times["train"] = run(p + ["--json", "train", "--table", "bank", "--target", "y", "--positive", "yes",
                                   "--exclude", "duration", "--model", "gbdt", "--name", "bank_gbdt"] + params)
    prospect_auc = json.loads(out)["metrics"]["roc_auc"]
    _, times["score"] = run(p + ["score", "bank_gbdt", "--table", "bank", "--out", os.path.join(args.work, "p.csv")])
    prospect_total = sum(times.values())

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
    t0 = time.perf_counter()
    booster = xgboost.train({"objective": "binary:logistic", "eta": 0.1, "max_depth": 6, "tree_method": "hist",
                             "max_bin": 256, "nthread": args.threads, "seed": 42},
                            xgboost.DMatrix(xtr, label=ytr), num_boost_round=args.rounds)
    peer["train"] = time.perf_counter() - t0
    peer_auc = roc_auc_score(yte, booster.predict(xgboost.DMatrix(xte)))
    t0 = time.perf_counter()
    scores = booster.predict(xgboost.DMatrix(X))
    pd.DataFrame({"row": np.arange(1, len(scores) + 1), "score": scores}).to_csv(os.path.join(args.work, "q.csv"), index=False)
    peer["score"] = time.perf_counter() - t0
    peer_total = sum(peer.values())
    print("| side | steps (wall s) | total s | held-out ROC-AUC |")
    print("|---|---|---|---|")
    print(f"| prospect CLI | " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()) + f" | {prospect_total:.2f} | {prospect_auc:.4f} |")
    print(f"| pandas + xgboost | " + ", ".join(f"{k} {v:.2f}" for k, v in peer.items()) + f" | {peer_total:.2f} | {peer_auc:.4f} |")
    print(f"# ratio peer/prospect: {peer_total / prospect_total:.2f}x; load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
