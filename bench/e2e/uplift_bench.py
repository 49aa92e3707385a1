#!/usr/bin/python3
"""`prospect uplift` against Python (xgboost + scikit-learn) uplift models, in one run.

Run from /work/main (after building prospect), one of two modes:
  /usr/bin/python3 bench/e2e/uplift_bench.py --prospect build/prospect --work /tmp/uplift_bench \
      --hillstrom ../shared/data/hillstrom/hillstrom.csv [--threads 2]
  /usr/bin/python3 bench/e2e/uplift_bench.py --prospect build/prospect --work /tmp/uplift_bench \
      [--rows 1000000] [--threads 2]
--prospect, --work and --threads are bench_args.peer_parser's shared flags (the input flag differs by
mode, so the parser is written out here); --work gets a fresh workspace per mode.

1. --hillstrom: Kevin Hillstrom's MineThatData e-mail campaign, Womens E-Mail (treatment) against
   No E-Mail (control), the Mens E-Mail rows left out, target `visit`, features everything except
   segment, visit, conversion and spend. For seeds 42, 1, 2:
   - prospect: `uplift train --treatment segment --control "No E-Mail" --treatments "Womens E-Mail"
     --target visit --exclude conversion,spend --learner s,t,x,dr --model gbdt --seed S`; it holds out
     its own 50/50 split stratified by group and outcome, and its held-out uplift@30% is read from
     the JSON summary (scikit-uplift's "overall" strategy);
   - Python: history_segment, zip_code and channel one-hot (pandas.get_dummies), sklearn
     train_test_split(test_size=0.5, random_state=S, stratify=treatment*2+visit), then
     class transformation (Z = Y*W + (1-Y)*(1-W), one XGBClassifier, uplift = 2*P(Z=1) - 1; scikit-
     uplift's tutorial reports uplift@30% = 0.066 for it) and a T-learner (one XGBClassifier per
     group, uplift = P(Y|treated) - P(Y|control)); every XGBClassifier n_estimators=300,
     learning_rate=0.1, max_depth=4, tree_method="hist" (prospect's gbdt defaults). uplift@30% on the
     held-out half with uplift_at_k(strategy "overall") from tests/fixtures/uplift/make_uplift_fixture.py
     (scikit-uplift 0.5.1's definition written out).
   The two sides split differently: same design (50/50, stratified by group and outcome, same seed
   number), different rows in each half, so per-seed numbers differ by split noise as well as by
   method; the mean over the three seeds is the fairer comparison.
   Prints one table (rows: method, columns: seed 42, 1, 2, mean) and the tutorial's anchor 0.066.

2. --rows N (default 1000000): a seeded synthetic campaign written to WORK/campaign.csv:
   customer_id, x0..x7 (standard normal), treatment 0/1 (exactly half each, shuffled) and
   response 0/1 with P = sigmoid(-2 + 0.5*x0 + 0.3*x1 + treatment*(0.4*x2 + 0.4*(x3>0) - 0.2)).
   The true effect per row, sigmoid(with treatment) - sigmoid(without), stays on the Python side.
   Untimed: prospect init + ingest (table campaign). Timed, each side with --threads:
   - prospect: `uplift train --table campaign --treatment treatment --control 0 --target response
     --id customer_id --learner t --model gbdt` then `uplift score MODEL --table campaign --out FILE`
     (loads the table from its store: the CSV parse was the untimed ingest);
   - Python: pandas.read_csv of the CSV, train_test_split(test_size=0.5, random_state=42,
     stratify=treatment*2+response), two XGBClassifier (same parameters, n_jobs=threads), uplift of
     every row, written as id,uplift CSV.
   Prints per side: wall time, uplift@30% on its own held-out half (prospect's from its JSON summary,
   Python's with the fixture's uplift_at_k) and the Pearson correlation, over all rows, of the uplift
   in its written score file with the true effect, and (noise-free, all rows) the mean true effect
   of its top 30 % by predicted uplift, against the same for a perfect ranking; then prospect's
   train / score split of its time and the time ratio python / prospect. One run of each side, not
   interleaved: on a busy 2-core machine the times move by tens of percent (the header line prints the
   load average); at 1M rows the whole mode takes about a minute and a half there.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import sklearn
import xgboost
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fixtures", "uplift"))
from make_uplift_fixture import uplift_at_k  # noqa: E402  scikit-uplift 0.5.1's definition

SEEDS = [42, 1, 2]
K = 0.3
ANCHOR = 0.066  # scikit-uplift tutorial, class transformation on Hillstrom (Womens vs No E-Mail, visit)
LEARNERS = ["s", "t", "x", "dr"]
HILLSTROM_CATEGORICAL = ["history_segment", "zip_code", "channel"]


def xgb(seed, threads):
    return xgboost.XGBClassifier(n_estimators=300, learning_rate=0.1, max_depth=4, tree_method="hist",
                                 random_state=seed, n_jobs=threads)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def fresh(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    return path


def t_learner(xtr, ytr, wtr, x_all, seed, threads):
    treated = xgb(seed, threads).fit(xtr[wtr == 1], ytr[wtr == 1])
    control = xgb(seed, threads).fit(xtr[wtr == 0], ytr[wtr == 0])
    return treated.predict_proba(x_all)[:, 1] - control.predict_proba(x_all)[:, 1]


def class_transformation(xtr, ytr, wtr, x_all, seed, threads):
    z = ytr * wtr + (1 - ytr) * (1 - wtr)
    model = xgb(seed, threads).fit(xtr, z)
    return 2 * model.predict_proba(x_all)[:, 1] - 1


def header(args, what):
    print(f"# {what}; machine {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
          f"load {tuple(round(v, 2) for v in os.getloadavg())}; xgboost {xgboost.__version__}, "
          f"sklearn {sklearn.__version__}, pandas {pd.__version__}; {args.threads} threads each", flush=True)


def hillstrom(args, exe):
    header(args, f"Hillstrom {args.hillstrom}: Womens E-Mail vs No E-Mail, target visit, uplift@{K:.0%} held out")
    ws = fresh(os.path.join(args.work, "hillstrom_ws"))
    run([exe, "init", ws])
    base = [exe, "--workspace", ws, "--threads", str(args.threads), "--quiet"]
    run(base + ["ingest", "hillstrom", os.path.abspath(args.hillstrom)])

    df = pd.read_csv(args.hillstrom)
    df = df[df["segment"] != "Mens E-Mail"].reset_index(drop=True)
    w = (df["segment"] == "Womens E-Mail").to_numpy(dtype=int)
    y = df["visit"].to_numpy(dtype=int)
    feats = pd.get_dummies(df.drop(columns=["segment", "visit", "conversion", "spend"]),
                           columns=HILLSTROM_CATEGORICAL, dtype=float)
    X = feats.to_numpy(dtype=float)

    rows = {f"prospect {l}": [] for l in LEARNERS}
    rows["python class-transformation"] = []
    rows["python t-learner"] = []
    for seed in SEEDS:
        out = run(base + ["--json", "--seed", str(seed), "uplift", "train", "--table", "hillstrom",
                          "--treatment", "segment", "--control", "No E-Mail", "--treatments", "Womens E-Mail",
                          "--target", "visit", "--exclude", "conversion,spend", "--learner", ",".join(LEARNERS),
                          "--model", "gbdt", "--name", f"hillstrom_seed{seed}"]).stdout
        summaries = json.loads(out)
        for s in summaries:
            (h,) = [h for h in s["holdout"] if h["treatment"] == "Womens E-Mail"]
            rows[f"prospect {s['learner']}"].append(h["uplift_at_k"])

        idx = np.arange(len(y))
        tr, te = train_test_split(idx, test_size=0.5, random_state=seed, stratify=w * 2 + y)
        u = class_transformation(X[tr], y[tr], w[tr], X[te], seed, args.threads)
        rows["python class-transformation"].append(uplift_at_k(y[te], u, w[te], K, "overall"))
        u = t_learner(X[tr], y[tr], w[tr], X[te], seed, args.threads)
        rows["python t-learner"].append(uplift_at_k(y[te], u, w[te], K, "overall"))

    print(f"{'uplift@30% (held out)':28}" + "".join(f"{'seed ' + str(s):>10}" for s in SEEDS) + f"{'mean':>10}")
    for name, values in rows.items():
        print(f"{name:28}" + "".join(f"{v:10.4f}" for v in values) + f"{np.mean(values):10.4f}")
    print(f"anchor: scikit-uplift tutorial, class transformation, uplift@30% = {ANCHOR:.3f} "
          f"(its own split; prospect and Python here each split 50/50 stratified, different rows)")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def write_campaign(path, n):
    rng = np.random.default_rng(42)
    X = rng.normal(size=(n, 8))
    w = rng.permutation(np.r_[np.ones(n // 2, dtype=int), np.zeros(n - n // 2, dtype=int)])
    base = -2 + 0.5 * X[:, 0] + 0.3 * X[:, 1]
    lift = 0.4 * X[:, 2] + 0.4 * (X[:, 3] > 0) - 0.2
    p = sigmoid(base + w * lift)
    y = (rng.random(n) < p).astype(int)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(8)])
    df.insert(0, "customer_id", np.arange(n))
    df["treatment"] = w
    df["response"] = y
    df.to_csv(path, index=False)
    return sigmoid(base + lift) - sigmoid(base)  # true effect, indexed by customer_id


def python_side(csv, out, threads):
    df = pd.read_csv(csv)
    X = df[[f"x{j}" for j in range(8)]].to_numpy(dtype=float)
    w = df["treatment"].to_numpy(dtype=int)
    y = df["response"].to_numpy(dtype=int)
    tr, te = train_test_split(np.arange(len(y)), test_size=0.5, random_state=42, stratify=w * 2 + y)
    u = t_learner(X[tr], y[tr], w[tr], X, 42, threads)
    pd.DataFrame({"id": df["customer_id"].to_numpy(), "uplift": u}).to_csv(out, index=False)
    return y[te], u[te], w[te]


def against_truth(score_file, truth):
    """Pearson correlation of the file's uplift with the true effect, the mean true effect of the
    top 30 % by predicted uplift (noise-free, all rows) and the number of rows, from the score file."""
    s = pd.read_csv(score_file)
    ids = s.iloc[:, 0].to_numpy(dtype=np.int64)
    u = s["uplift"].to_numpy(dtype=float)
    top = np.argsort(u, kind="mergesort")[::-1][:int(len(u) * K)]
    return float(np.corrcoef(u, truth[ids])[0, 1]), float(truth[ids][top].mean()), len(s)


def synthetic(args, exe):
    n = args.rows
    header(args, f"synthetic campaign, {n} rows, T-learner gbdt (300 rounds, lr 0.1, depth 4)")
    os.makedirs(args.work, exist_ok=True)
    csv = os.path.join(args.work, "campaign.csv")
    t0 = time.perf_counter()
    truth = write_campaign(csv, n)
    t_write = time.perf_counter() - t0
    ws = fresh(os.path.join(args.work, "campaign_ws"))
    run([exe, "init", ws])
    base = [exe, "--workspace", ws, "--threads", str(args.threads), "--quiet"]
    t0 = time.perf_counter()
    run(base + ["ingest", "campaign", csv])
    t_ingest = time.perf_counter() - t0
    print(f"untimed: wrote {csv} in {t_write:.1f}s, prospect ingest {t_ingest:.1f}s", flush=True)

    ours_out = os.path.join(args.work, "prospect_uplift.csv")
    start = time.perf_counter()
    summary = json.loads(run(base + ["--json", "uplift", "train", "--table", "campaign", "--treatment", "treatment",
                                     "--control", "0", "--target", "response", "--id", "customer_id",
                                     "--learner", "t", "--model", "gbdt", "--name", "campaign_t"]).stdout)
    t_train = time.perf_counter() - start
    run(base + ["uplift", "score", "campaign_t", "--table", "campaign", "--out", ours_out])
    t_ours = time.perf_counter() - start
    ours_k = summary["holdout"][0]["uplift_at_k"]
    ours_r, ours_top, ours_n = against_truth(ours_out, truth)

    theirs_out = os.path.join(args.work, "python_uplift.csv")
    start = time.perf_counter()
    y_te, u_te, w_te = python_side(csv, theirs_out, args.threads)
    t_theirs = time.perf_counter() - start
    theirs_k = uplift_at_k(y_te, u_te, w_te, K, "overall")
    theirs_r, theirs_top, theirs_n = against_truth(theirs_out, truth)

    top_true = np.sort(truth)[::-1][:int(n * K)].mean()
    print(f"{'side':10} {'wall s':>9} {'uplift@30%':>11} {'corr(true effect)':>18} {'true effect top 30%':>20} "
          f"{'rows scored':>12}")
    print(f"{'prospect':10} {t_ours:9.2f} {ours_k:11.4f} {ours_r:18.4f} {ours_top:20.4f} {ours_n:12d}")
    print(f"{'python':10} {t_theirs:9.2f} {theirs_k:11.4f} {theirs_r:18.4f} {theirs_top:20.4f} {theirs_n:12d}")
    print(f"mean true effect {truth.mean():.4f}, top 30% by the true effect itself {top_true:.4f}; "
          f"prospect train {t_train:.2f}s + score {t_ours - t_train:.2f}s; "
          f"time ratio python/prospect {t_theirs / t_ours:.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prospect", required=True, help="the prospect CLI binary")
    ap.add_argument("--work", required=True, help="work folder (workspaces, CSVs, score files)")
    ap.add_argument("--threads", type=int, default=2)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--hillstrom", help="hillstrom.csv: the real-data comparison (mode 1)")
    mode.add_argument("--rows", type=int, help="rows of the synthetic timed comparison (mode 2; default 1000000)")
    args = ap.parse_args()
    exe = os.path.abspath(args.prospect)
    os.makedirs(args.work, exist_ok=True)
    if args.hillstrom:
        hillstrom(args, exe)
    else:
        args.rows = args.rows or 1_000_000
        synthetic(args, exe)


if __name__ == "__main__":
    main()
