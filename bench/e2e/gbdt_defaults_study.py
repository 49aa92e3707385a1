#!/usr/bin/python3
"""The study behind prospect's gbdt defaults (docs/user/model-defaults.md), in one run.

Drives the prospect CLI only: `init` and `ingest` one workspace per data set, then `train --model
gbdt` once per (configuration, data set, seed) with explicit --param values, and reads the
held-out ROC-AUC from `--json`. The split is prospect's: a stratified 20 % test part chosen by
--seed; with early stopping on, a stratified tenth of the training part, also chosen by the
seed, is held out to stop on and the best round is kept (no refit). Every configuration sees the
same seeds, so they are compared on the same splits.

Data sets (five binary targets): bank-additional-full (y, without duration), hillstrom (visit,
without conversion and spend), cookie_cats retention_7 (retention_1 is a feature) and
retention_1 (retention_7 left out), and generated data (`generate --customers 20000 --seed 7`,
`profile --as-of 2026-05-31 --label purchase:30d`, target purchased_30d).

Rule: a candidate passes when, on every data set, its mean AUC is at least
max(mean AUC of xgboost's defaults, mean AUC of 200 rounds / depth 4 / eta 0.05) - 0.002.

Prints markdown tables: mean AUC per data set, the median wall and CPU seconds of one `train`
command (data load, encoding, fit and scoring; medians because a busy machine gives rare long
runs), the worst margin against the rule and whether it passes; the boosting rounds kept; then
the per-data-set margins with the standard error of the paired (same-seed) differences.
"""
import argparse
import json
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time

BASELINES = {
    "xgboost defaults (100 rounds, eta 0.3, depth 6)":
        dict(n_estimators=100, learning_rate=0.3, max_depth=6, min_child_weight=1, early_stopping_rounds=0),
    "200 rounds, eta 0.05, depth 4":
        dict(n_estimators=200, learning_rate=0.05, max_depth=4, min_child_weight=1, early_stopping_rounds=0),
}
OLD_DEFAULT = ("old default (300 rounds, eta 0.1, depth 6, es 30)",
               dict(n_estimators=300, learning_rate=0.1, max_depth=6, min_child_weight=1, early_stopping_rounds=30))
# The defaults chosen from this study (src/models/gbdt/gbdt.cpp, GbdtParams); with a binary built
# after the change the row "binary's default" must equal this one.
CHOSEN = ("new default (300 rounds, eta 0.1, depth 4, mcw 5, es 30)",
          dict(n_estimators=300, learning_rate=0.1, max_depth=4, min_child_weight=5, early_stopping_rounds=30))
BUILTIN = "binary's default (no --param)"


def grid(max_rounds):
    out = {}
    for es in (30, 50):
        for lr in (0.05, 0.1):
            for depth in (3, 4, 6):
                for mcw in (1, 5):
                    name = f"es {es}, eta {lr}, depth {depth}, mcw {mcw}"
                    out[name] = dict(n_estimators=max_rounds, learning_rate=lr, max_depth=depth,
                                     min_child_weight=mcw, early_stopping_rounds=es)
    return out


def run(cmd):
    """stdout, wall seconds and CPU seconds (user + system) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    return res.stdout, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def trees_kept(workspace, version):
    """Boosting rounds in the registered model. The CLI does not print them, so read the XGBoost
    model (UBJSON: key num_trees, a string value) from the workspace's SQLite store."""
    with sqlite3.connect(os.path.join(workspace, "prospect.db")) as db:
        (body,) = db.execute("SELECT body FROM prospect_objects WHERE kind = 'model' AND name = 'study' "
                             "AND version = ?", (version,)).fetchone()
    m = re.search(rb"num_treesSL(.{8})", body, re.S)
    n = int.from_bytes(m.group(1), "big")
    return int(body[m.end():m.end() + n])


def workspaces(data, work):
    """workspace folder name -> the commands that fill it."""
    gen = os.path.join(work, "gen-data")
    return {
        "bank": [["ingest", "bank", os.path.join(data, "bank_marketing/bank-additional-full.csv"), "--delimiter", ";"]],
        "hill": [["ingest", "hillstrom", os.path.join(data, "hillstrom/hillstrom.csv")]],
        "cats": [["ingest", "cookie_cats", os.path.join(data, "cookie_cats/cookie_cats.csv")]],
        "gen": [["--seed", "7", "generate", "--customers", "20000", "--out", gen]] +
               [["ingest", t, os.path.join(gen, t + ".csv")] for t in ("customers", "items", "events", "orders")] +
               [["profile", "--as-of", "2026-05-31", "--label", "purchase:30d"]],
    }


# data set -> (workspace, train arguments)
DATASETS = {
    "bank": ("bank", ["--table", "bank", "--target", "y", "--positive", "yes", "--exclude", "duration"]),
    "hillstrom": ("hill", ["--table", "hillstrom", "--target", "visit", "--exclude", "conversion,spend"]),
    "cookie_cats r7": ("cats", ["--table", "cookie_cats", "--target", "retention_7", "--id", "userid"]),
    "cookie_cats r1": ("cats", ["--table", "cookie_cats", "--target", "retention_1", "--id", "userid",
                                "--exclude", "retention_7"]),
    "generated": ("gen", ["--table", "profiles", "--target", "purchased_30d", "--id", "customer_id"]),
}


