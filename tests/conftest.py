"""Shared fixtures: one generated demo dataset and one real dbt build per test session.

Everything is real: the generator writes landing files into a temporary folder, the project's
own build command runs `dbt build` against a temporary DuckDB file and publishes it.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

# pytest-xdist runs each worker as `python -c ...`, whose __main__ has neither __spec__ nor __file__.
# pyspark.sql.connect (imported by Great Expectations when pyspark is installed, the `spark` extra)
# then takes itself for a doctest run and calls sys.exit(0) when its optional Spark Connect packages
# are missing: a test that first imports GX inside a worker (the Dagster job's quality gate) ended
# with SystemExit. Give the worker's __main__ a file name, as a normal `python script.py` has.
_MAIN = sys.modules.get("__main__")
if _MAIN is not None and getattr(_MAIN, "__spec__", None) is None and not hasattr(_MAIN, "__file__"):
    _MAIN.__file__ = "<pytest-xdist worker>"

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEED = 42

# The test files that take one pytest-xdist worker longest (seconds of one worker in the clean-clone runs
# of 2026-12-06, builds included), longest first. `tasks.py test` hands out whole files, in collection
# order (--no-loadscope-reorder, salesperf/run.py): these go first and the many short files fill in
# behind them, instead of a 20-minute file starting last and running alone at the end. A file not
# listed keeps its place after these; update the list from the "slowest durations" of a run.
LONGEST_FIRST = (
    "test_readme_commands.py",  # ~1,350: seven builds of the README's commands (four shared, tests/readme_blocks.py)
    "test_spark.py",  # ~1,050: the demo on a local Spark session
    "test_company_settings.py",  # ~600
    "test_company_matrix.py",  # ~450 (its usd_company build is the README's)
    "test_incremental_build.py",  # ~400
    "test_landing_builds.py",  # ~350
    "test_adapters_build.py",  # ~250 (its Chinese CRM build is the README's)
    "test_faults.py",  # ~240
    "test_dashboard_browser.py",  # ~200
    "test_landing_errors.py",  # ~195
    "test_orchestration.py",  # ~185
    "test_indicator_coverage.py",  # ~150
    "test_staging.py",  # ~145
    "test_clv_cdnow.py",  # ~130
    "test_adapters_lwc_recipes.py",  # ~30 (its build is the README's)
    "test_northwind.py",  # ~120
    "test_clv_fits.py",  # ~85
    "test_semantic_layer.py",  # ~70
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files of LONGEST_FIRST first, in that order; every other file after them, as collected."""
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable


@dataclass(frozen=True)
class Build:
    landing_dir: Path
    warehouse: Path
    log: str
    returncode: int

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)

    def query(self, sql: str, params: list | None = None):
        with self.connect() as con:
            return con.execute(sql, params or []).df()


# dbt's own setting (`--exclude-resource-type unit_test` as an environment variable): a build without
# dbt's unit tests. The unit tests check SQL, not data, so the builds whose tests are about something
# else (publishing, locks, imports, a sample's figures, Spark) leave them out; they run in the session's
# demo build (the default settings), once per other set of company settings (tests/test_company_settings.py's
# env_build, tests/test_company_matrix.py's USD and 1997 companies), in the faulty build
# (tests/test_faults.py) and in the README's builds with other settings. This saves about 20 CPU-seconds
# of dbt per build.
NO_UNIT_TESTS = {"DBT_EXCLUDE_RESOURCE_TYPES": "unit_test"}


def build_env(landing_dir: Path, warehouse: Path, work_dir: Path, unit_tests: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SALESPERF_LANDING_DIR=str(landing_dir),
        SALESPERF_WAREHOUSE=str(warehouse),
        SALESPERF_THREADS="2",
        DBT_TARGET_PATH=str(work_dir / "target"),
        DBT_LOG_PATH=str(work_dir / "logs"),
    )
    env.pop("DBT_EXCLUDE_RESOURCE_TYPES", None)
    if not unit_tests:
        env.update(NO_UNIT_TESTS)
    return env


def run_build(
    landing_dir: Path,
    warehouse: Path,
    work_dir: Path,
    *dbt_args: str,
    settings: dict[str, str] | None = None,
    unit_tests: bool = True,
) -> Build:
    """The project's build command (dbt build + publish), as a user runs it (``settings``: more
    SALESPERF_* environment variables; ``unit_tests``: see NO_UNIT_TESTS)."""
    proc = subprocess.run(
        [sys.executable, "-m", "salesperf.run", "build", *dbt_args],
        cwd=PROJECT_DIR,
        env={**build_env(landing_dir, warehouse, work_dir, unit_tests), **(settings or {})},
        capture_output=True,
        text=True,
    )
    return Build(landing_dir, warehouse, proc.stdout + proc.stderr, proc.returncode)


