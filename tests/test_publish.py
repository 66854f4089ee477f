"""Write, audit, publish: a killed build, a build whose data-quality gate fails and a build stopped by
an unreadable landing file all leave the published warehouse byte-identical; the next good build
publishes (atomically, no .wal beside it, dq_results filled, data docs written).

The sequence runs once per test run (``publish_sequence``, also with several pytest-xdist workers)
against one published file, a copy of the session's clean build: killed build -> gate-failing build
-> good build of the fault-injected data. That good build is also the faulty build
tests/test_faults.py checks: one faulty build in all.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import SEED, Build, run_build, shared_across_workers, start_build

from salesperf.exports import export_dir, verify
from salesperf.generate.faults import MANIFEST_NAME, inject_faults, write_unreadable

pytestmark = pytest.mark.slow
EXIT_DBT_FAILED = 1
EXIT_GATE_FAILED = 3


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Killed:
    returncode: int
    log: str
    dbt_started: bool


@dataclass
class Sequence:
    published: Path
    work: Path
    faulty_landing: Path
    sha_before: str
    killed: Killed
    sha_after_kill: str
    gate_failed: Build
    sha_after_gate: str
    good: Build
    checked_at_before: object
    exports_before: str = ""  # sha256 of the exports manifest (salesperf/exports.py) at each step
    exports_after_kill: str = ""
    exports_after_gate: str = ""


def kill_build_after_dbt_started(landing: Path, published: Path, work: Path, timeout: float = 600) -> Killed:
    """Start the main build command, wait until dbt is writing the working copy, SIGKILL its group."""
    proc = start_build(landing, published, work, unit_tests=False)
    lines: list[str] = []
    started = False
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if "OK created" in line:  # dbt holds the working copy and has written to it
            started = True
            break
        if time.monotonic() > deadline:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return Killed(proc.returncode, "".join(lines), started)


# The sequence of this process's test run, by its temporary folder (both modules ask for it).
_SEQUENCE: dict[Path, Sequence] = {}


def publish_sequence(demo_build: Build, demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Sequence:
    """The sequence, run once per test run and shared by this module and tests/test_faults.py, also
    when they run on different pytest-xdist workers: the first one runs it, the others read its
    outcome (pickled in the folder)."""

    def make(base: Path) -> None:
        sequence = _run_sequence(demo_build, demo_landing, base)
        (base / "sequence.pickle").write_bytes(pickle.dumps(sequence))

    run = tmp_path_factory.getbasetemp()
    if run not in _SEQUENCE:
        folder = shared_across_workers(tmp_path_factory, "publish_sequence", make)
        _SEQUENCE[run] = pickle.loads((folder / "sequence.pickle").read_bytes())
    return _SEQUENCE[run]


def _run_sequence(demo_build: Build, demo_landing: Path, base: Path) -> Sequence:
    faulty = base / "faulty_landing"
    shutil.copytree(demo_landing, faulty)
    inject_faults(faulty, seed=SEED)
    published = base / "warehouse" / "sales_performance.duckdb"
    published.parent.mkdir(parents=True)
    shutil.copy2(demo_build.warehouse, published)
    shutil.copytree(export_dir(demo_build.warehouse), export_dir(published))
    exports_before = sha256(export_dir(published) / "manifest.json")
    with duckdb.connect(str(published), read_only=True) as con:
        checked_at_before = con.execute("select max(checked_at) from main.dq_results").fetchone()[0]
    sha_before = sha256(published)

    killed = kill_build_after_dbt_started(faulty, published, base)
    sha_after_kill = sha256(published)
    exports_after_kill = sha256(export_dir(published) / "manifest.json")
    # dbt builds only the seed (and no test of a model it did not build): dbt passes, the gate does not
    gate_failed = run_build(
        faulty, published, base, "--select", "indicator_catalog", "--indirect-selection", "cautious"
    )
    sha_after_gate = sha256(published)
    exports_after_gate = sha256(export_dir(published) / "manifest.json")
    good = run_build(faulty, published, base)  # with dbt's unit tests: test_faults checks every kind of check
    return Sequence(
        published,
        base,
        faulty,
        sha_before,
        killed,
        sha_after_kill,
        gate_failed,
        sha_after_gate,
        good,
        checked_at_before,
        exports_before,
        exports_after_kill,
        exports_after_gate,
    )


@pytest.fixture(scope="module")
def sequence(demo_build, demo_landing, tmp_path_factory) -> Sequence:
    return publish_sequence(demo_build, demo_landing, tmp_path_factory)


def _leftovers(published: Path) -> list[str]:
    """Files beside the published warehouse other than itself, its data docs, exports and the build folder."""
    known = {published.name, "data_docs", ".build", "exports"}
    return sorted(p.name for p in published.parent.iterdir() if p.name not in known)


def test_a_killed_build_leaves_the_published_warehouse_byte_identical(sequence):
    assert sequence.killed.dbt_started, sequence.killed.log[-3000:]
    assert sequence.killed.returncode == -signal.SIGKILL
    assert sequence.sha_after_kill == sequence.sha_before
    assert sequence.exports_after_kill == sequence.exports_before
    assert _leftovers(sequence.published) == []


def test_a_build_whose_gate_fails_leaves_it_byte_identical_and_says_why(sequence):
    build = sequence.gate_failed
    assert build.returncode == EXIT_GATE_FAILED, build.log[-4000:]
    assert sequence.sha_after_gate == sequence.sha_before
    assert sequence.exports_after_gate == sequence.exports_before  # the previous exports, as they were
    # one line per failed check of severity error, then why nothing was published
    assert (
        "[gate] FAIL  reports      indicator_values: indicator_values (or the indicator catalog) is missing"
        in build.log
    )
    assert "data-quality gate failed" in build.log and "is unchanged" in build.log
    assert "Traceback" not in build.log
    assert _leftovers(sequence.published) == []


def test_the_next_good_build_publishes(sequence):
    build = sequence.good
    assert build.returncode == 0, build.log[-6000:]
    assert "[build] published" in build.log
    assert sha256(sequence.published) != sequence.sha_before
    with duckdb.connect(str(sequence.published), read_only=True) as con:
        checked_at = con.execute("select max(checked_at) from main.dq_results").fetchone()[0]
        rejected = con.execute("select count(*) from main.dq_rejected_rows").fetchone()[0]
    assert checked_at > sequence.checked_at_before
    assert rejected > 0  # the faulty data's quarantine is what is published now
    assert _leftovers(sequence.published) == []
    assert not (sequence.published.parent / ".build" / sequence.published.name).exists()
    assert (sequence.published.parent / "data_docs" / "index.html").exists()
    # the Parquet exports of the new build replaced the previous ones, complete
    assert sha256(export_dir(sequence.published) / "manifest.json") != sequence.exports_before
    assert verify(export_dir(sequence.published)) == []


@pytest.fixture(scope="module")
def required_only(demo_landing, tmp_path_factory) -> Path:
    from salesperf.contract import REQUIRED_TABLES

    landing = tmp_path_factory.mktemp("required_only_publish") / "landing"
    landing.mkdir()
    for name in REQUIRED_TABLES:
        shutil.copy(demo_landing / f"{name}.parquet", landing / f"{name}.parquet")
    shutil.copy(demo_landing / "erp_payments.parquet", landing / "erp_payments.parquet")
    return landing


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("missing_column", "erp_sales_order_lines.parquet lacks column(s) unit_price"),
        ("empty_file", "Landing file is empty (0 bytes)"),
    ],
)
def test_unreadable_file_scenarios_stop_the_build_naming_the_file(
    required_only, demo_build, tmp_path, scenario, message
):
    """The generator's unreadable-file scenarios (tests/test_landing_errors.py covers a missing
    required file, a 0-byte required CSV and a CSV without a column): a Parquet file without a
    required column, and a 0-byte optional file, which is no "no data" case."""
    landing = tmp_path / "landing"
    shutil.copytree(required_only, landing)
    fault = write_unreadable(landing, scenario)
    assert (landing / MANIFEST_NAME).exists()
    published = tmp_path / "wh" / "sales_performance.duckdb"
    published.parent.mkdir()
    shutil.copy2(demo_build.warehouse, published)
    shutil.copytree(export_dir(demo_build.warehouse), export_dir(published))
    exports_before = sha256(export_dir(published) / "manifest.json")
    before = sha256(published)
    build = run_build(landing, published, tmp_path, "--fail-fast")  # the rest of the DAG is not the point
    assert build.returncode == EXIT_DBT_FAILED, build.log[-4000:]
    assert message in build.log
    # the landing preflight stops before dbt starts, naming the file of the fault's table
    assert f"{fault.table}." in build.log and "[build] not built" in build.log
    assert "Traceback" not in build.log
    assert sha256(published) == before
    assert sha256(export_dir(published) / "manifest.json") == exports_before
