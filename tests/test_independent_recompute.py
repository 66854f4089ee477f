"""Indicators recomputed independently from the landing files (pandas, from the spec) equal
indicator_values to 1e-9, at every grain and period type they exist at."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from independent import PERIOD_TYPES, Landing, as_date, local_timestamp, period_start, ratio, rollup

KEYS = ["indicator_code", "grain", "entity_id", "period_type", "period_start"]
PERIODS: list[pd.DataFrame] = []  # dim_periods of the build, set by the `published` fixture


def _sum_or_null(series: pd.Series) -> float:
    return series.sum(min_count=1)


@pytest.fixture(scope="module")
def landing(demo_build) -> Landing:
    return Landing(demo_build.landing_dir)


@pytest.fixture(scope="module")
def published(demo_build) -> pd.DataFrame:
    df = demo_build.query("select * from main.indicator_values")
    df["period_start"] = pd.to_datetime(df["period_start"]).astype("datetime64[ns]")
    periods = demo_build.query("select period_type, period_start from main.dim_periods")
    periods["period_start"] = pd.to_datetime(periods["period_start"]).astype("datetime64[ns]")
    PERIODS[:] = [periods]
    return df


@pytest.fixture(scope="module")
def lines(landing) -> pd.DataFrame:
    return landing.order_lines()


@pytest.fixture(scope="module")
def as_of(landing) -> pd.Timestamp:
    return as_date(landing["erp_sales_orders"]["order_date"]).max()


def _frame(code: str, df: pd.DataFrame, value: pd.Series) -> pd.DataFrame:
    out = df[["grain", "entity_id", "period_type", "period_start"]].copy()
    out["indicator_code"] = code
    out["value"] = value.astype(float).values
    out["period_start"] = pd.to_datetime(out["period_start"]).astype("datetime64[ns]")
    return out


def assert_matches(published: pd.DataFrame, expected: pd.DataFrame, grains: list[str]) -> None:
    code = expected["indicator_code"].iloc[0]
    # A NULL value (zero denominator) and an absent row say the same: compare the values there are.
    pub = published[
        (published["indicator_code"] == code) & published["grain"].isin(grains) & published["value"].notna()
    ]
    exp = expected[expected["grain"].isin(grains) & expected["value"].notna()]
    # Reporting periods are those of the order history (CRM/HR events may start earlier).
    exp = exp.merge(PERIODS[0], on=["period_type", "period_start"], how="inner")
    assert len(exp) > 0, f"{code}: nothing computed independently"
    merged = exp.merge(
        pub[KEYS + ["value"]], on=KEYS, how="outer", suffixes=("_expected", "_published"), indicator=True
    )
    only = merged[merged["_merge"] != "both"]
    assert only.empty, f"{code}: rows on one side only:\n{only.head(10)}"
    e, p = merged["value_expected"].to_numpy(float), merged["value_published"].to_numpy(float)
    both_null = np.isnan(e) & np.isnan(p)
    close = np.isclose(e, p, rtol=1e-9, atol=1e-9) | both_null
    bad = merged[~close]
    assert bad.empty, f"{code}: {len(bad)} values differ:\n{bad.head(10)}"
    for grain in grains:
        assert set(exp.loc[exp["grain"] == grain, "period_type"]) == set(PERIOD_TYPES), (code, grain)


@pytest.fixture(scope="module")
def sales(lines) -> pd.DataFrame:
    ev = lines.copy()
    ev["has_cost"] = ev["cost"].notna()
    ev["gross_profit"] = (ev["net_sales"] - ev["cost"]).where(ev["has_cost"])
    ev["net_with_cost"] = ev["net_sales"].where(ev["has_cost"])
    ev["new_net"] = ev["net_sales"].where(ev["is_new"], 0.0)
    return rollup(
        ev,
        "order_date",
        ["team", "rep", "customer", "product", "company"],
        {
            "net_sales": ("net_sales", "sum"),
            "gross_profit": ("gross_profit", _sum_or_null),
            "net_with_cost": ("net_with_cost", _sum_or_null),
            "new_net": ("new_net", "sum"),
        },
    )


def test_sales_amount(published, sales):
    assert_matches(
        published, _frame("sales_amount", sales, sales["net_sales"]), ["team", "rep", "customer", "product", "company"]
    )


def test_gross_margin_rate(published, sales):
    value = ratio(sales["gross_profit"], sales["net_with_cost"])
    assert_matches(
        published, _frame("gross_margin_rate", sales, value), ["team", "rep", "customer", "product", "company"]
    )


def test_new_product_sales_share(published, sales):
    value = ratio(sales["new_net"], sales["net_sales"])
    assert_matches(published, _frame("new_product_sales_share", sales, value), ["team", "rep", "customer"])


def _span_sales(lines: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Net sales of order dates in [start, end] per grain entity (grain, entity_id, previous)."""
    ev = lines[(lines["order_date"] >= start) & (lines["order_date"] <= end)]
    out = []
    for grain, key in (("team", "team_id"), ("rep", "rep_id"), ("customer", "customer_id"), ("product", "product_id")):
        agg = ev.groupby(ev[key].fillna("unassigned"))["net_sales"].sum()
        out.append(pd.DataFrame({"grain": grain, "entity_id": agg.index, "previous": agg.values}))
    if len(ev):
        out.append(pd.DataFrame({"grain": ["company"], "entity_id": ["company"], "previous": [ev["net_sales"].sum()]}))
    return pd.concat(out, ignore_index=True)


