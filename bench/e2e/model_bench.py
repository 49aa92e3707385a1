#!/usr/bin/python3
"""Classifier parity and speed: prospect (bench/e2e/model_driver.cpp) against scikit-learn and
xgboost on the same split, encoding and parameters, in one run.

Data: bank-additional-full (target y, `duration` dropped as its notes say) and hillstrom (target
`visit`; `conversion` and `spend` dropped, they are outcomes of the visit). Encoding, done once
here for both sides: one-hot for categoricals (all levels), and for logistic / SVMs standard
scaling fitted on the training part. Split: stratified 80/20, random_state=42. Kernel SVM trains
on a stratified subsample (--svm-rows) of the training part on both sides (libsvm is O(n²+)).
Both sides' held-out ROC-AUC is computed by sklearn.metrics.roc_auc_score.
"""
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import sklearn
import xgboost
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier

from bench_args import peer_parser


def load(name, data_dir):
    if name == "bank":
        df = pd.read_csv(os.path.join(data_dir, "bank_marketing/bank-additional-full.csv"), sep=";")
        y = (df.pop("y") == "yes").astype(float).to_numpy()
        df = df.drop(columns=["duration"])
    else:
        df = pd.read_csv(os.path.join(data_dir, "hillstrom/hillstrom.csv"))
        y = df.pop("visit").astype(float).to_numpy()
        df = df.drop(columns=["conversion", "spend"])
    cats = [c for c in df.columns if df[c].dtype == object]
    X = pd.get_dummies(df, columns=cats, dtype=float).to_numpy(dtype=float)
    return X, y


def write_matrix(path, a):
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    with open(path, "wb") as f:
        f.write(np.array(a.shape, dtype=np.uint64).tobytes())
        f.write(a.tobytes())


