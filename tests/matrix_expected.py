"""Figures of a company computed straight from its landing CSV files with pandas, from the spec
(shared/spec/indicators.md), never from the warehouse's SQL. Used by the company matrix and the
Northwind test; parametrised by the company's settings (fiscal start month, as-of date, ...).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

PERIOD_TYPES = ("month", "quarter", "year", "fiscal_year")
MONTHS = {"month": 1, "quarter": 3, "year": 12, "fiscal_year": 12}
GRAIN_KEYS = {"team": "team_id", "rep": "rep_id", "customer": "customer_id", "product": "product_id"}
KEYS = ["grain", "entity_id", "period_type", "period_start"]
TRUE = {"true", "t", "1", "yes", "y"}


def read(landing: Path, table: str) -> pd.DataFrame | None:
    path = landing / f"{table}.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "is_deleted" in df.columns:
        df = df[~df["is_deleted"].str.strip().str.lower().isin(TRUE)]
    return df.reset_index(drop=True)


def period_start(day: pd.Timestamp, period_type: str, fiscal_start: int) -> pd.Timestamp:
    if period_type == "month":
        return pd.Timestamp(day.year, day.month, 1)
    if period_type == "quarter":
        return pd.Timestamp(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period_type == "year":
        return pd.Timestamp(day.year, 1, 1)
    year = day.year if day.month >= fiscal_start else day.year - 1
    return pd.Timestamp(year, fiscal_start, 1)


def team_of(landing: Path) -> callable:
    """rep, date -> team: crm_rep_team_assignments (valid_from <= d < valid_to) when the file
    exists, else the reps file's team_id, else the team the rep manages."""
    assignments = read(landing, "crm_rep_team_assignments")
    reps = read(landing, "crm_sales_reps")
    teams = read(landing, "crm_teams")
    fixed: dict[str, str] = {}
    for _, t in teams.sort_values("team_id").iterrows():
        if t["manager_rep_id"] and t["manager_rep_id"] not in fixed:
            fixed[t["manager_rep_id"]] = t["team_id"]
    if "team_id" in reps.columns:
        fixed.update({r: t for r, t in zip(reps["rep_id"], reps["team_id"], strict=True) if t})
    intervals: dict[str, list[tuple[pd.Timestamp, pd.Timestamp | None, str]]] = {}
    if assignments is not None:
        for _, a in assignments.iterrows():
            end = pd.Timestamp(a["valid_to"]) if a["valid_to"] else None
            intervals.setdefault(a["rep_id"], []).append((pd.Timestamp(a["valid_from"]), end, a["team_id"]))

    def lookup(rep: str, day: pd.Timestamp) -> str | None:
        if rep in intervals:
            for start, end, team in intervals[rep]:
                if start <= day and (end is None or day < end):
                    return team
            return None
        return fixed.get(rep)

    return lookup


def order_lines(landing: Path) -> pd.DataFrame:
    """Confirmed order lines with their signed net sales (a return line counts negative)."""
    orders = read(landing, "erp_sales_orders")
    lines = read(landing, "erp_sales_order_lines")
    orders = orders[orders["status"].str.strip().str.lower() == "confirmed"].copy()
    if "order_type" not in orders.columns:
        orders["order_type"] = ""
    orders["sign"] = np.where(orders["order_type"].str.strip().str.lower() == "return", -1.0, 1.0)
    df = lines.merge(orders, on="order_id", how="inner")
    df["order_date"] = pd.to_datetime(df["order_date"])
    discount = pd.to_numeric(df["discount_amount"].replace("", "0"))
    df["net_sales"] = df["sign"] * (pd.to_numeric(df["quantity"]) * pd.to_numeric(df["unit_price"]) - discount)
    team = team_of(landing)
    df["team_id"] = [team(r, d) for r, d in zip(df["rep_id"], df["order_date"], strict=True)]
    return df


def rollup(
    events: pd.DataFrame, date_col: str, value_col: str, grains: list[str], fiscal_start: int, agg: str = "sum"
) -> pd.DataFrame:
    """value per (grain, entity, period_type, period_start)."""
    out = []
    for period_type in PERIOD_TYPES:
        ev = events.copy()
        ev["period_type"] = period_type
        ev["period_start"] = [period_start(d, period_type, fiscal_start) for d in ev[date_col]]
        for grain in grains:
            ev["grain"] = grain
            ev["entity_id"] = "company" if grain == "company" else ev[GRAIN_KEYS[grain]].fillna("unassigned")
            out.append(ev.groupby(KEYS, as_index=False)[value_col].agg(agg).rename(columns={value_col: "value"}))
    return pd.concat(out, ignore_index=True)


