"""Manager dashboard v2 (issue 15 items 1-4), AppTest: the figures shown equal the warehouse's.

- a manager's overview is her whole scope: every team side by side and combined, sorted by the
  gap to target, with the company as benchmark (ratios only for her);
- the action list holds the digest's alert rows of the user's scope, each a link (page + query
  string) to the drill-down that explains it, and following a link opens it;
- pacing cards (full-period target, time elapsed vs attainment) and the headline row (highest
  weights of the user's scorecard); the improvement strip says in words what it counts;
- rep → customer → orders and opportunities by clicks; the customer's monthly sales on a
  continuous month axis (0 in months without sales); a team's trend with its target line.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import (  # noqa: E402
    USERS_FILE,
    app_test,
    indicator_value,
    running_period,
    warehouse_query,
)

from dashboard import i18n  # noqa: E402
from dashboard.app_pages import action_views  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

USERS = ("director", "manager_east", "rep_demo")
MENU = {
    "director": {"overview", "teams", "rep", "customers", "products", "data_quality"},
    "manager_east": {"overview", "teams", "rep", "customers", "data_quality"},
    "rep_demo": {"overview", "rep", "customers", "data_quality"},
}


def metric(at, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def frame_with(at, column: str) -> pd.DataFrame:
    found = [frame.value for frame in at.dataframe if column in frame.value.columns]
    assert found, f"no table with column {column!r}"
    return found[0]


def chart_frames(at) -> list[pd.DataFrame]:
    """The data of every Vega-Lite chart of the run (st.line_chart, st.bar_chart)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return frames


def page_links(at) -> list[tuple[str, str, dict[str, str]]]:
    """(label, page's url path, query parameters) of every st.page_link of the run."""
    links = []
    for link in at.get("page_link"):
        query = dict(urllib.parse.parse_qsl(link.proto.query_string))
        links.append((link.proto.label, link.proto.page, query))
    return links


def principal(username: str) -> Any:
    from salesperf.alerts.scope import principal_from, users_file_access

    access = users_file_access(USERS_FILE)
    return principal_from({"user": username}, access, "test")


def alert_rows(warehouse: Path, username: str, period_type: str = "month") -> Any:
    from salesperf.alerts import rules

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return rules.compute(con, principal(username), period_type=period_type)
    finally:
        con.close()


def pacing_rows(warehouse: Path, grain: str, period_type: str, start: Any) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select entity_id, target_full_period, value_to_date, time_elapsed_share, pace_gap"
            " from main.rpt_target_pacing where grain = ? and period_type = ? and period_start = ?"
            " and indicator_code = 'sales_amount'",
            [grain, period_type, start],
        ).df()
    finally:
        con.close()


def manager_teams(warehouse: Path) -> set[str]:
    """manager_east's teams: T001 (users file) and its child teams (dim_teams)."""
    return {"T001"} | {
        team
        for (team,) in warehouse_query(warehouse, "select team_id from main.dim_teams where parent_team_id = 'T001'")
    }


# ------------------------------------------------------------------------------------------------
# Item 1: the manager's whole scope
# ------------------------------------------------------------------------------------------------


