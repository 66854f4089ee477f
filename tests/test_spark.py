"""The models on Apache Spark (issue 17, docs/spark.md): the demo data built on a local Spark session
gives the same tables as the DuckDB demo build.

Real parts: the landing preflight prepares the demo landing files, `dbt build --selector spark` runs
every model except the CLV Python models (and what reads them) on a local pyspark session (target
`spark` of profiles.yml, Java 17), and every table both engines built is compared with the DuckDB demo
build (tests/conftest.py): the same columns, the same rows, numbers equal to 1e-9 relative (1e-9
absolute for values that should be 0 and come out as a rounding residue). It takes minutes (Spark's
start-up alone is ~20 s; the demo ~6 min on 2 busy cores), so it runs only when asked:
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

from tests.conftest import PROJECT_DIR, Build

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
# What `--selector spark` leaves out: the CLV Python models and every table that reads them.
CLV_PYTHON_MODELS = {
    "main.fct_clv_model_fits",
    "main.fct_customer_clv_predictions",
    "intermediate.int_clv__model_selection",
    "intermediate.int_clv__diagnostics",
}


def _script(name: str):
    path = PROJECT_DIR / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark_build(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
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
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt), "build", "--selector", "spark", "--resource-type", "seed", "--resource-type", "model"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    return work / "warehouse", proc.stdout + proc.stderr, proc.returncode


def test_every_model_of_the_spark_selector_builds(spark_build):
    _, log, returncode = spark_build
    assert returncode == 0, log[-6000:]
    assert "ERROR" not in "\n".join(line for line in log.splitlines() if " of " in line and "START" not in line)


def test_spark_tables_equal_the_duckdb_build(spark_build, demo_build: Build, tmp_path, capsys):
    warehouse, _, _ = spark_build
    compare_builds, spark_snapshot = _script("compare_builds"), _script("spark_snapshot")
    duck, spark = tmp_path / "duckdb", tmp_path / "spark"
    compare_builds.snapshot(demo_build.warehouse, duck, SCHEMAS)
    written, failed = spark_snapshot.snapshot(warehouse, duck, spark)
    assert failed == 0, capsys.readouterr().out
    built_on_spark = {p.name.removesuffix(".parquet") for p in spark.glob("*.parquet")}
    built_on_duckdb = {p.name.removesuffix(".parquet") for p in duck.glob("*.parquet")}
    # every DuckDB table but the CLV ones (and those that read them) exists on Spark
    missing = built_on_duckdb - built_on_spark - NOT_BUILT_BY_DBT - CLV_PYTHON_MODELS
    assert "main.indicator_values" in built_on_spark or "main.indicator_values" in missing
    capsys.readouterr()
    result = compare_builds.compare(duck, spark, NOT_BUILT_BY_DBT, rel_tol=1e-9, abs_tol=1e-9)
    out = capsys.readouterr().out
    assert result == 0, out
    assert written >= 100, out
    print(out)
    print(f"not built on Spark: {sorted(missing)}")
