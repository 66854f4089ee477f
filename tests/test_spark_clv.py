"""salesperf.spark_clv: the dbt Python models run between two dbt runs on the tables a Spark build wrote.

No Spark needed: a small project with two Python models and the Parquet layout of a Spark warehouse
(<warehouse>/<schema>.db/<table>/part-*.parquet). The real demo round is tests/test_spark.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from salesperf import spark_clv

FIRST = """
def model(dbt, session):
    dbt.config(materialized="table")
    factor = dbt.config.get("meta")["factor"]
    return dbt.ref("fct_orders").project(f"customer_id, amount * {factor} as amount")
"""
SECOND = """
def model(dbt, session):
    totals = dbt.ref("py_scaled").aggregate("customer_id, sum(amount) as total", "customer_id").df()
    return session.from_df(totals).order("customer_id")
"""


def _node(name: str, schema: str, language: str, parents: list[str], meta: dict | None = None) -> dict:
    return {
        "name": name,
        "alias": name,
        "schema": schema,
        "resource_type": "model",
        "language": language,
        "original_file_path": f"models/{name}.{'py' if language == 'python' else 'sql'}",
        "depends_on": {"nodes": [f"model.p.{p}" for p in parents]},
        "config": {"materialized": "table", "meta": meta or {}},
    }


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path, Path]:
    root, warehouse = tmp_path / "project", tmp_path / "warehouse"
    (root / "models").mkdir(parents=True)
    (root / "models" / "py_scaled.py").write_text(FIRST)
    (root / "models" / "py_totals.py").write_text(SECOND)
    nodes = {
        # listed before the model it reads: the step must order them itself
        "model.p.py_totals": _node("py_totals", "salesperf", "python", ["py_scaled"]),
        "model.p.py_scaled": _node("py_scaled", "intermediate", "python", ["fct_orders"], {"factor": 2}),
        "model.p.fct_orders": _node("fct_orders", "salesperf", "sql", []),
    }
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": nodes}))
    orders = warehouse / "salesperf.db" / "fct_orders"
    orders.mkdir(parents=True)
    duckdb.sql(
        "copy (select * from (values ('C1', 10.0), ('C1', 5.0), ('C2', 1.5)) as t(customer_id, amount))"
        f" to '{orders / 'part-00000.snappy.parquet'}' (format parquet)"
    )
    return root, warehouse, manifest


def test_python_models_run_in_dependency_order_on_the_spark_tables(project):
    root, warehouse, manifest = project
    assert [n["name"] for n in spark_clv.python_models(json.loads(manifest.read_text()))] == ["py_scaled", "py_totals"]
    written = spark_clv.run(warehouse, manifest, project_dir=root)
    assert written == [
        warehouse / "_python_models" / "py_scaled" / "data.parquet",
        warehouse / "_python_models" / "py_totals" / "data.parquet",
    ]
    totals = duckdb.sql(f"select * from '{written[1]}' order by 1").fetchall()
    assert totals == [("C1", 30.0), ("C2", 3.0)]  # meta factor 2 applied, then summed per customer


def test_a_table_the_spark_build_did_not_write_is_named(project):
    root, warehouse, manifest = project
    (warehouse / "salesperf.db" / "fct_orders" / "part-00000.snappy.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="fct_orders: build the model on Spark first"):
        spark_clv.run(warehouse, manifest, project_dir=root)
