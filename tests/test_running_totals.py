"""The running totals of the wide reports (macro wide_indicator_report): on month rows, <code>_qtd,
<code>_ytd and <code>_fytd of every additive indicator (catalog period_aggregation 'sum') equal the sum
of that indicator's month values in indicator_values from the first month of the quarter, of the
calendar year, of the fiscal year (warehouse_settings.fiscal_year_start_month) through this month.
Computed here with pandas from indicator_values, independently of the macro, on the demo build
(fiscal year from April), at every grain's report."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from matrix_expected import period_start

GRAINS = ["team", "rep", "customer", "product"]
SPANS = {"qtd": "quarter", "ytd": "year", "fytd": "fiscal_year"}  # running total -> its period type


def _span_start(month: pd.Timestamp, span: str, fiscal_start: int) -> pd.Timestamp:
    """First month of the quarter, calendar year or fiscal year that month falls in."""
    return period_start(month, SPANS[span], fiscal_start)


def _expected(values: pd.DataFrame, span: str, fiscal_start: int) -> pd.DataFrame:
    """Running sum of the month values per entity and indicator within each span."""
    frame = values.copy()
    frame["span_start"] = [_span_start(m, span, fiscal_start) for m in frame["period_start"]]
    frame = frame.sort_values(["indicator_code", "entity_id", "span_start", "period_start"])
    frame["running"] = frame.groupby(["indicator_code", "entity_id", "span_start"])["value"].cumsum()
    return frame


@pytest.mark.parametrize("grain", GRAINS)
def test_running_totals_add_up_the_months(demo_build, grain):
    con = demo_build.connect()
    fiscal_start = int(con.execute("select fiscal_year_start_month from main.warehouse_settings").fetchone()[0])
    assert fiscal_start != 1, "the demo's fiscal year should differ from the calendar year for this test"
    additive = [
        r[0]
        for r in con.execute(
            "select indicator_code from reference.indicator_catalog where period_aggregation = 'sum' "
            "and '|' || grains || '|' like ? order by 1",
            [f"%|{grain}|%"],
        ).fetchall()
    ]
    assert additive, grain
    report = con.execute(
        f"select * from main.rpt_{grain}_indicators where period_type = 'month'"  # noqa: S608 - fixed names
    ).df()
    values = con.execute(
        "select indicator_code, entity_id, period_start, value from main.indicator_values "
        "where grain = ? and period_type = 'month' and value is not null",
        [grain],
    ).df()
    values["period_start"] = pd.to_datetime(values["period_start"])
    report["period_start"] = pd.to_datetime(report["period_start"])
    checked = 0
    for span in SPANS:
        expected = _expected(values[values["indicator_code"].isin(additive)], span, fiscal_start)
        for code in additive:
            column = f"{code}_{span}"
            assert column in report.columns, column
            want = expected[expected["indicator_code"] == code].set_index(["entity_id", "period_start"])["running"]
            got = report.set_index(["entity_id", "period_start"])[column]
            # every month row with a value of its own carries the running total through that month
            joined = pd.concat([want.rename("want"), got.rename("got")], axis=1, join="inner")
            bad = joined[
                [
                    not math.isclose(float(w), float(g), rel_tol=1e-9, abs_tol=1e-6) if pd.notna(g) else True
                    for w, g in zip(joined["want"], joined["got"], strict=True)
                ]
            ]
            assert bad.empty, f"{grain} {column}: {len(bad)} rows differ, e.g.\n{bad.head()}"
            checked += len(joined)
    assert checked > 1000, checked