@pytest.mark.parametrize("code,months_back", [("sales_growth_pop", None), ("sales_growth_yoy", 12)])
def test_sales_growth(published, sales, lines, as_of, code, months_back):
    """Closed periods compare whole with whole; the running period (end after the as-of date)
    compares with the same span of the comparison period, up to as-of minus the offset (a day
    missing in the comparison month: its last day, as pandas' DateOffset clamps)."""
    s = sales.copy()
    length = {"month": 1, "quarter": 3, "year": 12, "fiscal_year": 12}
    back = s["period_type"].map(length) if months_back is None else pd.Series(months_back, index=s.index)
    s["months_back"] = back.astype(int)
    s["compare_start"] = [ps - pd.DateOffset(months=int(m)) for ps, m in zip(s["period_start"], back, strict=True)]
    s["period_end"] = [
        ps + pd.DateOffset(months=length[pt]) - pd.Timedelta(days=1)
        for ps, pt in zip(s["period_start"], s["period_type"], strict=True)
    ]
    running = s["period_end"] > as_of
    prev = s[["grain", "entity_id", "period_type", "period_start", "net_sales"]].rename(
        columns={"period_start": "compare_start", "net_sales": "previous"}
    )
    closed = s[~running].merge(prev, on=["grain", "entity_id", "period_type", "compare_start"], how="inner")
    parts = [closed]
    for (_, start), group in s[running].groupby(["period_type", "period_start"]):
        m = int(group["months_back"].iloc[0])
        span = _span_sales(lines, start - pd.DateOffset(months=m), as_of - pd.DateOffset(months=m))
        parts.append(group.merge(span, on=["grain", "entity_id"], how="inner"))
    s = pd.concat(parts, ignore_index=True)
    assert running.any(), "the demo's latest periods are running: the span comparison must be exercised"
    value = ratio(s["net_sales"] - s["previous"], s["previous"])
    assert_matches(published, _frame(code, s, value), ["team", "rep", "customer", "product", "company"])


def test_customer_concentration(published, lines):
    out = []
    for period_type in PERIOD_TYPES:
        ev = lines.assign(period_start=period_start(lines["order_date"], period_type))
        for grain, key in (("team", "team_id"), ("rep", "rep_id")):
            ev["_entity"] = ev[key].fillna("unassigned")
            per_customer = ev.groupby(["_entity", "period_start", "customer_id"])["net_sales"].sum().reset_index()
            agg = per_customer.groupby(["_entity", "period_start"])["net_sales"].agg(["max", "sum"]).reset_index()
            agg = agg.rename(columns={"_entity": "entity_id"}).assign(grain=grain, period_type=period_type)
            out.append(agg)
    df = pd.concat(out, ignore_index=True)
    assert_matches(published, _frame("customer_concentration", df, ratio(df["max"], df["sum"])), ["team", "rep"])


