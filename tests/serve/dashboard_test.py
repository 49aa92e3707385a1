#!/usr/bin/python3
"""The dashboard (`prospect serve` at /) and the static report in a real headless Chromium.

Builds a small quickstart workspace, starts `prospect serve`, and drives Debian's `chromium`
over the DevTools protocol (on a pipe, so no extra package):
  * the dashboard with a read key in its address: it loads with no console errors or exceptions,
    shows every section /v1/dashboard lists, and every chart has drawn its series on its canvas;
    the key is gone from the address bar; Refresh loads it again;
  * data-quality detail only for the ingested tables, not the derived ones;
  * without a key it asks for one and shows no data; a wrong key is refused the same way;
  * the static `prospect report` has the same sections in the same order, and its charts render.
Screenshots (the whole page, the overview, each section) go to ARTIFACT_DIR.
Usage: dashboard_test.py PROSPECT_BINARY ARTIFACT_DIR
"""
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

PROSPECT = os.path.abspath(sys.argv[1])
ARTIFACTS = os.path.abspath(sys.argv[2])
WORK = tempfile.mkdtemp(prefix="prospect-dashboard-test-")
FAILURES = []
# A laptop screen.
WIDTH, HEIGHT = 1366, 768


def fail(message):
    FAILURES.append(message)
    print("FAIL:", message, flush=True)


def run(*args):
    return subprocess.run([PROSPECT, *args], check=True, capture_output=True, text=True).stdout


