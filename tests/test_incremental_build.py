"""The incremental daily build (docs/incremental.md): a day appended to the landing, built with
`build --incremental` from the published warehouse, gives exactly the tables of a full build of the
same landing -- every table of every schema, row for row (scripts/compare_builds.py).

The appended landing also carries a correction inside the lookback window (an order of two days
before the new day cancelled), which the incremental run must remove like the full build does. The
CLV fits and predictions of the month ends before that correction are kept from the published
warehouse (their input is unchanged: salesperf.clv.reuse; the predictions stay in place, model
incremental), the later ones computed again: a marker planted in the published rows tells which,
then is taken out before the comparison."""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, Build, run_build

from salesperf import build_record
from salesperf.generate.append_day import append_day

pytestmark = pytest.mark.slow
KEPT = " [kept from the published warehouse]"

spec = importlib.util.spec_from_file_location("compare_builds", PROJECT_DIR / "scripts" / "compare_builds.py")
compare_builds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_builds)


def _cancel_one_order(landing: Path, day) -> str:
    """Cancel the first confirmed order of ``day`` in the landing (a correction of a recent day)."""
    path = landing / "erp_sales_orders.parquet"
    orders = pq.read_table(path)
    candidates = orders.filter(
        pc.and_(pc.equal(orders["order_date"], pa.scalar(day)), pc.equal(orders["status"], "confirmed"))
    )
    order_id = sorted(candidates["order_id"].to_pylist())[0]
    status = pc.if_else(pc.equal(orders["order_id"], order_id), pa.scalar("cancelled"), orders["status"])
    pq.write_table(orders.set_column(orders.schema.get_field_index("status"), "status", status), path)
    return order_id


