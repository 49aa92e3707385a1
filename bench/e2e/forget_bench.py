#!/usr/bin/python3
"""Erasure at scale: `prospect forget` of 1 person and of 100,000 on a workspace of 1M customers
(the generator's, seed 5: 23M events, 2.4M orders, profiles, a saved audience of everyone, e-mail
and phone pseudonymised with raw values sealed), against the same deletes in SQLite row tables
with an index on customer_id (Python's sqlite3: what a team would keep the data in otherwise).

Each timed run starts from a copy of the prepared store, written back to disk (os.sync) before
the clock starts (neither copying nor syncing is timed). prospect: the
whole `prospect forget` process, which also rewrites the audience, the suppression list and the
audit receipt in the same transaction. Peer: one transaction of DELETE ... WHERE customer_id IN
(SELECT id FROM a temp table) over customers, events, orders and profiles. One person: 5 runs,
different ids, median; 100,000 people (every other id from 200,000): one run each.
Run with Debian's /usr/bin/python3:
  forget_bench.py --prospect build/prospect --work DIR [--customers 1000000]
"""
import argparse
import csv
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import time


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def prepare_prospect(prospect, work, gen, env):
    ws = os.path.join(work, "ws")
    run([prospect, "init", ws, "--quiet"])
    base = [prospect, "--workspace", ws, "--quiet"]
    run(base + ["ingest", "customers", f"{gen}/customers.csv", "--pii", "email,phone",
                "--pii-keep-raw"], env)
    run(base + ["ingest", "events", f"{gen}/events.csv"], env)
    run(base + ["ingest", "orders", f"{gen}/orders.csv"], env)
    run(base + ["profile"], env)
    run(base + ["audience", "save", "everyone", "--table", "customers"], env)
    run(base + ["export", "profiles", "--out", f"{gen}/profiles.csv"], env)
    return ws


def prepare_peer(work, gen):
    path = os.path.join(work, "peer.db")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    for table in ("customers", "events", "orders", "profiles"):
        with open(f"{gen}/{table}.csv", newline="") as f:
            rows = csv.reader(f)
            header = next(rows)
            db.execute(f"CREATE TABLE {table} ({', '.join(header)})")
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(header))})", rows)
        db.execute(f"CREATE INDEX {table}_customer ON {table}(customer_id)")
        db.commit()
    db.close()
    return path


def forget_prospect(prospect, ws, base_db, ids, env):
    shutil.copyfile(base_db, os.path.join(ws, "prospect.db"))
    for suffix in ("-wal", "-shm"):
        if os.path.exists(os.path.join(ws, "prospect.db" + suffix)):
            os.remove(os.path.join(ws, "prospect.db" + suffix))
    ids_file = os.path.join(os.path.dirname(ws), "ids.txt")
    with open(ids_file, "w") as f:
        f.write("\n".join(str(i) for i in ids) + "\n")
    os.sync()  # the copy's dirty pages written back before the clock starts
    t0 = time.perf_counter()
    out = run([prospect, "--workspace", ws, "--json", "forget", "--ids-file", ids_file], env)
    return time.perf_counter() - t0, json.loads(out)["rows"]


def forget_peer(path, base_db, ids):
    shutil.copyfile(base_db, path)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    os.sync()
    t0 = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    # Text, as the CSV's ids were stored: the same type lets the index on customer_id serve.
    db.execute("CREATE TEMP TABLE gone(id TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO gone VALUES (?)", ((str(i),) for i in ids))
    rows = 0
    for table in ("customers", "events", "orders", "profiles"):
        rows += db.execute(
            f"DELETE FROM {table} WHERE customer_id IN (SELECT id FROM gone)").rowcount
    db.commit()
    db.close()
    return time.perf_counter() - t0, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prospect", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--customers", type=int, default=1000000)
    a = ap.parse_args()
    gen = os.path.join(a.work, "gen")
    run([a.prospect, "generate", "--customers", str(a.customers), "--seed", "5", "--out", gen])
    key = os.path.join(a.work, "pii.key")
    run([a.prospect, "pii", "keygen", "--out", key])
    env = dict(os.environ, PROSPECT_PII_KEY_FILE=key)
    ws = prepare_prospect(a.prospect, a.work, gen, env)
    base_db = os.path.join(a.work, "base.db")
    shutil.copyfile(os.path.join(ws, "prospect.db"), base_db)
    peer = prepare_peer(a.work, gen)
    peer_base = os.path.join(a.work, "peer_base.db")
    shutil.copyfile(peer, peer_base)

    one = [123457 + 1000 * i for i in range(5)]
    many = list(range(200000, 200000 + 2 * 100000, 2))
    results = {}
    for side, fn in (("prospect", lambda ids: forget_prospect(a.prospect, ws, base_db, ids, env)),
                     ("sqlite_rows", lambda ids: forget_peer(peer, peer_base, ids))):
        singles = [fn([i]) for i in one]
        results[side] = {"one_seconds_median": statistics.median(s for s, _ in singles),
                         "one_seconds": [round(s, 3) for s, _ in singles],
                         "one_rows": [r for _, r in singles]}
        seconds, rows = fn(many)
        results[side].update({"many_seconds": seconds, "many_rows": rows})
    for side, r in results.items():
        print(f"{side:12s} forget 1: median {r['one_seconds_median']:.3f} s (runs {r['one_seconds']},"
              f" rows {r['one_rows']}); forget 100,000: {r['many_seconds']:.2f} s"
              f" ({r['many_rows']} rows)")
    p, q = results["prospect"], results["sqlite_rows"]
    print(f"time ratio sqlite_rows/prospect: forget 1 "
          f"{q['one_seconds_median'] / p['one_seconds_median']:.2f}x, forget 100,000 "
          f"{q['many_seconds'] / p['many_seconds']:.2f}x")
    print(json.dumps({"customers": a.customers, "results": results}))


main()
