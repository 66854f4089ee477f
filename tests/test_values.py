"""Values the landing contract must never let through unread: plausible bounds for every number
column, and a gate that fails on NaN or infinite figures (issue 10 item 1).

The casts and quarantine rules themselves are dbt unit tests (models/staging/_staging__unit_tests.yml,
models/marts/sales/fct_order_lines.yml); the fault dataset (tests/test_faults.py) runs them end to end.
"""

from __future__ import annotations

import math
import shutil

import duckdb
import pytest

from salesperf.contract import TABLES
from salesperf.quality import suites

NUMBER_TYPES = {"int", "money", "number"}


def test_every_number_column_has_a_plausible_upper_bound():
    for table in TABLES:
        for column in table.columns:
            if column.type in NUMBER_TYPES:
                assert column.max is not None and math.isfinite(column.max), (table.name, column.name)
                # money is stored as decimal(18, 4): a bound above 1e14 could not be staged
                assert column.type != "money" or column.max < 1e14, (table.name, column.name)


def test_reconciliation_of_a_nan_sum_is_a_difference():
    """GX skips NaN as missing: the reconciliation SQL must turn it into a failing difference."""
    con = duckdb.connect()
    con.execute(
        "create table main.indicator_values as select * from (values "
        "('sales_amount', 'company', 'company', 'month', date '2024-01-01', 'nan'::double), "
        "('sales_amount', 'rep', 'R1', 'month', date '2024-01-01', 5.0), "
        "('sales_amount', 'company', 'company', 'month', date '2024-02-01', 7.0), "
        "('sales_amount', 'rep', 'R1', 'month', date '2024-02-01', 7.0)"
        ") as t(indicator_code, grain, entity_id, period_type, period_start, value)"
    )
    con.execute(
        "create table main.indicator_catalog as select 'sales_amount' as indicator_code, 'sum' as period_aggregation"
    )
    con.execute(
        "create table main.dim_dates as select d::date as date_day, date_trunc('month', d)::date as month_start, "
        "date_trunc('quarter', d)::date as quarter_start, date_trunc('year', d)::date as year_start, "
        "date_trunc('year', d)::date as fiscal_year_start from range(date '2024-01-01', date '2024-03-01', "
        "interval 1 day) as r(d)"
    )
    sql, _checks = suites._reconciliation_sql(suites.Catalog(con, "CNY"))
    rows = con.execute(
        f"select row_key, relative_difference from ({sql}) where \"check\" = 'grains_to_company.sales_amount'"
    ).fetchall()
    differences = dict(rows)
    assert differences["sales_amount|rep|Σ|month|2024-01-01"] == 1
    assert differences["sales_amount|rep|Σ|month|2024-02-01"] == 0


