#!/usr/bin/python3
"""Ingest end to end: the `prospect ingest` CLI process (parse + typed columnar store) against
pandas.read_csv alone, on the same 1M-row x 12-column events CSV, in one run.

The file is csv_parse.py's (generated once, deterministically, seed 7; reused when present).
Each round, for each prospect thread count: a fresh workspace (`prospect init`, untimed), then the
timed process `prospect --workspace W --threads N ingest events FILE`; its stored size (W/prospect.db
and any -wal / -shm file beside it) is recorded and the workspace removed. Then one timed
`pandas.read_csv(FILE)` in this process. Rounds interleave the sides, so the shared machine's drift
hits both alike; each side keeps its best wall time (CPU seconds are those of that best run: the
child's user + system time for prospect, this process's for pandas).
Run with Debian's /usr/bin/python3:
  ingest_bench.py --prospect build/prospect --work DIR [--rows 1000000] [--threads 1,2] [--rounds 3]
                  [--driver build/bench/prospect_csv_read]
With --driver, csv_parse.py's ReadCsv driver also runs in each round for each thread count (one
read, in its own process, its own timer around ReadCsv only): the parse alone, so the rest of the
ingest process (store write, start and exit) is the difference.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import pandas as pd

from csv_parse import generate


def child_cpu():
    r = os.times()
    return r.children_user + r.children_system


def store_size(ws):
    """Bytes of the workspace's store: prospect.db and its -wal / -shm files, if any."""
    sizes = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = os.path.join(ws, "prospect.db" + suffix)
        if os.path.exists(path):
            sizes["prospect.db" + suffix] = os.path.getsize(path)
    return sizes


def ingest_once(prospect, work, file, threads, round_no):
    ws = os.path.join(work, f"ws_{threads}_{round_no}")
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([prospect, "init", ws, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    cmd = [prospect, "--workspace", ws, "--threads", str(threads), "--json", "ingest", "events", file]
    c0, t0 = child_cpu(), time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall, cpu = time.perf_counter() - t0, child_cpu() - c0
    result = json.loads(out)
    sizes = store_size(ws)
    shutil.rmtree(ws)
    return {"seconds": wall, "cpu_seconds": cpu, "rows": result["rows_loaded"],
            "types": [c["type"] for c in result["columns"]], "sizes": sizes, "command": cmd}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prospect", required=True, help="the prospect CLI binary")
    ap.add_argument("--work", required=True, help="folder for the workspaces (one per ingest, removed after)")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--file", default="/tmp/prospect_csv_bench_events.csv")
    ap.add_argument("--threads", default="1,2", help="prospect thread counts, comma-separated (0 = all cores)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--driver", help="csv_parse.py's ReadCsv driver (bench/prospect_csv_read): adds a parse-only row")
    args = ap.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]

    if not os.path.exists(args.file) or sum(1 for _ in open(args.file)) != args.rows + 1:
        t = time.perf_counter()
        generate(args.file, args.rows)
        print(f"generated {args.file} ({os.path.getsize(args.file) / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t:.1f} s", file=sys.stderr)
    csv_bytes = os.path.getsize(args.file)

    load_before = open("/proc/loadavg").read().split()[:3]
    best, parse_best = {}, {}
    pandas_best, pandas_cpu = 1e300, 0.0
    for r in range(args.rounds):
        for threads in threads_list:
            res = ingest_once(args.prospect, args.work, args.file, threads, r)
            if threads not in best or res["seconds"] < best[threads]["seconds"]:
                best[threads] = res
            if args.driver:
                out = subprocess.run([args.driver, args.file, str(threads), "1"], check=True,
                                     capture_output=True, text=True).stdout
                d = json.loads(out)
                if threads not in parse_best or d["seconds"] < parse_best[threads]["seconds"]:
                    parse_best[threads] = d
        t, c = time.perf_counter(), time.process_time()
        df = pd.read_csv(args.file)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        if wall < pandas_best:
            pandas_best, pandas_cpu = wall, cpu
        shape = df.shape
        del df
    load_after = open("/proc/loadavg").read().split()[:3]
    for res in best.values():
        assert res["rows"] == args.rows == shape[0], (res["rows"], shape)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}, "
          f"pandas {pd.__version__}; load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    print(f"file: {args.file}  {args.rows} rows x {shape[1]} columns, {csv_bytes / 1e6:.1f} MB")
    print(f"prospect types: {best[threads_list[0]]['types']}")
    print(f"prospect: `{' '.join(best[threads_list[0]]['command'])}` in a fresh workspace (init untimed); "
          f"pandas: read_csv(FILE) in-process; best of {args.rounds} interleaved rounds")
    print()
    print("| side | wall s | rows/s (wall) | CPU s | pandas / side (wall) | stored bytes | stored / CSV |")
    print("|---|---|---|---|---|---|---|")
    print(f"| pandas {pd.__version__} `read_csv` (parse only, nothing stored) | {pandas_best:.3f} | "
          f"{args.rows / pandas_best:,.0f} | {pandas_cpu:.3f} | 1.00 | – (CSV {csv_bytes:,}) | – |")
    for threads in threads_list:
        res = best[threads]
        stored = sum(res["sizes"].values())
        parts = " + ".join(f"{k} {v:,}" for k, v in res["sizes"].items())
        label = f"prospect `ingest` CLI, --threads {threads}"
        print(f"| {label} | {res['seconds']:.3f} | {args.rows / res['seconds']:,.0f} | {res['cpu_seconds']:.3f} | "
              f"**{pandas_best / res['seconds']:.2f}** | {stored:,} ({parts}) | {stored / csv_bytes:.2f} |")
    for threads in threads_list if args.driver else []:
        d = parse_best[threads]
        assert d["rows"] == args.rows, d
        print(f"| prospect `ReadCsv` only (driver, parse, nothing stored), {d['threads']} thread{'s' if d['threads'] != 1 else ''} | {d['seconds']:.3f} | "
              f"{args.rows / d['seconds']:,.0f} | {d['cpu_seconds']:.3f} | {pandas_best / d['seconds']:.2f} | – | – |")
    print()
    print("prospect's time is the whole CLI process (start, read prospect.toml, open the store, parse, "
          "encode, compress and commit the column chunks); pandas' is read_csv alone, in memory.")
    print(json.dumps({"pandas": {"seconds": pandas_best, "cpu_seconds": pandas_cpu},
                      "prospect": {str(t): {k: v for k, v in best[t].items() if k != "command"} for t in threads_list},
                      "read_csv_driver": parse_best,
                      "csv_bytes": csv_bytes, "load_before": load_before, "load_after": load_after}))


if __name__ == "__main__":
    main()
