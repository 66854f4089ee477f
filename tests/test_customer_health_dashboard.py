"""Customer health cards on the customers page (issue 14, dashboard/app_pages/health_views.py):
a manager sees the cards of her scope only, with the mart's scores, status and drivers, in both
languages; a rep sees none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import app_test, running_period, warehouse_query  # noqa: E402

from dashboard import i18n  # noqa: E402
from dashboard.app_pages import health_views  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

CUSTOMERS_PAGE = "app_pages/customers.py"

# Customers of manager_east (users.yaml: rep R0002, team T001): owned today by a rep whose current
# team is T001, a team R0002 manages, or a child of one of them; or owned by R0002 herself.
MANAGER_EAST_CUSTOMERS = """
with recursive scope_teams(team_id) as (
    select team_id from main.dim_teams where team_id = 'T001' or manager_rep_id = 'R0002'
    union
    select child.team_id from main.dim_teams as child
    inner join scope_teams on child.parent_team_id = scope_teams.team_id
)
select customers.customer_id
from main.dim_customers as customers
left join main.dim_sales_reps as owners on customers.owner_rep_id = owners.rep_id
where owners.current_team_id in (select team_id from scope_teams) or customers.owner_rep_id = 'R0002'
"""


def health_frame(at) -> pd.DataFrame | None:
    frames = [frame.value for frame in at.dataframe if "overall_score" in frame.value.columns]
    return frames[0] if frames else None


def test_health_labels_have_both_languages_and_drivers_are_named() -> None:
    for key in health_views.HEALTH_TEXT:
        zh, en = i18n.TEXT[key]
        assert zh.strip() and en.strip(), key
    row = pd.Series({"driver_1": "service", "driver_2": "value_trend"})
    assert health_views.drivers_text(row, "en") == "Service, Value trend"
    assert health_views.drivers_text(row, "zh") == "服务、价值趋势"
    only_one = pd.Series({"driver_1": "stability", "driver_2": None})
    assert health_views.drivers_text(only_one, "en") == "Stability"
    assert health_views.card_month(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)


@pytest.mark.slow
def test_manager_sees_the_health_cards_of_her_scope(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("manager_east").run()
    at.switch_page(CUSTOMERS_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = health_frame(at)
    assert shown is not None, "no health-card table on the customers page"
    mart = {
        row[0]: row[1:]
        for row in warehouse_query(
            warehouse,
            "select customer_id, overall_score, health_status, driver_1, driver_2"
            " from main.rpt_customer_health where month_start = ?",
            [month],
        )
    }
    in_scope = {c for (c,) in warehouse_query(warehouse, MANAGER_EAST_CUSTOMERS)}
    expected = {c for c in mart if c in in_scope}
    assert expected, "the demo manager should have customers with a health card"
    assert set(shown["customer_id"]) == expected
    assert len(shown) == len(expected)
    for _, row in shown.iterrows():
        overall, status, driver_1, driver_2 = mart[row["customer_id"]]
        assert row["overall_score"] == pytest.approx(overall, rel=1e-12)
        assert row["status_text"] == f"{health_views.STATUS_DOT[status]} {i18n.t(f'health_status_{status}', 'en')}"
        names = [i18n.t(f"health_{d}", "en") for d in (driver_1, driver_2) if d]
        assert row["drivers"] == ", ".join(names)
    # worst first: every red card before every amber one, amber before green
    order = [health_views.STATUS_ORDER[s] for s in shown["status_text"].map(_status_of)]
    assert order == sorted(order)


def _status_of(text: str) -> str:
    return next(s for s, dot in health_views.STATUS_DOT.items() if text.startswith(dot))


@pytest.mark.slow
def test_health_cards_in_chinese_and_not_for_reps(dashboard_env: Path) -> None:
    at = app_test("manager_east", {"lang": "zh"}).run()
    at.switch_page(CUSTOMERS_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = health_frame(at)
    assert shown is not None and not shown.empty
    zh_names = {i18n.t(f"health_{s}", "zh") for s in health_views.SUB_SCORES}
    for drivers in shown["drivers"]:
        assert drivers and set(drivers.split("、")) <= zh_names, drivers
    assert any("客户健康度卡片" in m.value for m in at.markdown)

    rep = app_test("rep_demo").run()
    rep.switch_page(CUSTOMERS_PAGE).run()
    assert not rep.exception, [e.value for e in rep.exception]
    assert health_frame(rep) is None
