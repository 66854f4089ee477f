"""AppTest of the dashboard: every page renders for every role, and shown figures equal
indicator_values for the same selection (read straight from the warehouse file)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import (  # noqa: E402
    DEMO_PASSWORDS,
    app_test,
    indicator_value,
    running_period,
    warehouse_query,
)

from dashboard import i18n, ui  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

PAGES = ("overview", "teams", "rep", "customers", "products", "data_quality")
USERS = ("director", "manager_east", "rep_demo")
# The menu of each role: Products for directors only, Teams not for reps (issue 15, item 6).
ROLE_PAGES = {
    "director": PAGES,
    "manager_east": ("overview", "teams", "rep", "customers", "data_quality"),
    "rep_demo": ("overview", "rep", "customers", "data_quality"),
}


def page_path(name: str) -> str:
    return f"app_pages/{name}.py"


def metric(at, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def assert_close(shown: float, expected: float) -> None:
    assert expected is not None and not math.isnan(expected)
    assert shown == pytest.approx(expected, rel=1e-9, abs=1e-9)


def assert_sales_as_published(
    warehouse: Path, table: pd.DataFrame, grain: str, month: Any, limit: int | None = None
) -> int:
    """Each sales amount a page's table shows (first ``limit`` rows) is the month's indicator value
    of its entity (column ``<grain>_id``); the number of rows checked."""
    rows = table.dropna(subset=["sales_amount"])
    rows = rows if limit is None else rows.head(limit)
    for _, row in rows.iterrows():
        assert_close(
            row["sales_amount"],
            indicator_value(warehouse, "sales_amount", grain, row[f"{grain}_id"], "month", month),
        )
    return len(rows)


# ------------------------------------------------------------------------------------------------
# Without a usable warehouse: a friendly page, no stack trace
# ------------------------------------------------------------------------------------------------


def assert_no_server_details(at, *secrets: str) -> None:
    """Nothing a visitor sees names a server path or a database error."""
    shown = " ".join(str(e.value) for e in [*at.warning, *at.error, *at.markdown, *at.header, *at.caption])
    for secret in secrets:
        assert secret not in shown
    assert "Traceback" not in shown and "Error:" not in shown and "/tmp" not in shown


def test_missing_warehouse_shows_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dashboard_state: Path
) -> None:
    path = tmp_path / "nowhere" / "sales_performance.duckdb"
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(path))
    at = app_test().run()
    assert not at.exception
    assert any("tasks.py demo" in w.value for w in at.warning)
    assert not at.text_input  # no login form before there is something to show
    assert_no_server_details(at, str(path), "nowhere")


def test_empty_warehouse_shows_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dashboard_state: Path
) -> None:
    empty = tmp_path / "sales_performance.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(empty))
    at = app_test(query_params={"lang": "zh"}).run()
    assert not at.exception
    assert any("tasks.py demo" in w.value and "indicator_values" in w.value for w in at.warning)
    assert_no_server_details(at, str(empty))


def test_unreadable_warehouse_shows_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dashboard_state: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "sales_performance.duckdb"
    broken.write_bytes(b"not a duckdb file" * 100)
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(broken))
    with caplog.at_level("ERROR", logger="salesperf.dashboard"):
        at = app_test().run()
    assert not at.exception
    assert any("tasks.py demo" in w.value for w in at.warning)
    assert_no_server_details(at, str(broken), "duckdb file")
    assert str(broken) in caplog.text  # the details go to the server log


# ------------------------------------------------------------------------------------------------
# Login
# ------------------------------------------------------------------------------------------------


def test_login_form_accepts_demo_password_and_rejects_a_wrong_one(dashboard_env: Path) -> None:
    at = app_test().run()
    assert not at.exception
    assert not at.metric  # nothing before login
    at.text_input[0].input("manager_east")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert at.error and not at.metric
    at.text_input[0].input("manager_east")
    at.text_input[1].input(DEMO_PASSWORDS["manager_east"])
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["username"] == "manager_east"
    assert at.metric  # the overview


def test_unknown_user_sees_nothing(dashboard_env: Path) -> None:
    at = app_test("intruder").run()
    assert not at.exception
    assert at.error and not at.metric and not at.dataframe


# ------------------------------------------------------------------------------------------------
# Every page for every role
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_every_page_renders_for_every_role(dashboard_env: Path, username: str) -> None:
    at = app_test(username).run()
    assert not at.exception, at.exception
    for name in ROLE_PAGES[username]:
        at.switch_page(page_path(name)).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert at.header, name


@pytest.mark.parametrize("username", USERS)
def test_pages_a_role_cannot_use_are_not_in_its_menu(dashboard_env: Path, username: str) -> None:
    at = app_test(username).run()
    for name in PAGES:
        if name in ROLE_PAGES[username]:
            continue
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_path(name))


@pytest.mark.parametrize("username", USERS)
def test_every_page_renders_in_chinese_for_a_quarter(dashboard_env: Path, username: str) -> None:
    at = app_test(username, {"lang": "zh", "ptype": "quarter"}).run()
    for name in ROLE_PAGES[username]:
        at.switch_page(page_path(name)).run()
        assert not at.exception, (name, [e.value for e in at.exception])


# ------------------------------------------------------------------------------------------------
# Shown figures equal indicator_values
# ------------------------------------------------------------------------------------------------


def test_overview_company_cards_equal_indicator_values(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("director").run()
    catalog = i18n.Catalog(ui_catalog(warehouse), "en")
    for code in ("sales_amount", "gross_margin_rate", "new_customers"):
        expected = indicator_value(warehouse, code, "company", "company", "month", month)
        assert metric(at, catalog.name(code)).value == i18n.format_value(expected, catalog.unit(code), "en")


@pytest.mark.parametrize("period_type", ["quarter", "year", "fiscal_year"])
def test_overview_follows_the_period_selection(dashboard_env: Path, period_type: str) -> None:
    warehouse = dashboard_env
    start = running_period(warehouse, period_type)
    at = app_test("director", {"ptype": period_type, "period": start.isoformat()}).run()
    expected = indicator_value(warehouse, "sales_amount", "company", "company", period_type, start)
    assert metric(at, "Sales amount").value == i18n.format_value(expected, "currency", "en")


def test_an_earlier_period_from_the_url(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    start = warehouse_query(
        warehouse,
        "select min(period_start) from main.dim_periods where period_type = 'quarter' and is_complete"
        " and period_start >= (select min(period_start) + interval 1 year from main.dim_periods)",
    )[0][0]
    at = app_test("director", {"ptype": "quarter", "period": start.isoformat()}).run()
    expected = indicator_value(warehouse, "sales_amount", "company", "company", "quarter", start)
    assert metric(at, "Sales amount").value == i18n.format_value(expected, "currency", "en")
    assert at.query_params["period"] == start.isoformat()


def test_overview_in_chinese_uses_catalog_names_and_wan_yi(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("director", {"lang": "zh"}).run()
    name_zh = warehouse_query(
        warehouse, "select name_zh from reference.indicator_catalog where indicator_code = 'sales_amount'"
    )[0][0]
    expected = indicator_value(warehouse, "sales_amount", "company", "company", "month", month)
    shown = metric(at, name_zh).value
    assert shown == i18n.format_value(expected, "currency", "zh")
    assert shown.endswith(("万", "亿"))


@pytest.mark.parametrize(
    ("principal", "grain", "entity_id"),
    [("manager_east", "team", "T001,T008"), ("rep_demo", "rep", "R0026")],
    ids=["manager_sees_her_teams_combined", "rep_sees_themselves"],
)
def test_overview_shows_own_scope(dashboard_env: Path, principal: str, grain: str, entity_id: str) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test(principal).run()
    # a manager's overview is her whole scope (issue 15 item 1): T001 and its child team T008 added up
    expected = sum(indicator_value(warehouse, "sales_amount", grain, e, "month", month) for e in entity_id.split(","))
    assert metric(at, "Sales amount").value == i18n.format_value(expected, "currency", "en")


def test_team_leaderboard_equals_indicator_values(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("director").run()
    at.switch_page(page_path("teams")).run()
    board = at.dataframe[0].value
    assert len(board) == warehouse_query(warehouse, "select count(*) from main.dim_teams")[0][0]
    for _, row in board.iterrows():
        sales = indicator_value(warehouse, "sales_amount", "team", row["team_id"], "month", month)
        attainment = indicator_value(warehouse, "sales_target_attainment", "team", row["team_id"], "month", month)
        assert_close(row["sales_amount"], sales)
        if attainment is not None:
            assert_close(row["attainment"], attainment)
    ranked = board["attainment"].dropna().tolist()
    assert ranked == sorted(ranked, reverse=True)


def test_drill_from_team_to_rep(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("director").run()
    at.switch_page(page_path("teams")).run()
    at.button(key="drill_team_T001").click().run()
    assert not at.exception
    assert at.query_params["team"] == "T001"
    reps = at.dataframe[0].value
    expected_reps = {
        rep
        for (rep,) in warehouse_query(
            warehouse,
            "select distinct history.rep_id from main.dim_rep_team_history as history"
            " inner join main.dim_periods as periods on periods.period_type = 'month' and periods.period_start = ?"
            " where history.team_id = 'T001' and history.valid_from <= periods.period_end_as_of"
            " and (history.valid_to is null or history.valid_to > periods.period_start)",
            [month],
        )
    }
    assert set(reps["rep_id"]) == expected_reps
    assert_sales_as_published(warehouse, reps, "rep", month)
    rep_id = "R0026"
    at.button(key=f"drill_rep_{rep_id}").click().run()
    assert not at.exception
    assert at.query_params["rep"] == rep_id
    rep_name = warehouse_query(warehouse, "select rep_name from main.dim_sales_reps where rep_id = ?", [rep_id])[0][0]
    assert at.header[0].value == f"Rep: {rep_name}"
    expected = indicator_value(warehouse, "sales_amount", "rep", rep_id, "month", month)
    assert metric(at, "Sales amount").value == i18n.format_value(expected, "currency", "en")
    at.switch_page(page_path("teams")).run()
    at.button(key="back_to_leaderboard").click().run()
    assert "team" not in at.query_params
    assert at.header[0].value == "Team leaderboard"


def test_rep_scorecard_and_customers_equal_indicator_values(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("rep_demo").run()
    at.switch_page(page_path("rep")).run()
    card = pd.concat([frame.value for frame in at.dataframe if "indicator_code" in frame.value.columns])
    assert len(card) > 0
    for _, row in card.iterrows():
        expected = indicator_value(warehouse, row["indicator_code"], "rep", "R0026", "month", month)
        unit = warehouse_query(
            warehouse, "select unit from reference.indicator_catalog where indicator_code = ?", [row["indicator_code"]]
        )[0][0]
        assert row["value_text"] == i18n.format_value(expected, unit, "en")
    customers = next(frame.value for frame in at.dataframe if "customer_id" in frame.value.columns)
    owned = {
        c
        for (c,) in warehouse_query(
            warehouse,
            "select customer_id from main.fct_customer_period_status where period_type = 'month'"
            " and period_start = ? and owner_rep_id = 'R0026'",
            [month],
        )
    }
    assert set(customers["customer_id"]) == owned
    assert_sales_as_published(warehouse, customers, "customer", month)


def test_customer_page_values_equal_indicator_values(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("manager_east").run()
    at.switch_page(page_path("customers")).run()
    assert not at.exception
    customers = at.dataframe[0].value
    assert len(customers) > 0
    assert assert_sales_as_published(warehouse, customers, "customer", month, limit=25) > 0


def test_product_page_values_equal_indicator_values(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("director").run()
    at.switch_page(page_path("products")).run()
    products = at.dataframe[0].value
    assert len(products) == warehouse_query(warehouse, "select count(*) from main.dim_products")[0][0]
    assert_sales_as_published(warehouse, products, "product", month)


def test_data_quality_page_shows_tables_or_says_not_yet(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    at = app_test("director").run()
    at.switch_page(page_path("data_quality")).run()
    assert not at.exception
    tables = {name for (name,) in warehouse_query(warehouse, "select table_name from information_schema.tables")}
    infos = " ".join(i.value for i in at.info)
    for table in ("dq_results", "dq_rejected_rows", "dq_row_accounting"):
        assert (table in tables) != (f"({table})" in infos)


# ------------------------------------------------------------------------------------------------
# Formatting and export helpers
# ------------------------------------------------------------------------------------------------


def test_number_formats_per_language() -> None:
    assert i18n.format_value(123_456_789, "currency", "zh") == "¥1.23亿"
    assert i18n.format_value(12_345_678, "currency", "zh") == "¥1,234.6万"
    assert i18n.format_value(9_999, "currency", "zh") == "¥9,999"
    assert i18n.format_value(12_345_678, "currency", "en") == "¥12.35M"
    assert i18n.format_value(-45_600, "currency", "en") == "-¥45.6K"
    assert i18n.format_value(0.8734, "ratio", "zh") == "87.3%"
    assert i18n.format_value(12.34, "days", "zh") == "12.3 天"
    assert i18n.format_value(None, "ratio", "en") == "—"
    assert i18n.format_value(float("nan"), "currency", "zh") == "—"
    assert i18n.format_delta(0.9, 0.8, "ratio", "en") == "+10.0 pp"
    assert i18n.format_delta(110, 100, "currency", "zh") == "+10.0%"
    assert i18n.format_delta(110, 0, "currency", "zh") is None
    assert i18n.attainment_band(1.02) == "on_track" and i18n.attainment_band(0.85) == "close"
    assert i18n.attainment_band(0.5) == "behind" and i18n.attainment_band(None) == "none"
    assert i18n.detect_language("zh-CN") == "zh" and i18n.detect_language("en-US") == "en"
    assert i18n.detect_language(None) == "en"


def test_csv_export_is_utf8_with_bom() -> None:
    frame = pd.DataFrame({"客户": ["长沙中华电子有限公司"], "销售额": [1234.5]})
    data = ui.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["客户,销售额", "长沙中华电子有限公司,1234.5"]


def test_every_label_has_both_languages() -> None:
    for key, (zh, en) in i18n.TEXT.items():
        assert zh and en, key


def ui_catalog(warehouse: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select * from reference.indicator_catalog").df().to_dict("records")
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------
# Performance scorecard views (issue 14, dashboard/app_pages/scorecard_views.py)
# ------------------------------------------------------------------------------------------------


def test_rep_page_shows_the_published_composite_and_pacing(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("rep_demo").run()
    at.switch_page(page_path("rep")).run()
    assert not at.exception
    (composite,) = warehouse_query(
        warehouse,
        "select composite_score from main.rpt_scorecard_summary where entity_type = 'rep' and entity_id = 'R0026'"
        " and period_type = 'month' and period_start = ?",
        [month],
    )[0]
    assert metric(at, i18n.t("sc_composite", "en")).value == f"{composite:.1f}"
    pacing = next(f.value for f in at.dataframe if "target_full_period" in f.value.columns)
    codes = {c for (c,) in warehouse_query(warehouse, "select distinct indicator_code from main.rpt_target_pacing")}
    assert len(pacing) == len(codes)


def test_team_ranking_is_scoped_and_ordered_by_composite(dashboard_env: Path) -> None:
    at = app_test("manager_east").run()
    at.switch_page(page_path("teams")).run()
    assert not at.exception
    ranking = next(f.value for f in at.dataframe if "composite_score" in f.value.columns)
    assert set(ranking["team"]) == {"T001", "T008"}
    scores = ranking["composite_score"].dropna().tolist()
    assert scores == sorted(scores, reverse=True)


def test_improvement_plans_for_managers_only_and_in_scope(dashboard_env: Path) -> None:
    warehouse = dashboard_env
    month = running_period(warehouse, "month")
    at = app_test("manager_east").run()
    assert not at.exception
    flagged = {
        r
        for (r,) in warehouse_query(
            warehouse,
            "select distinct f.rep_id from main.rpt_improvement_flags as f"
            " where f.period_type = 'month' and f.period_start = ? and f.team_id in ('T001', 'T008')",
            [month],
        )
    }
    frames = [f.value for f in at.dataframe if "flag_code" in f.value.columns]
    shown = set(frames[0]["rep"]) if frames else set()
    assert shown <= flagged | {"R0002"}
    assert flagged <= shown or not flagged
    rep_view = app_test("rep_demo").run()
    assert not [f for f in rep_view.dataframe if "flag_code" in f.value.columns]
    assert i18n.t("sc_pip_title", "en") not in [m.value for m in rep_view.markdown]