def test_visits(published, landing):
    act = landing["crm_activities"].copy()
    act["activity_date"] = local_timestamp(act["activity_at"]).dt.normalize()
    act = act[act["activity_type"].isin(["visit_onsite", "visit_online"])]
    act = landing.team_at(act, "rep_id", "activity_date")
    act["effective"] = (act["key_action"].notna() & (act["key_action"] != "none")).astype(float)
    act["one"] = 1.0
    df = rollup(
        act,
        "activity_date",
        ["team", "rep", "customer", "company"],
        {"visits": ("one", "sum"), "effective": ("effective", "sum")},
    )
    assert_matches(published, _frame("visit_count", df, df["visits"]), ["team", "rep", "customer", "company"])
    df = df[df["grain"] != "customer"]
    assert_matches(
        published, _frame("effective_visit_rate", df, ratio(df["effective"], df["visits"])), ["team", "rep", "company"]
    )


def test_opportunity_win_rate(published, landing):
    opp = landing["crm_opportunities"].copy()
    opp = opp[opp["status"].isin(["won", "lost"]) & opp["closed_at"].notna()]
    opp["closed_date"] = local_timestamp(opp["closed_at"]).dt.normalize()
    opp = landing.team_at(opp, "rep_id", "closed_date")
    opp["won"] = (opp["status"] == "won").astype(float)
    opp["one"] = 1.0
    df = rollup(
        opp, "closed_date", ["team", "rep", "product", "company"], {"won": ("won", "sum"), "closed": ("one", "sum")}
    )
    assert_matches(
        published,
        _frame("opportunity_win_rate", df, ratio(df["won"], df["closed"])),
        ["team", "rep", "product", "company"],
    )


def test_follow_up_timeliness_rate(published, landing, as_of):
    tasks = landing["crm_follow_up_tasks"].copy()
    tasks["due"] = local_timestamp(tasks["due_at"])
    tasks["done"] = local_timestamp(tasks["completed_at"])
    tasks = tasks[tasks["due"].notna()]
    tasks["due_date"] = tasks["due"].dt.normalize()
    tasks = tasks[tasks["due_date"] <= as_of]  # a task due after the as-of date is not due yet
    tasks = landing.team_at(tasks, "rep_id", "due_date")
    tasks["on_time"] = (tasks["done"].notna() & (tasks["done"] <= tasks["due"])).astype(float)
    tasks["one"] = 1.0
    df = rollup(tasks, "due_date", ["team", "rep", "company"], {"on_time": ("on_time", "sum"), "due": ("one", "sum")})
    assert_matches(
        published, _frame("follow_up_timeliness_rate", df, ratio(df["on_time"], df["due"])), ["team", "rep", "company"]
    )


def test_nps(published, landing):
    s = landing["crm_surveys"].copy()
    s["surveyed_date"] = local_timestamp(s["surveyed_at"]).dt.normalize()
    s["score"] = pd.to_numeric(s["nps_score"])
    s = s[s["score"].notna()]
    s = landing.team_at(s, "rep_id", "surveyed_date")
    s["promoter"] = (s["score"] >= 9).astype(float)
    s["detractor"] = (s["score"] <= 6).astype(float)
    s["one"] = 1.0
    df = rollup(
        s,
        "surveyed_date",
        ["team", "rep", "customer", "company"],
        {"p": ("promoter", "sum"), "d": ("detractor", "sum"), "n": ("one", "sum")},
    )
    value = (df["p"] - df["d"]) / df["n"] * 100
    assert_matches(published, _frame("nps", df, value), ["team", "rep", "customer", "company"])


