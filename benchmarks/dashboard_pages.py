"""Page timings of the manager dashboard in a real browser (issue 15 item 15).

Starts `streamlit run dashboard/streamlit_app.py` on a published warehouse file, drives headless
Chromium (Playwright, ``/usr/bin/chromium``) and prints, with the machine's load:

- ``login → overview``: from submitting the login form to the overview fully rendered (the
  script run finished: Streamlit's running indicator gone, the first KPI card shown);
- each page of the user's menu **cold** (first visit in the session) and **warm** (the median of
  ``--runs`` later visits: the queries are cached for ``SALESPERF_DASHBOARD_TTL`` seconds).

Targets of the issue: login → overview under 3 s and every page under 1.5 s warm on the demo
warehouse; within 1.5× of that on the medium-scale one. Run it against both:

    .venv/bin/python benchmarks/dashboard_pages.py --warehouse /tmp/demo/wh.duckdb
    .venv/bin/python benchmarks/dashboard_pages.py --warehouse /tmp/medium/wh.duckdb --json medium.json

The users are those of ``dashboard/users.yaml`` (demo passwords as in the README).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
from dashboard import serving  # noqa: E402  (the project's server start, shared with the browser tests)

CHROMIUM = "/usr/bin/chromium"
PASSWORDS = {"director": "director-demo", "manager_east": "manager-demo", "manager_south": "manager-demo",
             "rep_demo": "rep-demo"}  # fmt: skip
MENUS = {
    "director": ("overview", "teams", "rep", "customers", "products", "data_quality"),
    "manager": ("overview", "teams", "rep", "customers", "data_quality"),
    "rep": ("overview", "rep", "customers", "data_quality"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(warehouse: Path, port: int, work: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        SALESPERF_WAREHOUSE=str(warehouse),
        SALESPERF_DASHBOARD_COOKIE_KEY="benchmark-only",
        SALESPERF_DASHBOARD_STATE=str(work / "auth.sqlite3"),
        PYTHONPATH=str(PROJECT_DIR),
    )
    try:
        return serving.start(env, port, work / "streamlit.log", timeout=90)
    except RuntimeError as error:
        raise SystemExit(str(error)) from None


stop_server = serving.stop


WATCH_RUNS = """() => {
    const app = document.querySelector('[data-test-script-state]');
    window.__benchRan = false;
    const header = document.querySelector('[data-testid=stMain] h2');
    window.__benchHeader = header ? header.textContent : null;
    if (window.__benchObserver) window.__benchObserver.disconnect();
    window.__benchObserver = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__benchRan = true;
    });
    window.__benchObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RUN_OVER = """() => {
    const app = document.querySelector('[data-test-script-state]');
    const header = document.querySelector('[data-testid=stMain] h2');
    return window.__benchRan && app.getAttribute('data-test-script-state') === 'notRunning'
        && header && header.textContent !== window.__benchHeader;
}"""


def watch_runs(page) -> None:
    """Before a click: note when the app's script state turns ``running`` from now on."""
    page.evaluate(WATCH_RUNS)


def wait_rendered(page, timeout_ms: int = 120_000) -> None:
    """Until the script run started after :func:`watch_runs` is over (``data-test-script-state``
    back to ``notRunning``) and the page's header is another one than before (a new page shown)."""
    page.wait_for_function(RUN_OVER, timeout=timeout_ms, polling=20)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def measure(url: str, username: str, role: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict = {"user": username, "load_before": load()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 1200}, locale="en-US")
        page.goto(url)
        form = page.locator("[data-testid=stForm]")
        form.locator("input[type=text]").first.wait_for(timeout=120_000)
        form.locator("input[type=text]").first.fill(username)
        form.locator("input[type=password]").first.fill(PASSWORDS[username])
        page.wait_for_selector("[data-test-script-state]")
        watch_runs(page)
        started = time.perf_counter()
        form.locator("button[data-testid*=FormSubmit]").click()
        page.locator("[data-testid=stMetric]").first.wait_for(timeout=120_000)
        wait_rendered(page)
        results["login_to_overview_s"] = time.perf_counter() - started

        pages: dict[str, dict[str, float]] = {}
        for visit in range(runs + 1):
            for name in MENUS[role]:
                started = time.perf_counter()
                links = page.locator("[data-testid=stSidebarNav] a")
                # the default page (overview) links to the app's root, the others to /<name>
                (
                    links.first
                    if name == "overview"
                    else page.locator(f"[data-testid=stSidebarNav] a[href$='/{name}']")
                ).click()
                wait_rendered(page)
                elapsed = time.perf_counter() - started
                pages.setdefault(name, {"cold_s": elapsed, "warm": []})
                if visit:
                    pages[name]["warm"].append(elapsed)
        for timing in pages.values():
            timing["warm_s"] = statistics.median(timing.pop("warm")) if runs else float("nan")
        results["pages"] = pages
        browser.close()
    results["load_after"] = load()
    return results


def report(warehouse: Path, results: dict) -> str:
    lines = [
        f"warehouse {warehouse} ({warehouse.stat().st_size / 1e6:.0f} MB), user {results['user']}",
        f"{results['load_before']} before; {results['load_after']} after",
        f"login → overview   {results['login_to_overview_s']:6.2f} s   (target < 3 s)",
        f"{'page':<16} {'cold':>8} {'warm':>8}   (target warm < 1.5 s)",
    ]
    for name, timing in results["pages"].items():
        lines.append(f"{name:<16} {timing['cold_s']:7.2f}s {timing['warm_s']:7.2f}s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, default=os.environ.get("SALESPERF_WAREHOUSE"),
                        help="published warehouse file (default: env SALESPERF_WAREHOUSE)")  # fmt: skip
    parser.add_argument("--user", default="manager_east", choices=sorted(PASSWORDS))
    parser.add_argument("--runs", type=int, default=3, help="warm visits per page (median printed)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.warehouse is None or not Path(args.warehouse).exists():
        parser.error("--warehouse: no such file (build one with `python3.11 tasks.py demo`)")
    if not Path(CHROMIUM).exists():
        parser.error(f"needs {CHROMIUM} (apt-get install -y chromium fonts-wqy-microhei)")
    role = {"director": "director", "rep_demo": "rep"}.get(args.user, "manager")
    with tempfile.TemporaryDirectory(prefix="salesperf-bench-") as work:
        port = free_port()
        server = start_server(Path(args.warehouse).resolve(), port, Path(work))
        try:
            results = measure(f"http://127.0.0.1:{port}", args.user, role, args.runs)
        finally:
            stop_server(server)
    print(report(Path(args.warehouse), results))
    if args.json:
        args.json.write_text(json.dumps({"warehouse": str(args.warehouse), **results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
