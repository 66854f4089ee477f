"""A real dbt build of generated data: staging keeps exactly the landing rows not soft-deleted,
the build is free of deprecation warnings, and the DuckDB CLI of PyPI opens the warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from salesperf.contract import TABLES

TRUE_VALUES = ("true", "t", "1", "yes", "y")


def _model_name(table) -> str:
    return f"stg_{table.source}__{table.name.removeprefix(table.source + '_')}"


def _landing_count(landing: Path, table) -> tuple[int, int]:
    path = landing / f"{table.name}.parquet"
    con = duckdb.connect()
    total = con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]
    deleted = 0
    if table.soft_delete:
        deleted = con.execute(
            f"select count(*) from read_parquet('{path}') "
            f"where lower(trim(cast(is_deleted as varchar))) in {TRUE_VALUES}"
        ).fetchone()[0]
    return total, deleted


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_staging_has_every_landing_row_not_soft_deleted(demo_build, table):
    total, deleted = _landing_count(demo_build.landing_dir, table)
    staged = demo_build.query(f"select count(*) as n from staging.{_model_name(table)}")["n"][0]
    assert total > 0, f"the generator wrote no rows for {table.name}"
    assert staged == total - deleted


def test_some_rows_are_soft_deleted_and_removed(demo_build):
    removed = sum(_landing_count(demo_build.landing_dir, t)[1] for t in TABLES if t.soft_delete)
    assert removed > 0


def test_build_prints_no_deprecation_warning(demo_build):
    assert "deprecat" not in demo_build.log.lower(), demo_build.log[-3000:]


def test_duckdb_cli_from_pypi_opens_the_published_warehouse(demo_build):
    cli = Path(sys.executable).parent / "duckdb"
    proc = subprocess.run(
        [
            str(cli),
            "-readonly",
            "-csv",
            "-noheader",
            str(demo_build.warehouse),
            "-c",
            "select count(*) > 0 from main.indicator_values",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "true"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1.5"), version


@pytest.mark.parametrize("name", ["crm_regions", "crm_teams", "crm_sales_reps", "crm_accounts"])
def test_soft_deleted_master_rows_are_kept_apart_for_the_dims(demo_build, name):
    table = next(t for t in TABLES if t.name == name)
    _, deleted = _landing_count(demo_build.landing_dir, table)
    staged = demo_build.query(f"select count(*) as n from staging.{_model_name(table)}_deleted")["n"][0]
    assert staged == deleted
