#!/usr/bin/python3
"""`prospect evaluate` vs scikit-learn.metrics on the same predictions, in one run.

Run (after building prospect):
  /usr/bin/python3 bench/e2e/evaluate_bench.py --prospect build/prospect [--rows 1000000] [--threads 1]

Writes a seeded synthetic table (id, 5 numeric features, a 0/1 target with ~15% positives), ingests
it into a temporary workspace (twice: `leads` to train on, `leads_all` to evaluate every row), trains
a logistic model and scores the table with `prospect score`
(untimed: this gives Python the exact probabilities). Then, timed:
  - prospect: `prospect --json evaluate MODEL --table T --threshold max-f1` — loads the table from
    the store, applies the feature pipeline, scores every row AND computes every metric;
  - sklearn: reads the scores and labels (pandas) and computes the same metrics: roc_auc_score,
    average_precision_score, log_loss, brier_score_loss, the max-F1 threshold from
    precision_recall_curve, accuracy/precision/recall/F1/confusion_matrix at it, calibration_curve
    (10 uniform bins) and the decile lift table (numpy.array_split of the score-sorted rows).
Prints both values of each metric, the largest absolute difference, both wall times and the ratio
sklearn / prospect. prospect does more work (scoring) inside its time.
"""
import argparse
import json
import os
import platform
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics
from sklearn.calibration import calibration_curve


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def sklearn_report(y, p):
    out = {}
    out["roc_auc"] = metrics.roc_auc_score(y, p)
    out["pr_auc"] = metrics.average_precision_score(y, p)
    out["log_loss"] = metrics.log_loss(y, p, labels=[0, 1])
    out["brier"] = metrics.brier_score_loss(y, p)
    prec, rec, thr = metrics.precision_recall_curve(y, p)
    f1 = np.where(prec[:-1] + rec[:-1] > 0, 2 * prec[:-1] * rec[:-1] / np.maximum(prec[:-1] + rec[:-1], 1e-300), 0)
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)[-1]  # ties: the highest threshold, as prospect
    t = thr[best]
    pred = (p >= t).astype(int)
    out["threshold"] = float(t)
    out["accuracy"] = metrics.accuracy_score(y, pred)
    out["precision"] = metrics.precision_score(y, pred, zero_division=0)
    out["recall"] = metrics.recall_score(y, pred, zero_division=0)
    out["f1"] = metrics.f1_score(y, pred, zero_division=0)
    out["confusion"] = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel().tolist()
    pt, pp = calibration_curve(y, p, n_bins=10, strategy="uniform")
    out["calibration_true"] = pt.tolist()
    order = np.argsort(-p, kind="stable")
    overall = y.mean()
    out["lift"] = [float(y[chunk].mean() / overall) for chunk in np.array_split(order, 10)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prospect", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    exe = os.path.abspath(args.prospect)
    rng = np.random.default_rng(4)
    n = args.rows
    X = rng.normal(size=(n, 5))
    z = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.4 * X[:, 2] - 2.2
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "leads.csv")
        df = pd.DataFrame(X, columns=[f"x{j}" for j in range(5)])
        df.insert(0, "id", np.arange(n))
        df["y"] = y
        df.to_csv(data, index=False)
        ws = os.path.join(tmp, "w")
        base = [exe, "--workspace", ws, "--threads", str(args.threads), "--quiet"]
        run([exe, "init", ws])
        run(base + ["ingest", "leads", data])
        run(base + ["ingest", "leads_all", data])  # evaluate on every row (on "leads" it would use the held-out 20 %)
        run(base + ["train", "--table", "leads", "--target", "y", "--id", "id", "--model", "logistic", "--name", "m"])
        scores = os.path.join(tmp, "scores.csv")
        run(base + ["score", "m", "--table", "leads_all", "--out", scores])

        start = time.perf_counter()
        ours = json.loads(run(base + ["--json", "evaluate", "m", "--table", "leads_all", "--threshold", "max-f1"]).stdout)
        t_ours = time.perf_counter() - start

        start = time.perf_counter()
        s = pd.read_csv(scores)
        labels = pd.read_csv(data, usecols=["id", "y"])
        merged = s.merge(labels, on="id", how="left")
        theirs = sklearn_report(merged["y"].to_numpy(), merged["score"].to_numpy())
        t_theirs = time.perf_counter() - start

    m = ours["metrics"]
    cm = ours["confusion_matrix"]
    pairs = [("ROC-AUC", m["roc_auc"], theirs["roc_auc"]), ("PR-AUC", m["pr_auc"], theirs["pr_auc"]),
             ("log-loss", m["log_loss"], theirs["log_loss"]), ("Brier", m["brier"], theirs["brier"]),
             ("max-F1 threshold", ours["threshold"], theirs["threshold"]), ("accuracy", m["accuracy"], theirs["accuracy"]),
             ("precision", m["precision"], theirs["precision"]), ("recall", m["recall"], theirs["recall"]),
             ("F1", m["f1"], theirs["f1"])]
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; sklearn {sklearn.__version__}; "
          f"rows {n}; threads {args.threads}")
    print(f"{'metric':18} {'prospect':>14} {'sklearn':>14} {'abs diff':>10}")
    worst = 0.0
    for name, a, b in pairs:
        worst = max(worst, abs(a - b))
        print(f"{name:18} {a:14.9f} {b:14.9f} {abs(a - b):10.2e}")
    ours_cm = [cm["tn"], cm["fp"], cm["fn"], cm["tp"]]
    print(f"confusion [tn fp fn tp]: prospect {ours_cm}  sklearn {theirs['confusion']}")
    lift_diff = max(abs(a["lift"] - b) for a, b in zip(ours["lift"], theirs["lift"]))
    cal_diff = max(abs(a - b) for a, b in zip(ours["curves"]["calibration"]["prob_true"], theirs["calibration_true"]))
    worst = max(worst, lift_diff, cal_diff)
    print(f"decile lift max diff {lift_diff:.2e}; calibration curve max diff {cal_diff:.2e}; largest diff overall {worst:.2e}")
    print(f"time: prospect evaluate (load + score + metrics) {t_ours:.3f}s; pandas + sklearn (read + metrics) "
          f"{t_theirs:.3f}s; ratio sklearn/prospect {t_theirs / t_ours:.2f}x")


if __name__ == "__main__":
    main()
