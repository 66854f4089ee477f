"""A company that is not the demo: settings by environment variable or by ``--vars``, a short history,
an empty optional table, events before the first order, an orphan reference (issue 9 items 1, 2, 3,
7, 10; issue 10 item 11).

One small synthetic dataset (the generator's data, mapped): a USD company (fx rates rebased to USD),
fiscal year = calendar year, time zone America/New_York, 10 months of orders (2025-01 .. 2025-10),
only the six required tables, their invoices, opportunities and activities from 2023 on (before the first
order), an ``erp_payments.csv`` with a header and no rows, and one opportunity on a product that is
not in ``erp_products``. Built twice: settings by environment variables, then by ``--vars``; both
publish with the same figures, and dbt, the gate and the warehouse agree on one value per setting.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, SEED, Build, build_env

pytestmark = pytest.mark.slow

FIRST_ORDER_DATE = "2025-01-01"
UNKNOWN_PRODUCT = "P-NOT-IN-ERP"
SETTINGS_ENV = {
    "SALESPERF_BASE_CURRENCY": "USD",
    "SALESPERF_FISCAL_YEAR_START_MONTH": "1",
    "SALESPERF_TIMEZONE": "America/New_York",
}
SETTINGS_VARS = "{base_currency: USD, fiscal_year_start_month: 1, company_timezone: America/New_York}"
COPIED = ("crm_teams", "crm_sales_reps", "crm_accounts", "erp_products", "crm_activities")


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> None:
    con.execute(f"copy ({sql}) to '{target}' (header, delimiter ',')")


def usd_company(source: Path, out: Path, first_order_date: str = FIRST_ORDER_DATE) -> str:
    """Map the generator's CNY company into the USD company above; returns the orphan opportunity id."""
    out.mkdir(parents=True)
    con = duckdb.connect()
    src = {p.stem: f"read_csv('{p}', all_varchar = true)" for p in source.glob("*.csv")}
    for table in COPIED:
        _copy(con, f"select * from {src[table]}", out / f"{table}.csv")
    kept_orders = f"select order_id from {src['erp_sales_orders']} where order_date >= '{first_order_date}'"
    for table in ("erp_sales_orders", "erp_sales_order_lines", "erp_invoices"):
        _copy(con, f"select * from {src[table]} where order_id in ({kept_orders})", out / f"{table}.csv")
    orphan = con.execute(
        f"select min(opportunity_id) from {src['crm_opportunities']} "
        f"where status = 'won' and closed_at >= '{first_order_date}' and closed_at < '2025-10-31'"
    ).fetchone()[0]
    _copy(
        con,
        f"select * replace (case when opportunity_id = '{orphan}' then '{UNKNOWN_PRODUCT}' else product_id end "
        f"as product_id) from {src['crm_opportunities']}",
        out / "crm_opportunities.csv",
    )
    # Rates to USD: rate(c → USD) = rate(c → CNY) / rate(USD → CNY) on the same day; CNY = 1 / rate(USD → CNY).
    _copy(
        con,
        f"""
        with rates as (select currency, rate_date, cast(rate_to_base as double) as rate from {src["fx_rates"]}),
        usd as (select rate_date, rate from rates where currency = 'USD')
        select rates.currency, rates.rate_date, round(rates.rate / usd.rate, 8) as rate_to_base
        from rates join usd using (rate_date) where rates.currency <> 'USD'
        union all
        select 'CNY', rate_date, round(1 / rate, 8) from usd
        order by 1, 2
        """,
        out / "fx_rates.csv",
    )
    header = (source / "erp_payments.csv").read_text(encoding="utf-8").splitlines()[0]
    (out / "erp_payments.csv").write_text(header + "\n", encoding="utf-8")
    con.close()
    return orphan


