"""The parts of the Spark build command (salesperf/spark_build.py) that need no Spark: the working copy
made from the Parquet folders a Spark build writes, and which dbt arguments reach the Spark steps.
The whole command on a local Spark session: tests/test_spark.py (opt-in, minutes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesperf import spark_build


def _node(name: str, schema: str, materialized: str = "table", language: str = "sql", kind: str = "model") -> dict:
    return {
        "unique_id": f"{kind}.sales_performance.{name}",
        "resource_type": kind,
        "name": name,
        "alias": name,
        "schema": schema,
        "language": language,
        "config": {"materialized": materialized},
    }


def _write(folder: Path, table: pa.Table, parts: int = 1) -> None:
    folder.mkdir(parents=True)
    step = max(1, -(-table.num_rows // parts))
    for k in range(parts):
        pq.write_table(table.slice(k * step, step), folder / f"part-{k:05d}.snappy.parquet")


def test_the_working_copy_holds_every_table_spark_wrote(tmp_path: Path) -> None:
    spark = tmp_path / "spark"
    instant = pa.array([datetime(2026, 3, 1, 23, 30, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC"))
    _write(
        spark / "salesperf.db" / "fct_x",
        pa.table({"id": pa.array([1, 2, 3], pa.int64()), "amount": [1.5, 2.5, None], "loaded_at": instant}),
        parts=2,
    )
    _write(spark / "reference.db" / "seed_x", pa.table({"code": ["a", "b"]}))
    _write(spark / "_python_models" / "fct_py", pa.table({"v": pa.array([7], pa.int64())}))
    _write(spark / "staging.db" / "base_x", pa.table({"k": pa.array([], pa.string())}))  # empty: a schema only
    manifest = {
        "nodes": {
            n["unique_id"]: n
            for n in (
                _node("fct_x", "salesperf"),
                _node("seed_x", "reference", "seed", kind="seed"),
                _node("fct_py", "salesperf", language="python"),
                _node("base_x", "staging"),
                _node("stg_x", "staging", "view"),  # a view: defined afterwards by dbt on DuckDB
                _node("eph_x", "salesperf", "ephemeral"),
                {**_node("not_null_fct_x_id", "salesperf", kind="test"), "config": {"materialized": "test"}},
            )
        }
    }
    work = tmp_path / "work.duckdb"
    assert spark_build.load_working_copy(spark, manifest, work, "salesperf") == 4
    with duckdb.connect(str(work), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables order by 1"
        ).fetchall()
        assert [t[0] for t in tables] == ["main.fct_py", "main.fct_x", "reference.seed_x", "staging.base_x"]
        rows = con.execute("select id, amount, loaded_at from main.fct_x order by id").fetchall()
        types = dict(con.execute("select column_name, data_type from information_schema.columns").fetchall())
        assert con.execute("select count(*) from staging.base_x").fetchone()[0] == 0
    # Spark's instants (session time zone UTC) become the naive timestamps a DuckDB build has
    assert rows == [(1, 1.5, datetime(2026, 3, 1, 23, 30)), (2, 2.5, datetime(2026, 3, 1, 23, 30)),
                    (3, None, datetime(2026, 3, 1, 23, 30))]  # fmt: skip
    assert types["loaded_at"] == "TIMESTAMP" and types["id"] == "BIGINT"


def test_a_table_spark_did_not_write_is_an_error_naming_it(tmp_path: Path) -> None:
    manifest = {"nodes": {"model.sales_performance.fct_y": _node("fct_y", "salesperf")}}
    (tmp_path / "spark").mkdir()
    with pytest.raises(FileNotFoundError, match=r"model\.sales_performance\.fct_y: no Parquet files in .*fct_y"):
        spark_build.load_working_copy(tmp_path / "spark", manifest, tmp_path / "w.duckdb", "salesperf")


def test_the_spark_steps_get_the_build_options_not_a_selection() -> None:
    args = ["--vars", "{as_of_date: '2026-06-30'}", "--select", "fct_x", "--full-refresh", "--threads=4"]
    assert spark_build.passed_on(args) == ["--vars", "{as_of_date: '2026-06-30'}", "--full-refresh", "--threads=4"]
    assert spark_build._vars_only(args) == ["--vars", "{as_of_date: '2026-06-30'}"]


def test_the_target_and_the_spark_folder_come_from_the_environment(tmp_path: Path) -> None:
    assert spark_build.is_spark({"SALESPERF_TARGET": " Spark "})
    assert not spark_build.is_spark({"SALESPERF_TARGET": "dev"}) and not spark_build.is_spark({})
    work = tmp_path / ".build" / "sales_performance.duckdb"
    assert spark_build.spark_warehouse(work, {}) == tmp_path / ".build" / "spark"
    assert spark_build.spark_warehouse(work, {"SALESPERF_SPARK_WAREHOUSE": str(tmp_path / "s")}) == tmp_path / "s"
