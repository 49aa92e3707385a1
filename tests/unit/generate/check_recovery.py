#!/usr/bin/python3
"""Fits BG/NBD and Gamma-Gamma by maximum likelihood (scipy) to a folder written by
`prospect generate` and prints the estimates next to ground_truth.json. A manual check of the
generator (docs/user/generate.md), not run by ctest. Usage: check_recovery.py DIR"""
import json
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln

folder = sys.argv[1]
truth = json.load(open(folder + "/ground_truth.json"))
orders = pd.read_csv(folder + "/orders.csv", parse_dates=["order_date"])
end = pd.Timestamp(truth["data_end"])
week = 7 * 86400.0

by_customer = orders.groupby("customer_id").order_date
first, last, count = by_customer.min(), by_customer.max(), by_customer.count()
x = (count - 1).values.astype(float)  # repeat orders
t_x = ((last - first).dt.total_seconds() / week).values
T = ((end - first).dt.total_seconds() / week).values


def bgnbd_nll(log_params):
    # Fader, Hardie & Lee (2005), equation (6).
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return -np.sum(a1 + a2 + np.logaddexp(a3, a4))


fit = minimize(bgnbd_nll, np.zeros(4), method="Nelder-Mead", options={"maxiter": 10000, "xatol": 1e-7, "fatol": 1e-7})
print("BG/NBD  r, alpha, a, b  fitted:", np.round(np.exp(fit.x), 3),
      " true:", [truth["bgnbd"][k] for k in ("r", "alpha", "a", "b")])

totals = orders.groupby("customer_id").total
m, k = totals.mean().values, totals.count().values
keep = k >= 2
m, k = m[keep], k[keep]


def gg_nll(log_params):
    # Colombo & Jiang (1999); Fader, Hardie & Lee (2005b): mean of k order values.
    p, q, v = np.exp(log_params)
    return -np.sum(gammaln(p * k + q) - gammaln(p * k) - gammaln(q) + q * np.log(v) + (p * k - 1) * np.log(m)
                   + p * k * np.log(k) - (p * k + q) * np.log(k * m + v))


fit = minimize(gg_nll, np.zeros(3), method="L-BFGS-B", bounds=[(-5, 5)] * 3)
print("Gamma-Gamma  p, q, gamma  fitted:", np.round(np.exp(fit.x), 3),
      " true:", [truth["gamma_gamma"][k] for k in ("p", "q", "gamma")])