def run_prospect(driver, work, model, params, threads, xtr, ytr, xte, score_rows=0):
    write_matrix(f"{work}/xtr.bin", xtr)
    write_matrix(f"{work}/ytr.bin", ytr)
    write_matrix(f"{work}/xte.bin", xte)
    cmd = [driver, model, json.dumps(params), str(threads), f"{work}/xtr.bin", f"{work}/ytr.bin", f"{work}/xte.bin",
           f"{work}/p.bin"] + ([str(score_rows)] if score_rows else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    info = json.loads(out.strip().splitlines()[-1])
    p = np.fromfile(f"{work}/p.bin", dtype=np.float64)
    return p, info


def timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def peer_run(name, a, b, c, threads):
    """Fits the peer (timed, like prospect's fit) and scores the test rows (not timed)."""
    fit, predict = PEERS[name]
    model, secs, cpu = timed(lambda: fit(a, b, threads))
    return predict(model, c), secs, cpu


XGB = {"objective": "binary:logistic", "eta": 0.1, "max_depth": 6, "tree_method": "hist", "max_bin": 256, "seed": 42}

# name: (prospect params, standard-scaled features?). "forest" grows its trees from histograms
# (prospect's default splitter); "forest_exact" sorts every node as sklearn does.
FOREST = {"n_estimators": 100, "max_depth": 12, "min_samples_leaf": 1, "max_features": "sqrt"}
MODELS = {
    "logistic": ({"c": 1.0, "penalty": "l2", "tol": 1e-4, "solver": "liblinear"}, True),
    "tree": ({"max_depth": 6, "min_samples_leaf": 20}, False),
    "forest": (dict(FOREST, splitter="hist"), False),
    "forest_exact": (dict(FOREST, splitter="exact"), False),
    "gbdt": ({"n_estimators": 200, "learning_rate": 0.1, "max_depth": 6, "early_stopping_rounds": 0}, False),
    "linear_svm": ({"c": 1.0}, True),
    "kernel_svm": ({"c": 1.0}, True),
}
proba = lambda m, c: m.predict_proba(c)[:, 1]
# name: (fit(x, y, threads) -> model, score(model, x) -> scores), the same parameters as MODELS.
# sklearn's RandomForestClassifier always sorts (exact splits).
PEERS = {
    "logistic": (lambda a, b, t: LogisticRegression(solver="liblinear", C=1.0, tol=1e-4).fit(a, b), proba),
    "tree": (lambda a, b, t: DecisionTreeClassifier(max_depth=6, min_samples_leaf=20, random_state=0).fit(a, b), proba),
    "forest": (lambda a, b, t: RandomForestClassifier(n_estimators=100, max_depth=12, max_features="sqrt", n_jobs=t,
                                                      random_state=0).fit(a, b), proba),
    "forest_exact": (lambda a, b, t: RandomForestClassifier(n_estimators=100, max_depth=12, max_features="sqrt",
                                                            n_jobs=t, random_state=0).fit(a, b), proba),
    "gbdt": (lambda a, b, t: xgboost.train(dict(XGB, nthread=t), xgboost.DMatrix(a, label=b), num_boost_round=200),
             lambda m, c: m.predict(xgboost.DMatrix(c))),
    "linear_svm": (lambda a, b, t: LinearSVC(C=1.0).fit(a, b), lambda m, c: m.decision_function(c)),
    "kernel_svm": (lambda a, b, t: SVC(C=1.0, gamma="scale", probability=True, random_state=0).fit(a, b), proba),
}


def main():
    ap = peer_parser("--driver", "--data")
    ap.add_argument("--datasets", default="bank,hillstrom")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--svm-rows", type=int, default=5000)
    ap.add_argument("--lbfgs", action="store_true",
                    help="also compare prospect's default logistic (lbfgs) with sklearn's LogisticRegression()")
    ap.add_argument("--score-rows", type=int, default=0, help="also time prospect scoring this many rows (gbdt, forest)")
    args = ap.parse_args()
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; load {os.getloadavg()}; "
          f"sklearn {sklearn.__version__}, xgboost {xgboost.__version__}, threads {args.threads}")
    print("| data | model | rows train/test | prospect AUC | peer AUC | diff | prospect fit s (cpu) | peer fit s (cpu) | peer/prospect |")
    print("|---|---|---|---|---|---|---|---|---|")
    for ds in args.datasets.split(","):
        X, y = load(ds, args.data)
        xtr, xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
        scaler = StandardScaler().fit(xtr)
        for name in args.models.split(","):
            params, scaled = MODELS[name]
            a, c = (scaler.transform(xtr), scaler.transform(xte)) if scaled else (xtr, xte)
            b = ytr
            if name == "kernel_svm" and args.svm_rows < len(b):
                a, _, b, _ = train_test_split(a, b, train_size=args.svm_rows, stratify=b, random_state=0)
            score_rows = args.score_rows if name in ("gbdt", "forest") else 0
            kind = name.removesuffix("_exact")  # the prospect model; the suffix is in its params
            p, info = run_prospect(args.driver, args.work, kind, params, args.threads, a, b, c, score_rows)
            q, secs, cpu = peer_run(name, a, b, c, args.threads)
            pa, qa = roc_auc_score(yte, p), roc_auc_score(yte, q)
            label = {"forest": "forest (hist splitter; sklearn exact)", "forest_exact": "forest (exact splitter)"}.get(name, name)
            print(f"| {ds} | {label} | {len(b)}/{len(yte)} | {pa:.4f} | {qa:.4f} | {pa - qa:+.4f} | "
                  f"{info['fit_seconds']:.3f} ({info['fit_cpu_seconds']:.2f}) | {secs:.3f} ({cpu:.2f}) | "
                  f"{secs / info['fit_seconds']:.1f}x |", flush=True)
            if name == "logistic" and args.lbfgs:
                # Both defaults: prospect's logistic (L-BFGS, intercept not penalised) and
                # LogisticRegression() (lbfgs, C=1, tol 1e-4, max_iter 100).
                p2, info2 = run_prospect(args.driver, args.work, name, {}, args.threads, a, b, c)
                m2, s2, c2 = timed(lambda: LogisticRegression().fit(a, b))
                pa2, qa2 = roc_auc_score(yte, p2), roc_auc_score(yte, m2.predict_proba(c)[:, 1])
                print(f"| {ds} | logistic (default) vs LogisticRegression() | {len(b)}/{len(yte)} | {pa2:.4f} | {qa2:.4f} | "
                      f"{pa2 - qa2:+.4f} | {info2['fit_seconds']:.3f} ({info2['fit_cpu_seconds']:.2f}) | {s2:.3f} ({c2:.2f}) | "
                      f"{s2 / info2['fit_seconds']:.1f}x |", flush=True)
            if score_rows:
                # The peer scores the same test rows repeated to score_rows rows (prediction only).
                fit, predict = PEERS[name]
                big = np.tile(c, (score_rows // len(c) + 1, 1))[:score_rows]
                peer_model = fit(a, b, args.threads)
                _, ps, _ = timed(lambda: predict(peer_model, big))
                print(f"|  | ({name} batch scoring of {info['score_rows']} rows: prospect {info['score_seconds']:.3f} s = "
                      f"{info['score_rows'] / info['score_seconds']:,.0f} rows/s; peer {ps:.3f} s = {score_rows / ps:,.0f} rows/s; "
                      f"{ps / info['score_seconds']:.1f}x; {args.threads} threads) | | | | | | | |")
    print(f"# load after: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
