"""The indicators' "no data" rule for input columns (dq_indicator_empty_inputs, macros/indicator_inputs.sql),
on real data: the dbt unit tests run with an empty column list (no seed query in a unit test), so this
is where an input column that no row fills is checked.

On a copy of the demo warehouse, the staging view of the CRM accounts is replaced by a table in which no
account has an estimated annual category spend and none is a target account (`is_target_account` false,
not NULL: the catalog's entry `crm_accounts.is_target_account=true` counts rows with that value only).
dq_indicator_empty_inputs and indicator_coverage are rebuilt with dbt on that copy; the indicators they
name are read independently from the seed indicator_inputs."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import PROJECT_DIR, Build, build_env

EMPTIED = {"crm_accounts.est_annual_category_spend", "crm_accounts.is_target_account=true"}


def _expected() -> dict[str, str]:
    """{indicator: the first of its input columns that the emptied columns leave without rows}."""
    out = {}
    with (PROJECT_DIR / "seeds" / "indicator_inputs.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entries = {e.replace(" ", "") for e in (row["input_columns"] or "").split("|") if e.strip()}
            if entries & EMPTIED:
                out[row["indicator_code"]] = min(entries & EMPTIED)
    return out


def test_an_input_column_no_row_fills_is_named_and_its_indicators_not_expected(demo_build: Build, tmp_path: Path):
    with demo_build.connect() as con:
        assert con.execute("select count(*) from main.dq_indicator_empty_inputs").fetchone()[0] == 0
    warehouse = tmp_path / demo_build.warehouse.name  # the same file name: the views name its catalog
    shutil.copyfile(demo_build.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table staging.accounts_emptied as select * replace "
            "(cast(null as double) as est_annual_category_spend, false as is_target_account) "
            "from staging.stg_crm__accounts"
        )
        con.execute("drop view staging.stg_crm__accounts")
        con.execute("alter table staging.accounts_emptied rename to stg_crm__accounts")
    env = {**build_env(demo_build.landing_dir, warehouse, tmp_path), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(
        [dbt, "run", "--select", "dq_indicator_empty_inputs", "indicator_coverage"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    expected = _expected()
    assert expected == {
        "share_of_wallet": "crm_accounts.est_annual_category_spend",
        "visit_coverage_rate": "crm_accounts.is_target_account=true",
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select indicator_code, empty_table, empty_column from main.dq_indicator_empty_inputs")
        found = {code: (table, column) for code, table, column in rows.fetchall()}
        reasons = con.execute(
            "select distinct indicator_code, not_expected_reason from main.indicator_coverage "
            "where indicator_code in (select indicator_code from main.dq_indicator_empty_inputs)"
        ).fetchall()
    assert found == {code: (None, column) for code, column in expected.items()}
    assert sorted(reasons) == sorted((code, f"no data: no row has {column}") for code, column in expected.items())