def test_reconciliation_skips_sums_with_an_unknown_term_and_allocated_grains():
    """A customer-month whose value is unknown makes Σ of the months incomparable with the quarter (which
    sums the known events), and customer_net_profit at product grain is an allocation: neither is a break.
    A known term that does not add up still is, and the headline indicator is compared even with an
    unknown term."""
    con = duckdb.connect()
    rows = [
        # customer C1: February unknown, quarter sums the known events -> not compared
        ("customer_net_profit", "customer", "C1", "month", "2024-01-01", "10"),
        ("customer_net_profit", "customer", "C1", "month", "2024-02-01", "null"),
        ("customer_net_profit", "customer", "C1", "month", "2024-03-01", "5"),
        ("customer_net_profit", "customer", "C1", "quarter", "2024-01-01", "17"),
        # customer C2: every month known, the quarter does not add up -> a break
        ("customer_net_profit", "customer", "C2", "month", "2024-01-01", "1"),
        ("customer_net_profit", "customer", "C2", "month", "2024-02-01", "1"),
        ("customer_net_profit", "customer", "C2", "month", "2024-03-01", "1"),
        ("customer_net_profit", "customer", "C2", "quarter", "2024-01-01", "4"),
        # product P1: an allocation, its months need not add up -> not compared
        ("customer_net_profit", "product", "P1", "month", "2024-01-01", "3"),
        ("customer_net_profit", "product", "P1", "quarter", "2024-01-01", "9"),
        # headline: rep R1 unknown in January, still compared (Σ of known reps = company)
        ("sales_amount", "rep", "R1", "month", "2024-01-01", "null"),
        ("sales_amount", "rep", "R2", "month", "2024-01-01", "6"),
        ("sales_amount", "company", "company", "month", "2024-01-01", "7"),
    ]
    values = ", ".join(f"('{c}', '{g}', '{e}', '{pt}', date '{ps}', {v}::double)" for c, g, e, pt, ps, v in rows)
    con.execute(
        f"create table main.indicator_values as select * from (values {values}) "
        "as t(indicator_code, grain, entity_id, period_type, period_start, value)"
    )
    con.execute(
        "create table main.indicator_catalog as select * from (values ('sales_amount', 'sum'), "
        "('customer_net_profit', 'sum')) as t(indicator_code, period_aggregation)"
    )
    con.execute(
        "create table main.dim_dates as select d::date as date_day, date_trunc('month', d)::date as month_start, "
        "date_trunc('quarter', d)::date as quarter_start, date_trunc('year', d)::date as year_start, "
        "date_trunc('year', d)::date as fiscal_year_start from range(date '2024-01-01', date '2024-04-01', "
        "interval 1 day) as r(d)"
    )
    sql, _checks = suites._reconciliation_sql(suites.Catalog(con, "CNY"))
    differences = dict(con.execute(f"select row_key, relative_difference from ({sql})").fetchall())
    assert differences["customer_net_profit|customer|C2|quarter|2024-01-01"] == pytest.approx(0.25)
    assert "customer_net_profit|customer|C1|quarter|2024-01-01" not in differences
    assert not any(key.startswith("customer_net_profit|product|") for key in differences)
    assert differences["sales_amount|rep|Σ|month|2024-01-01"] == pytest.approx(1 / 7)


@pytest.fixture(scope="module")
def nan_results(demo_build, tmp_path_factory):
    """The gate's report checks on a copy of the clean warehouse with one NaN and one inf figure."""
    from salesperf.quality.checkpoint import run_checkpoint

    work = tmp_path_factory.mktemp("nan_gate")
    path = work / "nan.duckdb"
    shutil.copy2(demo_build.warehouse, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            update main.indicator_values set value = 'nan'::double
            where indicator_code = 'sales_amount' and grain = 'company' and period_type = 'month'
                and period_start = (
                    select min(period_start) from main.indicator_values
                    where indicator_code = 'sales_amount' and grain = 'company' and period_type = 'month'
                )
            """
        )
        con.execute(
            """
            update main.fct_order_lines set net_sales = 'inf'::double
            where order_line_id = (select min(order_line_id) from main.fct_order_lines)
            """
        )
    results = run_checkpoint(path, demo_build.landing_dir, work / "data_docs", work, "CNY", layers=("reports",))
    return {r.check_id: r for r in results}


@pytest.mark.slow
def test_the_gate_fails_on_a_nan_or_infinite_figure(nan_results, demo_build):
    finite = nan_results["gx.reports.indicator_values.value.finite"]
    assert finite.blocks_publishing and finite.status == "fail" and finite.failing_rows == 1
    assert "sales_amount|company|company|month|" in finite.message
    marts = nan_results["gx.reports.finite_values.no_nan_or_inf"]
    assert marts.blocks_publishing and marts.status == "fail"
    assert "fct_order_lines.net_sales" in marts.message and "indicator_values.value" in marts.message
    # the reconciliations that meet the NaN fail instead of passing
    for check_id in (
        "gx.reports.reconciliation.grains_to_company.sales_amount",
        "gx.reports.reconciliation.months_to_periods.sales_amount",
        "gx.reports.reconciliation.report_to_fact.sales_amount",
    ):
        assert nan_results[check_id].status == "fail", check_id
    # the clean build passed them
    clean = demo_build.query(
        "select check_id, status from main.dq_results where check_id in (?, ?)",
        ["gx.reports.indicator_values.value.finite", "gx.reports.finite_values.no_nan_or_inf"],
    )
    assert set(clean["status"]) == {"pass"} and len(clean) == 2
