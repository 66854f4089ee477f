"""CLV on Spark as a Python step between two dbt runs (issue 17, docs/spark.md).

The CLV fits are dbt Python models (models/**/*.py) that dbt-duckdb runs in-process; dbt-spark's
`session` method cannot run Python models. So a Spark build runs in three steps:

    dbt build --selector spark                     # everything but the Python models and their children
    python -m salesperf.spark_clv                  # this: the same Python models, the same salesperf.clv code
    dbt run-operation spark_register_python_models # their Parquet output as Spark tables
    dbt build --selector spark_after_clv           # the models that read them (indicator_values, ...)

This step reads the tables the Spark build wrote (Parquet under SALESPERF_SPARK_WAREHOUSE, one folder
per table) with an in-memory DuckDB, calls each Python model's own ``model(dbt, session)`` in
dependency order with a stand-in for dbt's ``dbt`` object (``ref``, ``config.get('meta')`` from the
manifest of the Spark run, so with the same vars) and writes each result to
<warehouse>/_python_models/<model>/data.parquet, which spark_register_python_models (macros/) makes
the Spark table of the model. The figures are the same as DuckDB's because the code and its input
rows are the same; it runs on one machine (the fits take seconds on the demo: see
benchmarks/clv_scale.py for larger data; on a cluster, applyInPandas per segment is the next step).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import duckdb

from salesperf.settings import PROJECT_DIR

OUTPUT_FOLDER = "_python_models"


class _Config:
    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    def __call__(self, **_kwargs: Any) -> None:  # dbt.config(materialized=...): nothing to do here
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)


class _Dbt:
    """What the project's Python models use of dbt's ``dbt`` object: ``ref`` and ``config``."""

    def __init__(self, refs: dict[str, duckdb.DuckDBPyRelation], config: dict[str, Any]) -> None:
        self._refs = refs
        self.config = _Config(config)

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        if name not in self._refs:
            raise KeyError(f"{name} is not a table of the Spark build (run `dbt build --selector spark` first)")
        return self._refs[name]


def table_folder(warehouse: Path, node: dict[str, Any]) -> Path:
    """The Parquet folder of a model or seed of the Spark build (a Python model: where this step writes it)."""
    if node.get("language") == "python":
        return warehouse / OUTPUT_FOLDER / node["name"]
    return warehouse / f"{node['schema']}.db" / (node.get("alias") or node["name"])


def read_table(con: duckdb.DuckDBPyConnection, folder: Path) -> duckdb.DuckDBPyRelation:
    """A Spark table's Parquet files as a DuckDB relation, its timestamps as a DuckDB build has them."""
    files = sorted(str(p) for p in folder.glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no Parquet files in {folder}: build the model on Spark first")
    relation = con.sql(f"select * from read_parquet({files!r})")
    # Spark writes its (session-time-zone UTC) timestamps as instants: back to naive timestamps.
    casts = [
        f'cast("{name}" as timestamp) as "{name}"'
        if str(kind).upper().startswith("TIMESTAMP WITH TIME ZONE")
        else f'"{name}"'
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ]
    return relation.project(", ".join(casts))


def python_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's Python models, each after the Python models it reads."""
    nodes = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["language"] == "python"}
    ordered: list[str] = []

    def visit(key: str) -> None:
        if key in ordered:
            return
        for parent in nodes[key]["depends_on"]["nodes"]:
            if parent in nodes:
                visit(parent)
        ordered.append(key)

    for key in sorted(nodes):
        visit(key)
    return [nodes[k] for k in ordered]


def run(warehouse: Path, manifest_path: Path, project_dir: Path = PROJECT_DIR) -> list[Path]:
    """Run every Python model on the Spark build's tables; the Parquet files written."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    by_key = manifest["nodes"]
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    refs: dict[str, duckdb.DuckDBPyRelation] = {}
    written = []
    try:
        for node in python_models(manifest):
            for parent in node["depends_on"]["nodes"]:
                parent_node = by_key.get(parent)
                if parent_node and parent_node["name"] not in refs:
                    refs[parent_node["name"]] = read_table(con, table_folder(warehouse, parent_node))
            spec = importlib.util.spec_from_file_location(node["name"], project_dir / node["original_file_path"])
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            print(f"[spark-clv] {node['name']}", flush=True)
            result = module.model(_Dbt(refs, node["config"]), con)
            target = table_folder(warehouse, node) / "data.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            result.write_parquet(str(target))
            refs[node["name"]] = con.sql(f"select * from read_parquet('{target}')")
            written.append(target)
    finally:
        con.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("SALESPERF_SPARK_WAREHOUSE", "/tmp/salesperf-spark/warehouse")),
        help="the Spark warehouse folder (default: SALESPERF_SPARK_WAREHOUSE, as profiles.yml)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path(os.environ.get("DBT_TARGET_PATH", PROJECT_DIR / "target")) / "manifest.json",
        help="manifest.json of the Spark dbt run (default: $DBT_TARGET_PATH/manifest.json)",
    )
    args = parser.parse_args(argv)
    written = run(args.warehouse.resolve(), args.manifest)
    print(f"[spark-clv] {len(written)} Python models written under {args.warehouse / OUTPUT_FOLDER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
