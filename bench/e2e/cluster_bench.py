#!/usr/bin/python3
"""Segmentation parity and speed: prospect vs scikit-learn on the same data, in one run.

Run (after building prospect_cluster_bench):
  /usr/bin/python3 bench/e2e/cluster_bench.py --driver build-clu/bench/prospect_cluster_bench [--threads 2]
      [--quick]     # smaller generated sets, for a smoke run

Prints, per case: the quality measure for both (k-means inertia, GMM average log-likelihood,
DBSCAN label agreement), the adjusted Rand index between the two labelings (and against the
generator's truth on generated data), both times and the ratio sklearn / prospect.
Data: ../shared/data/bank_marketing/bank-additional-full.csv (10 numeric columns, standardised
with population sd, as StandardScaler) and make_blobs sets written once to a binary file that both
sides read (u64 rows, u64 cols, float64 row-major).
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
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

HERE = os.path.dirname(os.path.abspath(__file__))
BANK = os.path.join(HERE, "..", "..", "..", "shared", "data", "bank_marketing", "bank-additional-full.csv")
BANK_COLUMNS = ["age", "duration", "campaign", "pdays", "previous", "emp.var.rate", "cons.price.idx",
                "cons.conf.idx", "euribor3m", "nr.employed"]


def write_matrix(path, X):
    X = np.ascontiguousarray(X, dtype=np.float64)
    with open(path, "wb") as f:
        f.write(np.array(X.shape, dtype=np.uint64).tobytes())
        f.write(X.tobytes())


def run_prospect(args, method, matrix, n, params):
    labels_path = matrix + "." + method + ".labels"
    out = subprocess.run([args.driver, method, matrix, labels_path, str(args.threads), json.dumps(params)],
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["labels"] = np.fromfile(labels_path, dtype=np.int32, count=n)
    os.remove(labels_path)
    return result


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def report(rows, name, quality, ours, theirs, ari, t_ours, t_theirs, extra=""):
    ratio = t_theirs / t_ours if t_ours > 0 else float("inf")
    line = (f"{name:<34} {quality:<10} prospect {ours:>16.6f}  sklearn {theirs:>16.6f}  "
            f"rel.diff {(ours - theirs) / abs(theirs):+.5%}  ARI {ari:.4f}  "
            f"time {t_ours:8.2f}s vs {t_theirs:8.2f}s  sklearn/prospect {ratio:6.2f}x {extra}")
    print(line, flush=True)
    rows.append({"case": name, "quality": quality, "prospect": ours, "sklearn": theirs, "ari": ari,
                 "prospect_seconds": t_ours, "sklearn_seconds": t_theirs, "ratio": ratio, "extra": extra})


def kmeans_case(args, rows, name, X, matrix, k, truth=None):
    ours = run_prospect(args, "kmeans", matrix, len(X), {"k": k, "n_init": 10})
    km, t = timed(lambda: KMeans(n_clusters=k, n_init=10, random_state=0).fit(X))
    extra = ""
    if truth is not None:
        extra = (f"ARI vs truth: prospect {adjusted_rand_score(truth, ours['labels']):.4f} "
                 f"sklearn {adjusted_rand_score(truth, km.labels_):.4f}")
    report(rows, name, "inertia", ours["inertia"], km.inertia_, adjusted_rand_score(km.labels_, ours["labels"]),
           ours["seconds"], t, extra)


def gmm_case(args, rows, name, X, matrix, k, cov, n_init):
    ours = run_prospect(args, "gmm", matrix, len(X), {"k": k, "covariance": cov, "n_init": n_init})
    gm, t = timed(lambda: GaussianMixture(n_components=k, covariance_type=cov, n_init=n_init,
                                          random_state=0).fit(X))
    report(rows, name, "avg loglik", ours["score"], gm.score(X), adjusted_rand_score(gm.predict(X), ours["labels"]),
           ours["seconds"], t)


def dbscan_case(args, rows, name, X, matrix, eps, min_samples):
    ours = run_prospect(args, "dbscan", matrix, len(X), {"eps": eps, "min_samples": min_samples})
    db, t = timed(lambda: DBSCAN(eps=eps, min_samples=min_samples, n_jobs=args.threads).fit(X))
    theirs = db.labels_
    identical = bool(np.array_equal(ours["labels"], theirs))
    agree = float(np.mean(ours["labels"] == theirs))
    report(rows, name, "labels=", agree, 1.0, adjusted_rand_score(theirs, ours["labels"]), ours["seconds"], t,
           f"identical={identical} clusters={ours['k']} noise={ours['noise_rows']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, threads={args.threads}; "
          f"sklearn {sklearn.__version__}, numpy {np.__version__}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        bank = pd.read_csv(BANK, sep=";", quotechar='"')[BANK_COLUMNS].to_numpy(dtype=np.float64)
        bank = (bank - bank.mean(axis=0)) / bank.std(axis=0)  # population sd, as StandardScaler
        bank_path = os.path.join(tmp, "bank.bin")
        write_matrix(bank_path, bank)
        for k in [4, 8]:
            kmeans_case(args, rows, f"kmeans bank {bank.shape[0]}x{bank.shape[1]} k={k}", bank, bank_path, k)
        for cov in ["diag", "full"]:
            gmm_case(args, rows, f"gmm bank k=4 {cov} n_init=3", bank, bank_path, 4, cov, 3)

        n_big = 100_000 if args.quick else 1_000_000
        X, truth = make_blobs(n_samples=n_big, n_features=20, centers=8, cluster_std=2.0, random_state=0)
        big_path = os.path.join(tmp, "blobs.bin")
        write_matrix(big_path, X)
        kmeans_case(args, rows, f"kmeans blobs {n_big}x20 k=8", X, big_path, 8, truth)
        Xg = X[:100_000]
        g_path = os.path.join(tmp, "blobs_gmm.bin")
        write_matrix(g_path, Xg)
        for cov in ["diag", "full"]:
            gmm_case(args, rows, f"gmm blobs 100000x20 k=8 {cov}", Xg, g_path, 8, cov, 1)
        del X

        n_db = 20_000 if args.quick else 100_000
        Xd, _ = make_blobs(n_samples=n_db, n_features=5, centers=5, cluster_std=1.0, random_state=1)
        rng = np.random.RandomState(2)
        Xd = np.vstack([Xd, rng.uniform(-12, 12, size=(n_db // 50, 5))])
        d_path = os.path.join(tmp, "dbscan.bin")
        write_matrix(d_path, Xd)
        dbscan_case(args, rows, f"dbscan blobs {len(Xd)}x5", Xd, d_path, 0.5, 10)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
