"""Real-browser tests of the manager dashboard v2 (issue 15 items 1-4): headless Chromium driven by
Playwright against `streamlit run` (the helpers and fixtures of tests/test_dashboard_browser.py).

- the manager's combined scope: both teams, the combined target, the action list; its link of the
  team behind pace opens that team's page with the team in the URL;
- rep → customer → order history by clicks;
- with SALESPERF_UPDATE_SCREENSHOTS=1 the manager's scope view with the action list is saved as
  docs/img/manager_scope_zh.png and docs/img/manager_scope_en.png for the README.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import PROJECT_DIR, copy_warehouse, running_period, warehouse_query  # noqa: E402
from test_dashboard_browser import (  # noqa: E402
    CHROMIUM,
    browser,  # noqa: F401 - fixture
    choose,
    log_in,
    open_page,
    serve,  # noqa: F401 - fixture
    wait_for_metric,
)

from dashboard import i18n  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

SCREENSHOTS = PROJECT_DIR / "docs" / "img"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]


def pacing_sum(warehouse: Path, teams: tuple[str, ...], month) -> float:
    return warehouse_query(
        warehouse,
        "select sum(target_full_period) from main.rpt_target_pacing where grain = 'team' and period_type = 'month'"
        " and period_start = ? and indicator_code = 'sales_amount' and list_contains(?, entity_id)",
        [month, list(teams)],
    )[0][0]


def save_screenshot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    if os.environ.get("SALESPERF_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / name, SCREENSHOTS / name)


def test_manager_scope_and_an_action_link_to_its_drill_down(
    demo_warehouse: Path,
    tmp_path: Path,
    serve,  # noqa: F811
    browser,  # noqa: F811
) -> None:
    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    url, _ = serve(warehouse)
    month = running_period(warehouse, "month")
    names = dict(warehouse_query(warehouse, "select team_id, team_name from main.dim_teams"))
    page = browser.new_page(viewport={"width": 1440, "height": 2300}, locale="en-US")  # tall: the action list too
    page.goto(url)
    log_in(page, "manager_east")

    # her whole scope: both teams, combined, and the company benchmark
    page.get_by_role("heading", name=f"My 2 teams: {names['T001']}、{names['T008']}").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Teams side by side, combined, and the company benchmark").wait_for()
    target = pacing_sum(warehouse, ("T001", "T008"), month)
    wait_for_metric(page, "Full-period sales target", i18n.format_value(target, "currency", "en"))
    actions = page.locator(".st-key-action_list")
    actions.get_by_role("heading", name="What needs action").wait_for(timeout=30_000)
    page.locator("[data-testid=stMain] button", has_text=names["T008"]).first.wait_for()
    time.sleep(2)  # let the charts finish drawing
    save_screenshot(page, tmp_path, "manager_scope_en.png")

    choose(page, "语言 · Language", "中文")
    page.get_by_role("heading", name="今日待办").wait_for(timeout=30_000)
    wait_for_metric(page, "全期销售目标", i18n.format_value(target, "currency", "zh"))
    time.sleep(2)
    save_screenshot(page, tmp_path, "manager_scope_zh.png")

    # the team behind pace: its row of the action list opens the team's page, the team in the URL
    link = page.locator(".st-key-action_list a", has_text=f"{names['T008']} · ").first
    link.click()
    page.get_by_role("heading", name=f"团队：{names['T008']}").wait_for(timeout=30_000)
    deadline = time.monotonic() + 30
    while "team=T008" not in page.url and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "/teams?" in page.url and "team=T008" in page.url, page.url
    page.get_by_role("heading", name="销售额与目标（近 12 期）").wait_for(timeout=30_000)
    assert (tmp_path / "manager_scope_zh.png").stat().st_size > 50_000


def test_rep_to_customer_to_order_history(demo_warehouse: Path, tmp_path: Path, serve, browser) -> None:  # noqa: F811
    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    url, _ = serve(warehouse)
    month = running_period(warehouse, "month")
    customer_id, customer_name = warehouse_query(
        warehouse,
        "select status.customer_id, customers.customer_name from main.fct_customer_period_status as status"
        " inner join main.dim_customers as customers on status.customer_id = customers.customer_id"
        " left join main.indicator_values as iv on iv.indicator_code = 'sales_amount' and iv.grain = 'customer'"
        " and iv.period_type = 'month' and iv.period_start = status.period_start and iv.entity_id = status.customer_id"
        " where status.period_type = 'month' and status.period_start = ? and status.owner_rep_id = 'R0026'"
        " order by iv.value desc nulls last limit 1",
        [month],
    )[0]
    orders = warehouse_query(
        warehouse, "select count(distinct order_id) from main.fct_order_lines where customer_id = ?", [customer_id]
    )[0][0]
    page = browser.new_page(viewport={"width": 1440, "height": 1400}, locale="en-US")
    page.goto(url)
    log_in(page, "rep_demo")
    open_page(page, "rep")
    page.get_by_role("heading", name="Rep: ", exact=False).first.wait_for(timeout=30_000)
    page.locator("[data-testid=stMain] button", has_text=customer_name).first.click()
    page.get_by_role("heading", name=f"Customer history: {customer_name}").wait_for(timeout=30_000)
    page.wait_for_url(f"**/customers?*customer={customer_id}*", timeout=30_000)
    page.get_by_role("heading", name="Order history").wait_for(timeout=30_000)
    page.get_by_role("heading", name="Monthly sales (0 in months without sales)").wait_for()
    assert orders > 0
    history = page.locator("[data-testid=stDataFrame]").nth(0)
    history.wait_for(timeout=30_000)
