#!/usr/bin/python3
"""prospect serve over real HTTP, checked by real clients.

Builds a small quickstart workspace, starts `prospect serve` on a free port and then:
  * calls every route of /openapi.json with a working request and validates each answer (and the
    error answers) against the route's schema with python3-jsonschema;
  * posts an event and checks that the customer's next score has changed within 1 s;
  * checks /metrics with `promtool check metrics` and has a real Prometheus scrape it;
  * sends SIGTERM and expects exit code 0;
  * on a second server with a short read timeout: a request that never finishes arriving and an
    idle keep-alive connection are both closed after the timeout, and SIGTERM with idle
    connections open exits 0 at once.
Usage: route_test.py PROSPECT_BINARY
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import jsonschema

PROSPECT = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="prospect-serve-test-")
FAILURES = []


# People and an opportunity of tests/fixtures/crm's Twenty-style exports.
IVAN = "6b1f0c1e-0d4e-4c7a-9a51-1f2e3d4c5b6a"
JUN = "7c2a1d2f-1e5f-4d8b-8b62-2a3f4e5d6c7b"
LENA = "8d3b2e3a-2f6a-4e9c-9c73-3b4a5f6e7d8c"
TRAINING = "a1a1a1a1-0000-4000-8000-000000000003"


def fail(message):
    FAILURES.append(message)
    print("FAIL:", message, flush=True)


def run(*args):
    return subprocess.run([PROSPECT, *args], check=True, capture_output=True, text=True).stdout


def request(port, method, path, body=None, key=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def openapi_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's type union (jsonschema knows no nullable)."""
    if isinstance(node, dict):
        node = {k: openapi_to_json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [openapi_to_json_schema(v) for v in node]
    return node


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ws = os.path.join(WORK, "quickstart", "workspace")
    # One thread for the set-up: under ThreadSanitizer, OpenMP's own threads (libgomp is not
    # instrumented) would be reported; the server below runs its request threads as usual.
    subprocess.run([PROSPECT, "--threads", "1", "quickstart", "--dir", os.path.join(WORK, "quickstart"),
                    "--customers", "1500", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    keys = {role: json.loads(run("--workspace", ws, "--json", "keys", "create", "--role", role))["token"]
            for role in ("read", "score", "write", "admin")}
    # CRM records from a Twenty-style export, and a merge for the undo route to reverse.
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "crm")
    for crm_object, name in (("people", "twenty_people.csv"), ("opportunities", "twenty_opportunities.csv")):
        run("--workspace", ws, "--quiet", "crm", "import", crm_object, os.path.join(fixtures, name),
            "--from", "twenty")
    merged = json.loads(run("--workspace", ws, "--json", "crm", "merge", "people", IVAN, JUN, "--apply"))

    server = subprocess.Popen([PROSPECT, "--workspace", ws, "--json", "serve", "--port", "0",
                               "--reload-interval", "0.5"],
                              stdout=subprocess.PIPE, stderr=open(os.path.join(WORK, "serve.log"), "w"),
                              text=True)
    try:
        port = json.loads(server.stdout.readline())["port"]
        check_routes(port, keys, merged["audit_id"])
        check_events(port, keys)
        check_concurrency(port, keys, ws)
        check_metrics(port, keys)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
            if code != 0:
                fail(f"SIGTERM: prospect serve exited with {code}, expected 0")
        except subprocess.TimeoutExpired:
            server.kill()
            fail("SIGTERM: prospect serve did not exit within 30 s")
    log = open(os.path.join(WORK, "serve.log")).read()
    for line in log.splitlines():
        json.loads(line)  # every log line is one JSON object
    for secret in keys.values():
        if secret in log:
            fail("an API key appears in the server's log")
    check_connections(ws)


def closed_after(conn):
    """Seconds until the server closes `conn` (which sends nothing more), or None after 10 s."""
    conn.settimeout(10)
    started = time.monotonic()
    try:
        while conn.recv(4096):
            pass
    except socket.timeout:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def check_connections(ws):
    server = subprocess.Popen([PROSPECT, "--workspace", ws, "--json", "serve", "--port", "0",
                               "--read-timeout", "0.5", "--drain", "20", "--reload-interval", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = json.loads(server.stdout.readline())["port"]
        partial = socket.create_connection(("127.0.0.1", port))
        partial.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: x\r\n")  # no blank line: unfinished
        waited = closed_after(partial)
        if waited is None or not 0.3 <= waited <= 3:
            fail(f"read timeout 0.5 s: a half-sent request was closed after {waited} s")
        idle = socket.create_connection(("127.0.0.1", port))
        idle.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        if not idle.recv(4096).startswith(b"HTTP/1.1 200"):
            fail("read timeout 0.5 s: a whole request did not get 200")
        waited = closed_after(idle)
        if waited is None or not 0.3 <= waited <= 3:
            fail(f"read timeout 0.5 s: an idle keep-alive connection was closed after {waited} s")
        # The drain: connections that are idle or mid-request do not hold the exit up.
        open_ones = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        open_ones[0].sendall(b"GET /v2/health/live HTTP/1.1\r\n")
        time.sleep(0.1)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=15)
        if code != 0 or time.monotonic() - started > 3:
            fail(f"SIGTERM with idle connections: exit {code} after {time.monotonic() - started:.1f} s")
    finally:
        if server.poll() is None:
            server.kill()
            fail("SIGTERM with idle connections: prospect serve did not exit within 15 s")


def check_routes(port, keys, merge_entry):
    status, _, body = request(port, "GET", "/openapi.json", key=keys["read"])
    assert status == 200, status
    doc = json.loads(body)
    root = openapi_to_json_schema(doc)
    resolver = jsonschema.RefResolver.from_schema(root)

    def validate(method, path, status, content_type, body):
        op = doc["paths"][path][method.lower()]
        response = op["responses"].get(str(status)) or op["responses"].get("default")
        if response is None:
            fail(f"{method} {path}: status {status} is not in the document")
            return
        if "$ref" in response:
            response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        content = response.get("content")
        if not content:
            if body:
                fail(f"{method} {path} {status}: a body where the document says none")
            return
        media = next((m for m in ("application/json", "text/html", "text/csv") if m in content_type),
                     "text/plain")
        if media not in content:
            fail(f"{method} {path} {status}: {content_type} is not in the document")
            return
        schema = openapi_to_json_schema(content[media]["schema"])
        value = json.loads(body) if media == "application/json" else body.decode()
        try:
            jsonschema.validate(value, schema, resolver=resolver)
        except jsonschema.ValidationError as e:
            fail(f"{method} {path} {status}: {e.message} in {body[:300]!r}")

    s = keys["score"]
    # One working request per route; the test fails if the document has a route not listed here.
    examples = {
        ("GET", "/v2/health/live"): ("/v2/health/live", None, None),
        ("GET", "/v2/health/ready"): ("/v2/health/ready", None, None),
        ("GET", "/v2"): ("/v2", None, keys["read"]),
        ("GET", "/v2/models/{model}"): ("/v2/models/propensity", None, keys["read"]),
        ("GET", "/v2/models/{model}/ready"): ("/v2/models/propensity/ready", None, keys["read"]),
        ("POST", "/v2/models/{model}/infer"): ("/v2/models/propensity/infer", "infer", s),
        ("POST", "/v1/score"): ("/v1/score", {"model": "propensity", "customer_id": 42}, s),
        ("POST", "/v1/explain"): ("/v1/explain", {"model": "propensity", "customer_id": 42, "top": 3}, s),
        ("POST", "/v1/recommend"): ("/v1/recommend", {"user": 42, "k": 5, "reasons": True}, s),
        ("POST", "/v1/similar"): ("/v1/similar", {"item": 7, "k": 5}, s),
        ("GET", "/v1/customers/{id}"): ("/v1/customers/42", None, keys["read"]),
        ("DELETE", "/v1/customers/{id}"): ("/v1/customers/45", None, keys["admin"]),
        ("POST", "/v1/assign"): ("/v1/assign", {"salt": "checkout", "variants": "a:50,b:50", "unit_ids": [1, "x"]}, s),
        ("POST", "/v1/events"): ("/v1/events", "event", keys["write"]),
        ("GET", "/v1/audiences"): ("/v1/audiences", None, keys["read"]),
        ("POST", "/v1/audiences"): ("/v1/audiences", {"name": "loyal", "table": "customers",
                                                      "where": "loyalty_member = 1"}, keys["write"]),
        ("POST", "/v1/audiences/{name}/export"): ("/v1/audiences/loyal/export", {"platform": "meta"},
                                                  keys["admin"]),
        ("GET", "/v1/crm/people/{id}"): (f"/v1/crm/people/{IVAN}", None, keys["read"]),
        ("GET", "/v1/crm/pipeline"): ("/v1/crm/pipeline", None, keys["read"]),
        ("POST", "/v1/crm/opportunities/{id}/stage"): (f"/v1/crm/opportunities/{TRAINING}/stage",
                                                       {"stage": "MEETING"}, keys["write"]),
        ("GET", "/v1/crm/duplicates/{object}"): ("/v1/crm/duplicates/people", None, keys["read"]),
        ("POST", "/v1/crm/merge"): ("/v1/crm/merge", {"object": "people", "keep": IVAN,
                                                      "other": LENA}, keys["write"]),
        ("POST", "/v1/crm/undo/{entry}"): (f"/v1/crm/undo/{merge_entry}", None, keys["write"]),
        ("GET", "/v1/models"): ("/v1/models", None, keys["read"]),
        ("GET", "/metrics"): ("/metrics", None, keys["read"]),
        ("GET", "/openapi.json"): ("/openapi.json", None, keys["read"]),
        ("GET", "/"): ("/", None, None),
        ("GET", "/v1/dashboard"): ("/v1/dashboard", None, keys["read"]),
    }
    status, _, meta = request(port, "GET", "/v2/models/propensity", key=keys["read"])
    inputs = json.loads(meta)["inputs"]
    status, _, customer = request(port, "GET", "/v1/customers/42", key=keys["read"])
    profile = json.loads(customer)["profile"]
    infer = {"id": "r1", "inputs": [{"name": i["name"], "shape": [1], "datatype": i["datatype"],
                                     "data": [profile[i["name"]]]} for i in inputs]}
    # Customer 44, not 42: the routes run in the document's (alphabetical) order, and 42's
    # features must stay those the V2 request was built from.
    event = {"events": [{"customer_id": 44, "timestamp": "2026-06-29 12:00:00", "type": "view", "item_id": 7}]}
    for path, ops in doc["paths"].items():
        for method in ops:
            key = (method.upper(), path)
            if key not in examples:
                fail(f"{method.upper()} {path} is in the document but the test does not call it")
                continue
            target, body, k = examples[key]
            body = {"infer": infer, "event": event}.get(body, body) if isinstance(body, str) else body
            status, content_type, answer = request(port, method.upper(), target, body, k)
            if status != 200:
                fail(f"{method.upper()} {target}: status {status}: {answer[:300]!r}")
            validate(method.upper(), path, status, content_type, answer)
            # The V2 infer score equals the score by id (the same customer's features).
            if key == ("POST", "/v2/models/{model}/infer"):
                _, _, by_id = request(port, "POST", "/v1/score", {"model": "propensity", "customer_id": 42}, s)
                got, want = json.loads(answer)["outputs"][0]["data"][0], json.loads(by_id)["score"]
                if abs(got - want) > 1e-6:
                    fail(f"V2 infer gives {got}, the score by id {want}")

    # Error answers follow the Error schema, with the right statuses.
    errors = [
        ("POST", "/v1/score", "/v1/score", {"customer_id": 42}, None, 401),
        ("POST", "/v1/score", "/v1/score", {"customer_id": 42}, keys["read"], 403),
        ("POST", "/v1/events", "/v1/events", event, s, 403),
        ("POST", "/v1/audiences", "/v1/audiences", {"name": "x", "table": "customers"}, keys["read"], 403),
        ("POST", "/v1/audiences/{name}/export", "/v1/audiences/loyal/export", {"platform": "google"},
         keys["read"], 403),
        ("POST", "/v1/audiences/{name}/export", "/v1/audiences/loyal/export", {"platform": "google"},
         keys["write"], 403),
        ("DELETE", "/v1/customers/{id}", "/v1/customers/46", None, keys["write"], 403),
        ("POST", "/v1/crm/merge", "/v1/crm/merge", {"keep": IVAN, "other": LENA, "apply": True},
         keys["read"], 403),
        ("POST", "/v1/crm/opportunities/{id}/stage", f"/v1/crm/opportunities/{TRAINING}/stage",
         {"stage": "Negotiation"}, keys["write"], 400),
        ("GET", "/v1/crm/people/{id}", "/v1/crm/people/nobody", None, keys["read"], 404),
        ("POST", "/v1/audiences", "/v1/audiences", {"name": "x", "table": "customers", "where": "age > 999"},
         keys["write"], 400),
        ("POST", "/v1/score", "/v1/score", {"model": "nope", "customer_id": 42}, s, 404),
        ("POST", "/v1/score", "/v1/score", {"model": "propensity", "customer_id": 1.5}, s, 400),
        ("GET", "/v1/customers/{id}", "/v1/customers/no-such-customer", None, keys["read"], 404),
        ("GET", "/v2/models/{model}/ready", "/v2/models/nope/ready", None, keys["read"], 404),
    ]
    for method, path, target, body, k, want in errors:
        status, content_type, answer = request(port, method, target, body, k)
        if status != want:
            fail(f"{method} {target}: status {status}, expected {want}: {answer[:200]!r}")
        validate(method, path, status, content_type, answer)
    # A body over the limit is refused from its Content-Length, before it is sent.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("POST", "/v1/score")
    conn.putheader("Authorization", f"Bearer {s}")
    conn.putheader("Content-Length", str(2 << 20))
    conn.endheaders()
    response = conn.getresponse()
    if response.status != 413:
        fail(f"a 2 MiB body: status {response.status}, expected 413")
    validate("POST", "/v1/score", response.status, response.getheader("Content-Type"), response.read())
    conn.close()
    status, _, answer = request(port, "POST", "/v1/score", key=s, raw=b"[" * 100 + b"]" * 100)
    if status != 400:
        fail(f"JSON nested 100 deep: status {status}, expected 400")


def check_events(port, keys):
    s, w = keys["score"], keys["write"]
    _, _, before = request(port, "POST", "/v1/score", {"model": "propensity", "customer_id": 43}, s)
    before = json.loads(before)["score"]
    events = {"events": [{"customer_id": 43, "timestamp": f"2026-06-29 1{h}:00:00", "type": t, "item_id": 11}
                         for h in range(4) for t in ("view", "cart")]}
    status, _, answer = request(port, "POST", "/v1/events", events, w)
    posted = time.monotonic()
    if status != 200:
        fail(f"POST /v1/events: {status} {answer[:200]!r}")
        return
    while True:
        _, _, after = request(port, "POST", "/v1/score", {"model": "propensity", "customer_id": 43}, s)
        after = json.loads(after)["score"]
        elapsed = time.monotonic() - posted
        if after != before or elapsed > 1:
            break
    if after == before:
        fail(f"customer 43's score is still {before} 1 s after their events were posted")
    else:
        print(f"events: customer 43's score {before:.6f} → {after:.6f}, {elapsed * 1000:.1f} ms after the post")


def check_concurrency(port, keys, ws):
    """Scores, customer views and events from four threads at once while a promotion makes the
    server swap its snapshot: every answer 200 (under ThreadSanitizer: no race reported)."""
    errors = []

    def worker(n):
        for i in range(60):
            customer = 100 + (n * 60 + i) % 500
            calls = [("POST", "/v1/score", {"model": "propensity", "customer_id": customer}, keys["score"]),
                     ("GET", f"/v1/customers/{customer}", None, keys["read"])]
            if i % 10 == 0:
                calls.append(("POST", "/v1/events", {"events": [
                    {"customer_id": customer, "timestamp": "2026-06-29 09:00:00", "type": "view", "item_id": 3}]},
                    keys["write"]))
            for method, path, body, key in calls:
                status, _, answer = request(port, method, path, body, key)
                if status != 200:
                    errors.append(f"{method} {path}: {status} {answer[:200]!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    run("--workspace", ws, "models", "promote", "propensity", "1")
    for t in threads:
        t.join()
    for e in errors[:5]:
        fail(f"concurrent: {e}")


def check_metrics(port, keys):
    status, _, text = request(port, "GET", "/metrics", key=keys["read"])
    path = os.path.join(WORK, "metrics.txt")
    with open(path, "wb") as f:
        f.write(text)
    check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
    if check.returncode != 0:
        fail(f"promtool check metrics: {check.stdout.decode()} {check.stderr.decode()}")
    if b'prospect_http_requests_total{method="POST",route="/v1/score",code="200"}' not in text:
        fail("/metrics does not count /v1/score")

    # A real Prometheus scrapes the server with a read key.
    prom_port = free_port()
    config = os.path.join(WORK, "prometheus.yml")
    with open(config, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prospect
    authorization:
      type: Bearer
      credentials: {keys['read']}
    static_configs:
      - targets: ['127.0.0.1:{port}']
""")
    prom = subprocess.Popen(["prometheus", f"--config.file={config}",
                             f"--storage.tsdb.path={os.path.join(WORK, 'tsdb')}",
                             f"--web.listen-address=127.0.0.1:{prom_port}"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "prometheus.log"), "w"))
    try:
        deadline = time.monotonic() + 60
        result = []
        while time.monotonic() < deadline:
            time.sleep(1)
            try:
                q = urllib.parse.quote('prospect_http_requests_total{method="POST",route="/v1/score",code="200"}')
                with urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/api/v1/query?query={q}", timeout=5) as r:
                    result = json.load(r)["data"]["result"]
                if result:
                    break
            except (urllib.error.URLError, ConnectionError, KeyError):
                pass
        if not result:
            fail("Prometheus did not scrape prospect_http_requests_total within 60 s")
        else:
            print(f"prometheus: scraped /v1/score 200 count {result[0]['value'][1]}")
    finally:
        prom.terminate()
        prom.wait(timeout=30)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        sys.exit(1)
    print("serve route test: ok")
