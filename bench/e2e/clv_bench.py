#!/usr/bin/python3
"""BG/NBD + Gamma-Gamma on 1M generated customers: `prospect clv fit` against the same likelihoods
minimised with numpy + scipy.optimize (lifetimes' method: its BetaGeoFitter and GammaGammaFitter
minimise these log-likelihoods over log parameters with scipy.optimize.minimize), in one run.

Run from /work/main (after building prospect):
  /usr/bin/python3 bench/e2e/clv_bench.py --prospect build/prospect --work /tmp/clv_bench \
      [--customers 1000000] [--seed 42] [--threads 2]
Data: customers join uniformly over a year (in days) and are observed to day 546 (78 weeks); while
active they buy at rate lambda ~ Gamma(r, alpha) per week (a Poisson process) and leave after each
repeat purchase with probability p ~ Beta(a, b) (BG/NBD, CDNOW-like truth); each purchase is worth
Gamma(p, nu) with nu ~ Gamma(q, gamma) (Gamma-Gamma). Written as a transaction CSV (customer_id,
date, value). Both sides read the same CSV's summary conventions (one purchase per calendar day,
values summed; weeks = days / 7): prospect from its store after `ingest`, the peer with pandas.
Timed: prospect's `clv fit` (load from the store, summarise, both fits; the CLI's own timing split
into summary and fits) and the peer's pandas summary and scipy fits. Prints both sets of parameters,
their log-likelihoods and the time ratios.
"""
import json
import os
import shutil
import subprocess
import argparse
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln

TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005's CDNOW estimates, weeks
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}  # FHL 2005b's CDNOW Gamma-Gamma estimates
END_DAY = 546


def generate(n, seed, path):
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUTH["r"], 1 / TRUTH["alpha"], n) / 7  # per day
    p = rng.beta(TRUTH["a"], TRUTH["b"], n)
    nu = rng.gamma(SPEND["q"], 1 / SPEND["gamma"], n)
    start = rng.integers(0, 365, n).astype(float)
    ids, times = [np.arange(n)], [start]
    t, alive = start.copy(), np.arange(n)
    while alive.size:
        t[alive] += rng.exponential(1 / np.maximum(lam[alive], 1e-12))
        alive = alive[t[alive] <= END_DAY + 1]  # bought before the end of the last day
        ids.append(alive)
        times.append(t[alive].copy())
        alive = alive[rng.random(alive.size) >= p[alive]]
    ids, times = np.concatenate(ids), np.concatenate(times)
    value = rng.gamma(SPEND["p"], 1 / nu[ids])
    day = pd.to_datetime("2024-01-01") + pd.to_timedelta(np.floor(times), unit="D")
    df = pd.DataFrame({"customer_id": ids, "date": day.strftime("%Y-%m-%d"), "value": np.round(value, 2)})
    df.to_csv(path, index=False)
    return len(df)


def peer_summary(path, cal_end):
    df = pd.read_csv(path, parse_dates=["date"])
    d = df.groupby(["customer_id", "date"], as_index=False)["value"].sum()
    g = d.groupby("customer_id")
    first, last, n = g["date"].min(), g["date"].max(), g["date"].size()
    total, first_value = g["value"].sum(), g["value"].first()
    x = (n - 1).to_numpy(float)
    tx = ((last - first).dt.days / 7).to_numpy()
    T = ((cal_end - first).dt.days / 7).to_numpy()
    m = np.where(x > 0, (total - first_value).to_numpy() / np.maximum(x, 1), 0.0)
    return x, tx, T, m


def bgnbd_negll(lp, x, tx, T, weight=None):
    r, al, a, b = np.exp(lp)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
    f = betaln(a, b + x) - betaln(a, b) + a1 - (r + x) * np.log(al + T)
    s = np.where(x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - betaln(a, b) + a1 - (r + x) * np.log(al + tx),
                 -np.inf)
    ll = np.logaddexp(f, s)
    return -np.mean(ll) if weight is None else -np.sum(weight * ll) / np.sum(weight)


