"""The demo published on Apache Spark (issue 17, docs/spark.md) by the build command itself
(`SALESPERF_TARGET=spark tasks.py build`, salesperf/spark_build.py): the same tables as the DuckDB demo build.

Real parts: the landing preflight, dbt on a local pyspark session (target `spark` of profiles.yml, Java
17), the CLV Python models in the step between two dbt runs (salesperf.spark_clv), the working copy of
Spark's tables with every data test run on it, the GX gate and the publish; then every published table is
compared with the DuckDB demo build (tests/conftest.py): the same columns and types, the same rows, numbers
equal to 1e-9 relative (1e-9 absolute for values that should be 0 and come out as a rounding residue).
It takes ~15 minutes of one pytest worker (Spark's start-up alone is ~20 s per dbt invocation); it is part
of the suite (CI) wherever Java is installed; SALESPERF_TEST_SPARK=0 skips it on a machine in a hurry, and
`pytest -m spark` runs it alone.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, Build, run_build

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.skipif(
        os.environ.get("SALESPERF_TEST_SPARK", "1").strip() == "0", reason="SALESPERF_TEST_SPARK=0: Spark build skipped"
    ),
    pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17 for pyspark"),
]

SCHEMAS = ["main", "intermediate", "staging", "reference"]
# Filled after dbt by the build command (gate results), not by dbt: empty on a plain dbt build.
NOT_BUILT_BY_DBT = {"main.dq_results"}


def _script(name: str):
    path = PROJECT_DIR / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark_build(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The demo published by the build command on Spark, as the README says:
    `SALESPERF_TARGET=spark python3.11 tasks.py build` (salesperf/spark_build.py: the preflight, dbt on a
    local Spark session, the CLV step, the working copy of Spark's tables, every data test on it, the
    gate, the publish)."""
    pytest.importorskip("pyspark")
    work = tmp_path_factory.mktemp("spark")
    warehouse = work / "published" / "sales_performance.duckdb"
    return run_build(demo_landing, warehouse, work, settings={"SALESPERF_TARGET": "spark"})


def test_the_demo_publishes_on_spark(spark_build: Build) -> None:
    assert spark_build.returncode == 0, spark_build.log[-8000:]
    for step in ("dbt build --selector spark ", "salesperf.spark_clv", "spark_register_python_models",
                 "dbt build --selector spark_after_clv", "the views and every data test", "[gate]",
                 "[build] published"):  # fmt: skip
        assert step in spark_build.log, step
    with spark_build.connect() as con:
        checks = dict(con.execute("select check_type, count(*) from main.dq_results group by 1").fetchall())
        failed = con.execute("select count(*) from main.dq_results where status <> 'pass' and severity = 'error'")
        assert failed.fetchone()[0] == 0
    # every data test of the project ran on the Spark rows (the unit tests check SQL: they run in CI)
    assert checks.get("dbt_test", 0) >= 900 and checks.get("gx_expectation", 0) > 0, checks
    assert "dbt_unit_test" not in checks


def test_spark_tables_equal_the_duckdb_build(spark_build: Build, demo_build: Build, tmp_path, capsys):
    """Every table the Spark build published, against the DuckDB demo build of the same landing: the same
    tables, columns and types, the same rows, numbers equal to 1e-9 relative (1e-9 absolute near 0)."""
    assert spark_build.returncode == 0
    compare_builds = _script("compare_builds")
    duck, spark = tmp_path / "duckdb", tmp_path / "spark"
    compare_builds.snapshot(demo_build.warehouse, duck, SCHEMAS)
    compare_builds.snapshot(spark_build.warehouse, spark, SCHEMAS)
    on_duckdb = {p.name.removesuffix(".parquet") for p in duck.glob("*.parquet")}
    on_spark = {p.name.removesuffix(".parquet") for p in spark.glob("*.parquet")}
    assert on_duckdb == on_spark, on_duckdb ^ on_spark
    capsys.readouterr()
    result = compare_builds.compare(duck, spark, NOT_BUILT_BY_DBT, rel_tol=1e-9, abs_tol=1e-9)
    out = capsys.readouterr().out
    assert result == 0, out
    for table in ("main.indicator_values", "main.fct_order_lines", "main.fct_customer_clv_predictions"):
        assert f"same  {table}:" in out or f"close {table}:" in out, out