def growth(lines: pd.DataFrame, sales: pd.DataFrame, as_of: date, fiscal_start: int, months_back: int | None):
    """sales growth per key: this period against the comparison period (previous period of the
    same type, or the same period a year before); a running period (the one holding the as-of
    date) against the same span of the comparison period, up to the same day. The comparison's
    value: None when it has no sales or 0 (NULL expected); NaN (not asserted) when the comparison
    or the period itself is negative (more returned than sold)."""
    as_of_ts = pd.Timestamp(as_of)
    rows = []
    by_entity = {
        "company": {"company": lines},
        **{g: dict(tuple(lines.groupby(k))) for g, k in GRAIN_KEYS.items()},
    }
    for r in sales.itertuples(index=False):
        back = MONTHS[r.period_type] if months_back is None else months_back
        start = r.period_start
        end = start + pd.DateOffset(months=MONTHS[r.period_type])  # exclusive
        running = start <= as_of_ts < end
        cmp_start = start - pd.DateOffset(months=back)
        cmp_end = (
            (as_of_ts - pd.DateOffset(months=back) + pd.Timedelta(days=1))
            if running
            else (end - pd.DateOffset(months=back))
        )
        ev = by_entity[r.grain].get(r.entity_id)
        base = (
            0.0
            if ev is None
            else ev.loc[(ev["order_date"] >= cmp_start) & (ev["order_date"] < cmp_end), "net_sales"].sum()
        )
        if abs(base) < 1e-9:
            value = None
        elif base < 0 or r.value < 0:  # returns above sales: the spec leaves growth open there
            value = np.nan
        else:
            value = (r.value - base) / base
        rows.append((r.grain, r.entity_id, r.period_type, r.period_start, value, running))
    return pd.DataFrame(rows, columns=[*KEYS, "value", "running"])


def acquisitions(lines: pd.DataFrame, complete_from: date | None, window_months: int = 12) -> pd.DataFrame:
    """Effective new customers: a net-positive order that makes the customer active, i.e. no
    net-positive order in the window (d - 1 day - window, d - 1 day]. Orders before
    complete_from are history only (they can keep a customer active, never count as new)."""
    orders = lines.groupby(
        ["order_id", "customer_id", "rep_id", "team_id", "order_date"], as_index=False, dropna=False
    )["net_sales"].sum()
    positive = orders[orders["net_sales"] > 0].sort_values(["customer_id", "order_date", "order_id"])
    out = []
    for _, group in positive.groupby("customer_id"):
        seen: list[pd.Timestamp] = []
        for o in group.itertuples(index=False):
            day_before = o.order_date - pd.Timedelta(days=1)
            window_start = day_before - pd.DateOffset(months=window_months)
            active = any(window_start < p <= day_before for p in seen)
            if (
                not active
                and o.order_date not in seen
                and (complete_from is None or o.order_date >= pd.Timestamp(complete_from))
            ):
                out.append(o._asdict())
            seen.append(o.order_date)
    df = pd.DataFrame(out)
    df["one"] = 1
    return df


def compare(published: pd.DataFrame, expected: pd.DataFrame, what: str, atol: float = 1e-6) -> None:
    """Same keys on both sides, values equal (NULL = NULL)."""
    merged = expected.merge(published, on=KEYS, how="outer", suffixes=("_expected", "_published"), indicator=True)
    only = merged[merged["_merge"] != "both"]
    assert only.empty, f"{what}: {len(only)} rows on one side only:\n{only.head(20).to_string()}"
    e = merged["value_expected"].to_numpy(float)
    p = merged["value_published"].to_numpy(float)
    ok = (np.isnan(e) & np.isnan(p)) | np.isclose(e, p, rtol=1e-9, atol=atol)
    bad = merged[~ok]
    assert bad.empty, f"{what}: {len(bad)} of {len(merged)} values differ:\n{bad.head(20).to_string()}"
