"""Dashboard speed (issue 15 item 15): one connection per page load, cached results that never cross
scopes, customer values pivoted in DuckDB, the lazy "All indicators" expander, paged customer lists.

The figures are in benchmarks/dashboard_profile.py (CPU time, statement and connection counts);
these tests pin the mechanisms, so that a change cannot silently bring back a connection per query
or show one user's cached figures to another."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import app_test, running_period, warehouse_query  # noqa: E402

from dashboard import auth, data  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]


def principal(username: str) -> data.Principal:
    found = auth.principal_for(username, auth.load_users())
    assert found is not None, username
    return found


@pytest.fixture
def counted_connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read-only connection the dashboard opens (its path), with empty caches."""
    opened: list[str] = []
    original = data.connect_read_only

    def connect(path: str) -> duckdb.DuckDBPyConnection:
        opened.append(path)
        return original(path)

    monkeypatch.setattr(data, "connect_read_only", connect)
    data._cached_query.clear()
    data._cached_alerts.clear()
    return opened


# ------------------------------------------------------------------------------------------------
# A connection per page load, not per query
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["director", "manager_east"])
def test_a_page_load_opens_one_connection_and_a_warm_one_none(
    dashboard_env: Path, counted_connections: list[str], username: str
) -> None:
    at = app_test(username).run()  # the overview with every card, empty caches: dozens of statements
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric
    assert len(counted_connections) == 1, counted_connections
    at.switch_page("app_pages/customers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(counted_connections) == 2
    at.run()  # warm: every statement cached, no connection at all
    assert len(counted_connections) == 2


def _write(path: Path, value: float) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create table main.figures as select ? as value", [value])


def test_a_run_reads_a_file_published_during_it_through_a_new_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted_connections: list[str]
) -> None:
    live, built = tmp_path / "sales_performance.duckdb", tmp_path / "next.duckdb"
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(live))
    _write(live, 100.0)
    sql = "select value from main.figures"
    with data.run_connection():
        assert data.query(sql)["value"].tolist() == [100.0]
        assert data.query(sql + " where value > 0")["value"].tolist() == [100.0]
        assert len(counted_connections) == 1  # both statements on the run's connection
        _write(built, 250.0)
        os.replace(built, live)  # a publish during the run
        assert data.query(sql + " where value > 1")["value"].tolist() == [250.0]
        assert len(counted_connections) == 2
    assert data._RUN.con is None  # closed with the run: the file is not held open between runs
    assert data.query(sql + " where value > 2")["value"].tolist() == [250.0]  # outside a run: its own
    assert len(counted_connections) == 3


# ------------------------------------------------------------------------------------------------
# Cached results never cross scopes
# ------------------------------------------------------------------------------------------------


def _scoped_results(who: data.Principal, month) -> dict[str, object]:
    customers = data.visible_customers(who)
    return {
        "customers": set(customers["customer_id"]),
        "customer_values": set(data.customer_values(who, "month", month, ["sales_amount"])["customer_id"]),
        "reps": set(data.visible_reps(who)["rep_id"]),
        "team_values": set(data.indicator_snapshot(who, "team", "month", month, ["sales_amount"])["entity_id"]),
        "rep_values": set(data.indicator_snapshot(who, "rep", "month", month, ["sales_amount"])["entity_id"]),
        "churn_actions": set(data.action_items(who)["churn_risk"].get("customer_id", pd.Series(dtype=str))),
    }


def test_cached_results_are_never_shown_to_another_scope(dashboard_env: Path) -> None:
    month = running_period(dashboard_env, "month")
    users = ("manager_east", "manager_south", "rep_demo", "director")
    uncached = {}
    for username in users:  # each principal's results with nothing cached
        data._cached_query.clear()
        data._cached_alerts.clear()
        uncached[username] = _scoped_results(principal(username), month)
    data._cached_query.clear()
    data._cached_alerts.clear()
    for username in users:  # the same calls, one after the other on a shared cache
        assert _scoped_results(principal(username), month) == uncached[username], username
    for username in reversed(users):  # and again, every result now from the cache
        assert _scoped_results(principal(username), month) == uncached[username], username
    east, south = uncached["manager_east"], uncached["manager_south"]
    assert east["customers"] and south["customers"] and not east["customers"] & south["customers"]
    assert east["customer_values"] <= east["customers"]
    assert uncached["rep_demo"]["customers"] and uncached["rep_demo"]["customers"] < uncached["director"]["customers"]
    assert len(uncached["director"]["customers"]) > len(east["customers"])


