"""Fixtures of the dashboard tests: a demo warehouse built once, the app, users and helpers.

``build_demo_warehouse(tmp_dir)`` generates the small demo landing data and runs the project's
real build (``python -m salesperf.run build``), which publishes ``<tmp_dir>/warehouse/
sales_performance.duckdb`` only when every error-severity check passes. It is written to be
moved into a shared ``tests/conftest.py`` as it is.

Set ``SALESPERF_TEST_WAREHOUSE`` to an already built file to skip the build while iterating
(``SALESPERF_TEST_BUILD_ARGS`` adds dbt arguments to the test builds).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = PROJECT_DIR / "dashboard" / "streamlit_app.py"
USERS_FILE = PROJECT_DIR / "dashboard" / "users.yaml"
DEMO_PASSWORDS = {"director": "director-demo", "manager_east": "manager-demo", "manager_south": "manager-demo",
                  "rep_demo": "rep-demo"}  # fmt: skip

if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


def project_python() -> str:
    venv_python = PROJECT_DIR / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def build_env(landing_dir: Path, warehouse: Path, work_dir: Path) -> dict[str, str]:
    """Environment of a build isolated in ``work_dir`` (dbt target and logs included)."""
    env = dict(os.environ)
    env.update(
        SALESPERF_LANDING_DIR=str(landing_dir),
        SALESPERF_WAREHOUSE=str(warehouse),
        SALESPERF_THREADS=os.environ.get("SALESPERF_THREADS", "2"),
        DBT_TARGET_PATH=str(work_dir / "target"),
        DBT_LOG_PATH=str(work_dir / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def build_command() -> list[str]:
    """The project's build command. SALESPERF_TEST_BUILD_ARGS adds dbt arguments (e.g. an
    ``--exclude`` of a check still being written) while iterating; CI leaves it unset."""
    extra = shlex.split(os.environ.get("SALESPERF_TEST_BUILD_ARGS", ""))
    return [project_python(), "-m", "salesperf.run", "build", *extra]


def run_build(landing_dir: Path, warehouse: Path, work_dir: Path) -> subprocess.CompletedProcess[str]:
    """The project's build command (dbt build into a working copy, then publish by os.replace)."""
    return subprocess.run(
        build_command(),
        env=build_env(landing_dir, warehouse, work_dir),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def build_demo_warehouse(tmp_dir: Path, scale: str = "small", seed: int = 42) -> Path:
    """Generate demo landing data into ``tmp_dir/landing`` and build + publish a warehouse.

    Returns the published file; reuses it when ``tmp_dir`` already holds one.
    """
    from salesperf.generate import generate

    tmp_dir = Path(tmp_dir)
    warehouse = tmp_dir / "warehouse" / "sales_performance.duckdb"
    if warehouse.exists():
        return warehouse
    landing = tmp_dir / "landing"
    generate(landing, seed=seed, scale=scale)
    result = run_build(landing, warehouse, tmp_dir)
    if result.returncode != 0 or not warehouse.exists():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise RuntimeError(f"demo warehouse build failed (exit {result.returncode}):\n{tail}")
    return warehouse


@pytest.fixture(scope="session")
def demo_warehouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published demo warehouse, built once per test session.

    Uses the shared ``demo_build`` of tests/conftest.py when there is one (one build for the
    whole suite), else builds its own with build_demo_warehouse().
    """
    prebuilt = os.environ.get("SALESPERF_TEST_WAREHOUSE")
    if prebuilt:
        return Path(prebuilt)
    try:
        shared = request.getfixturevalue("demo_build")
    except pytest.FixtureLookupError:
        return build_demo_warehouse(tmp_path_factory.getbasetemp() / "demo_warehouse")
    return Path(shared.warehouse)


@pytest.fixture
def dashboard_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sessions and login attempts of each test in its own state file; errors raised (AppTest
    sees them) instead of the visitor's friendly message; no production mode from the caller."""
    state = tmp_path / "dashboard_state" / "auth.sqlite3"
    monkeypatch.setenv("SALESPERF_DASHBOARD_STATE", str(state))
    monkeypatch.setenv("SALESPERF_DASHBOARD_RAISE_ERRORS", "1")
    monkeypatch.delenv("SALESPERF_DASHBOARD_MODE", raising=False)
    return state


@pytest.fixture
def dashboard_env(demo_warehouse: Path, dashboard_state: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the dashboard (same process: AppTest, data module) at the demo warehouse."""
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(demo_warehouse))
    monkeypatch.delenv("SALESPERF_DASHBOARD_USERS", raising=False)
    return demo_warehouse


def warehouse_query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """A query straight on the file, independent of the dashboard's data module."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def indicator_value(
    warehouse: Path, code: str, grain: str, entity_id: str, period_type: str, period_start: Any
) -> float | None:
    rows = warehouse_query(
        warehouse,
        "select value from main.indicator_values where indicator_code = ? and grain = ? and entity_id = ?"
        " and period_type = ? and period_start = ?",
        [code, grain, entity_id, period_type, period_start],
    )
    return rows[0][0] if rows else None


def running_period(warehouse: Path, period_type: str) -> Any:
    """Start of the latest period of a type (the dashboard's default selection)."""
    return warehouse_query(
        warehouse, "select max(period_start) from main.dim_periods where period_type = ?", [period_type]
    )[0][0]


def app_test(
    username: str | None = None,
    query_params: dict[str, str] | None = None,
    timeout: float = 120,
    all_indicators: bool = True,
) -> Any:
    """An AppTest of the dashboard, logged in as ``username`` (session state as after a login).
    ``all_indicators``: the overview's lazy "All indicators" expander open (its cards rendered)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if all_indicators:
        at.session_state["overview_all_indicators"] = True
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    return at


@pytest.fixture
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_warehouse(source: Path, target_dir: Path) -> Path:
    """A published copy in its own folder (the layout the build publishes into)."""
    target = target_dir / "warehouse" / "sales_performance.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target
