#!/usr/bin/python3
"""prospect serve under load (wrk on loopback), against a Python + xgboost peer on the same task:
score a customer by id with a 100-tree depth-6 gbdt over in-memory features.

Measures, in one run:
  1. saturation: requests/s with wrk at 32 connections (prospect, then the peer);
  2. a fixed rate of about 5,000 requests/s for --seconds (default 60): p99 and errors;
  3. the same rate while `prospect models promote` swaps versions twice: errors and p99.
Usage: serve_bench.py --prospect BIN --work DIR [--customers N] [--seconds S]"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--prospect", required=True)
ap.add_argument("--work", required=True)
ap.add_argument("--customers", type=int, default=20000)
ap.add_argument("--seconds", type=int, default=60)
ap.add_argument("--rate", type=int, default=5000)
args = ap.parse_args()
P = os.path.abspath(args.prospect)
HERE = os.path.dirname(os.path.abspath(__file__))
ws = os.path.join(args.work, "qs", "workspace")


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path="/v2/health/ready"):
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"nothing answers on port {port}")


def lua(key, delay_ms):
    """A wrk script: POST a score by id for customers 1..2000 in turn; with delay_ms > 0, each
    connection waits that long on average between requests (wrk delays in whole ms, so the
    script alternates floor and ceil to keep the mean)."""
    path = os.path.join(args.work, f"score_{delay_ms}.lua")
    with open(path, "w") as f:
        f.write(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
local n = 0
local owed = 0
request = function()
  n = n % 2000 + 1
  return wrk.format(nil, nil, nil, '{{"model": "bench_gbdt", "customer_id": ' .. n .. '}}')
end
""")
        if delay_ms > 0:
            f.write(f"""
delay = function()
  owed = owed + {delay_ms}
  local whole = math.floor(owed)
  owed = owed - whole
  return whole
end
""")
    return path


def wrk(port, script, connections, seconds):
    out = sh("wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
             f"http://127.0.0.1:{port}/v1/score")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v

    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return {"rate": rate, "requests": total, "p50_ms": ms("50"), "p99_ms": ms("99"), "errors": errors}


def main():
    os.makedirs(args.work, exist_ok=True)
    print(f"setting up: quickstart with {args.customers} customers, a 100-tree depth-6 gbdt", flush=True)
    sh(P, "quickstart", "--dir", os.path.join(args.work, "qs"), "--customers", str(args.customers), "--quiet")
    train = [P, "--workspace", ws, "train", "--table", "propensity_training", "--target", "purchased_30d",
             "--id", "customer_id", "--model", "gbdt", "--name", "bench_gbdt", "--param", "n_estimators=100",
             "--param", "max_depth=6", "--param", "early_stopping_rounds=0"]
    subprocess.run(train, check=True, capture_output=True)
    subprocess.run(train + ["--seed", "7"], check=True, capture_output=True)  # v2, for the swaps
    sh(P, "--workspace", ws, "models", "promote", "bench_gbdt", "1")
    key = json.loads(sh(P, "--workspace", ws, "--json", "keys", "create", "--role", "score"))["token"]

    port = free_port()
    server = subprocess.Popen([P, "--workspace", ws, "serve", "--port", str(port), "--models", "bench_gbdt",
                               "--reload-interval", "0.5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    try:
        wait_ready(port)
        wrk(port, lua(key, 0), 32, 3)  # warm-up
        results["prospect_saturation"] = wrk(port, lua(key, 0), 32, 20)
        # Each of 8 connections sends a request every 8/rate s: the wait between them is that
        # interval less what a request and wrk's own turn take, measured in a short calibration.
        connections = 8
        interval_ms = connections * 1000 / args.rate
        delay_ms = interval_ms
        for _ in range(4):  # correct the wait by the interval's error until within 1 %
            measured = wrk(port, lua(key, round(delay_ms, 3)), connections, 5)["rate"]
            if abs(measured - args.rate) < 0.01 * args.rate:
                break
            delay_ms = max(0.0, delay_ms + interval_ms - connections * 1000 / measured)
        rate_script = lua(key, round(delay_ms, 3))
        results["prospect_at_rate"] = wrk(port, rate_script, connections, args.seconds)

        def promote_twice():
            time.sleep(args.seconds / 3)
            sh(P, "--workspace", ws, "models", "promote", "bench_gbdt", "2")
            time.sleep(args.seconds / 3)
            sh(P, "--workspace", ws, "models", "promote", "bench_gbdt", "1")
        t = threading.Thread(target=promote_twice)
        t.start()
        results["prospect_with_promotions"] = wrk(port, rate_script, connections, args.seconds)
        t.join()
        metrics = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
        read_key = json.loads(sh(P, "--workspace", ws, "--json", "keys", "create", "--role", "read"))["token"]
        time.sleep(1)
        metrics.add_header("Authorization", f"Bearer {read_key}")
        text = urllib.request.urlopen(metrics).read().decode()
        results["reloads"] = int(re.search(r"^prospect_model_reloads_total (\d+)", text, re.M).group(1))
    finally:
        server.send_signal(signal.SIGTERM)
        results["prospect_exit_code"] = server.wait(timeout=60)

    sh(P, "--workspace", ws, "export", "profiles", "--out", os.path.join(args.work, "profiles.csv"))
    sh(P, "--workspace", ws, "export", "propensity_training", "--out", os.path.join(args.work, "training.csv"))
    peer_port = free_port()
    peer = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "serve_peer.py"),
                             os.path.join(args.work, "profiles.csv"), os.path.join(args.work, "training.csv"),
                             "purchased_30d", str(peer_port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        peer.stdout.readline()
        wrk(peer_port, lua(key, 0), 32, 3)
        results["peer_saturation"] = wrk(peer_port, lua(key, 0), 32, 20)
    finally:
        peer.terminate()
        peer.wait()

    def row(name, r):
        return (f"  {name:34s} {r['rate']:9.0f} req/s  p50 {r['p50_ms']:6.3f} ms  p99 {r['p99_ms']:6.3f} ms  "
                f"errors {r['errors']} of {r['requests']}")
    print(f"\nloopback, wrk -t1, {os.cpu_count()} cores shared by wrk and the server")
    print(row("prospect serve, 32 connections", results["prospect_saturation"]))
    print(row("python + xgboost, 32 connections", results["peer_saturation"]))
    print(f"  saturation ratio prospect / peer = "
          f"{results['prospect_saturation']['rate'] / results['peer_saturation']['rate']:.1f}x")
    print(row(f"prospect at ~{args.rate}/s, {args.seconds} s", results["prospect_at_rate"]))
    print(row(f"  same, 2 promotions during it", results["prospect_with_promotions"]))
    print(f"  p99 with promotions / p99 without = "
          f"{results['prospect_with_promotions']['p99_ms'] / results['prospect_at_rate']['p99_ms']:.2f}; "
          f"snapshots swapped: {results['reloads']}; exit code after SIGTERM: {results['prospect_exit_code']}")
    print(json.dumps(results))


main()