def fmt_params(p):
    return [x for k, v in p.items() for x in ("--param", f"{k}={v}")]


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("prospect", help="the prospect binary")
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--work", required=True, help="folder for the workspaces (created)")
    ap.add_argument("--seeds", default="1,2,3,4,5,6,7,8,9,10")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-rounds", type=int, default=2000, help="n_estimators of the early-stopping grid")
    ap.add_argument("--datasets", default="", help="comma-separated subset (default all)")
    ap.add_argument("--only", action="append", default=[],
                    help="run the baselines and the grid configurations containing this text (repeatable)")
    ap.add_argument("--results", default="", help="JSON-lines file of runs; runs already in it are not repeated")
    args = ap.parse_args()
    prospect = os.path.abspath(args.prospect)
    seeds = [int(s) for s in args.seeds.split(",")]
    data = os.path.abspath(args.data)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    ds = dict(DATASETS)
    if args.datasets:
        ds = {k: v for k, v in ds.items() if k in args.datasets.split(",")}

    configs = dict(BASELINES)
    configs[OLD_DEFAULT[0]] = OLD_DEFAULT[1]
    configs[CHOSEN[0]] = CHOSEN[1]
    configs[BUILTIN] = None
    for name, p in grid(args.max_rounds).items():
        if not args.only or any(o in name for o in args.only):
            configs[name] = p

    done = {}
    if args.results and os.path.exists(args.results):
        with open(args.results) as f:
            for line in f:
                r = json.loads(line)
                done[(r["config"], r["dataset"], r["seed"])] = r
    log = open(args.results, "a") if args.results else None

    load0 = os.getloadavg()
    setups = workspaces(data, work)
    for ws in sorted({ws for ws, _ in ds.values()}):
        path = os.path.join(work, ws)
        ready = os.path.join(path, ".study-ready")
        if os.path.exists(ready):
            continue
        if not os.path.exists(path):
            run([prospect, "--quiet", "init", path])
        for cmd in setups[ws]:
            run([prospect, "--quiet", "--workspace", path, "--threads", str(args.threads)] + cmd)
        open(ready, "w").close()

    # Seeds outermost and configurations innermost, so a busy spell on the shared machine slows
    # every configuration a little rather than one configuration a lot.
    runs = {}
    executed = 0
    t_start = time.perf_counter()
    for seed in seeds:
        for dname, (ws, targs) in ds.items():
            for cname, params in configs.items():
                key = (cname, dname, seed)
                if key not in done:
                    path = os.path.join(work, ws)
                    cmd = [prospect, "--quiet", "--json", "--workspace", path, "--threads", str(args.threads),
                           "--seed", str(seed), "train"] + targs + ["--model", "gbdt", "--name", "study"]
                    if params is not None:
                        cmd += fmt_params(params)
                    out, wall, cpu = run(cmd)
                    executed += 1
                    j = json.loads(out)
                    done[key] = {"config": cname, "dataset": dname, "seed": seed, "auc": j["metrics"]["roc_auc"],
                                 "seconds": wall, "cpu_seconds": cpu, "trees": trees_kept(path, j["version"]),
                                 "params": j["params"]}
                    if log:
                        log.write(json.dumps(done[key]) + "\n")
                        log.flush()
                runs[key] = done[key]
        print(f"done: seed {seed}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - t_start

    def aucs(c, d):
        return [runs[(c, d, s)]["auc"] for s in seeds]

    def mean_auc(c, d):
        return statistics.fmean(aucs(c, d))

    # Results files written before a field was recorded lack it: those cells print as "–".
    def values(c, ds_names, field):
        v = [runs[(c, d, s)].get(field) for d in ds_names for s in seeds]
        return None if None in v else v

    def median_of(c, ds_names, field):
        v = values(c, ds_names, field)
        return "–" if v is None else f"{statistics.median(v):.2f}"

    def mean_of(c, ds_names, field, spec):
        v = values(c, ds_names, field)
        return "–" if v is None else format(statistics.fmean(v), spec)

    names = list(ds)
    target = {d: max(mean_auc(b, d) for b in BASELINES) for d in names}
    print(f"# prospect gbdt defaults study: seeds {args.seeds}, {args.threads} threads, {os.cpu_count()} cores, "
          f"load {load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end; {len(runs)} train runs, {executed} of them run now, in {elapsed:.0f} s")
    print()
    print("| configuration | " + " | ".join(names) + " | wall s | CPU s | worst margin | passes |")
    print("|---|" + "---:|" * len(names) + "---:|---:|---:|:---:|")
    for c in configs:
        margins = [mean_auc(c, d) - target[d] for d in names]
        wall = median_of(c, names, "seconds")
        cpu = median_of(c, names, "cpu_seconds")
        ok = "yes" if min(margins) >= -0.002 else "no"
        print(f"| {c} | " + " | ".join(f"{mean_auc(c, d):.4f}" for d in names) +
              f" | {wall} | {cpu} | {min(margins):+.4f} | {ok} |")
    print()
    print("wall s, CPU s: median wall and CPU (user + system) seconds of one `train` command over all data "
          "sets and seeds (medians: two OpenMP threads on a busy 2-core machine give rare runs 20x longer). "
          "Both include loading the table, the feature pipeline, scoring the test part and storing the model, "
          "not only the fit.")
    print()
    print("Boosting rounds kept (mean over the seeds):")
    print()
    print("| configuration | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for c in configs:
        print(f"| {c} | " + " | ".join(f"{mean_of(c, [d], 'trees', '.0f')}" for d in names) + " |")
    print()
    print("Margin = mean AUC - max(mean AUC of the two baselines), per data set; ± is the standard error of "
          "the per-seed differences against the better baseline.")
    print()
    print("| configuration | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for c in configs:
        cells = []
        for d in names:
            best = max(BASELINES, key=lambda b: mean_auc(b, d))
            diff = [a - b for a, b in zip(aucs(c, d), aucs(best, d))]
            se = statistics.stdev(diff) / len(diff) ** 0.5 if len(diff) > 1 else float("nan")
            cells.append(f"{mean_auc(c, d) - target[d]:+.4f} ± {se:.4f}")
        print(f"| {c} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