def _schemas(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select distinct table_schema from information_schema.tables where table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def _build(landing: Path, work: Path, *args: str, start_from: Path | None = None) -> tuple[Build, float]:
    warehouse = work / "warehouse" / "sales_performance.duckdb"
    warehouse.parent.mkdir(parents=True)
    if start_from is not None:
        shutil.copyfile(start_from, warehouse)
    started = time.monotonic()
    build = run_build(landing, warehouse, work, *args, unit_tests=False)  # the same SQL both ways
    elapsed = time.monotonic() - started
    assert build.returncode == 0, build.log[-6000:]
    return build, elapsed


def test_incremental_day_equals_full_build(demo_build: Build, tmp_path: Path) -> None:
    landing = shutil.copytree(demo_build.landing_dir, tmp_path / "landing")
    added = append_day(landing)
    cancelled_day = added.day - timedelta(days=2)
    cancelled = _cancel_one_order(landing, cancelled_day)

    # the CLV fits kept from the published warehouse are told by a marker planted in their message
    start = tmp_path / "published.duckdb"
    shutil.copyfile(demo_build.warehouse, start)
    with duckdb.connect(str(start)) as con:
        # the published warehouse of this landing folder (the test's copy of the demo's, a day later)
        con.execute(f"update {build_record.TABLE} set landing_folder = ?", [str(landing.resolve())])
        published_unit_tests = con.execute(
            "select * from main.dq_results where check_type = 'dbt_unit_test' order by check_id"
        ).fetchall()
        con.execute("update main.fct_clv_model_fits set message = message || ?", [KEPT])
        # a column of the predictions no other model reads (the marker cannot reach another table)
        con.execute(
            "update main.fct_customer_clv_predictions set margin_rate_source = coalesce(margin_rate_source, '') || ?",
            [KEPT],
        )
    incremental, incremental_s = _build(landing, tmp_path / "incremental", "--incremental", start_from=start)
    assert "incremental: starting from the published warehouse" in incremental.log
    results = json.loads((tmp_path / "incremental" / "target" / "run_results.json").read_text(encoding="utf-8"))
    order_lines = [r for r in results["results"] if r["unique_id"] == "model.sales_performance.fct_order_lines"]
    assert order_lines and order_lines[0]["status"] == "success"
    # the same code as the published build: dbt's unit tests not run again, their results kept with their time
    assert not [r for r in results["results"] if r["unique_id"].startswith("unit_test.")]
    assert len(published_unit_tests) >= 100  # the demo build runs them
    with incremental.connect() as con:
        kept_unit_tests = con.execute(
            "select * from main.dq_results where check_type = 'dbt_unit_test' order by check_id"
        ).fetchall()
    assert kept_unit_tests == published_unit_tests
    with incremental.connect() as con:
        new_day, dropped = con.execute(
            "select count(*) filter (where order_date = ?), count(*) filter (where order_id = ?)"
            " from main.fct_order_lines",
            [added.day, cancelled],
        ).fetchone()
    assert new_day > 0 and dropped == 0
    with incremental.connect() as con:
        for table, column in (
            ("fct_clv_model_fits", "message"),
            ("fct_customer_clv_predictions", "margin_rate_source"),
        ):
            kept = con.execute(
                f"select as_of_date, bool_and(ends_with({column}, ?)), bool_or(ends_with({column}, ?))"
                f" from main.{table} group by 1 order by 1",
                [KEPT, KEPT],
            ).fetchall()
            # every month end before the cancelled order keeps its rows (same input); from it on, computed again
            assert [(day, kept_all) for day, kept_all, _ in kept] == [(day, day < cancelled_day) for day, _, _ in kept]
            assert all(kept_all == some for _, kept_all, some in kept), table  # a date is kept whole or not at all
            assert sum(kept_all for _, kept_all, _ in kept) >= 12, table
    with duckdb.connect(str(incremental.warehouse)) as con:  # the markers out again before the comparison
        con.execute("update main.fct_clv_model_fits set message = replace(message, ?, '')", [KEPT])
        con.execute(
            "update main.fct_customer_clv_predictions"
            " set margin_rate_source = nullif(replace(margin_rate_source, ?, ''), '')",
            [KEPT],
        )

    full, full_s = _build(landing, tmp_path / "full")
    schemas = _schemas(full.warehouse)
    assert schemas == _schemas(incremental.warehouse)
    compare_builds.snapshot(full.warehouse, tmp_path / "snap_full", schemas)
    compare_builds.snapshot(incremental.warehouse, tmp_path / "snap_incremental", schemas)
    full_tables = sorted(p.name for p in (tmp_path / "snap_full").glob("*.parquet"))
    assert full_tables == sorted(p.name for p in (tmp_path / "snap_incremental").glob("*.parquet"))
    print(f"incremental build {incremental_s:.0f} s, full build {full_s:.0f} s, {len(full_tables)} tables compared")
    assert_same_tables(tmp_path / "snap_full", tmp_path / "snap_incremental")


def assert_same_tables(full: Path, incremental: Path) -> None:
    """Every table equal (doubles within compare_builds' tolerance; labels at thresholds exactly, as
    they compare through macro reaches), but the unit tests' rows of dq_results (the full build of this
    test leaves them out; the incremental run keeps the published build's, checked above) and what in
    dq_results depends on the clock: checked_at (the
    time of the check) and, of a freshness check, its status and the age in its message (the newest
    landing row, still compared, against the time of the check: the two builds' gates run minutes apart, and an age
    that crosses half a day or a threshold between them is no difference of the builds; freshness
    reads the landing files, which both builds share)."""
    assert compare_builds.compare(full, incremental, ignore={"main.dq_results"}) == 0
    con = duckdb.connect()
    checks = [
        "select * exclude (checked_at, status, message),"
        " case when check_type = 'freshness' then null else status end as status,"
        " case when check_type = 'freshness' then regexp_replace(message, ', [0-9]+ days old', '')"
        " else message end as message"
        f" from '{snap}/main.dq_results.parquet' where check_type <> 'dbt_unit_test'"
        for snap in (full, incremental)
    ]
    only_one = con.execute(
        f"select 'full' as build, * from ({checks[0]} except all {checks[1]})"
        f" union all select 'incremental', * from ({checks[1]} except all {checks[0]}) order by check_id, build"
    ).fetchall()
    assert not only_one, "dq_results differ:\n" + "\n".join(map(str, only_one))
