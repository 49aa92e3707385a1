#!/usr/bin/python3
"""Ceiling for recovering `prospect generate`'s latent segments: the adjusted Rand index between the
true segment and the noise-free rule argmax_k(c_k + w_k . z) evaluated on the customer's TRUE hidden
traits (lambda, p, nu, engagement from ground_truth.csv). The true segment adds Gumbel noise
(temperature 0.6) to that rule (docs/user/generate.md, "Segment"), so no method that sees only
behaviour can be expected to reach this value. Uses the default generator parameters.

Run: /usr/bin/python3 bench/e2e/segment_truth_ceiling.py GENERATED_DIR/ground_truth.csv
"""
import sys, numpy as np, pandas as pd
from scipy.special import digamma, polygamma
from sklearn.metrics import adjusted_rand_score
g = pd.read_csv(sys.argv[1])
r, al, a, b, q, gam = 0.6, 4.5, 0.8, 2.5, 4.0, 25.0
zf = (np.log(g["lambda"]) - (digamma(r) - np.log(al))) / np.sqrt(polygamma(1, r))
lp = np.log(g["p_dropout"] / (1 - g["p_dropout"]))
zl = -(lp - (digamma(a) - digamma(b))) / np.sqrt(polygamma(1, a) + polygamma(1, b))
zv = -(np.log(g["nu"]) - (digamma(q) - np.log(gam))) / np.sqrt(polygamma(1, q))
ze = (np.log(g["engagement"]) - (digamma(2) - np.log(2))) / np.sqrt(polygamma(1, 2))
Z = np.c_[zf, zl, zv, ze]
c = np.array([-1.0, -0.5, -0.4, -0.3, 0])
W = np.array([[1.4, 1.2, 0.8, 0.3], [1.2, 0, -1.3, 0.5], [-0.9, 0.3, 1.5, 0], [-1.0, 0, -0.2, 1.5], [-0.3, -1.5, -0.2, -0.8]])
s = c + Z @ W.T
print("ARI(truth, noise-free argmax of the latent traits) =", adjusted_rand_score(g["segment_id"], s.argmax(1)))
