"""Snapshot the tables a Spark build wrote, in the shape of a DuckDB snapshot, to compare the two engines.

    python scripts/compare_builds.py snapshot WAREHOUSE.duckdb DUCK_DIR --schema main --schema intermediate ...
    python scripts/spark_snapshot.py SPARK_WAREHOUSE_DIR DUCK_DIR SPARK_DIR [--spark-schema salesperf]
    python scripts/compare_builds.py compare DUCK_DIR SPARK_DIR

A Spark target with `method: session` writes each table as Parquet files in
<SPARK_WAREHOUSE_DIR>/<schema>.db/<table>/ (profiles.yml, target `spark`; docs/spark.md). For every
<schema>.<table>.parquet of the DuckDB snapshot DUCK_DIR this writes SPARK_DIR/<schema>.<table>.parquet
from the Spark table of the same name (DuckDB's schema `main` is the Spark target schema), its columns
in DuckDB's order and cast to DuckDB's types (the models give both engines the same types; the casts
keep snapshots of older Spark builds comparable), and the comparison is about values. Timestamps are read in UTC (the Spark session's time zone).
The dbt Python models (CLV) are read from <SPARK_WAREHOUSE_DIR>/_python_models/<model>/, where
salesperf.spark_clv writes them. A table Spark did not build is listed and left out; a column it lacks
is an error. Exit 1 when a
table could not be snapshotted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# Where salesperf.spark_clv writes the dbt Python models (external tables of the Spark build).
PYTHON_MODELS_FOLDER = "_python_models"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot(spark_dir: Path, duck_dir: Path, out_dir: Path, spark_schema: str = "salesperf") -> tuple[int, int]:
    """(tables written, tables that failed); prints one line per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    written = failed = 0
    try:
        for duck_file in sorted(duck_dir.glob("*.parquet")):
            schema, table = duck_file.name.removesuffix(".parquet").split(".", 1)
            folder = spark_dir / f"{spark_schema if schema == 'main' else schema}.db" / table
            if not folder.is_dir():  # a dbt Python model: salesperf.spark_clv wrote it, registered in place
                folder = spark_dir / PYTHON_MODELS_FOLDER / table
            if not folder.is_dir():
                print(f"skip  {schema}.{table}: not built on Spark ({folder})")
                continue
            wanted = con.execute(f"describe select * from '{duck_file}'").fetchall()
            parts = sorted(str(p) for p in folder.glob("*.parquet"))
            if parts:
                present = {
                    row[0].lower(): (row[0], row[1])
                    for row in con.execute(f"describe select * from read_parquet({parts!r})").fetchall()
                }
                source = f"read_parquet({parts!r})"
            else:  # an empty table: Spark may write no data file at all
                present = {row[0].lower(): (row[0], row[1]) for row in wanted}
                source = "(select " + ", ".join(f"null as {_quote(r[0])}" for r in wanted) + " where false)"
            missing = [row[0] for row in wanted if row[0].lower() not in present]
            if missing:
                failed += 1
                print(f"FAIL  {schema}.{table}: the Spark table lacks column(s) {', '.join(missing)}")
                continue
            projections = []
            for name, duck_type, *_ in wanted:
                spark_name, spark_type = present[name.lower()]
                column = _quote(spark_name)
                if spark_type.upper().startswith("TIMESTAMP WITH TIME ZONE"):
                    column = f"cast({column} as timestamp)"  # its UTC wall time: the session time zone
                projections.append(f"cast({column} as {duck_type}) as {_quote(name)}")
            target = out_dir / duck_file.name
            con.execute(f"copy (select {', '.join(projections)} from {source}) to '{target}' (format parquet)")
            written += 1
    finally:
        con.close()
    print(f"{written} Spark tables of {spark_dir} written to {out_dir}, {failed} failed")
    return written, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spark_dir", type=Path, help="the Spark warehouse folder (SALESPERF_SPARK_WAREHOUSE)")
    parser.add_argument("duck_dir", type=Path, help="a DuckDB snapshot (scripts/compare_builds.py snapshot)")
    parser.add_argument("out_dir", type=Path, help="where to write the Spark snapshot")
    parser.add_argument("--spark-schema", default="salesperf", help="the Spark target schema (SALESPERF_SPARK_SCHEMA)")
    args = parser.parse_args(argv)
    _, failed = snapshot(args.spark_dir, args.duck_dir, args.out_dir, args.spark_schema)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
