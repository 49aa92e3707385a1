#!/usr/bin/python3
"""`prospect target` judged by the true effects: the true incremental profit of its plans against the exact oracle.

Run from /work/main (after building prospect):
  /usr/bin/python3 bench/e2e/targeting_truth_bench.py --prospect build/prospect --work /tmp/targeting_truth_bench \
      [--customers 100000] [--threads 2] [--value 60] [--cost 0.5,3] [--budget-per-target 0.3]
--prospect, --work and --threads as in bench_args.peer_parser (there is no input file: the data are generated,
so the parser is written out here); --work is emptied and refilled. Needs numpy, pandas and scipy >= 1.9
(scipy.optimize.milp, HiGHS), all Debian's.

1. Data with known effects. `prospect --seed 1 generate --customers N --param campaign_arms=2` (dataset A,
   training) and the same with --seed 2 (dataset B, targeting: other people with the same ids 1..N). The
   campaign has a control (0), an e-mail (1) and a discount (2); B's ground_truth.csv gives every campaign
   customer's true effect of each: campaign_uplift (e-mail) and campaign_uplift_2 (discount), differences
   of response probabilities.
2. Training, in one workspace: A's customers.csv ingested as `customers`, A's campaign.csv as `campaign`,
   then `uplift train --table campaign --treatment treatment --control 0 --target response --id customer_id
   --features customers --exclude spend --learner s,t,x,dr --model gbdt` (prospect's own 50/50 held-out
   split: each model is fitted on half of A's campaign; its held-out uplift@30% per treatment is printed).
3. Targets: B's customers.csv restricted to B's campaign customers (every column, cells as written) is
   WORK/targets.csv, ingested as `targets`; it has the features itself, so nothing is joined.
4. CATE quality: `uplift score MODEL --table targets` per learner; Pearson r and Spearman rho of uplift_1
   with the true e-mail effect and of uplift_2 with the true discount effect, over all targets.
5. Profit: value V per response (--value, 60) and a cost per contact per treatment (--cost, 0.5 for the
   e-mail and 3 for the discount). Two settings: (a) a budget of --budget-per-target x the number of targets
   (0.3 by default: the no-budget oracle spends about 0.56 per target, so this binds; e-mailing every target
   would cost 0.5 per target), (b) no budget. Per learner and setting, `prospect target --uplift MODEL
   --table targets --value V --cost C1,C2 [--budget B]` writes its audience; its TRUE incremental profit is
   the sum over the audience of (true effect of the chosen treatment x V - its cost). The oracle is the best
   plan under the true effects: with a budget an exact MILP (scipy.optimize.milp, HiGHS, mip_rel_gap 1e-9):
   binary x_ik for customer i and treatment k, sum_k x_ik <= 1, sum_ik cost_k x_ik <= B, maximise
   sum_ik (V u_ik - cost_k) x_ik, where only options of positive true profit are given variables (an option
   of profit <= 0 never improves a plan, so this changes nothing); without a budget each customer's best
   option, or none. Printed: true profit, oracle, their ratio (goal: >= 0.80 for at least one learner), and
   prospect's own expected profit of the plan (what it believed).
6. One treatment against two: (i) one treatment for every target, no budget: sum_i (V u_ik - cost_k) for
   k = e-mail and k = discount, the better of the two; (ii) `prospect target ... --treatments K --cost C_K`
   for each K (the --cost list must then name the chosen treatments only), with the budget and without, its
   true profit beside the two-treatment plan of the same learner, and the oracle restricted to one treatment.
Takes about 2 minutes at 100,000 customers on 2 idle cores (the uplift training dominates).
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import time

import numpy as np
import pandas as pd
import scipy
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.stats import spearmanr

LEARNERS = ["s", "t", "x", "dr"]
TREATMENTS = [1, 2]
NAMES = {1: "e-mail", 2: "discount"}
GOAL = 0.80


def run(cmd):
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"failed ({e.returncode}): {' '.join(cmd)}\n{e.stderr}")


def fresh(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def header(args, what):
    print(f"# {what}; machine {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
          f"load {tuple(round(v, 2) for v in os.getloadavg())}; numpy {np.__version__}, pandas {pd.__version__}, "
          f"scipy {scipy.__version__}; prospect --threads {args.threads}", flush=True)


def truth_of_campaign(folder):
    """B's campaign customers' true effects, indexed by customer_id: columns 1 (e-mail) and 2 (discount)."""
    g = pd.read_csv(os.path.join(folder, "ground_truth.csv"),
                    usecols=["customer_id", "campaign_uplift", "campaign_uplift_2"])
    g = g[g["campaign_uplift"].notna()].set_index("customer_id")
    return pd.DataFrame({1: g["campaign_uplift"].astype(float), 2: g["campaign_uplift_2"].astype(float)})


def write_targets(folder, out):
    customers = pd.read_csv(os.path.join(folder, "customers.csv"), dtype=str, keep_default_na=False)
    ids = pd.read_csv(os.path.join(folder, "campaign.csv"), usecols=["customer_id"])["customer_id"]
    targets = customers[customers["customer_id"].astype(np.int64).isin(ids)]
    targets.to_csv(out, index=False)
    return targets["customer_id"].astype(np.int64).to_numpy()


def oracle(profit, cost, budget):
    """The best plan under the true effects. profit: n x K true profit per option, cost: K costs.
    Returns (true profit, contacts per treatment column, spend, LP bound or None)."""
    n, K = profit.shape
    if budget is None:
        best = profit.argmax(axis=1)
        gain = profit[np.arange(n), best]
        chosen = gain > 0
        per = [int(np.sum(chosen & (best == k))) for k in range(K)]
        return float(gain[chosen].sum()), per, float(cost[best[chosen]].sum()), None
    cust, opt = np.nonzero(profit > 0)  # only options that can help
    m = len(cust)
    if m == 0:
        return 0.0, [0] * K, 0.0, 0.0
    p = profit[cust, opt]
    c = cost[opt]
    rows, cust_row = np.unique(cust, return_inverse=True)
    one_each = sparse.csr_matrix((np.ones(m), (cust_row, np.arange(m))), shape=(len(rows), m))
    A = sparse.vstack([one_each, sparse.csr_matrix(c.reshape(1, -1))]).tocsr()
    ub = np.r_[np.ones(len(rows)), budget]
    cons = LinearConstraint(A, -np.inf, ub)
    lp = milp(-p, integrality=np.zeros(m), bounds=Bounds(0, 1), constraints=cons)
    res = milp(-p, integrality=np.ones(m), bounds=Bounds(0, 1), constraints=cons,
               options={"mip_rel_gap": 1e-9, "time_limit": 900})
    if res.x is None:
        raise SystemExit(f"oracle MILP failed: {res.status} {res.message}")
    x = np.round(res.x).astype(bool)
    spend = float(c[x].sum())
    assert spend <= budget + 1e-6, (spend, budget)
    assert np.bincount(cust_row[x], minlength=len(rows)).max(initial=0) <= 1
    per = [int(np.sum(x & (opt == k))) for k in range(K)]
    return float(p[x].sum()), per, spend, float(-lp.fun)


def true_profit(audience_csv, truth, value, cost_of):
    """The true incremental profit of a `prospect target` audience, its contacts per treatment and spend."""
    a = pd.read_csv(audience_csv)
    ids = a["customer_id"].to_numpy(dtype=np.int64)
    t = a["treatment"].to_numpy(dtype=np.int64)
    assert len(np.unique(ids)) == len(ids), "a customer chosen twice"
    u = np.where(t == 1, truth.loc[ids, 1].to_numpy(), truth.loc[ids, 2].to_numpy())
    c = np.array([cost_of[k] for k in t], dtype=float)
    assert np.allclose(c, a["cost"].to_numpy(dtype=float)), "audience costs differ from --cost"
    return float(np.sum(u * value - c)), [int(np.sum(t == k)) for k in TREATMENTS], float(c.sum())


def fmt_per(per):
    return "/".join(str(v) for v in per)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prospect", required=True, help="the prospect CLI binary")
    ap.add_argument("--work", required=True, help="work folder (generated data, workspace, audiences); emptied")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--customers", type=int, default=100_000, help="customers per generated dataset")
    ap.add_argument("--value", type=float, default=60.0, help="value of one response")
    ap.add_argument("--cost", default="0.5,3", help="cost per contact: e-mail,discount")
    ap.add_argument("--budget-per-target", type=float, default=0.3,
                    help="budget of setting (a) = this x the number of targets")
    args = ap.parse_args()
    exe = os.path.abspath(args.prospect)
    costs = [float(v) for v in args.cost.split(",")]
    assert len(costs) == 2, "--cost: two numbers, e-mail then discount"
    cost_of = dict(zip(TREATMENTS, costs))
    cost_arr = np.array(costs)
    value = args.value
    fresh(args.work)
    started = time.perf_counter()
    header(args, f"targeting against the truth: {args.customers} customers per dataset, campaign_arms=2, "
                 f"value {value:g}, cost e-mail {costs[0]:g} / discount {costs[1]:g}")

    # 1. Data.
    t0 = time.perf_counter()
    folders = {}
    for label, seed in (("A", 1), ("B", 2)):
        folders[label] = os.path.join(args.work, label)
        run([exe, "--seed", str(seed), "--threads", str(args.threads), "--quiet", "generate", "--out",
             folders[label], "--customers", str(args.customers), "--param", "campaign_arms=2"])
    targets_csv = os.path.join(args.work, "targets.csv")
    target_ids = write_targets(folders["B"], targets_csv)
    truth = truth_of_campaign(folders["B"])
    assert set(truth.index) == set(target_ids), "B's campaign ids and its truth's campaign rows differ"
    truth = truth.loc[target_ids]
    n = len(target_ids)
    budget = args.budget_per_target * n
    t_gen = time.perf_counter() - t0

    ws = os.path.join(args.work, "ws")
    run([exe, "init", ws])
    base = [exe, "--workspace", ws, "--threads", str(args.threads), "--quiet"]
    t0 = time.perf_counter()
    run(base + ["ingest", "customers", os.path.join(folders["A"], "customers.csv")])
    run(base + ["ingest", "campaign", os.path.join(folders["A"], "campaign.csv")])
    run(base + ["ingest", "targets", targets_csv])
    t_ingest = time.perf_counter() - t0
    u_true = truth[[1, 2]].to_numpy()
    print(f"A (seed 1): {len(pd.read_csv(os.path.join(folders['A'], 'campaign.csv')))} campaign rows to learn "
          f"from; B (seed 2): {n} targets, true mean effect e-mail {u_true[:, 0].mean():.4f}, discount "
          f"{u_true[:, 1].mean():.4f}, corr(e-mail, discount) {np.corrcoef(u_true[:, 0], u_true[:, 1])[0, 1]:.3f}; "
          f"generate {t_gen:.1f}s, ingest {t_ingest:.1f}s", flush=True)
    profit = u_true * value - cost_arr  # n x 2 true profit per option
    best_k = profit.argmax(axis=1)
    best_p = profit.max(axis=1)
    print(f"true best option per target: e-mail {np.mean((best_p > 0) & (best_k == 0)):.1%}, discount "
          f"{np.mean((best_p > 0) & (best_k == 1)):.1%}, nobody {np.mean(best_p <= 0):.1%}; positive true profit "
          f"e-mail {np.mean(profit[:, 0] > 0):.1%}, discount {np.mean(profit[:, 1] > 0):.1%}; "
          f"budget (a) = {args.budget_per_target:g} x {n} targets = {budget:.2f}", flush=True)

    # 2. Training.
    t0 = time.perf_counter()
    summaries = json.loads(run(base + ["--json", "uplift", "train", "--table", "campaign", "--treatment", "treatment",
                                       "--control", "0", "--target", "response", "--id", "customer_id",
                                       "--features", "customers", "--exclude", "spend",
                                       "--learner", ",".join(LEARNERS), "--model", "gbdt"]).stdout)
    t_train = time.perf_counter() - t0
    models = {}
    heldout = {}
    for s in summaries:
        models[s["learner"]] = s["name"]
        heldout[s["learner"]] = {str(h["treatment"]): h["uplift_at_k"] for h in s["holdout"]}
        assert [str(v) for v in s["treatments"]] == ["1", "2"], s["treatments"]
    print(f"uplift train (4 learners, gbdt) {t_train:.1f}s", flush=True)

    # 3. CATE quality.
    t0 = time.perf_counter()
    cate = {}
    for learner in LEARNERS:
        out = os.path.join(args.work, f"uplift_{learner}.csv")
        run(base + ["uplift", "score", models[learner], "--table", "targets", "--out", out])
        sc = pd.read_csv(out).set_index("customer_id").loc[target_ids]
        row = []
        for k in TREATMENTS:
            pred = sc[f"uplift_{k}"].to_numpy(dtype=float)
            row += [float(np.corrcoef(pred, truth[k].to_numpy())[0, 1]), float(spearmanr(pred, truth[k]).correlation),
                    float(pred.mean())]
        cate[learner] = row
    t_score = time.perf_counter() - t0

    # 4 and 6. prospect target: both treatments and each alone, with the budget and without.
    t0 = time.perf_counter()
    plans = {}  # (learner, setting, treatments) -> (true profit, per treatment, spend, expected profit, exact)
    for learner in LEARNERS:
        for setting, b in (("budget", budget), ("none", None)):
            for only in (None, 1, 2):
                name = f"aud_{learner}_{setting}_{only or 'all'}"
                out = os.path.join(args.work, name + ".csv")
                cmd = base + ["--json", "target", "--uplift", models[learner], "--table", "targets",
                              "--value", f"{value:g}", "--name", name, "--out", out]
                cmd += ["--cost", args.cost] if only is None else ["--cost", f"{cost_of[only]:g}", "--treatments",
                                                                   str(only)]
                if b is not None:
                    cmd += ["--budget", repr(b)]
                summary = json.loads(run(cmd).stdout)
                tp, per, spend = true_profit(out, truth, value, cost_of)
                plans[(learner, setting, only)] = (tp, per, spend, summary["expected_profit"], summary["exact"])
    t_target = time.perf_counter() - t0

    t0 = time.perf_counter()
    oracles = {}
    for setting, b in (("budget", budget), ("none", None)):
        oracles[(setting, None)] = oracle(profit, cost_arr, b)
        for k in TREATMENTS:
            tp, per1, spend, lp = oracle(profit[:, [k - 1]], cost_arr[[k - 1]], b)
            per = [0, 0]
            per[k - 1] = per1[0]
            oracles[(setting, k)] = (tp, per, spend, lp)
    t_oracle = time.perf_counter() - t0
    print(f"uplift score 4 models {t_score:.1f}s; prospect target x24 {t_target:.1f}s; oracle MILPs {t_oracle:.1f}s",
          flush=True)

    # Tables.
    print()
    print("CATE on B's targets (r Pearson, rho Spearman, mean predicted vs true mean "
          f"{u_true[:, 0].mean():.4f} / {u_true[:, 1].mean():.4f}); held-out uplift@30% on A from the train summary")
    print(f"{'learner':8} {'r e-mail':>9} {'rho e-mail':>11} {'mean e-mail':>12} {'r disc':>9} {'rho disc':>9} "
          f"{'mean disc':>10} {'u@30% e-mail':>13} {'u@30% disc':>11}")
    for learner in LEARNERS:
        r1, s1, m1, r2, s2, m2 = cate[learner]
        print(f"{learner:8} {r1:9.4f} {s1:11.4f} {m1:12.4f} {r2:9.4f} {s2:9.4f} {m2:10.4f} "
              f"{heldout[learner]['1']:13.4f} {heldout[learner]['2']:11.4f}")

    for setting, title in (("budget", f"(a) budget {budget:.2f} ({args.budget_per_target:g} per target)"),
                           ("none", "(b) no budget")):
        otp, oper, ospend, olp = oracles[(setting, None)]
        print()
        extra = f", LP bound {olp:.2f}" if olp is not None else ""
        print(f"{title}: oracle true profit {otp:.2f}, contacts e-mail/discount {fmt_per(oper)}, "
              f"spend {ospend:.2f}{extra}")
        print(f"{'learner':8} {'true profit':>12} {'oracle':>11} {'ratio':>7} {'expected':>11} {'e-mail/disc':>13} "
              f"{'spend':>10} {'exact':>6}")
        for learner in LEARNERS:
            tp, per, spend, exp, exact = plans[(learner, setting, None)]
            print(f"{learner:8} {tp:12.2f} {otp:11.2f} {tp / otp:7.3f} {exp:11.2f} {fmt_per(per):>13} "
                  f"{spend:10.2f} {str(exact).lower():>6}")
        best = max(LEARNERS, key=lambda l: plans[(l, setting, None)][0])
        ratio = plans[(best, setting, None)][0] / otp
        print(f"best learner {best}: ratio {ratio:.3f} -> goal >= {GOAL:.2f} {'met' if ratio >= GOAL else 'NOT met'}")

    print()
    every = {k: float(profit[:, k - 1].sum()) for k in TREATMENTS}
    better = max(TREATMENTS, key=lambda k: every[k])
    print(f"(i) one treatment for all {n} targets, no budget: e-mail {every[1]:.2f}, discount {every[2]:.2f} -> "
          f"better {NAMES[better]} {every[better]:.2f}; the two-treatment oracle (no budget) "
          f"{oracles[('none', None)][0]:.2f}")
    print("(ii) true profit of prospect's plans with both treatments and with one (--treatments K); "
          "multi - best single in the last column")
    for setting, title in (("budget", f"budget {budget:.2f}"), ("none", "no budget")):
        print(f"{title}:")
        print(f"{'plan':8} {'both':>12} {'e-mail only':>12} {'disc only':>12} {'multi-single':>13}")
        rows = [("oracle", [oracles[(setting, o)][0] for o in (None, 1, 2)])]
        rows += [(l, [plans[(l, setting, o)][0] for o in (None, 1, 2)]) for l in LEARNERS]
        for label, (both, e, d) in rows:
            print(f"{label:8} {both:12.2f} {e:12.2f} {d:12.2f} {both - max(e, d):13.2f}")
    print(f"\ntotal {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
