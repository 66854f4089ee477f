"""CPU time and query counts of every dashboard page (issue 15 item 15), without a browser.

Runs the app in-process with Streamlit's AppTest against a published warehouse file and reports,
per page of a user's menu, **cold** (empty caches, first visit) and **warm** (a later visit):

- ``cpu_s``: CPU seconds of the process (all threads: DuckDB's included) for the script run;
- ``queries``: statements the dashboard asked ``dashboard.data`` for (cache hits included);
- ``sql``: statements that reached DuckDB (cache misses, alert rules included);
- ``sql_s``: CPU seconds spent inside DuckDB statements;
- ``connections``: read-only connections opened.

``login → overview`` submits the login form (bcrypt: its cost is intentional) and renders the
overview with empty caches. CPU time, unlike wall time, barely moves with the machine's load, so
the figures compare across runs on a busy machine (the browser timings are
``benchmarks/dashboard_pages.py``)::

    .venv/bin/python benchmarks/dashboard_profile.py --warehouse /tmp/demo/wh.duckdb
    .venv/bin/python benchmarks/dashboard_profile.py --warehouse wh.duckdb --user director --profile overview
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = PROJECT_DIR / "dashboard" / "streamlit_app.py"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_pages import MENUS, PASSWORDS  # noqa: E402  (the demo users and menus of the browser benchmark)


@dataclass
class Counters:
    queries: int = 0
    sql: int = 0
    sql_s: float = 0.0
    connections: int = 0
    connect_s: float = 0.0
    statements: dict[str, list[float]] = field(default_factory=dict)

    def reset(self) -> None:
        self.queries = self.sql = self.connections = 0
        self.sql_s = self.connect_s = 0.0
        self.statements = {}


COUNTERS = Counters()


class _CountingConnection:
    """A DuckDB connection that counts and times its statements (everything else passes through)."""

    def __init__(self, con: Any) -> None:
        self._con = con

    def _timed(self, method: str, sql: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            result = getattr(self._con, method)(sql, *args, **kwargs)
            return self if result is self._con else result
        finally:
            spent = time.process_time() - start
            COUNTERS.sql += 1
            COUNTERS.sql_s += spent
            key = " ".join(str(sql).split())[-160:]
            COUNTERS.statements.setdefault(key, []).append(spent)

    def execute(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        return self._timed("execute", sql, *args, **kwargs)

    def sql(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        return self._timed("sql", sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def __enter__(self) -> _CountingConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._con.close()


def instrument() -> None:
    """Count the dashboard's queries, statements and connections (wraps ``dashboard.data``)."""
    from dashboard import data

    if getattr(data, "_profiled", False):
        return
    original_connect = data.connect_read_only
    original_query = data.query

    def connect(*args: Any, **kwargs: Any) -> Any:
        COUNTERS.connections += 1
        start = time.process_time()
        try:
            return _CountingConnection(original_connect(*args, **kwargs))
        finally:
            COUNTERS.connect_s += time.process_time() - start

    def query(*args: Any, **kwargs: Any) -> Any:
        COUNTERS.queries += 1
        return original_query(*args, **kwargs)

    data.connect_read_only = connect
    data.query = query
    data._profiled = True


@contextlib.contextmanager
def measured(profile: cProfile.Profile | None = None) -> Iterator[dict[str, Any]]:
    COUNTERS.reset()
    figures: dict[str, Any] = {}
    cpu, wall = time.process_time(), time.perf_counter()
    if profile:  # the script runs in a thread of its own: start the profiler there
        threading.setprofile(lambda *_: profile.enable())
    try:
        yield figures
    finally:
        if profile:
            threading.setprofile(None)
        figures.update(
            cpu_s=round(time.process_time() - cpu, 3),
            wall_s=round(time.perf_counter() - wall, 3),
            queries=COUNTERS.queries,
            sql=COUNTERS.sql,
            sql_s=round(COUNTERS.sql_s, 3),
            connections=COUNTERS.connections,
            connect_s=round(COUNTERS.connect_s, 3),
        )


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def app(username: str | None = None) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=600)
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    return at


