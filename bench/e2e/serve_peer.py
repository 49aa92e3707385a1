#!/usr/bin/python3
"""The peer of bench/e2e/serve_bench.py: what a team without prospect deploys for the same task —
a Python HTTP service (the standard library's ThreadingHTTPServer) that scores a customer by id
with an xgboost model of the same shape (100 trees of depth 6) over features held in memory.
Usage: serve_peer.py PROFILES_CSV TRAINING_CSV TARGET PORT"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd
import xgboost as xgb

profiles_csv, training_csv, target, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
train = pd.read_csv(training_csv)
profiles = pd.read_csv(profiles_csv)
features = [c for c in train.columns if c not in (target, "customer_id", "email", "phone", "name")
            and train[c].dtype != object]
model = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "nthread": 1,
                   "tree_method": "hist"},
                  xgb.DMatrix(train[features].to_numpy(np.float32), label=train[target]), 100)
rows = {str(i): r for i, r in zip(profiles["customer_id"], profiles[features].to_numpy(np.float32))}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        row = rows.get(str(body["customer_id"]))
        if row is None:
            out, status = {"error": "not found"}, 404
        else:
            score = float(model.inplace_predict(row[None, :])[0])
            out, status = {"customer_id": str(body["customer_id"]), "score": score}, 200
        data = json.dumps(out).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


print("ready", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
