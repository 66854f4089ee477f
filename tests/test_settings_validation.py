"""A company setting that cannot be read stops dbt before any model runs, naming the setting and its
environment variable (macros/settings.sql ``validate_settings``, dbt_project.yml ``on-run-start``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"


def run_settings_model(tmp_path: Path, env_settings: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESPERF_")}
    env.update(
        SALESPERF_WAREHOUSE=str(tmp_path / "wh.duckdb"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        **env_settings,
    )
    return subprocess.run(
        [str(DBT), "run", "--select", "warehouse_settings"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"SALESPERF_ORDER_HISTORY_COMPLETE_FROM": "2024-13-01"},
            "order_history_complete_from = '2024-13-01' is not a date YYYY-MM-DD "
            "(env SALESPERF_ORDER_HISTORY_COMPLETE_FROM)",
        ),
        (
            {"SALESPERF_AS_OF_DATE": "2023-02-29"},
            "as_of_date = '2023-02-29' is not a date YYYY-MM-DD (env SALESPERF_AS_OF_DATE)",
        ),
        (
            {"SALESPERF_CALENDAR_START_DATE": "01/03/2020"},
            "calendar_start_date = '01/03/2020' is not a date YYYY-MM-DD (env SALESPERF_CALENDAR_START_DATE)",
        ),
        (
            {"SALESPERF_FISCAL_YEAR_START_MONTH": "13"},
            "fiscal_year_start_month = '13' is not a whole number from 1 to 12 (env SALESPERF_FISCAL_YEAR_START_MONTH)",
        ),
        (
            {"SALESPERF_ACTIVE_WINDOW_MONTHS": "twelve"},
            "active_window_months = 'twelve' is not a whole number from 1 to 600 (env SALESPERF_ACTIVE_WINDOW_MONTHS)",
        ),
        (
            {"SALESPERF_BASE_CURRENCY": "usd"},
            "base_currency = 'usd' is not an ISO 4217 code such as USD or CNY (env SALESPERF_BASE_CURRENCY)",
        ),
    ],
)
def test_unreadable_setting_stops_the_run_naming_it(tmp_path: Path, settings: dict[str, str], expected: str) -> None:
    proc = run_settings_model(tmp_path, settings)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Company settings that cannot be read: " + expected in output, output[-2000:]
    assert not (tmp_path / "wh.duckdb").exists() or "OK created" not in output


def test_readable_settings_pass_the_check(tmp_path: Path) -> None:
    proc = run_settings_model(
        tmp_path,
        {
            "SALESPERF_AS_OF_DATE": "2024-02-29",
            "SALESPERF_ORDER_HISTORY_COMPLETE_FROM": "2019-01-01",
            "SALESPERF_FISCAL_YEAR_START_MONTH": "7",
            "SALESPERF_BASE_CURRENCY": "EUR",
        },
    )
    output = proc.stdout + proc.stderr
    assert "Company settings that cannot be read" not in output
    # the hook passed and dbt went on to the model (which fails here only for want of its upstream models)
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "OK hook: sales_performance.on-run-start.0" in log, output[-2000:]
    assert "START sql table model main.warehouse_settings" in log