def check(at: Any, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what}: {[e.value for e in at.exception]}")


def login_to_overview(username: str, profile: cProfile.Profile | None = None) -> dict[str, Any]:
    at = app().run()
    check(at, "login form")
    clear_caches()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORDS[username])
    with measured(profile) as figures:
        at.button[0].click().run()
        if not at.metric:  # the login reruns the script once more with the navigation
            at.run()
    check(at, "login")
    assert at.metric, "no overview after the login"
    return figures


def pages(username: str, role: str, profile_page: str | None, warm_runs: int) -> tuple[dict, dict | None]:
    results: dict[str, dict[str, Any]] = {}
    profile_text = None
    clear_caches()
    at = app(username).run()  # the navigation of the role (cold overview measured below)
    check(at, "first run")
    clear_caches()
    for name in MENUS[role]:
        profile = cProfile.Profile() if profile_page == name else None
        with measured(profile) as cold:
            at.switch_page(f"app_pages/{name}.py").run()
        check(at, name)
        slow = sorted(COUNTERS.statements.items(), key=lambda kv: -sum(kv[1]))[:15]
        warm_runs_figures = []
        for _ in range(warm_runs):
            with measured() as warm:
                at.run()
            check(at, name)
            warm_runs_figures.append(warm)
        warm = min(warm_runs_figures, key=lambda f: f["cpu_s"])
        results[name] = {"cold": cold, "warm": warm}
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
            profile_text = {"profile": out.getvalue(), "statements": slow}
    return results, profile_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--user", default="manager_east", choices=sorted(PASSWORDS))
    parser.add_argument("--runs", type=int, default=2, help="warm runs per page (the cheapest is reported)")
    parser.add_argument("--profile", help="print a cProfile of this page's cold visit ('login' for the login)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="dashboard_profile_"))
    os.environ["SALESPERF_WAREHOUSE"] = str(args.warehouse.resolve())
    os.environ["SALESPERF_DASHBOARD_STATE"] = str(work / "auth.sqlite3")
    os.environ["SALESPERF_DASHBOARD_RAISE_ERRORS"] = "1"
    os.environ.setdefault("SALESPERF_DASHBOARD_COOKIE_KEY", "benchmark-only-" + "x" * 32)
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    instrument()
    from dashboard import auth

    role = auth.principal_for(args.user, auth.load_users()).role
    app().run()  # imports and first-run costs outside the figures

    login_profile = cProfile.Profile() if args.profile == "login" else None
    login = login_to_overview(args.user, login_profile)
    results, profiled = pages(args.user, role, args.profile, args.runs)
    load = os.getloadavg()

    print(f"warehouse {args.warehouse} · user {args.user} · load {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print(f"{'page':<20}{'cpu s':>8}{'wall s':>8}{'queries':>9}{'sql':>6}{'sql s':>8}{'conns':>7}{'conn s':>8}")
    rows = [("login → overview", login)]
    rows += [(f"{name} {kind}", both[kind]) for name, both in results.items() for kind in ("cold", "warm")]
    for label, f in rows:
        print(f"{label:<20}{f['cpu_s']:>8.2f}{f['wall_s']:>8.2f}{f['queries']:>9}{f['sql']:>6}{f['sql_s']:>8.2f}"
              f"{f['connections']:>7}{f['connect_s']:>8.2f}")  # fmt: skip
    if login_profile:
        out = io.StringIO()
        pstats.Stats(login_profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
    if profiled:
        print(profiled["profile"])
        for sql, times in profiled["statements"]:
            print(f"{sum(times):7.3f} s ×{len(times):<3} …{sql}")
    if args.json:
        args.json.write_text(
            json.dumps({"user": args.user, "load": load, "login": login, "pages": results}, indent=2, default=str)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