def test_scope_independent_lookups_hold_no_figures(dashboard_env: Path) -> None:
    """The cached listing of the file's tables is shared by every user: it holds names only."""
    relations = data._relations()
    assert list(relations.columns) == ["table_schema", "table_name"]
    assert data.table_exists("main", "indicator_values")
    assert not data.table_exists("main", "no_such_table")
    assert data.find_table("indicator_values") == '"main"."indicator_values"'
    assert data.find_table("no_such_table") is None


# ------------------------------------------------------------------------------------------------
# Customer values pivoted in DuckDB
# ------------------------------------------------------------------------------------------------


def test_customer_values_equal_indicator_values(dashboard_env: Path) -> None:
    month = running_period(dashboard_env, "month")
    codes = ["sales_amount", "clv_predicted", "churn_risk"]
    values = data.customer_values(principal("manager_east"), "month", month, codes).set_index("customer_id")
    assert len(values) > 0
    expected = warehouse_query(
        dashboard_env,
        "select entity_id, indicator_code, value from main.indicator_values where grain = 'customer'"
        " and period_type = 'month' and period_start = ? and indicator_code in ('sales_amount', 'clv_predicted',"
        " 'churn_risk')",
        [month],
    )
    in_scope = set(data.visible_customers(principal("manager_east"))["customer_id"])
    shown = 0
    for entity_id, code, value in expected:
        if entity_id not in in_scope:
            assert entity_id not in values.index
            continue
        if value is None:
            assert pd.isna(values.loc[entity_id, code])
        else:
            assert values.loc[entity_id, code] == pytest.approx(value, rel=1e-12, abs=0)
        shown += 1
    assert shown > 0
    with pytest.raises(ValueError):
        data.customer_values(principal("director"), "month", month, ["sales_amount' or 1=1 --"])


# ------------------------------------------------------------------------------------------------
# Lazy expander and paged lists
# ------------------------------------------------------------------------------------------------


def test_all_indicators_are_computed_only_when_opened(dashboard_env: Path, counted_connections: list[str]) -> None:
    closed = app_test("manager_east", all_indicators=False).run()
    assert not closed.exception, [e.value for e in closed.exception]
    labels = {m.label for m in closed.metric}
    assert "Full-period sales target" in labels  # the pacing cards and the headline row are there
    assert "Results" not in labels  # the glance strip of the expander is not computed
    assert not [f for f in closed.dataframe if "indicator_code" in f.value.columns]  # nor the scorecard table
    opened = app_test("manager_east", all_indicators=True).run()
    assert not opened.exception
    assert {"Results", "Process"} <= {m.label for m in opened.metric}
    assert len(opened.metric) > len(closed.metric) + 10


def test_long_customer_lists_are_paged_and_downloads_hold_every_row(dashboard_env: Path) -> None:
    month = running_period(dashboard_env, "month")
    owned = warehouse_query(
        dashboard_env,
        "select count(*) from main.fct_customer_period_status where period_type = 'month' and period_start = ?",
        [month],
    )[0][0]
    assert owned > 500, "the demo director owns more customers than a page"
    at = app_test("director").run()
    at.switch_page("app_pages/customers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    first = next(f.value for f in at.dataframe if "customer_id" in f.value.columns)
    assert len(first) == 500
    pager = next(n for n in at.number_input if n.key == "page_customers")
    pager.set_value(2).run()
    assert not at.exception
    second = next(f.value for f in at.dataframe if "customer_id" in f.value.columns)
    assert 0 < len(second) <= 500 and not set(first["customer_id"]) & set(second["customer_id"])
    assert f"Rows 501–{min(1000, owned)} of {owned} (downloads hold every row)" in [c.value for c in at.caption]
