#!/usr/bin/python3
"""Customer profiles: prospect BuildProfiles vs the same features computed with pandas groupby.

Run (after building prospect_profile_bench and prospect):
  /usr/bin/python3 bench/e2e/profile_bench.py --prospect build/prospect \\
      --driver build/bench/prospect_profile_bench --customers 435000      # ~10M events

Generates the data once with `prospect generate` (or uses --dir), then on the same CSV files:
  prospect: ReadCsv of customers/events/orders/items, then BuildProfiles (C++ driver);
  pandas:   read_csv (timestamps parsed), then groupby aggregations for the same features.
  Each side reports the read and feature times of its fastest whole run (read + features) of N.
With --from-store the prospect side is the real CLI instead of the driver: `prospect init` and
`prospect ingest` of customers/events/orders/items into a fresh workspace (setup: untimed in the
comparison, their times printed), then `prospect profile` timed as a whole process (it loads the
four tables from the store, builds the profiles and stores them as table profiles), against
pandas read_csv + groupby; the sides are interleaved, best of N each. prospect.toml gets
[profile] include_attributes = false, as the driver sets in code, and the CLI uses its default
as-of (the end of the latest event/order day), the instant pandas computes; the script checks
that both printed the same instant. The values are compared after `prospect export profiles`.
Reading and computing are timed separately on both sides. Every feature column prospect writes
(except the customers' own attributes, left out on both sides) is compared for every customer:
equal nulls, and |prospect - pandas| <= 1e-9 * max(1, |pandas|). Definitions: docs/user/profile.md.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")
WINDOWS = [7, 30, 90, 365]


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def read(folder):
    customers = pd.read_csv(os.path.join(folder, "customers.csv"), parse_dates=["signup_date"])
    events = pd.read_csv(os.path.join(folder, "events.csv"), parse_dates=["timestamp"])
    orders = pd.read_csv(os.path.join(folder, "orders.csv"), parse_dates=["order_date"])
    items = pd.read_csv(os.path.join(folder, "items.csv"))
    return customers, events, orders, items


def features(customers, events, orders, items):
    """The profile of docs/user/profile.md with pandas: one row per customer, indexed by id."""
    as_of = max(events["timestamp"].max(), orders["order_date"].max()).normalize() + pd.Timedelta(days=1)
    cust = customers.loc[customers["signup_date"] < as_of, ["customer_id", "signup_date"]]
    ids = pd.Index(cust["customer_id"], name="customer_id")
    out = pd.DataFrame(index=ids)

    # Orders: lines with one order_id form one order (amount summed, earliest time).
    o = orders.loc[(orders["order_date"] < as_of) & orders["customer_id"].isin(ids)]
    o = o.groupby("order_id", sort=False).agg(customer_id=("customer_id", "first"), t=("order_date", "min"),
                                                amount=("total", "sum"))
    o["days_ago"] = (as_of - o["t"]) / DAY
    g = o.groupby("customer_id")
    buy = o[o["amount"] > 0]
    gb = buy.groupby("customer_id")
    out["recency_days"] = gb["days_ago"].min()
    out["frequency"] = gb.size().reindex(ids, fill_value=0)
    out["monetary"] = g["amount"].sum().reindex(ids, fill_value=0.0)
    out["avg_order_value"] = gb["amount"].sum() / gb.size()
    gaps = buy.sort_values(["customer_id", "t"])
    gaps = gaps.assign(gap=gaps.groupby("customer_id")["t"].diff() / DAY).dropna(subset=["gap"])
    gg = gaps.groupby("customer_id")["gap"]
    out["interpurchase_days_mean"] = gg.mean()
    out["interpurchase_days_std"] = gg.std(ddof=1)
    refunds = o[o["amount"] < 0].groupby("customer_id")["amount"]
    out["refunds"] = refunds.size().reindex(ids, fill_value=0)
    out["refund_amount"] = (-refunds.sum()).reindex(ids, fill_value=0.0)
    for w in WINDOWS:
        in_w = o[o["days_ago"] <= w]
        out[f"orders_{w}d"] = (in_w["amount"] > 0).groupby(in_w["customer_id"]).sum().reindex(ids, fill_value=0)
        out[f"order_amount_{w}d"] = in_w.groupby("customer_id")["amount"].sum().reindex(ids, fill_value=0.0)

    # Events.
    e = events.loc[(events["timestamp"] < as_of) & events["customer_id"].isin(ids)]
    days_ago = (as_of - e["timestamp"]) / DAY
    e = e.assign(days_ago=days_ago)
    out["events_total"] = e.groupby("customer_id").size().reindex(ids, fill_value=0)
    types = sorted(events["type"].dropna().unique())
    for w in WINDOWS:
        in_w = e[e["days_ago"] <= w]
        agg = in_w.groupby(["customer_id", "type"])["value"].agg(["size", "sum"]).unstack("type")
        for t in types:
            col = ("size", t)
            out[f"{t}_count_{w}d"] = agg[col].reindex(ids).fillna(0).astype(np.int64) if col in agg else 0
            col = ("sum", t)
            out[f"{t}_value_{w}d"] = agg[col].reindex(ids).fillna(0.0) if col in agg else 0.0
    last = e.groupby(["customer_id", "type"])["days_ago"].min().unstack("type")
    for t in types:
        out[f"days_since_{t}"] = last[t] if t in last else np.nan
    last30 = e[e["days_ago"] <= 30].groupby("customer_id").size().reindex(ids, fill_value=0)
    prev30 = e[(e["days_ago"] > 30) & (e["days_ago"] <= 60)].groupby("customer_id").size().reindex(ids, fill_value=0)
    out["trend_30d"] = (last30 + 1) / (prev30 + 1)
    out["distinct_items"] = e.groupby("customer_id")["item_id"].nunique().reindex(ids, fill_value=0)
    cat = e[["customer_id", "item_id"]].merge(items[["item_id", "category"]], on="item_id", how="inner")
    out["distinct_categories"] = cat.groupby("customer_id")["category"].nunique().reindex(ids, fill_value=0)
    out["tenure_days"] = ((as_of - cust["signup_date"]) / DAY).to_numpy()
    return out, as_of


def compare(ours_csv, theirs):
    ours = pd.read_csv(ours_csv).set_index("customer_id")
    theirs = theirs.reindex(ours.index)
    if len(ours) != len(theirs) or theirs.index.hasnans:
        raise SystemExit("customer sets differ")
    worst_abs, worst_rel, worst_col, checked, mismatched = 0.0, 0.0, "", [], []
    for col in ours.columns:
        if col not in theirs.columns:
            mismatched.append(f"{col} (missing in pandas)")
            continue
        a = ours[col].to_numpy(dtype=np.float64)
        b = theirs[col].to_numpy(dtype=np.float64)
        checked.append(col)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            mismatched.append(f"{col} (nulls differ in {int((np.isnan(a) != np.isnan(b)).sum())} rows)")
            continue
        ok = ~np.isnan(a)
        diff = np.abs(a[ok] - b[ok])
        if diff.size == 0:
            continue
        rel = diff / np.maximum(1.0, np.abs(b[ok]))
        if rel.max() > worst_rel:
            worst_rel, worst_abs, worst_col = float(rel.max()), float(diff.max()), col
        if rel.max() > 1e-9:
            mismatched.append(f"{col} (max rel diff {rel.max():.3g})")
    extra = [c for c in theirs.columns if c not in ours.columns]
    return {"columns_compared": len(checked), "customers": len(ours), "worst_rel_diff": worst_rel,
            "worst_abs_diff": worst_abs, "worst_column": worst_col, "mismatched": mismatched,
            "pandas_only_columns": extra}


def child_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def store_setup(args, folder, tmp):
    """A fresh workspace with the four tables ingested; returns (workspace, ingest rows, store bytes)."""
    ws = os.path.join(tmp, "ws")
    subprocess.run([args.prospect, "init", ws, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(ws, "prospect.toml"), "a") as f:
        f.write("\n[profile]\n# as the benchmark driver: computed features only\ninclude_attributes = false\n")
    ingests = []
    for table in ("customers", "events", "orders", "items"):
        path = os.path.join(folder, table + ".csv")
        cmd = [args.prospect, "--workspace", ws, "--threads", str(args.threads), "--json", "ingest", table, path]
        t0, c0 = time.perf_counter(), child_cpu_seconds()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        ingests.append((table, json.loads(out)["rows_loaded"], time.perf_counter() - t0, child_cpu_seconds() - c0,
                        os.path.getsize(path)))
    return ws, ingests


def store_bytes(ws):
    return {name: os.path.getsize(os.path.join(ws, name)) for name in sorted(os.listdir(ws))
            if name.startswith("prospect.db")}


def profile_cli(args, ws):
    """One timed `prospect profile` process: (wall s, CPU s, its JSON)."""
    cmd = [args.prospect, "--workspace", ws, "--threads", str(args.threads), "--json", "profile"]
    t0, c0 = time.perf_counter(), child_cpu_seconds()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t0, child_cpu_seconds() - c0, json.loads(out), cmd


def pandas_best_of(folder, repeats, before_each=None):
    """pandas read + features, best whole run of `repeats`; before_each(r) runs first in each round."""
    best = None
    for r in range(repeats):
        if before_each:
            before_each(r)
        t0, c0 = time.perf_counter(), cpu_seconds()
        tables = read(folder)
        t1, c1 = time.perf_counter(), cpu_seconds()
        theirs, as_of = features(*tables)
        t2, c2 = time.perf_counter(), cpu_seconds()
        del tables
        run_times = (t1 - t0, c1 - c0, t2 - t1, c2 - c1)
        if best is None or run_times[0] + run_times[2] < best[0] + best[2]:  # whole runs, as the driver
            best = run_times
    return best, theirs, as_of


def print_agreement(agreement):
    print(f"agreement: {agreement['columns_compared']} feature columns x {agreement['customers']} customers; "
          f"worst relative difference {agreement['worst_rel_diff']:.3g} (abs {agreement['worst_abs_diff']:.3g}, "
          f"{agreement['worst_column'] or '-'}); mismatches: {agreement['mismatched'] or 'none'}; "
          f"pandas-only columns: {agreement['pandas_only_columns'] or 'none'}")


def main_from_store(args):
    load_before = open("/proc/loadavg").read().split()[:3]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir
        if not folder:
            folder = os.path.join(tmp, "data")
            subprocess.run([args.prospect, "generate", "--customers", str(args.customers), "--seed", str(args.seed),
                            "--out", folder, "--quiet"], check=True, stdout=subprocess.DEVNULL)
        ws, ingests = store_setup(args, folder, tmp)
        stored = store_bytes(ws)
        load_setup = open("/proc/loadavg").read().split()[:3]

        runs = []
        def prospect_round(_):
            runs.append(profile_cli(args, ws))
        best, theirs, as_of = pandas_best_of(folder, args.repeats, prospect_round)
        load_after = open("/proc/loadavg").read().split()[:3]
        p_wall, p_cpu, p_json, p_cmd = min(runs, key=lambda x: x[0])
        ours_csv = os.path.join(tmp, "profiles.csv")
        subprocess.run([args.prospect, "--workspace", ws, "--quiet", "export", "profiles", "--out", ours_csv],
                       check=True, stdout=subprocess.DEVNULL)
        agreement = compare(ours_csv, theirs)
        event_rows = next(rows for t, rows, *_ in ingests if t == "events")
        order_rows = next(rows for t, rows, *_ in ingests if t == "orders")

    read_s, read_cpu, build_s, build_cpu = best
    pandas_as_of = str(pd.Timestamp(as_of))
    same_as_of = p_json["as_of"] == pandas_as_of
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}, "
          f"pandas {pd.__version__}, numpy {np.__version__}")
    print(f"load average: before setup {' '.join(load_before)}, before the timed runs {' '.join(load_setup)}, "
          f"after {' '.join(load_after)}")
    print(f"data: {folder}: {p_json['rows']} customers profiled, {event_rows} events, {order_rows} orders; "
          f"as of {p_json['as_of']} (pandas: {pandas_as_of}: {'same' if same_as_of else 'DIFFERENT'}); "
          f"best of {args.repeats} interleaved rounds; prospect threads {args.threads}")
    print("setup (not in the comparison): prospect init + ingest, one process per table:")
    print("| table | rows | CSV bytes | ingest wall s | CPU s |")
    print("|---|---|---|---|---|")
    for table, rows, wall, cpu, size in ingests:
        print(f"| {table} | {rows:,} | {size:,} | {wall:.3f} | {cpu:.3f} |")
    print(f"| all four | {sum(i[1] for i in ingests):,} | {sum(i[4] for i in ingests):,} | "
          f"{sum(i[2] for i in ingests):.3f} | {sum(i[3] for i in ingests):.3f} |")
    print(f"store after ingest: " + ", ".join(f"{k} {v:,} bytes" for k, v in stored.items()))
    print()
    print(f"prospect: `{' '.join(p_cmd)}`, all runs: " + ", ".join(f"{w:.3f}" for w, *_ in runs) + " s")
    print("| side | wall s | CPU s | pandas / prospect (wall) |")
    print("|---|---|---|---|")
    print(f"| prospect `profile` CLI (load 4 tables from the store + features + store table profiles) | "
          f"{p_wall:.3f} | {p_cpu:.3f} | **{(read_s + build_s) / p_wall:.1f}x** |")
    print(f"| pandas read_csv (4 files) + groupby features | {read_s + build_s:.3f} | {read_cpu + build_cpu:.3f} | 1.0x |")
    print(f"|   of which pandas read_csv | {read_s:.3f} | {read_cpu:.3f} | {read_s / p_wall:.1f}x |")
    print(f"|   of which pandas features | {build_s:.3f} | {build_cpu:.3f} | {build_s / p_wall:.1f}x |")
    print_agreement(agreement)
    print(json.dumps({"mode": "from-store", "prospect": {"seconds": p_wall, "cpu_seconds": p_cpu, "all_runs": [r[0] for r in runs],
                                                         "as_of": p_json["as_of"], "rows": p_json["rows"]},
                      "ingest": [{"table": t, "rows": r, "seconds": w, "cpu_seconds": c, "csv_bytes": b}
                                 for t, r, w, c, b in ingests],
                      "store_bytes": stored,
                      "pandas": {"read_seconds": read_s, "read_cpu_seconds": read_cpu,
                                 "build_seconds": build_s, "build_cpu_seconds": build_cpu, "as_of": pandas_as_of},
                      "agreement": agreement}))
    return 1 if agreement["mismatched"] or not same_as_of else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prospect", default="build/prospect", help="the prospect binary (for generate)")
    ap.add_argument("--driver", default="build/bench/prospect_profile_bench")
    ap.add_argument("--customers", type=int, default=435000, help="customers to generate (~23 events each)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dir", help="use this generated folder instead of generating one")
    ap.add_argument("--threads", type=int, default=1, help="prospect threads (CSV reading is parallel)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--from-store", action="store_true",
                    help="prospect side = the CLI: init + ingest (untimed setup), then timed `prospect profile`")
    args = ap.parse_args()
    if args.from_store:
        return main_from_store(args)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir
        if not folder:
            folder = os.path.join(tmp, "data")
            subprocess.run([args.prospect, "generate", "--customers", str(args.customers), "--seed", str(args.seed),
                            "--out", folder, "--quiet"], check=True, stdout=subprocess.DEVNULL)
        ours_csv = os.path.join(tmp, "profiles.csv")
        run = subprocess.run([args.driver, folder, ours_csv, str(args.threads), str(args.repeats)], check=True,
                             capture_output=True, text=True)
        ours = json.loads(run.stdout.strip().splitlines()[-1])

        best, theirs, as_of = pandas_best_of(folder, args.repeats)
        agreement = compare(ours_csv, theirs)

    read_s, read_cpu, build_s, build_cpu = best
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"data: {ours['customers']} customers, {ours['events']} events, {ours['orders']} orders; "
          f"as of {ours['as_of']} (pandas: {as_of}); best of {args.repeats}; prospect threads {ours['threads']}")
    print(f"{'step':<26} {'prospect s':>11} {'(cpu s)':>9} {'pandas s':>10} {'(cpu s)':>9} {'pandas/prospect':>16}")
    rows = [("features (in memory)", ours["build_seconds"], ours["build_cpu_seconds"], build_s, build_cpu),
            ("read CSV", ours["read_seconds"], ours["read_cpu_seconds"], read_s, read_cpu),
            ("read + features", ours["read_seconds"] + ours["build_seconds"],
             ours["read_cpu_seconds"] + ours["build_cpu_seconds"], read_s + build_s, read_cpu + build_cpu)]
    for name, p, pc, q, qc in rows:
        print(f"{name:<26} {p:>11.3f} {pc:>9.3f} {q:>10.3f} {qc:>9.3f} {q / p:>15.1f}x")
    print_agreement(agreement)
    print(json.dumps({"prospect": ours, "pandas": {"read_seconds": read_s, "read_cpu_seconds": read_cpu,
                                                   "build_seconds": build_s, "build_cpu_seconds": build_cpu},
                      "agreement": agreement}))
    return 1 if agreement["mismatched"] else 0


if __name__ == "__main__":
    sys.exit(main())
