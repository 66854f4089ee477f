"""Paths and knobs shared by the commands, from environment variables with defaults.

The same variables drive ``profiles.yml`` and ``dbt_project.yml``, so the Python commands,
dbt run by hand and the dashboard all agree on where things are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
# The files and folders of the dbt project below PROJECT_DIR (a folder may be absent: snapshots).
DBT_PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "snapshots",
    "data-tests",
    "analyses",
)


def _path(env: str, default: str) -> Path:
    value = Path(os.environ.get(env, default)).expanduser()
    return value if value.is_absolute() else (PROJECT_DIR / value)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path  # the published file: the dashboard and BI tools read only this one
    threads: int

    @property
    def build_warehouse(self) -> Path:
        """The working copy a build writes; published by an atomic rename when the build passes."""
        return self.warehouse.parent / ".build" / self.warehouse.name


def load() -> Settings:
    return Settings(
        landing_dir=_path("SALESPERF_LANDING_DIR", "data/landing"),
        warehouse=_path("SALESPERF_WAREHOUSE", "warehouse/sales_performance.duckdb"),
        threads=int(os.environ.get("SALESPERF_THREADS", "4")),
    )


def duckdb_config() -> dict[str, str]:
    """DuckDB's resource settings, from the environment variables ``profiles.yml`` reads for dbt:
    SALESPERF_DUCKDB_MEMORY_LIMIT (or its older name SALESPERF_MEMORY; default 4GB),
    SALESPERF_DUCKDB_THREADS and SALESPERF_DUCKDB_TEMP_DIR (unset: DuckDB's default). For the
    project's own heavy connections: ``duckdb.connect(path, config=duckdb_config())``."""
    memory = (
        os.environ.get("SALESPERF_DUCKDB_MEMORY_LIMIT", "").strip() or os.environ.get("SALESPERF_MEMORY", "").strip()
    )
    config = {"memory_limit": memory or "4GB"}
    for key, env in (("threads", "SALESPERF_DUCKDB_THREADS"), ("temp_directory", "SALESPERF_DUCKDB_TEMP_DIR")):
        value = os.environ.get(env, "").strip()
        if value:
            config[key] = value
    return config


def installed_version(package: str) -> str:
    """The installed version of ``package``, "-" when it is not installed (for fingerprints)."""
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def schema_of(con: Any, table: str) -> str | None:
    """The schema holding ``table`` in the DuckDB connection ``con`` (main first, then by name); None if none."""
    found = con.execute(
        "select table_schema from information_schema.tables where table_name = ?"
        " order by table_schema = 'main' desc, table_schema limit 1",
        [table],
    ).fetchone()
    return None if found is None else str(found[0])


def warehouse_settings(warehouse: Path) -> dict[str, Any]:
    """The company settings a build used: ``main.warehouse_settings`` of its warehouse, opened
    read-only (base currency, time zone, fiscal year start, as-of date, calendar, windows). One
    resolved value whether set in dbt_project.yml, by ``--vars`` or by an environment variable;
    {} when the warehouse has no such table (a partial build)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        schema = schema_of(con, "warehouse_settings")
        if schema is None:
            return {}
        cursor = con.execute(f'select * from "{schema}".warehouse_settings limit 1')
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        return dict(zip(names, row, strict=True)) if row else {}
    finally:
        con.close()


def configured_var(name: str) -> str:
    """A dbt var as configured before any build: its environment variable when the project reads
    one (``env_var('SALESPERF_…', 'default')`` in dbt_project.yml), else its default there. For
    steps that run before dbt (the CRM import); after a build, read ``warehouse_settings``."""
    import re

    import yaml

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    raw = str((project.get("vars") or {}).get(name, ""))
    found = re.search(r"env_var\(\s*'([A-Z0-9_]+)'\s*(?:,\s*'([^']*)')?\s*\)", raw)
    if found is None:
        return raw
    return os.environ.get(found.group(1), found.group(2) or "")
