"""A real browser on the built site: Debian's Chromium, headless, driven by selenium.

- :func:`serve` serves a folder on 127.0.0.1 (a thread of this process) and records every
  request it answers.
- :func:`chromium` starts Chromium with every host except 127.0.0.1 unresolvable
  (``--host-resolver-rules``) and a NetLog, Chromium's own record of every request the browser
  makes, from pages, workers and service workers alike; :func:`requests_in_netlog` reads it.
- :func:`run_lesson` opens a lesson in the JupyterLite site, runs every cell and returns the
  outputs, with the time to the first executed cell.

Also a benchmark, not a test: ``python tests/web/browser.py bench`` prints the cold and warm time
to the first executed cell of lesson 00 (a new browser profile, then the same profile again).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_site"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
LOCAL_HOSTS = {"127.0.0.1"}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, format: str, *args) -> None:
        self.server.log.append(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}")


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on http://127.0.0.1:<free port>/; yield that base URL."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.log = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(profile: Path | None = None, netlog: Path | None = None) -> Iterator:
    """A headless Chromium (selenium WebDriver) that can reach 127.0.0.1 and nothing else."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    own_profile = profile is None
    profile = Path(tempfile.mkdtemp(prefix="chromium-")) if own_profile else profile
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--window-size=1280,1000",
        # Chromium's own background traffic (updates, autofill, sign-in, the start page), so
        # that the NetLog shows only what the site asks for:
        "--disable-client-side-phishing-detection",
        "--disable-domain-reliability",
        "--disable-breakpad",
        "--disable-extensions",
        "--disable-component-extensions-with-background-pages",
        "--no-pings",
        "--no-service-autorun",
        "--metrics-recording-only",
        "--disable-features=AutofillServerCommunication,OptimizationHints,"
        "OptimizationGuideModelDownloading,OptimizationHintsFetching,MediaRouter,Translate,"
        "NetworkTimeServiceQuerying,CertificateTransparencyComponentUpdater,AccountConsistency,"
        "SigninInterceptBubbleV2,SafeBrowsingEnhancedProtection,NewTabPageUpdates",
        "--homepage=about:blank",
    ):
        options.add_argument(flag)
    if netlog is not None:
        options.add_argument(f"--log-net-log={netlog}")
        options.add_argument("--net-log-capture-mode=Default")
    options.add_experimental_option(
        "prefs",
        {
            "signin.allowed": False,
            "browser.signin.allowed": False,
            "autofill.profile_enabled": False,
            "autofill.credit_card_enabled": False,
            "homepage": "about:blank",
            "homepage_is_newtabpage": False,
            "session.restore_on_startup": 4,
            "session.startup_urls": ["about:blank"],
            "net.network_prediction_options": 2,
        },
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        if own_profile:
            shutil.rmtree(profile, ignore_errors=True)


def read_netlog(netlog: Path) -> dict[str, list[str]]:
    """What Chromium's NetLog records: requests and the addresses it opened sockets to.

    Returns ``{"site": [...], "browser": [...], "addresses": [...]}``: the URLs the site's pages
    and workers asked for (their initiator is on 127.0.0.1), the URLs Chromium asked for on its
    own behalf (updates, sign-in: initiator "not an origin"), and every address any socket was
    connected to (TCP) or sent to (UDP), whoever asked.
    """
    text = netlog.read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(text)
    except ValueError:  # Chromium completes the file on exit; if it did not, close it here
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    site, own, addresses, udp, sent = set(), set(), set(), {}, set()
    for event in log["events"]:
        params = event.get("params") or {}
        kind = names.get(event["type"], "")
        if kind == "URL_REQUEST_START_JOB":
            origin = f"{params.get('initiator', '')} {params.get('network_isolation_key', '')}"
            (site if "127.0.0.1" in origin else own).add(params.get("url", ""))
        elif kind == "TCP_CONNECT_ATTEMPT":
            addresses.add(params.get("address", ""))
        elif kind == "TCP_CONNECT":
            addresses.update(params.get("address_list", []))
        elif kind == "UDP_CONNECT":
            udp[event["source"]["id"]] = params.get("address", "")
        elif kind == "UDP_BYTES_SENT":
            sent.add(event["source"]["id"])
    # A UDP socket that is connected but sends nothing is Chromium asking the kernel which
    # local address it would use (its IPv6 reachability probe): no packet leaves.
    addresses.update(address for source, address in udp.items() if source in sent)
    addresses.discard("")
    return {"site": sorted(site), "browser": sorted(own), "addresses": sorted(addresses)}


def outside(urls_or_addresses: list[str]) -> list[str]:
    """The URLs or ``host:port`` addresses that are not on 127.0.0.1 (data: and blob: aside)."""
    found = []
    for item in urls_or_addresses:
        if item.startswith(("data:", "blob:", "about:", "chrome:", "chrome-extension:")):
            continue
        host = urlsplit(item).hostname if "://" in item else item.rsplit(":", 1)[0].strip("[]")
        if host not in LOCAL_HOSTS:
            found.append(item)
    return found


_STATE_JS = """
const app = window.jupyterapp;
if (!app) { return null; }
const widget = Array.from(app.shell.widgets('main')).find(
    w => w.context && w.context.path === arguments[0] && w.content && w.content.model);
if (!widget) { return {ready: false}; }
if (app.shell.currentWidget !== widget) { app.shell.activateById(widget.id); }
const kernel = widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
const cells = [];
const model = widget.content.model;
for (let i = 0; i < model.cells.length; i++) {
  const cell = model.cells.get(i);
  const json = cell.toJSON();
  cells.push({type: json.cell_type, count: json.execution_count === undefined ? null
              : json.execution_count, outputs: json.outputs || [], source: json.source,
              tags: (json.metadata && json.metadata.tags) || []});
}
return {ready: true, status: kernel ? kernel.status : 'none',
        busy: widget.sessionContext.kernelDisplayStatus, cells: cells};
"""


def _state(driver, path: str) -> dict | None:
    return driver.execute_script(_STATE_JS, path)


def _wait(driver, path: str, predicate, timeout: float, what: str, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = _state(driver, path)
        if state and state.get("ready") and predicate(state):
            return state
        time.sleep(poll)
    raise TimeoutError(f"{what}: not done after {timeout:.0f} s; last state: {_brief(state)}")


_RUN_JS = """
const app = window.jupyterapp;
const widget = Array.from(app.shell.widgets('main')).find(w => w.context
    && w.context.path === arguments[0]);
app.shell.activateById(widget.id);
widget.content.activeCellIndex = arguments[1];
app.commands.execute('notebook:run-cell');
return null;
"""


def _run_cell(driver, path: str, index: int) -> None:
    """Run one cell as Shift+Enter would (without moving on), through JupyterLab's command."""
    driver.execute_script(_RUN_JS, path, index)


def _brief(state: dict | None) -> str:
    if not state or not state.get("ready"):
        return repr(state)
    counts = [c["count"] for c in state["cells"] if c["type"] == "code"]
    return f"kernel {state['status']}, execution counts {counts}"


def run_lesson(
    driver, base_url: str, lesson: str, *, timeout: float = 900, cell_timeout: float = 300
) -> dict:
    """Open ``lesson`` in the JupyterLite site at ``base_url``, run every cell, return outputs.

    Returns ``{"cells": [...], "first_cell_seconds": s, "all_cells_seconds": s}``, where
    ``first_cell_seconds`` runs from opening the page until the lesson's first code cell has run
    (the kernel started, Python and the packages it imports loaded).
    """
    opened = time.monotonic()
    driver.get(f"{base_url}lab/index.html?path={lesson}")
    state = _wait(
        driver, lesson, lambda s: s["status"] == "idle", timeout, f"{lesson}: kernel start"
    )
    code = [i for i, c in enumerate(state["cells"]) if c["type"] == "code"]
    _run_cell(driver, lesson, code[0])
    _wait(
        driver,
        lesson,
        lambda s: s["cells"][code[0]]["count"] is not None and s["status"] == "idle",
        timeout,
        f"{lesson}: first cell",
    )
    first = time.monotonic() - opened
    # One cell at a time, as a student does with Shift+Enter. (JupyterLite 0.6's "Run All"
    # cancels every later cell after any error, even one tagged raises-exception.)
    for index in code[1:]:
        _run_cell(driver, lesson, index)
        started = time.monotonic()
        state = _wait(
            driver,
            lesson,
            lambda s, i=index: s["cells"][i]["count"] is not None and s["status"] == "idle",
            cell_timeout,
            f"{lesson}: cell {index}",
            poll=0.2,
        )
        print(f"  {lesson} cell {index}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    return {
        "cells": state["cells"],
        "first_cell_seconds": round(first, 1),
        "all_cells_seconds": round(time.monotonic() - opened, 1),
    }


def bench(site: Path = SITE / "lite", lesson: str = "00-welcome.ipynb") -> dict:
    """Cold and warm time to the first executed cell (same profile, second visit is warm)."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-bench-"))
    results = {}
    try:
        with serve(site) as url:
            for visit in ("cold", "warm"):
                with chromium(profile=profile) as driver:
                    started = time.monotonic()
                    driver.get(f"{url}lab/index.html?path={lesson}")
                    state = _wait(driver, lesson, lambda s: s["status"] == "idle", 900, "kernel")
                    first = next(i for i, c in enumerate(state["cells"]) if c["type"] == "code")
                    _run_cell(driver, lesson, first)
                    _wait(
                        driver,
                        lesson,
                        lambda s, i=first: (
                            s["cells"][i]["count"] is not None and s["status"] == "idle"
                        ),
                        900,
                        "first cell",
                    )
                    results[f"{visit}_first_cell_seconds"] = round(time.monotonic() - started, 1)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["bench"]:
        print(json.dumps(bench(), indent=1))
    else:
        print("usage: python tests/web/browser.py bench", file=sys.stderr)
        sys.exit(2)