def shift_years(source: Path, out: Path, years: int) -> None:
    """Copy a landing folder with every date and timestamp moved by ``years`` (28: same weekdays and
    leap days), e.g. to a history that starts before the year 2000."""
    out.mkdir(parents=True)
    con = duckdb.connect()
    for path in source.glob("*.csv"):
        reader = f"read_csv('{path}', all_varchar = true)"
        if len(path.read_text(encoding="utf-8").splitlines()) < 2:  # a header-only file: copied as it is
            shutil.copy(path, out / path.name)
            continue
        columns = [row[0] for row in con.execute(f"describe select * from {reader}").fetchall()]
        moved = [
            f"case when regexp_matches(\"{c}\", '^[0-9]{{4}}-[0-9]{{2}}') "
            f"then lpad(cast(cast(substr(\"{c}\", 1, 4) as integer) + {years} as varchar), 4, '0') "
            f'|| substr("{c}", 5) else "{c}" end as "{c}"'
            for c in columns
        ]
        _copy(con, f"select {', '.join(moved)} from {reader}", out / path.name)
    con.close()


def _build(landing: Path, work: Path, env_settings: dict[str, str], *dbt_args: str, unit_tests: bool = False) -> Build:
    """The build command on ``landing`` with the company's settings (``unit_tests``: dbt's unit tests
    check SQL under settings, not data, so only env_build runs them: the other builds have the same
    settings, given the same way or by ``--vars``, test_vars_and_environment_give_the_same_warehouse)."""
    env = build_env(landing, work / "warehouse" / "sales_performance.duckdb", work, unit_tests)
    for name in (*SETTINGS_ENV, "SALESPERF_AS_OF_DATE", "SALESPERF_ORDER_HISTORY_COMPLETE_FROM"):
        env.pop(name, None)
    env.update(env_settings, SALESPERF_LANDING_FORMAT="csv")
    proc = subprocess.run(
        [sys.executable, "-m", "salesperf.run", "build", *dbt_args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    return Build(landing, work / "warehouse" / "sales_performance.duckdb", proc.stdout + proc.stderr, proc.returncode)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from salesperf.generate import generate

    source = tmp_path_factory.mktemp("company_source")
    generate(source, seed=SEED, scale="small", fmt="csv", start="2024-01-01", as_of="2025-10-31")
    return source


@pytest.fixture(scope="module")
def company(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    landing = tmp_path_factory.mktemp("company") / "landing"
    return landing, usd_company(generated, landing)


@pytest.fixture(scope="module")
def env_build(company: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = _build(company[0], tmp_path_factory.mktemp("env_build"), SETTINGS_ENV, unit_tests=True)
    assert build.returncode == 0, build.log[-6000:]
    return build


@pytest.fixture(scope="module")
def vars_build(company: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = _build(company[0], tmp_path_factory.mktemp("vars_build"), {}, "--vars", SETTINGS_VARS)
    assert build.returncode == 0, build.log[-6000:]
    return build


@pytest.fixture(scope="module")
def old_build(company: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The same company 28 years earlier: orders from 1997, opportunities from 1995."""
    work = tmp_path_factory.mktemp("old_build")
    shift_years(company[0], work / "landing", -28)
    build = _build(work / "landing", work, SETTINGS_ENV)
    assert build.returncode == 0, build.log[-6000:]
    return build


def test_settings_by_environment_are_the_warehouse_settings(env_build: Build) -> None:
    settings = env_build.query("select * from main.warehouse_settings")
    assert len(settings) == 1
    row = settings.iloc[0]
    assert row["base_currency"] == "USD"
    assert row["fiscal_year_start_month"] == 1
    assert row["company_timezone"] == "America/New_York"
    assert str(row["history_start_date"]) >= FIRST_ORDER_DATE
    assert pd.isna(row["order_history_complete_from"])


def test_gate_checks_currencies_against_the_resolved_base_currency(env_build: Build, vars_build: Build) -> None:
    for build in (env_build, vars_build):
        checks = build.query(
            "select check_id, status from main.dq_results where check_id like 'gx.staging.%.currency.known'"
        )
        assert not checks.empty
        assert set(checks["status"]) == {"pass"}, checks
        # every order is in USD, CNY, EUR or HKD: nothing was rejected for its currency
        rejected = build.query("select count(*) as n from main.dq_rejected_rows where rule = 'unknown_currency'")
        assert rejected["n"][0] == 0


def test_unit_tests_pass_under_the_company_settings(env_build: Build, vars_build: Build) -> None:
    """dbt's unit tests pass under the company's settings (env_build); the --vars build has the same
    settings (test_vars_and_environment_give_the_same_warehouse) and leaves them out, as the README's
    --vars block does (tests/test_readme_commands.py)."""
    unit = env_build.query(
        "select status, count(*) as n from main.dq_results where check_type = 'dbt_unit_test' group by 1"
    )
    assert set(unit["status"]) == {"pass"}, unit
    assert unit["n"].sum() > 50
    assert vars_build.query("select count(*) as n from main.dq_results where check_type = 'dbt_unit_test'")["n"][0] == 0


def test_vars_and_environment_give_the_same_warehouse(env_build: Build, vars_build: Build) -> None:
    columns = ["base_currency", "company_timezone", "fiscal_year_start_month", "as_of_date", "calendar_start_date"]
    assert env_build.query("select * from main.warehouse_settings")[columns].equals(
        vars_build.query("select * from main.warehouse_settings")[columns]
    )
    sql = (
        "select indicator_code, grain, entity_id, period_type, period_start, value from main.indicator_values "
        "where indicator_code in ('sales_amount', 'opportunity_win_rate', 'gross_margin_rate') order by all"
    )
    pd.testing.assert_frame_equal(env_build.query(sql), vars_build.query(sql))


def test_fiscal_year_is_the_calendar_year(env_build: Build) -> None:
    mismatched = env_build.query("select count(*) as n from main.dim_dates where fiscal_year_start <> year_start")
    assert mismatched["n"][0] == 0


def test_short_history_publishes_without_the_comparisons_it_cannot_give(env_build: Build) -> None:
    coverage = env_build.query("select * from main.indicator_coverage")
    yoy = coverage[(coverage.indicator_code == "sales_growth_yoy") & (coverage.period_type == "month")]
    assert not yoy.empty and not yoy["is_expected"].any()
    assert yoy["not_expected_reason"].str.startswith("history too short").all()
    sales = coverage[coverage.indicator_code == "sales_amount"]
    assert sales["is_expected"].all()
    # month-over-month exists with 10 months; the gate demanded it and found it
    pop = coverage[(coverage.indicator_code == "sales_growth_pop") & (coverage.period_type == "month")]
    assert pop["is_expected"].all()
    pairs = env_build.query(
        "select status, message from main.dq_results where check_id = 'gx.reports.indicator_values.catalog_pairs'"
    )
    assert pairs["status"][0] == "pass", pairs["message"][0]


def test_header_only_optional_table_is_no_data(env_build: Build) -> None:
    absent = env_build.query(
        "select count(*) as n from main.indicator_values where indicator_code in "
        "('collection_rate', 'avg_collection_days', 'customer_net_profit')"
    )
    assert absent["n"][0] == 0
    reasons = env_build.query(
        "select distinct not_expected_reason from main.indicator_coverage where indicator_code = 'collection_rate'"
    )
    assert list(reasons["not_expected_reason"]) == ["no data: landing table erp_payments has no rows"]


def test_events_before_the_first_order_have_their_periods(env_build: Build) -> None:
    first = env_build.query("select min(cast(created_at as date)) as d from staging.stg_crm__opportunities")["d"][0]
    calendar = env_build.query("select min(date_day) as d from main.dim_dates")["d"][0]
    assert pd.Timestamp(calendar) == pd.Timestamp(first).replace(month=1, day=1)
    before = env_build.query(
        "select period_type, count(*) as n from main.indicator_values "
        "where indicator_code in ('opportunity_win_rate', 'visit_count') and grain = 'company' "
        f"and period_start < '{FIRST_ORDER_DATE}' group by 1"
    )
    assert set(before["period_type"]) == {"month", "quarter", "year", "fiscal_year"}
    # the company's 2024 win rate equals won / closed of the opportunities closed in 2024
    expected = env_build.query(
        "select sum(case when status = 'won' then 1 else 0 end) / count(*) as rate from main.fct_opportunities "
        "where closed_date >= '2024-01-01' and closed_date < '2025-01-01'"
    )["rate"][0]
    published = env_build.query(
        "select value from main.indicator_values where indicator_code = 'opportunity_win_rate' "
        "and grain = 'company' and period_type = 'year' and period_start = '2024-01-01'"
    )["value"][0]
    assert published == pytest.approx(expected)


def test_orphan_product_gets_no_figure_and_a_warning_naming_the_row(
    env_build: Build, company: tuple[Path, str]
) -> None:
    orphan = company[1]
    kept = env_build.query("select product_id from main.fct_opportunities where opportunity_id = ?", [orphan])
    assert list(kept["product_id"]) == [UNKNOWN_PRODUCT]
    figures = env_build.query("select count(*) as n from main.indicator_values where entity_id = ?", [UNKNOWN_PRODUCT])
    assert figures["n"][0] == 0
    warning = env_build.query(
        "select status, severity, message from main.dq_results "
        "where check_id like 'test.%relationships_fct_opportunities_product_id%'"
    )
    assert list(warning["status"]) == ["warn"] and list(warning["severity"]) == ["warn"]
    assert orphan in warning["message"][0]


def test_blocking_failures_name_the_landing_rows(env_build: Build, tmp_path: Path) -> None:
    """Deliberately bad values (a product's monthly gross margin rate set to 1.5, above its bound 1; its
    monthly sales set to -1, which no longer adds up to the company) fail the range check and the
    grains-to-company reconciliation; both messages name the order lines behind them. (Sales below 0
    are no range failure: returns can make a period's net sales negative.)"""
    from salesperf.quality.gate import run_gate

    copy = tmp_path / "bad" / env_build.warehouse.name  # same file name: the staging views name its catalog
    copy.parent.mkdir()
    shutil.copy(env_build.warehouse, copy)
    con = duckdb.connect(str(copy))
    product, month = con.execute(
        "select entity_id, period_start from main.indicator_values as sales "
        "where indicator_code = 'sales_amount' and grain = 'product' and period_type = 'month' and value > 0 "
        "and exists (select 1 from main.indicator_values as margin where margin.indicator_code = 'gross_margin_rate' "
        "and margin.grain = 'product' and margin.period_type = 'month' and margin.entity_id = sales.entity_id "
        "and margin.period_start = sales.period_start) "
        "order by value desc, entity_id limit 1"
    ).fetchone()
    lines = {
        row[0]
        for row in con.execute(
            "select order_line_id from main.fct_order_lines where product_id = ? "
            "and order_date >= ? and order_date < ? + interval 1 month",
            [product, month, month],
        ).fetchall()
    }
    con.execute(
        "update main.indicator_values set value = -1 where indicator_code = 'sales_amount' and grain = 'product' "
        "and entity_id = ? and period_type = 'month' and period_start = ?",
        [product, month],
    )
    con.execute(
        "update main.indicator_values set value = 1.5 where indicator_code = 'gross_margin_rate' "
        "and grain = 'product' and entity_id = ? and period_type = 'month' and period_start = ?",
        [product, month],
    )
    con.close()
    outcome = run_gate(
        copy,
        env_build.landing_dir,
        env_build.warehouse.parent.parent / "target",
        tmp_path / "docs",
        tmp_path,
        "USD",
        say=lambda _m: None,
    )
    blocking = {r.check_id: r.message for r in outcome.blocking}
    range_message = blocking["gx.reports.indicator_values.value.at_most_valid_max"]
    assert f"gross_margin_rate|product|{product}|month|{month}" in range_message
    assert "erp_sales_order_lines" in range_message
    assert any(f"order_line_id={line}," in range_message for line in lines)
    reconciled = blocking["gx.reports.reconciliation.grains_to_company.sales_amount"]
    assert "landing rows behind them" in reconciled and "erp_sales_order_lines order_line_id=" in reconciled


def test_readme_lists_every_company_setting() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Point it at your own extracts", 1)[1].split("\n### ", 1)[0]
    for name in (
        "SALESPERF_BASE_CURRENCY",
        "SALESPERF_TIMEZONE",
        "SALESPERF_FISCAL_YEAR_START_MONTH",
        "SALESPERF_AS_OF_DATE",
        "SALESPERF_ORDER_HISTORY_COMPLETE_FROM",
        "SALESPERF_CALENDAR_START_DATE",
        "warehouse_settings",
    ):
        assert name in section, name


@pytest.fixture(scope="module")
def one_month_build(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The same company with one month of orders (2025-10)."""
    work = tmp_path_factory.mktemp("one_month")
    usd_company(generated, work / "landing", first_order_date="2025-10-01")
    return _build(work / "landing", work, SETTINGS_ENV)


def test_one_month_of_orders_publishes(one_month_build: Build) -> None:
    assert one_month_build.returncode == 0, one_month_build.log[-6000:]
    coverage = one_month_build.query(
        "select indicator_code, bool_or(is_expected) as expected from main.indicator_coverage group by 1"
    ).set_index("indicator_code")["expected"]
    assert coverage["sales_amount"] and coverage["opportunity_win_rate"]
    assert not coverage["sales_growth_pop"] and not coverage["sales_growth_yoy"]
    assert not coverage["customer_retention_rate"] and not coverage["new_customers"]
    sales = one_month_build.query(
        "select count(*) as n from main.indicator_values where indicator_code = 'sales_amount' and grain = 'company'"
    )
    assert sales["n"][0] == 4  # the month, its quarter, year and fiscal year


def test_history_before_2000_has_its_calendar_clv_and_figures(old_build: Build, env_build: Build) -> None:
    """History from 1997 (before the old fixed calendar start, 2000-01-01, which emptied dim_dates)."""
    calendar = old_build.query("select min(date_day) as first, max(date_day) as last from main.dim_dates")
    assert str(calendar["first"][0])[:10] == "1995-01-01" and str(calendar["last"][0])[:10] == "1997-12-31"
    assert old_build.query("select count(*) as n from main.fct_clv_model_fits")["n"][0] > 0
    assert old_build.query("select count(*) as n from main.fct_customer_clv_snapshots")["n"][0] > 0
    # the same figures as the same company 28 years later
    sql = (
        "select grain, entity_id, period_type, value from main.indicator_values "
        "where indicator_code = 'sales_amount' and period_start = ? order by all"
    )
    old = old_build.query(sql, ["1997-01-01"])
    assert not old.empty
    pd.testing.assert_frame_equal(old, env_build.query(sql, ["2025-01-01"]))


def test_dashboard_shows_the_currency_of_the_warehouse(env_build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import data, i18n

    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(env_build.warehouse))
    assert data.base_currency() == "USD"
    try:
        i18n.use_currency(data.base_currency())
        assert i18n.format_value(1234.5, "currency", "en").startswith("$")
        assert i18n.t("col_unit_money", "en") == " (USD)" and i18n.t("col_unit_money", "zh") == "（万美元）"
    finally:
        i18n.use_currency("CNY")
    assert i18n.format_value(1234.5, "currency", "en").startswith("¥")
    assert i18n.t("col_unit_money", "zh") == "（万元）"
