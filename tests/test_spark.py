"""The models on Apache Spark (issue 17, docs/spark.md): the demo data built on a local Spark session
gives the same tables as the DuckDB demo build.

Real parts: the landing preflight prepares the demo landing files, dbt builds every model on a local
pyspark session (target `spark` of profiles.yml, Java 17), and every table is compared with the DuckDB demo
build (tests/conftest.py): the same columns, the same rows, numbers equal to 1e-9 relative (1e-9
absolute for values that should be 0 and come out as a rounding residue). The CLV Python models run in
the step between two dbt runs (salesperf.spark_clv). It takes ~10 minutes (Spark's start-up alone is
~20 s per dbt invocation; the demo ~8 min on 2 busy cores), so it runs only when asked:
SALESPERF_TEST_SPARK=1 pytest -m spark tests/test_spark.py.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, Build

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.skipif(
        os.environ.get("SALESPERF_TEST_SPARK") != "1", reason="Spark build: set SALESPERF_TEST_SPARK=1 (minutes)"
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


def _run(cmd: list[str], env: dict[str, str], log: list[str]) -> int:
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    log.append(f"$ {' '.join(cmd)} (exit {proc.returncode})\n{proc.stdout}{proc.stderr}")
    return proc.returncode


@pytest.fixture(scope="module")
def spark_build(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[int]]:
    """The demo on Spark as docs/spark.md runs it: the preflight, dbt build of everything but the CLV
    Python models, salesperf.spark_clv, their registration, dbt build of what reads them."""
    pytest.importorskip("pyspark")
    from salesperf import landing

    work = tmp_path_factory.mktemp("spark")
    prepared = landing.prepare(demo_landing, work / "prepared")
    assert prepared.ok, landing.report(prepared)
    env = dict(os.environ)
    env.update(
        SALESPERF_TARGET="spark",
        SALESPERF_SPARK_WAREHOUSE=str(work / "warehouse"),
        SALESPERF_LANDING_DIR=str(demo_landing),
        SALESPERF_LANDING_PREPARED=str(work / "prepared"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        PYSPARK_PYTHON=sys.executable,
    )
    dbt = str(Path(sys.executable).parent / "dbt")
    log: list[str] = []
    codes = [
        _run([dbt, "build", "--selector", "spark", "--resource-type", "seed", "--resource-type", "model"], env, log)
    ]
    if codes[-1] == 0:
        clv = [sys.executable, "-m", "salesperf.spark_clv", "--manifest", str(work / "target" / "manifest.json")]
        codes.append(_run(clv, env, log))
    if codes[-1] == 0:
        codes.append(_run([dbt, "run-operation", "spark_register_python_models"], env, log))
    if codes[-1] == 0:
        codes.append(_run([dbt, "build", "--selector", "spark_after_clv", "--resource-type", "model"], env, log))
    return work / "warehouse", "\n".join(log), codes


def test_the_demo_builds_on_spark(spark_build):
    _, log, codes = spark_build
    assert codes == [0, 0, 0, 0], log[-8000:]


def test_spark_tables_equal_the_duckdb_build(spark_build, demo_build: Build, tmp_path, capsys):
    warehouse, _, codes = spark_build
    assert codes == [0, 0, 0, 0]
    compare_builds, spark_snapshot = _script("compare_builds"), _script("spark_snapshot")
    duck, spark = tmp_path / "duckdb", tmp_path / "spark"
    compare_builds.snapshot(demo_build.warehouse, duck, SCHEMAS)
    written, failed = spark_snapshot.snapshot(warehouse, duck, spark)
    out = capsys.readouterr().out
    assert failed == 0, out
    on_duckdb = {p.name.removesuffix(".parquet") for p in duck.glob("*.parquet")}
    on_spark = {p.name.removesuffix(".parquet") for p in spark.glob("*.parquet")}
    # every table of the DuckDB build exists on Spark, the CLV ones (Python models) included
    assert on_duckdb - on_spark == set(), out
    result = compare_builds.compare(duck, spark, NOT_BUILT_BY_DBT, rel_tol=1e-9, abs_tol=1e-9)
    out = capsys.readouterr().out
    assert result == 0, out
    for table in ("main.indicator_values", "main.fct_order_lines", "main.fct_customer_clv_predictions"):
        assert f"same  {table}:" in out or f"close {table}:" in out, out