def write_csv_tables(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    """Each table's rows as <folder>/<table>.csv (UTF-8, header from the first row's keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def start_build(landing_dir: Path, warehouse: Path, work_dir: Path, unit_tests: bool = True) -> subprocess.Popen:
    """The build command started in its own process group (to be killed as a whole), output in stdout."""
    return subprocess.Popen(
        [sys.executable, "-m", "salesperf.run", "build"],
        cwd=PROJECT_DIR,
        env=build_env(landing_dir, warehouse, work_dir, unit_tests),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def build_converted(name: str, script: Path, work_dir: Path, *script_args: str) -> tuple[Path, dict[str, str]]:
    """Map a public sample into work_dir/landing with a converter (scripts/*_to_landing.py), then
    build and publish it with the settings the converter prints: (published warehouse, settings).
    The tests of a sample check its figures: the build leaves dbt's unit tests out (NO_UNIT_TESTS)."""
    landing = work_dir / "landing"
    mapped = subprocess.run(
        [sys.executable, str(script), "--out", str(landing), *script_args], capture_output=True, text=True
    )
    assert mapped.returncode == 0, mapped.stderr
    settings = dict(line.split("=", 1) for line in mapped.stdout.split("settings: ", 1)[1].split())
    warehouse = work_dir / "warehouse" / "sales_performance.duckdb"
    build = run_build(landing, warehouse, work_dir, settings=settings, unit_tests=False)
    if build.returncode != 0 or not build.warehouse.exists():
        pytest.fail(f"{name} did not publish (exit {build.returncode}):\n{build.log[-5000:]}")
    return build.warehouse, settings


def shared_across_workers(tmp_path_factory: pytest.TempPathFactory, name: str, make) -> Path:
    """``make(folder)`` once per test run, also when pytest-xdist runs several workers: the first
    worker makes it under a file lock in the run's common temporary folder, the others wait and
    reuse it (a failure is remembered and reported to every worker, not retried)."""
    from filelock import FileLock

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent  # shared by the workers of one run
    folder, failed = root / f"shared-{name}", root / f"shared-{name}.failed"
    with FileLock(str(root / f"shared-{name}.lock")):
        if failed.exists():
            pytest.fail(failed.read_text(encoding="utf-8"))
        if not (folder / ".done").exists():
            folder.mkdir(exist_ok=True)
            try:
                make(folder)
            except BaseException as error:  # noqa: BLE001 - recorded for the other workers, then re-raised
                failed.write_text(str(error), encoding="utf-8")
                raise
            (folder / ".done").touch()
    return folder


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from salesperf.generate import generate

    return shared_across_workers(
        tmp_path_factory, "landing", lambda out: generate(out, seed=SEED, scale="small", fmt="parquet")
    )


@pytest.fixture(scope="session")
def readme_block_runs(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory):
    """``readme_block_runs(i)``: the README's analyst shell block i run as written (tests/readme_blocks.py),
    once per test run however many tests and pytest-xdist workers need it. The demo build block runs on
    the session's demo landing with dbt's unit tests: it is the session's demo build (``demo_build``)."""
    import pickle

    import readme_blocks

    runs: dict[int, readme_blocks.BlockRun] = {}

    def run(index: int) -> readme_blocks.BlockRun:
        if index not in runs:
            block = readme_blocks.analyst_commands()[index]
            # the demo build runs the unit tests under the default settings; the US company's --vars block
            # gives the settings of its environment-variable block, whose build runs them under those
            # (test_readme_commands checks that both builds used the same settings)
            unit_tests = {readme_blocks.demo_build_block(): True, readme_blocks.usd_vars_block(): False}.get(index)

            def make(work: Path) -> None:
                done = readme_blocks.run_block(block, work, demo_landing, unit_tests)
                (work / "run.pickle").write_bytes(pickle.dumps(done))

            folder = shared_across_workers(tmp_path_factory, f"readme-block{index}", make)
            runs[index] = pickle.loads((folder / "run.pickle").read_bytes())
        return runs[index]

    return run


@pytest.fixture(scope="session")
def demo_build(readme_block_runs) -> Build:
    """The demo data built and published by the README's build command as written ("Point it at your own
    extracts", tests/readme_blocks.py), with dbt's unit tests."""
    import readme_blocks

    run = readme_block_runs(readme_blocks.demo_build_block())
    if run.returncode != 0 or not run.warehouse.exists():
        pytest.fail(f"the build of the demo data failed (exit {run.returncode}):\n{run.output[-6000:]}")
    return run.as_build()
