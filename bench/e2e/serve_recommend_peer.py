#!/usr/bin/python3
"""The numpy peer of prospect_serve_recommend_bench: the exact top 10 of each query user's factor
vector against every item's (one matrix-vector product, the user's history masked out,
argpartition, then a sort of the ten), one query at a time as a server answers them, on the same
ALS factors. Prints its latency percentiles and how often its lists equal prospect's exact ones.
Usage: serve_recommend_peer.py OUT_DIR   (the folder the driver wrote)
"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread, as the driver's requests
import numpy as np  # noqa: E402


def read_matrix(path):
    with open(path, "rb") as f:
        rows, cols = np.frombuffer(f.read(16), dtype="<u8")
        return np.frombuffer(f.read(), dtype="<f8").reshape(int(rows), int(cols)).astype(np.float32)


def main():
    out = sys.argv[1]
    items = read_matrix(os.path.join(out, "items.bin"))
    queries = read_matrix(os.path.join(out, "queries.bin"))
    lists = json.load(open(os.path.join(out, "queries.json")))
    times, same = [], 0
    for q, spec in enumerate(lists):
        history = np.asarray(spec["history"], dtype=np.int64)
        start = time.perf_counter()
        scores = items @ queries[q]
        scores[history] = -np.inf
        top = np.argpartition(-scores, 10)[:10]
        top = top[np.argsort(-scores[top], kind="stable")]
        times.append((time.perf_counter() - start) * 1e3)
        same += set(top.tolist()) == set(spec["exact"])
    times.sort()
    p = lambda f: times[int(f * (len(times) - 1))]
    print(f"numpy exact (matrix-vector product + argpartition), {len(lists)} users, one thread\n"
          f"  p50 {p(0.5):.3f} ms  p99 {p(0.99):.3f} ms\n"
          f"  lists equal to prospect's exact ones: {same / len(lists):.3f}")


if __name__ == "__main__":
    main()