def test_training_pass_rate(published, landing):
    t = landing["hr_trainings"].copy()
    t["completed"] = local_timestamp(t["completed_at"])
    t = t[t["completed"].notna() & t["passed"].notna()]
    t["completed_date"] = t["completed"].dt.normalize()
    t = landing.team_at(t, "rep_id", "completed_date")
    t["ok"] = t["passed"].astype(str).str.lower().isin(["true", "1"]).astype(float)
    t["one"] = 1.0
    df = rollup(t, "completed_date", ["team", "rep", "company"], {"ok": ("ok", "sum"), "n": ("one", "sum")})
    assert_matches(published, _frame("training_pass_rate", df, ratio(df["ok"], df["n"])), ["team", "rep", "company"])


def test_collection_rate(published, landing, as_of):
    orders = landing["erp_sales_orders"].copy()
    orders["order_date"] = as_date(orders["order_date"])
    orders = orders[orders["status"] == "confirmed"][["order_id", "rep_id", "order_date"]]
    inv = landing["erp_invoices"].copy()
    inv["invoice_date"] = as_date(inv["invoice_date"])
    inv["due_date"] = as_date(inv["due_date"])
    inv["amount"] = pd.to_numeric(inv["amount"])
    inv = inv.merge(orders, on="order_id", how="inner")
    inv = inv[inv["due_date"] <= as_of]
    inv = landing.fx_at(inv, "currency", "invoice_date")
    inv = landing.team_at(inv, "rep_id", "order_date")
    pay = landing["erp_payments"].copy()
    pay["payment_date"] = as_date(pay["payment_date"])
    pay["amount"] = pd.to_numeric(pay["amount"])
    out = []
    for period_type in PERIOD_TYPES:
        ev = inv.assign(period_start=period_start(inv["due_date"], period_type))
        months = {"month": 1, "quarter": 3}.get(period_type, 12)
        ev["period_end"] = [
            min(ps + pd.DateOffset(months=months) - pd.Timedelta(days=1), as_of) for ps in ev["period_start"]
        ]
        paid = ev[["invoice_id", "period_end"]].merge(pay, on="invoice_id", how="inner")
        paid = paid[paid["payment_date"] <= paid["period_end"]].groupby("invoice_id")["amount"].sum()
        ev["paid_base"] = ev["invoice_id"].map(paid).fillna(0.0) * ev["fx_rate"]
        ev["amount_base"] = ev["amount"] * ev["fx_rate"]
        for grain, key in (("team", "team_id"), ("rep", "rep_id"), ("customer", "customer_id"), ("company", None)):
            ev["_entity"] = "company" if key is None else ev[key].fillna("unassigned")
            agg = ev.groupby(["_entity", "period_start"])[["paid_base", "amount_base"]].sum().reset_index()
            out.append(agg.rename(columns={"_entity": "entity_id"}).assign(grain=grain, period_type=period_type))
    df = pd.concat(out, ignore_index=True)
    assert_matches(
        published,
        _frame("collection_rate", df, ratio(df["paid_base"], df["amount_base"])),
        ["team", "rep", "customer", "company"],
    )


def test_rep_sales_target_attainment(published, sales, landing):
    t = landing["plan_sales_targets"].copy()
    t = t[(t["target_grain"] == "rep") & t["target_sales_amount"].notna()]
    t["month"] = as_date(t["month"])
    t["target"] = pd.to_numeric(t["target_sales_amount"])
    out = []
    for period_type in PERIOD_TYPES:
        agg = (
            t.assign(period_start=period_start(t["month"], period_type))
            .groupby(["entity_id", "period_start"])["target"]
            .sum()
        )
        out.append(agg.reset_index().assign(grain="rep", period_type=period_type))
    targets = pd.concat(out, ignore_index=True)
    # A rep with a target and no sales in the period has attained 0 (a row, not a gap).
    df = targets.merge(
        sales[sales["grain"] == "rep"], on=["grain", "entity_id", "period_type", "period_start"], how="left"
    )
    df["net_sales"] = df["net_sales"].fillna(0.0)
    assert_matches(published, _frame("sales_target_attainment", df, ratio(df["net_sales"], df["target"])), ["rep"])