def gg_negll(lp, x, m):
    p, q, g = np.exp(lp)
    return -np.mean(gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g) + (p * x - 1) * np.log(m)
                    + p * x * np.log(x) - (p * x + q) * np.log(x * m + g))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prospect", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    exe = os.path.abspath(args.prospect)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    csv = os.path.join(args.work, "transactions.csv")
    rows = generate(args.customers, args.seed, csv)
    print(f"{args.customers} customers, {rows} transactions; truth BG/NBD {TRUTH}, Gamma-Gamma {SPEND}")

    run = lambda *a: subprocess.run([exe, "--threads", str(args.threads), "--quiet", *a], check=True,
                                    capture_output=True, text=True).stdout
    ws = os.path.join(args.work, "ws")
    run("init", ws)
    run("--workspace", ws, "ingest", "transactions", csv)
    t0 = time.perf_counter()
    fit = json.loads(run("--workspace", ws, "--json", "clv", "fit", "--table", "transactions", "--date", "date",
                         "--value", "value"))
    prospect_total = time.perf_counter() - t0
    timing = fit["timing"]

    t0 = time.perf_counter()
    cal_end = pd.Timestamp(fit["calibration_end"])
    x, tx, T, m = peer_summary(csv, cal_end)
    peer_summary_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bg = minimize(bgnbd_negll, np.zeros(4), args=(x, tx, T), method="BFGS", options={"gtol": 1e-8})
    peer_bg_s = time.perf_counter() - t0
    # lifetimes fits one row per customer unless given weights; grouped by (x, t_x, T) as prospect does:
    t0 = time.perf_counter()
    h = pd.DataFrame({"x": x, "tx": tx, "T": T}).value_counts().reset_index(name="n")
    hx, htx, hT, hn = (h[c].to_numpy(float) for c in ("x", "tx", "T", "n"))
    grouped = minimize(lambda lp: bgnbd_negll(lp, hx, htx, hT, hn), np.zeros(4), method="BFGS", options={"gtol": 1e-8})
    peer_grouped_s = time.perf_counter() - t0
    rep = x > 0
    t0 = time.perf_counter()
    gg = minimize(gg_negll, np.zeros(3), args=(x[rep], m[rep]), method="BFGS", options={"gtol": 1e-8})
    peer_gg_s = time.perf_counter() - t0

    print(f"customers: prospect {fit['customers']}, pandas {len(x)}; repeat buyers {fit['repeat_buyers']} / {int(rep.sum())}")
    print(f"{len(hx)} distinct (x, t_x, T) histories")
    print(f"{'parameter':10} {'truth':>9} {'prospect':>10} {'scipy':>10} {'scipy grouped':>14}")
    for name, est, est_g in zip(TRUTH, np.exp(bg.x), np.exp(grouped.x)):
        print(f"{name:10} {TRUTH[name]:9.4f} {fit['frequency']['params'][name]:10.4f} {est:10.4f} {est_g:14.4f}")
    for name, est in zip(SPEND, np.exp(gg.x)):
        print(f"{name:10} {SPEND[name]:9.4f} {fit['spend']['params'][name]:10.4f} {est:10.4f}")
    print(f"BG/NBD log-likelihood: prospect {fit['frequency']['log_likelihood']:.3f}, scipy {-bg.fun * len(x):.3f} "
          f"({'converged' if bg.success else bg.message}); Gamma-Gamma: prospect {fit['spend']['log_likelihood']:.3f}, "
          f"scipy {-gg.fun * rep.sum():.3f}")
    peer_fit = peer_bg_s + peer_gg_s
    print(f"summary: prospect {timing['summary_seconds']:.2f} s (load from the store + summarise), pandas "
          f"{peer_summary_s:.2f} s (read CSV + summarise)")
    print(f"fits (BG/NBD + Gamma-Gamma): prospect {timing['fit_seconds']:.2f} s, scipy {peer_fit:.2f} s "
          f"(BG/NBD {peer_bg_s:.2f}, Gamma-Gamma {peer_gg_s:.2f}) -> scipy / prospect = {peer_fit / timing['fit_seconds']:.1f}x")
    print(f"BG/NBD alone: prospect {fit['timing']['frequency_seconds']:.2f} s, scipy {peer_bg_s:.2f} s per customer, "
          f"{peer_grouped_s:.2f} s grouped (grouping included) -> {peer_bg_s / fit['timing']['frequency_seconds']:.1f}x "
          f"and {peer_grouped_s / fit['timing']['frequency_seconds']:.1f}x")
    print(f"end to end: prospect clv fit {prospect_total:.2f} s, pandas + scipy {peer_summary_s + peer_fit:.2f} s")


if __name__ == "__main__":
    main()
