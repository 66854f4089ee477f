"""Per period: Σ rep sales = Σ team sales = company sales = Σ customer sales = Σ product sales
= Σ order-line net sales of the marts and of the landing files; the same for cost."""

from __future__ import annotations

import pytest
from independent import PERIOD_TYPES, Landing

GRAINS = ["rep", "team", "company", "customer", "product"]


@pytest.mark.parametrize("period_type", PERIOD_TYPES)
def test_sales_and_cost_reconcile_across_grains(demo_build, period_type):
    df = demo_build.query(
        """
        select
            grain,
            period_start,
            sum(case when indicator_code = 'sales_amount' then value end) as net_sales,
            -- margin numerator and denominator: Σ gross profit and Σ net sales of lines with a cost
            sum(case when indicator_code = 'gross_margin_rate' then denominator - numerator end) as cost
        from main.indicator_values
        where period_type = ?
        group by 1, 2
        -- periods with other figures but no sales (visits before the first order) have no sales to reconcile
        having count(case when indicator_code = 'sales_amount' then 1 end) > 0
        """,
        [period_type],
    )
    lines = demo_build.query(
        """
        select
            {period} as period_start,
            sum(net_sales) as net_sales,
            sum(cost) as cost
        from main.fct_order_lines, main.dim_dates
        where dim_dates.date_day = fct_order_lines.order_date
        group by 1
        """.replace(
            "{period}",
            {
                "month": "dim_dates.month_start",
                "quarter": "dim_dates.quarter_start",
                "year": "dim_dates.year_start",
                "fiscal_year": "dim_dates.fiscal_year_start",
            }[period_type],
        )
    ).set_index("period_start")
    assert set(df["grain"]) == set(GRAINS)
    for grain in GRAINS:
        per_grain = df[df["grain"] == grain].set_index("period_start").sort_index()
        assert list(per_grain.index) == list(lines.sort_index().index), grain
        for measure in ("net_sales", "cost"):
            diff = (per_grain[measure] - lines[measure]).abs().max()
            assert diff <= 1e-6 * lines[measure].abs().max(), (grain, measure, diff)


def test_order_lines_reconcile_to_the_landing_files(demo_build):
    landing = Landing(demo_build.landing_dir).order_lines()
    marts = demo_build.query("select count(*) as n, sum(net_sales) as s, sum(cost) as c from main.fct_order_lines")
    assert marts["n"][0] == len(landing)
    assert abs(marts["s"][0] - landing["net_sales"].sum()) <= 1e-9 * abs(landing["net_sales"].sum())
    assert abs(marts["c"][0] - landing["cost"].sum()) <= 1e-9 * abs(landing["cost"].sum())
