"""Real builds through the landing preflight (issue 10): messy but readable files build to the same
figures as the clean data; two builds at once (the second refuses); kill -9 during the gate leaves
the published warehouse and its Data Docs intact. The fast checks of every scenario are in
tests/test_landing_preflight.py."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, Build, build_env, run_build, start_build
from test_landing_preflight import _independent_count

from salesperf.generate import faults

pytestmark = pytest.mark.slow
EXIT_LOCKED = 4
READABLE = ("gbk_declared", "utf8_bom", "upper_case_header", "quoted_thousands_late", "integer_ids_parquet")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def messy_build(demo_landing, tmp_path_factory) -> Build:
    work = tmp_path_factory.mktemp("messy")
    landing = work / "landing"
    shutil.copytree(demo_landing, landing)
    for scenario in READABLE:
        faults.write_file_fault(landing, scenario)
    env = build_env(landing, work / "warehouse" / "sales_performance.duckdb", work, unit_tests=False)
    env.update(faults.GBK_DECLARATION)
    proc = subprocess.run(
        [sys.executable, "-m", "salesperf.run", "build"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    return Build(landing, work / "warehouse" / "sales_performance.duckdb", proc.stdout + proc.stderr, proc.returncode)


def test_messy_but_readable_files_build_to_the_clean_figures(messy_build, demo_build):
    assert messy_build.returncode == 0, messy_build.log[-5000:]
    assert "Traceback" not in messy_build.log
    sql = "select indicator_code, grain, entity_id, period_type, period_start, value from main.indicator_values"
    messy = messy_build.query(sql).sort_values(["indicator_code", "grain", "entity_id", "period_type", "period_start"])
    clean = demo_build.query(sql).sort_values(["indicator_code", "grain", "entity_id", "period_type", "period_start"])
    assert len(messy) == len(clean) > 0
    keys = ["indicator_code", "grain", "entity_id", "period_type", "period_start"]
    assert messy[keys].astype(str).values.tolist() == clean[keys].astype(str).values.tolist()
    a, b = messy["value"].astype(float).to_numpy(), clean["value"].astype(float).to_numpy()
    assert not np.isinf(a).any()
    assert np.array_equal(np.isnan(a), np.isnan(b))
    # equal up to the float noise of parallel sums (two builds of the same data differ as much)
    assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-9, atol=1e-6)


def test_the_quoted_thousands_row_is_read_as_one_value(messy_build):
    rejected = messy_build.query(
        "select rule from main.dq_rejected_rows where source_table = 'erp_sales_order_lines' and row_key = ?",
        [faults.LATE_LINE_KEY],
    )
    assert rejected.empty
    staged = messy_build.query(
        "select unit_price from staging.stg_erp__sales_order_lines where order_line_id = ?", [faults.LATE_LINE_KEY]
    )
    assert staged["unit_price"].astype(float).tolist() == [1234.5]


def test_landing_rows_counted_independently_equal_the_accounting(messy_build):
    accounting = messy_build.query(
        "select source_table, landing_rows, staged_rows, soft_deleted_rows, unaccounted_rows "
        "from main.dq_row_accounting"
    ).set_index("source_table")
    rejected = messy_build.query("select source_table, count(*) as n from main.dq_rejected_rows group by 1")
    rejected = dict(zip(rejected["source_table"], rejected["n"], strict=True))
    for path in sorted(messy_build.landing_dir.glob("*.*")):
        if path.suffix not in (".csv", ".parquet") or path.name.startswith("_"):
            continue  # (the faults manifest)
        encoding = faults.GBK_DECLARATION.get(f"SALESPERF_LANDING_ENCODING_{path.stem.upper()}", "utf-8")
        count = _independent_count(path, encoding)
        row = accounting.loc[path.stem]
        assert row["landing_rows"] == count, path.name
        assert row["staged_rows"] + row["soft_deleted_rows"] + rejected.get(path.stem, 0) == count, path.name
        assert row["unaccounted_rows"] == 0


def test_the_gate_checked_the_files_dbt_read(messy_build):
    landing = messy_build.query(
        "select object_name, status from main.dq_results where layer = 'landing' and check_type = 'gx_expectation' "
        "and check_id like '%.columns'"
    )
    names = set(landing["object_name"])
    # named by the landing file, checked on the prepared file (upper-case header, BOM, GBK: all pass)
    assert {"crm_accounts.csv", "crm_regions.csv", "crm_sales_reps.csv", "erp_sales_order_lines.csv"} <= names
    assert set(landing["status"]) == {"pass"}
    prepared = messy_build.warehouse.parent / ".build" / "landing"
    assert pq.read_schema(prepared / "crm_accounts.parquet").names[0] == "customer_id"


def test_a_build_elsewhere_parses_only_what_changed_since_the_last_one(messy_build, tmp_path):
    """dbt runs in the build folder with paths relative to it (salesperf/run.py, partial parsing): the parse a
    build kept serves the next build with the same settings, of another landing folder into another warehouse
    folder, as dbt's own partial parse; other settings have their own."""
    from salesperf import run, settings

    assert messy_build.returncode == 0, messy_build.log[-3000:]
    landing, warehouse = tmp_path / "extracts", tmp_path / "warehouse" / "sales_performance.duckdb"
    mine = settings.Settings(landing_dir=landing, warehouse=warehouse, threads=2)
    work, target = mine.build_warehouse, tmp_path / "target"
    work.parent.mkdir(parents=True)
    base = {**build_env(landing, warehouse, tmp_path, unit_tests=False), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    env = run.in_build_folder(base, mine, work, work.parent / "landing", target)
    assert env["SALESPERF_WAREHOUSE"] == "sales_performance.duckdb" and env["SALESPERF_LANDING_DIR"] == "extracts"
    assert (work.parent / "extracts").resolve() == landing.resolve()
    cache = run.parse_cache(env, [])
    assert cache.exists(), "the messy build (same settings, other folders) kept no parse"
    other = run.parse_cache({**env, "SALESPERF_BASE_CURRENCY": "USD"}, [])
    assert other != cache and run.parse_cache({**env, "SALESPERF_DATA_DOCS": "/elsewhere"}, []) == cache
    run.reuse_parse(cache, target)
    cmd = [str(run.BIN / "dbt"), "parse", "--project-dir", str(PROJECT_DIR)]
    proc = subprocess.run(cmd, env=env, cwd=work.parent, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in log and "Partial parsing enabled" in log, log[-3000:]

    # the same project as the messy build's full parse: every node, with its checksum
    def nodes(folder: Path) -> dict[str, str]:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return {k: v["checksum"]["checksum"] for k, v in manifest["nodes"].items()}

    assert nodes(target) == nodes(messy_build.warehouse.parent.parent / "target")


def _read_until(proc: subprocess.Popen, needle: str, lines: list[str], timeout: float = 900) -> bool:
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if needle in line:
            return True
        if time.monotonic() > deadline:
            return False
    return False


def test_two_builds_at_once_and_kill_9_during_the_gate(demo_build, demo_landing, tmp_path):
    published = tmp_path / "warehouse" / "sales_performance.duckdb"
    published.parent.mkdir()
    shutil.copy2(demo_build.warehouse, published)
    docs = published.parent / "data_docs"
    shutil.copytree(demo_build.warehouse.parent / "data_docs", docs)
    before, docs_before = _sha(published), _tree(docs)
    assert "summary.html" in docs_before

    first = start_build(demo_landing, published, tmp_path, unit_tests=False)
    lines: list[str] = []
    try:
        assert _read_until(first, "[build] dbt build:", lines), "".join(lines)[-3000:]
        # the second build, same warehouse: refuses at once, naming the first one
        second = run_build(demo_landing, published, tmp_path, unit_tests=False)
        assert second.returncode == EXIT_LOCKED, second.log[-3000:]
        assert f"Another build is running (PID {first.pid}" in second.log
        assert "Traceback" not in second.log
        assert _sha(published) == before

        # kill -9 the first one once its gate has started its Data Docs (the moment the old gate
        # had emptied data_docs/)
        assert _read_until(first, "[gate] data-quality checkpoint", lines), "".join(lines)[-3000:]
        new_docs = docs.with_name("data_docs.new")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not new_docs.exists() and first.poll() is None:
            time.sleep(0.05)
        assert new_docs.exists(), "the gate never started its Data Docs"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert _sha(published) == before
    assert _tree(docs) == docs_before  # data_docs/ intact, not emptied

    # the killed build's lock is stale: the next command takes it over (the fast one: prepare)
    env = build_env(demo_landing, published, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "salesperf.run", "prepare"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
