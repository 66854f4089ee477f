"""`tasks.py build` on Apache Spark (``SALESPERF_TARGET=spark``; issue 17, docs/spark.md).

The same build command, the same gate, the same published file; only the engine that computes the
tables changes. Under the build lock, after the landing preflight (Spark reads its all-text Parquet):

1. ``dbt build --selector spark`` (seeds and models) on the Spark target: every model but the dbt
   Python models (CLV) and what reads them;
2. ``python -m salesperf.spark_clv``: the CLV Python models, the same code, on the Spark tables;
3. ``dbt run-operation spark_register_python_models``: their output as Spark tables;
4. ``dbt build --selector spark_after_clv``: what reads them (indicator_values, the wide reports...);
5. the working copy: a DuckDB file with every table Spark wrote (each a folder of Parquet files), in
   the schemas of a DuckDB build (Spark's target schema is DuckDB's ``main``), types as Spark wrote
   them (the models give both engines the same types; timestamps are read back in UTC, the Spark
   session's time zone);
6. on that working copy, with the DuckDB target: the views (staging, intermediate: definitions over
   those tables) and **every data test of the project** (``dbt build --select
   config.materialized:view resource_type:test``): the tests check the very rows that will be
   published. The dbt unit tests check SQL, not data: they run in CI, not here.

The caller (:func:`salesperf.run._build`) then runs the data-quality gate on the working copy and
publishes it exactly as after a DuckDB build: the dashboard, the exports and BI tools read the same
kind of file. 0 when the working copy is ready for the gate; else the exit code of the failed step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from salesperf import settings as settings_mod
from salesperf.exports import quote_identifier
from salesperf.spark_clv import read_table, table_folder

BIN = Path(sys.executable).parent
SPARK_WAREHOUSE_ENV = "SALESPERF_SPARK_WAREHOUSE"
SPARK_SCHEMA_ENV = "SALESPERF_SPARK_SCHEMA"
# dbt build options a Spark build passes on to both of its dbt builds (the rest select nodes, which
# the Spark steps do with their selectors).
PASSED_ON = ("--vars", "--full-refresh", "--threads", "--fail-fast", "-x")


def is_spark(env: dict[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("SALESPERF_TARGET", "").strip().lower() == "spark"


def spark_warehouse(work: Path, env: dict[str, str] | None = None) -> Path:
    """Where Spark writes its tables and metastore: SALESPERF_SPARK_WAREHOUSE, else ``spark/`` in
    the build folder (beside the working copy)."""
    value = (env if env is not None else os.environ).get(SPARK_WAREHOUSE_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else work.parent / "spark"


def passed_on(dbt_args: Sequence[str]) -> list[str]:
    """The arguments of ``dbt_args`` a Spark build gives its dbt builds (PASSED_ON with their values)."""
    out: list[str] = []
    args = list(dbt_args)
    for k, arg in enumerate(args):
        name = arg.split("=", 1)[0]
        if name in PASSED_ON:
            out.append(arg)
            takes_value = name in ("--vars", "--threads") and "=" not in arg
            if takes_value and k + 1 < len(args):
                out.append(args[k + 1])
    return out


def _vars_only(dbt_args: Sequence[str]) -> list[str]:
    args = passed_on(dbt_args)
    return [a for k, a in enumerate(args) if a.startswith("--vars") or (k and args[k - 1] == "--vars")]


def load_working_copy(spark_dir: Path, manifest: dict[str, Any], work: Path, spark_schema: str) -> int:
    """Copy every table the Spark build wrote into the DuckDB file ``work``; the number of tables.

    Nodes materialized as views (and ephemeral ones) are not data: step 6 defines the views. A table
    of the manifest without its Parquet folder is an error naming it."""
    work.unlink(missing_ok=True)
    con = duckdb.connect(str(work))
    con.execute("set TimeZone = 'UTC'")
    loaded = 0
    try:
        nodes = sorted(manifest["nodes"].values(), key=lambda n: n["unique_id"])
        for node in nodes:
            if node["resource_type"] not in ("model", "seed"):
                continue
            if node["config"].get("materialized") in ("view", "ephemeral"):
                continue
            try:
                relation = read_table(con, table_folder(spark_dir, node))
            except FileNotFoundError as error:
                raise FileNotFoundError(f"{node['unique_id']}: {error}") from None
            schema = "main" if node["schema"] == spark_schema else node["schema"]
            name = node.get("alias") or node["name"]
            con.execute(f"create schema if not exists {quote_identifier(schema)}")
            con.execute(f"create table {quote_identifier(schema)}.{quote_identifier(name)} as {relation.sql_query()}")
            loaded += 1
        con.execute("checkpoint")
    finally:
        con.close()
    return loaded


def build_on_spark(
    work: Path,
    target: Path,
    env: dict[str, str],
    dbt_args: Sequence[str],
    fds: tuple[int, ...],
    say: Callable[[str], None] = lambda m: print(m, flush=True),
) -> int:
    """Steps 1-6 of the module docstring; 0 when the working copy ``work`` is ready for the gate."""
    spark_dir = spark_warehouse(work, env)
    spark_schema = env.get(SPARK_SCHEMA_ENV, "").strip() or "salesperf"
    spark_env = {**env, "SALESPERF_TARGET": "spark", SPARK_WAREHOUSE_ENV: str(spark_dir)}
    spark_env.setdefault("PYSPARK_PYTHON", sys.executable)
    spark_dir.mkdir(parents=True, exist_ok=True)
    dbt, project = str(BIN / "dbt"), str(settings_mod.PROJECT_DIR)
    args = passed_on(dbt_args)
    steps = [
        ("dbt build --selector spark", [dbt, "build", "--project-dir", project, "--selector", "spark",
                                        "--resource-type", "seed", "--resource-type", "model", *args]),
        ("CLV Python models (salesperf.spark_clv)", [sys.executable, "-m", "salesperf.spark_clv", "--warehouse",
                                                     str(spark_dir), "--manifest", str(target / "manifest.json")]),
        ("dbt run-operation spark_register_python_models", [dbt, "run-operation", "--project-dir", project,
                                                            "spark_register_python_models", *_vars_only(dbt_args)]),
        ("dbt build --selector spark_after_clv", [dbt, "build", "--project-dir", project, "--selector",
                                                  "spark_after_clv", "--resource-type", "model", *args]),
    ]  # fmt: skip
    for label, cmd in steps:
        say(f"[spark] {label} (Spark warehouse {spark_dir})")
        rc = subprocess.run(cmd, env=spark_env, cwd=settings_mod.PROJECT_DIR, pass_fds=fds).returncode
        if rc != 0:
            say(f"[spark] {label} failed (exit {rc})")
            return rc
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    say(f"[spark] working copy {work}: the tables of the Spark build")
    try:
        loaded = load_working_copy(spark_dir, manifest, work, spark_schema)
    except (OSError, duckdb.Error) as error:
        say(f"[spark] the Spark tables could not be read: {error}")
        return 1
    say(f"[spark] {loaded} tables copied; the views and every data test on them (dbt, DuckDB target)")
    duck_env = {**env, "SALESPERF_TARGET": "dev", "SALESPERF_WAREHOUSE": str(work)}
    cmd = [dbt, "build", "--project-dir", project, "--select", "config.materialized:view", "resource_type:test",
           "--exclude-resource-type", "unit_test", *_vars_only(dbt_args)]  # fmt: skip
    return subprocess.run(cmd, env=duck_env, cwd=settings_mod.PROJECT_DIR, pass_fds=fds).returncode
