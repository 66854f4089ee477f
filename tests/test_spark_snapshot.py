"""scripts/spark_snapshot.py: a Spark build's Parquet tables in the shape of a DuckDB snapshot (docs/spark.md).

No Spark needed: the tables are written by DuckDB in the layout and with the types Spark uses
(<warehouse>/<schema>.db/<table>/part-*.parquet, int where DuckDB has bigint, decimal where DuckDB has
double, timestamps as instants).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


spark_snapshot = _load("spark_snapshot")
compare_builds = _load("compare_builds")


def _write(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({sql}) to '{path}' (format parquet)")


def _builds(tmp_path: Path, spark_columns: str = "cast(id as integer) as ID, cast(amount as decimal(18, 6)) as amount"):
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    duck, spark = tmp_path / "duck", tmp_path / "warehouse"
    rows = (
        "select * from (values (1::bigint, 0.5::double, timestamp '2024-01-05 10:00:00')) as t(id, amount, opened_at)"
    )
    _write(con, f"select id, amount, opened_at from ({rows})", duck / "main.fct_x.parquet")
    _write(con, f"select id from ({rows})", duck / "intermediate.int_fit.parquet")
    _write(con, f"select id from ({rows})", duck / "staging.base_never_built.parquet")
    # Spark: upper-case column name, other types, the timestamp as an instant (session time zone UTC)
    _write(
        con,
        f"select {spark_columns}, cast(opened_at as timestamptz) as opened_at from ({rows})",
        spark / "salesperf.db" / "fct_x" / "part-00000.snappy.parquet",
    )
    _write(
        con, f"select cast(id as integer) as id from ({rows})", spark / "_python_models" / "int_fit" / "data.parquet"
    )
    return duck, spark


def test_a_spark_table_is_cast_to_the_duckdb_types_and_compares_equal(tmp_path, capsys):
    duck, spark = _builds(tmp_path)
    written, failed = spark_snapshot.snapshot(spark, duck, tmp_path / "out")
    out = capsys.readouterr().out
    assert (written, failed) == (2, 0), out
    assert "skip  staging.base_never_built: not built on Spark" in out
    con = duckdb.connect()
    described = con.execute(f"describe select * from '{tmp_path / 'out' / 'main.fct_x.parquet'}'").fetchall()
    assert [(r[0], r[1]) for r in described] == [("id", "BIGINT"), ("amount", "DOUBLE"), ("opened_at", "TIMESTAMP")]
    # the timestamp keeps its wall-clock time (read in UTC), the Python model comes from its own folder
    assert compare_builds.compare(duck, tmp_path / "out", {"staging.base_never_built"}) == 0
    assert "same  main.fct_x: 1 rows, 3 columns" in capsys.readouterr().out


def test_a_column_the_spark_table_lacks_is_an_error(tmp_path, capsys):
    duck, spark = _builds(tmp_path, spark_columns="cast(id as integer) as id")
    written, failed = spark_snapshot.snapshot(spark, duck, tmp_path / "out")
    assert (written, failed) == (1, 1)
    assert "FAIL  main.fct_x: the Spark table lacks column(s) amount" in capsys.readouterr().out
    assert spark_snapshot.main([str(spark), str(duck), str(tmp_path / "out2")]) == 1
