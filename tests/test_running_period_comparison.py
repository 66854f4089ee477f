"""A running period is compared with the same span of the comparison period on the dashboard
(dashboard/data.py indicator_snapshot), and the label says which days: computed here from the
published order lines, independently of the dashboard's SQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import running_period, warehouse_query  # noqa: E402

from dashboard import data, i18n  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

MONTHS = {"month": 1, "quarter": 3, "year": 12, "fiscal_year": 12}


def test_span_labels_say_which_days():
    assert i18n.span_label(dt.date(2025, 10, 1), dt.date(2025, 10, 15), "en") == "1–15 Oct 2025"
    assert i18n.span_label(dt.date(2025, 10, 1), dt.date(2025, 10, 15), "zh") == "2025-10-01~10-15"
    assert i18n.span_label(dt.date(2025, 1, 1), dt.date(2025, 2, 28), "en") == "1 Jan–28 Feb 2025"
    assert i18n.span_label(pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31"), "zh") == "2024-04-01~2025-03-31"


@pytest.mark.slow
@pytest.mark.parametrize("period_type", ["month", "quarter", "year", "fiscal_year"])
def test_dashboard_compares_running_period_with_same_span(dashboard_env, period_type):
    warehouse = dashboard_env
    start = pd.Timestamp(running_period(warehouse, period_type))
    as_of = pd.Timestamp(warehouse_query(warehouse, "select as_of_date from staging.base_erp__as_of_date")[0][0])
    if start + pd.DateOffset(months=MONTHS[period_type]) - pd.Timedelta(days=1) <= as_of:
        pytest.skip(f"the latest {period_type} is complete at the as-of date {as_of:%Y-%m-%d}")
    lines = pd.DataFrame(
        warehouse_query(warehouse, "select order_date, net_sales from main.fct_order_lines"),
        columns=["order_date", "net_sales"],
    )
    lines["order_date"] = pd.to_datetime(lines["order_date"])

    def span(months: int) -> tuple[pd.Timestamp, pd.Timestamp, float]:
        a, b = start - pd.DateOffset(months=months), as_of - pd.DateOffset(months=months)
        inside = (lines["order_date"] >= a) & (lines["order_date"] <= b)
        return a, b, float(lines.loc[inside, "net_sales"].sum())

    snap = data.indicator_snapshot(
        data.Principal("director", "director"), "company", period_type, start.date(), codes=["sales_amount"]
    )
    assert list(snap["indicator_code"]) == ["sales_amount"]
    row = snap.iloc[0]
    prev_start, prev_end, prev_sales = span(MONTHS[period_type])
    ly_start, ly_end, ly_sales = span(12)
    assert bool(row["is_running"])
    assert pd.Timestamp(row["previous_span_start"]) == prev_start
    assert pd.Timestamp(row["previous_span_end"]) == prev_end
    assert pd.Timestamp(row["last_year_span_end"]) == ly_end
    assert row["previous_value"] == pytest.approx(prev_sales, rel=1e-9)
    if ly_sales:
        assert row["last_year_value"] == pytest.approx(ly_sales, rel=1e-9)
    # a summed indicator without a same-span figure shows no comparison at all
    visits = data.indicator_snapshot(
        data.Principal("director", "director"), "company", period_type, start.date(), codes=["visit_count"]
    )
    if not visits.empty:
        assert pd.isna(visits.iloc[0]["previous_value"]) and pd.isna(visits.iloc[0]["last_year_value"])