def test_manager_overview_shows_every_team_combined_and_the_company_benchmark(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    teams = manager_teams(warehouse)
    assert len(teams) == 2  # the demo: 华东一组 and its child 华东二组
    at = app_test("manager_east").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value.startswith("My 2 teams")

    table = frame_with(at, "kind_text")
    pacing = pacing_rows(warehouse, "team", "month", month).set_index("entity_id")
    rows = table.loc[table["kind_text"] == "Team"]
    assert set(rows["entity_id"]) == teams
    assert list(rows["pace_gap"]) == sorted(rows["pace_gap"])  # the gap to target, most behind first
    for _, row in rows.iterrows():
        assert row["value_to_date"] == pytest.approx(pacing.loc[row["entity_id"], "value_to_date"])
        assert row["target_full_period"] == pytest.approx(pacing.loc[row["entity_id"], "target_full_period"])
        assert row["pace_gap"] == pytest.approx(pacing.loc[row["entity_id"], "pace_gap"])

    mine = pacing.loc[sorted(teams)]
    combined = table.loc[table["kind_text"] == "Combined"].iloc[0]
    assert combined["value_to_date"] == pytest.approx(mine["value_to_date"].sum())
    assert combined["target_full_period"] == pytest.approx(mine["target_full_period"].sum())
    assert combined["attainment_to_date"] == pytest.approx(
        mine["value_to_date"].sum() / mine["target_full_period"].sum()
    )

    company = table.loc[table["kind_text"] == "Benchmark"].iloc[0]
    assert company["attainment_to_date"] == pytest.approx(
        pacing["value_to_date"].sum() / pacing["target_full_period"].sum()
    )
    assert company["attainment_to_date"] == pytest.approx(
        indicator_value(warehouse, "sales_amount", "company", "company", "month", month)
        / pacing["target_full_period"].sum()
    )
    assert pd.isna(company["value_to_date"]) and pd.isna(company["target_full_period"])  # amounts: directors only

    # the cards are of the combined scope: summed sales, a rate from its added numerators and denominators
    sales = sum(indicator_value(warehouse, "sales_amount", "team", team, "month", month) for team in teams)
    assert metric(at, "Sales amount").value == i18n.format_value(sales, "currency", "en")
    parts = warehouse_query(
        warehouse,
        "select sum(numerator) / sum(denominator) from main.indicator_values where indicator_code = 'gross_margin_rate'"
        " and grain = 'team' and period_type = 'month' and period_start = ? and entity_id in ('T001', 'T008')",
        [month],
    )[0][0]
    assert metric(at, "Gross margin rate").value == i18n.format_value(parts, "ratio", "en")
    assert metric(at, "Full-period sales target").value == i18n.format_value(
        mine["target_full_period"].sum(), "currency", "en"
    )

    at.button(key="scope_team_T008").click().run()  # a team of the scope opens its page
    assert not at.exception
    assert at.query_params["team"] == "T008"


# ------------------------------------------------------------------------------------------------
# Item 2: the action list
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_action_list_links_every_alert_of_the_scope_to_its_drill_down(dashboard_env: Path, username: str) -> None:
    warehouse = dashboard_env
    at = app_test(username).run()
    assert not at.exception, [e.value for e in at.exception]
    links = page_links(at)
    alerts = alert_rows(warehouse, username)
    visible = {
        "rep": {r for (r,) in warehouse_query(warehouse, "select rep_id from main.dim_sales_reps")},
        "customer": set(),
        "team": set(),
    }
    from dashboard import data

    me = principal(username)
    visible["rep"] = set(data.visible_reps(me)["rep_id"])
    visible["customer"] = set(data.visible_customers(me)["customer_id"])
    visible["team"] = set(data.visible_teams(me)["team_id"])

    def linked(page: str, key: str) -> list[str]:
        return [query[key] for _, target, query in links if target == page and key in query]

    for _, target, query in links:
        page = target
        assert page in MENU[username], (page, username)  # never a page the role cannot open
        for key in ("rep", "customer", "team"):
            if key in query:
                assert query[key] in visible[key], (key, query[key])
        if page != "data_quality":
            assert query["ptype"] == "month" and query["period"] == alerts.period_start.isoformat()

    for rule in ("behind_pace", "churn_risk", "improvement", "concentration", "overdue"):
        setattr(alerts, rule, getattr(alerts, rule)[: action_views.MAX_PER_KIND])  # the list's cap per kind
    behind_teams = [row["entity_id"] for row in alerts.behind_pace if row["grain"] == "team"]
    behind_reps = [row["entity_id"] for row in alerts.behind_pace if row["grain"] == "rep"]
    if username == "rep_demo":
        assert not linked("teams", "team")
    else:
        assert set(behind_teams) <= set(linked("teams", "team"))
    assert set(behind_reps) | {row["rep_id"] for row in alerts.improvement} | {
        row["rep_id"] for row in alerts.overdue
    } <= set(linked("rep", "rep"))
    assert {row["customer_id"] for row in alerts.churn_risk} <= set(linked("customers", "customer"))
    quality = warehouse_query(
        warehouse,
        "select count(*) from main.dq_results where (check_type = 'freshness' and status = 'fail')"
        " or (check_type = 'dbt_test' and status in ('warn', 'fail') and layer in ('marts', 'reports'))",
    )[0][0]
    assert any(target == "data_quality" for _, target, _ in links) == (quality > 0)
    if username == "manager_east":
        assert "T008" in behind_teams  # the demo's larger team is behind pace: it is in her list


def test_following_an_action_link_opens_the_drill_down(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    at = app_test("manager_east").run()
    label, target, query = next(link for link in page_links(at) if link[1] == "rep")
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("app_pages/rep.py").run()
    assert not at.exception, [e.value for e in at.exception]
    name = warehouse_query(warehouse, "select rep_name from main.dim_sales_reps where rep_id = ?", [query["rep"]])[0][0]
    assert at.header[0].value == f"Rep: {name}", label
    assert at.query_params["rep"] == query["rep"]


# ------------------------------------------------------------------------------------------------
# Item 3: pacing cards, the headline row, the strip in words
# ------------------------------------------------------------------------------------------------


def test_pacing_cards_headline_row_and_the_strip_in_words(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    quarter = running_period(warehouse, "quarter")
    at = app_test("rep_demo", {"ptype": "quarter", "period": quarter.isoformat()}).run()
    assert not at.exception, [e.value for e in at.exception]
    pace = pacing_rows(warehouse, "rep", "quarter", quarter).set_index("entity_id").loc["R0026"]
    assert metric(at, "Full-period sales target").value == i18n.format_value(
        pace["target_full_period"], "currency", "en"
    )
    assert metric(at, "Attainment to date").value == i18n.format_value(
        pace["value_to_date"] / pace["target_full_period"], "ratio", "en"
    )
    assert metric(at, "Time elapsed").value == i18n.format_value(pace["time_elapsed_share"], "ratio", "en")
    assert 0 < pace["time_elapsed_share"] < 1  # the running quarter: time progress is not attainment

    weights = warehouse_query(
        warehouse,
        "select indicator_code from main.rpt_scorecard where entity_type = 'rep' and entity_id = 'R0026'"
        " and period_type = 'quarter' and period_start = (select max(period_start) from main.rpt_scorecard"
        " where entity_type = 'rep' and entity_id = 'R0026' and period_type = 'quarter' and period_start <= ?)"
        " order by weight desc, indicator_code limit 5",
        [quarter],
    )
    names = dict(warehouse_query(warehouse, "select indicator_code, name_en from reference.indicator_catalog"))
    headline = [names[code] for (code,) in weights]
    assert [m.label for m in at.metric[4 : 4 + len(headline)]] == headline

    strip = [m for m in at.metric if m.label in ("Results", "Process", "Capability")]
    assert strip and all(" of " in m.value and m.value.endswith("improved") for m in strip)
    assert any("indicators comparable with the previous period improved" in c.value for c in at.caption)


# ------------------------------------------------------------------------------------------------
# Item 4: rep → customer → orders; continuous month axis; the team's target line
# ------------------------------------------------------------------------------------------------


def test_rep_to_customer_to_orders_and_opportunities_by_clicks(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    as_of = warehouse_query(warehouse, "select max(period_end_as_of) from main.dim_periods")[0][0]
    at = app_test("rep_demo").run()
    at.switch_page("app_pages/rep.py").run()
    buttons = [b.key for b in at.button if b.key and b.key.startswith("drill_customer_")]
    assert buttons
    customer_id = buttons[0].removeprefix("drill_customer_")
    at.button(key=buttons[0]).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["customer"] == customer_id
    assert at.header[0].value == "Customers"

    orders = frame_with(at, "order_id")
    expected = dict(
        warehouse_query(
            warehouse,
            "select order_id, sum(net_sales) from main.fct_order_lines where customer_id = ? and order_date <= ?"
            " group by 1",
            [customer_id, as_of],
        )
    )
    assert set(orders["order_id"]) == set(expected)
    for _, row in orders.iterrows():
        assert row["net_sales"] == pytest.approx(expected[row["order_id"]])
    opportunities = frame_with(at, "opportunity_id")
    assert set(opportunities["opportunity_id"]) == {
        o
        for (o,) in warehouse_query(
            warehouse,
            "select opportunity_id from main.fct_opportunities where customer_id = ? and created_date <= ?",
            [customer_id, as_of],
        )
    }

    monthly = next(frame for frame in chart_frames(at) if len(frame) == 24)
    values = monthly.iloc[:, -1].tolist()
    months = [
        m
        for (m,) in warehouse_query(
            warehouse,
            "select period_start from main.dim_periods where period_type = 'month' order by period_start desc limit 24",
        )
    ][::-1]
    for month, shown in zip(months, values, strict=True):
        published = indicator_value(warehouse, "sales_amount", "customer", customer_id, "month", month)
        assert shown == pytest.approx(published or 0.0)


def test_customer_months_without_sales_are_zero(dashboard_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import data

    warehouse = dashboard_env
    customer_id, month = warehouse_query(
        warehouse,
        "select customers.customer_id, periods.period_start from main.dim_customers as customers"
        " cross join main.dim_periods as periods where periods.period_type = 'month'"
        " and periods.period_start > (select min(period_start) from main.dim_periods)"
        " and not exists (select 1 from main.indicator_values as iv where iv.indicator_code = 'sales_amount'"
        " and iv.grain = 'customer' and iv.period_type = 'month' and iv.entity_id = customers.customer_id"
        " and iv.period_start = periods.period_start)"
        " and exists (select 1 from main.indicator_values as iv where iv.indicator_code = 'sales_amount'"
        " and iv.grain = 'customer' and iv.period_type = 'month' and iv.entity_id = customers.customer_id"
        " and iv.period_start < periods.period_start)"
        " order by 1, 2 limit 1",
    )[0]
    director = principal("director")
    series = data.customer_monthly_sales(director, customer_id, month, months=6)
    assert len(series) == 6
    assert pd.Timestamp(series["period_start"].iloc[-1]).date() == month
    assert series["value"].iloc[-1] == 0  # no row in indicator_values: a 0 on the axis, not a gap
    assert data.customer_monthly_sales(principal("rep_demo"), customer_id, month).empty or customer_id in set(
        data.visible_customers(principal("rep_demo"))["customer_id"]
    )


def test_team_trend_shows_its_target_line(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    at = app_test("manager_east", {"team": "T008"}).run()
    at.switch_page("app_pages/teams.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chart = next(frame for frame in chart_frames(at) if {"Actual", "Target"} <= set(frame.iloc[:, 1]))
    labels = dict(
        warehouse_query(
            warehouse, "select period_label, period_start from main.dim_periods where period_type = 'month'"
        )
    )
    for _, (label, series, shown) in chart.iloc[:, :3].iterrows():
        row = warehouse_query(
            warehouse,
            "select value, target_value from main.indicator_values where indicator_code = 'sales_amount'"
            " and grain = 'team' and entity_id = 'T008' and period_type = 'month' and period_start = ?",
            [labels[label]],
        )[0]
        assert shown == pytest.approx(row[0] if series == "Actual" else row[1])
