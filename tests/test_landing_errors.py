"""Unreadable landing input stops the build with a message naming the file, not a stack trace,
and leaves the published warehouse as it was. Missing optional tables build as "no data"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_build

from salesperf.contract import TABLES

REQUIRED = [t.name for t in TABLES if t.required]


def _required_only(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for name in REQUIRED:
        shutil.copy(src / f"{name}.parquet", dst / f"{name}.parquet")
    return dst


@pytest.fixture(scope="module")
def required_only_landing(demo_landing, tmp_path_factory):
    return _required_only(demo_landing, tmp_path_factory.mktemp("required_only") / "landing")


def test_missing_required_file_names_it(required_only_landing, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(required_only_landing, landing)
    (landing / "crm_accounts.parquet").unlink()
    build = run_build(landing, tmp_path / "wh" / "w.duckdb", tmp_path)
    assert build.returncode != 0
    assert "crm_accounts" in build.log
    assert "Traceback" not in build.log
    assert not (tmp_path / "wh" / "w.duckdb").exists()


def test_zero_byte_file_names_it(required_only_landing, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(required_only_landing, landing)
    (landing / "erp_products.parquet").unlink()
    (landing / "erp_products.csv").write_bytes(b"")
    build = run_build(landing, tmp_path / "wh" / "w.duckdb", tmp_path)
    assert build.returncode != 0
    assert "Landing file is empty (0 bytes)" in build.log and "erp_products.csv" in build.log
    assert "Traceback" not in build.log


def test_missing_column_names_file_and_column(required_only_landing, tmp_path):
    import duckdb

    landing = tmp_path / "landing"
    shutil.copytree(required_only_landing, landing)
    path = landing / "crm_teams.parquet"
    duckdb.execute(
        f"copy (select * exclude (team_stage) from read_parquet('{path}')) to '{landing / 'crm_teams.csv'}' (header)"
    )
    path.unlink()
    build = run_build(landing, tmp_path / "wh" / "w.duckdb", tmp_path)
    assert build.returncode != 0
    assert "crm_teams.csv lacks column(s) team_stage" in build.log
    assert "Traceback" not in build.log


def test_only_required_tables_build_and_say_which_are_empty(required_only_landing, tmp_path):
    build = run_build(required_only_landing, tmp_path / "wh" / "w.duckdb", tmp_path, unit_tests=False)
    assert build.returncode == 0, build.log[-4000:]
    assert "landing: crm_activities has no file" in build.log
    sales = build.query("select count(*) as n from main.indicator_values where indicator_code = 'sales_amount'")["n"][0]
    assert sales > 0
    # Indicators of absent tables are absent, never 0.
    visits = build.query("select count(*) as n from main.indicator_values where indicator_code = 'visit_count'")["n"][0]
    assert visits == 0