class Chromium:
    """Headless Chromium driven over --remote-debugging-pipe (messages end with NUL)."""

    def __init__(self, profile_dir, log_path):
        # The pipe is fds 3 (commands in) and 4 (replies out): the shell wires them to ours.
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>&2', "chromium", "--headless=new",
             "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--no-default-browser-check", "--hide-scrollbars", f"--user-data-dir={profile_dir}",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(log_path, "w"))
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def _read(self, timeout):
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.proc.stdin.write(json.dumps(message).encode() + b"\0")
        self.proc.stdin.flush()
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Page:
    """One tab: its console errors and exceptions are collected from the moment it opens."""

    def __init__(self, browser):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method, params=None):
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"waited {timeout} s for {expression}")

    def errors(self):
        """Console errors, uncaught exceptions and failed loads seen by this tab."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(params["exceptionDetails"])[:300])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console.error: " + json.dumps(params.get("args"))[:300])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append("log: " + params["entry"].get("text", "")[:300])
        return found

    def screenshot(self, path, clip=None):
        params = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        else:  # the whole page
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


# Per chart element: an ECharts instance with at least one non-empty series, and pixels on its
# canvas (alpha > 0) beyond a bare frame.
CHARTS_JS = """
Array.from(document.querySelectorAll('div.chart')).map(function (el) {
  var chart = echarts.getInstanceByDom(el), canvas = el.querySelector('canvas');
  if (!chart || !canvas) return {id: el.id, drawn: false, why: 'no chart or no canvas'};
  var series = chart.getOption().series || [];
  var points = series.reduce(function (n, s) { return n + ((s.data || s.links || []).length); }, 0);
  var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  var painted = 0;
  for (var i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {id: el.id, drawn: points > 0 && painted > 2000, points: points, painted: painted,
          width: canvas.width, height: canvas.height};
})
"""

SECTIONS_JS = "Array.from(document.querySelectorAll('section.cap')).map(function (s) { return s.id; })"


def check_charts(page, where):
    charts = page.evaluate(CHARTS_JS)
    if not charts:
        fail(f"{where}: no charts on the page")
    for c in charts:
        if not c["drawn"]:
            fail(f"{where}: chart {c['id']} did not render: {c}")
    return len(charts)


def section_shots(page, ids, prefix):
    for i, section_id in enumerate(ids):
        rect = page.evaluate(
            f"(function () {{ var r = document.getElementById('{section_id}').getBoundingClientRect();"
            " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()")
        page.screenshot(os.path.join(ARTIFACTS, f"{prefix}-{i:02d}-{section_id}.png"), rect)


def main():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    ws = os.path.join(WORK, "quickstart", "workspace")
    subprocess.run([PROSPECT, "quickstart", "--dir", os.path.join(WORK, "quickstart"), "--customers", "1500",
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    key = json.loads(run("--workspace", ws, "--json", "keys", "create", "--role", "read"))["token"]
    report_path = os.path.join(WORK, "report.html")
    run("--workspace", ws, "report", "--out", report_path)

    server = subprocess.Popen([PROSPECT, "--workspace", ws, "--json", "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=open(os.path.join(WORK, "serve.log"), "w"),
                              text=True)
    browser = Chromium(os.path.join(WORK, "profile"), os.path.join(WORK, "chromium.log"))
    try:
        port = json.loads(server.stdout.readline())["port"]
        base = f"http://127.0.0.1:{port}/"
        request = urllib.request.Request(base + "v1/dashboard", headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=120) as r:
            listed = json.loads(r.read())
        want_ids = [s["id"] for s in listed["sections"]]
        if want_ids[0] != "overview":
            fail(f"the first section is {want_ids[0]}, not the overview")
        for s in listed["sections"]:
            if s["status"] == "error":
                fail(f"section {s['id']} failed to render")
        check_dashboard(browser, base, key, want_ids)
        check_without_key(browser, base)
        check_static_report(browser, report_path, listed["sections"])
    finally:
        browser.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def check_dashboard(browser, base, key, want_ids):
    page = Page(browser)
    page.send("Page.navigate", {"url": f"{base}#key={key}"})
    status = page.wait_for("window.prospectDashboard && window.prospectDashboard.status !== 'loading' "
                           "&& window.prospectDashboard.status")
    if status != "ready":
        fail(f"dashboard: status {status}: {page.evaluate('window.prospectDashboard.message')}")
        return
    if key in page.evaluate("location.href"):
        fail("dashboard: the API key is still in the address bar")
    ids = page.evaluate(SECTIONS_JS)
    if ids != want_ids:
        fail(f"dashboard: sections {ids}, /v1/dashboard lists {want_ids}")
    charts = check_charts(page, "dashboard")
    # Data-quality detail for the ingested tables only.
    detailed = page.evaluate("Array.from(document.querySelectorAll('#data-quality h3')).map(function (h) { return h.id; })")
    for derived in ("dq-profiles", "dq-segments", "dq-churn_risk"):
        if derived in detailed:
            fail(f"dashboard: data quality shows the derived table {derived[3:]}")
    if "dq-customers" not in detailed or "dq-events" not in detailed:
        fail(f"dashboard: data quality lacks an ingested table: {detailed}")
    page.screenshot(os.path.join(ARTIFACTS, "dashboard.png"))
    rect = page.evaluate("(function () { var r = document.getElementById('overview').getBoundingClientRect();"
                         " return {x: 0, y: 0, width: innerWidth, height: r.bottom + scrollY + 12}; })()")
    page.screenshot(os.path.join(ARTIFACTS, "dashboard-overview.png"), rect)
    section_shots(page, ids, "dashboard")
    # Refresh renders the page again from the store.
    page.evaluate("document.getElementById('refresh').click()")
    page.wait_for("window.prospectDashboard.loads === 2 && window.prospectDashboard.status === 'ready'")
    if page.evaluate(SECTIONS_JS) != want_ids or page.evaluate("window.prospectDashboard.charts") != charts:
        fail("dashboard: the refreshed page differs from the first")
    for error in page.errors():
        fail(f"dashboard: {error}")
    print(f"dashboard: {len(ids)} sections, {charts} charts drawn, refreshed; screenshots in {ARTIFACTS}")


def check_without_key(browser, base):
    page = Page(browser)
    page.send("Page.navigate", {"url": base})
    page.wait_for("window.prospectDashboard && window.prospectDashboard.status === 'needs-key'")
    if page.evaluate("document.getElementById('keyform').hidden"):
        fail("no key: the key form is hidden")
    if page.evaluate("document.querySelectorAll('section.cap').length") != 0:
        fail("no key: sections are shown")
    page.evaluate("document.getElementById('key').value = 'not-a-key';"
                  " document.getElementById('keyform').requestSubmit()")
    page.wait_for("window.prospectDashboard.status === 'needs-key' && "
                  "window.prospectDashboard.message.indexOf('API key') >= 0")
    if page.evaluate("document.querySelectorAll('section.cap').length") != 0:
        fail("a wrong key: sections are shown")


def check_static_report(browser, path, listed):
    page = Page(browser)
    page.send("Page.navigate", {"url": "file://" + path})
    page.wait_for("document.readyState === 'complete' && typeof echarts !== 'undefined'")
    ids = page.evaluate(SECTIONS_JS)
    titles = page.evaluate("Array.from(document.querySelectorAll('section.cap > h2')).map(function (h) {"
                           " return h.firstChild.textContent.trim(); })")
    if ids != [s["id"] for s in listed] or titles != [s["title"] for s in listed]:
        fail(f"static report: sections {list(zip(ids, titles))}, the dashboard's "
             f"{[(s['id'], s['title']) for s in listed]}")
    charts = check_charts(page, "static report")
    for error in page.errors():
        fail(f"static report: {error}")
    section_shots(page, ids[:1], "report")
    print(f"static report: {len(ids)} sections, {charts} charts drawn")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        sys.exit(1)
    print("dashboard test passed")
