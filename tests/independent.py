"""An independent computation of indicators from the landing files, with pandas.

Written from the spec (shared/spec/indicators.md), not from the models' SQL, so that a wrong
formula in dbt shows up as a difference. Used by tests/test_independent_recompute.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TZ = "Asia/Shanghai"
FISCAL_START_MONTH = 4
PERIOD_TYPES = ("month", "quarter", "year", "fiscal_year")
TRUE = {"true", "t", "1", "yes", "y"}


def read(landing: Path, table: str) -> pd.DataFrame:
    path = landing / f"{table}.parquet"
    df = pd.read_parquet(path) if path.exists() else pd.read_csv(landing / f"{table}.csv", dtype=str)
    if "is_deleted" in df.columns:
        deleted = df["is_deleted"].astype(str).str.strip().str.lower().isin(TRUE)
        df = df[~deleted].drop(columns="is_deleted")
    return df.reset_index(drop=True)


def local_timestamp(values: pd.Series) -> pd.Series:
    """ISO timestamps: with an offset → company time; without → already company time."""
    text = values.astype("string").str.strip()
    has_offset = text.str.contains(r"(?:[+-]\d{2}(?::?\d{2})?|Z)$", regex=True, na=False)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if has_offset.any():
        aware = pd.to_datetime(text[has_offset], utc=True, format="ISO8601")
        out[has_offset] = aware.dt.tz_convert(TZ).dt.tz_localize(None).astype("datetime64[ns]")
    naive = ~has_offset & text.notna()
    if naive.any():
        out[naive] = pd.to_datetime(text[naive], format="ISO8601").astype("datetime64[ns]")
    return out


def as_date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]")


def period_start(dates: pd.Series, period_type: str) -> pd.Series:
    d = pd.to_datetime(dates)
    if period_type == "month":
        return d.dt.to_period("M").dt.start_time
    if period_type == "quarter":
        return d.dt.to_period("Q").dt.start_time
    if period_type == "year":
        return d.dt.to_period("Y").dt.start_time
    shifted = d - pd.DateOffset(months=FISCAL_START_MONTH - 1)
    return shifted.dt.to_period("Y").dt.start_time + pd.DateOffset(months=FISCAL_START_MONTH - 1)


class Landing:
    """The landing tables, typed, with the attribution helpers the spec defines."""

    def __init__(self, landing: Path):
        self.dir = landing
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._cache:
            self._cache[table] = read(self.dir, table)
        return self._cache[table]

    # -- attribution ------------------------------------------------------------------------
    def intervals(self, table: str, key: str, value: str) -> pd.DataFrame:
        df = self[table][[key, value, "valid_from", "valid_to"]].copy()
        df["valid_from"] = as_date(df["valid_from"])
        df["valid_to"] = as_date(df["valid_to"])
        return df[df[value].notna()]

    def at_date(self, events: pd.DataFrame, key: str, date_col: str, table: str, value: str, out: str) -> pd.DataFrame:
        iv = self.intervals(table, key, value)
        ev = events.reset_index(drop=True).copy()
        ev["_row"] = np.arange(len(ev))
        m = ev[["_row", key, date_col]].merge(iv, on=key, how="inner")
        ok = (m[date_col] >= m["valid_from"]) & (m["valid_to"].isna() | (m[date_col] < m["valid_to"]))
        m = m[ok].drop_duplicates("_row")
        ev[out] = ev["_row"].map(m.set_index("_row")[value])
        return ev.drop(columns="_row")

    def team_at(self, events: pd.DataFrame, rep_col: str, date_col: str) -> pd.DataFrame:
        ev = events.rename(columns={rep_col: "rep_id"}) if rep_col != "rep_id" else events
        ev = self.at_date(ev, "rep_id", date_col, "crm_rep_team_assignments", "team_id", "team_id")
        return ev.rename(columns={"rep_id": rep_col}) if rep_col != "rep_id" else ev

    def fx_at(self, events: pd.DataFrame, currency_col: str, date_col: str, out: str = "fx_rate") -> pd.DataFrame:
        rates = self["fx_rates"].copy()
        rates["rate_date"] = as_date(rates["rate_date"])
        rates["rate_to_base"] = rates["rate_to_base"].astype(float)
        rates = rates.dropna(subset=["rate_to_base"]).sort_values("rate_date")
        ev = events.reset_index(drop=True).copy()
        ev["_row"] = np.arange(len(ev))
        parts = []
        for currency, group in ev.groupby(currency_col):
            g = group.sort_values(date_col)
            if currency == "CNY":
                g[out] = 1.0
            else:
                r = rates[rates["currency"] == currency][["rate_date", "rate_to_base"]]
                g = pd.merge_asof(g, r, left_on=date_col, right_on="rate_date", direction="backward")
                g[out] = g["rate_to_base"]
                g = g.drop(columns=["rate_date", "rate_to_base"])
            parts.append(g)
        return pd.concat(parts).sort_values("_row").drop(columns="_row").reset_index(drop=True)

    # -- facts --------------------------------------------------------------------------------
    def order_lines(self) -> pd.DataFrame:
        orders = self["erp_sales_orders"].copy()
        orders["order_date"] = as_date(orders["order_date"])
        orders = orders[orders["status"].str.strip().str.lower() == "confirmed"]
        lines = self["erp_sales_order_lines"].merge(orders, on="order_id", how="inner")
        for col in ("quantity", "unit_price", "discount_amount", "unit_cost"):
            lines[col] = pd.to_numeric(lines[col])
        lines["discount_amount"] = lines["discount_amount"].fillna(0.0)
        lines = self.fx_at(lines, "currency", "order_date")
        lines = self.team_at(lines, "rep_id", "order_date")
        # A return order's lines carry positive quantities and count with the opposite sign.
        order_type = lines.get("order_type", pd.Series(None, index=lines.index, dtype="object"))
        sign = np.where(order_type.fillna("sale").astype(str).str.strip().str.lower() == "return", -1.0, 1.0)
        gross = lines["quantity"] * lines["unit_price"]
        lines["net_sales"] = sign * (gross - lines["discount_amount"]) * lines["fx_rate"]
        lines["cost"] = sign * lines["quantity"] * lines["unit_cost"] * lines["fx_rate"]
        products = self["erp_products"][["product_id", "launch_date"]].copy()
        products["launch_date"] = as_date(products["launch_date"])
        lines = lines.merge(products, on="product_id", how="left")
        lines["is_new"] = (lines["order_date"] >= lines["launch_date"]) & (
            lines["order_date"] < lines["launch_date"] + pd.DateOffset(months=12)
        )
        return lines


GRAIN_KEYS = {"team": "team_id", "rep": "rep_id", "customer": "customer_id", "product": "product_id"}


def rollup(events: pd.DataFrame, date_col: str, grains: list[str], measures: dict) -> pd.DataFrame:
    """Sum/count measures per grain entity and period: {name: (column, aggfunc)}."""
    out = []
    for period_type in PERIOD_TYPES:
        ev = events.copy()
        ev["period_start"] = period_start(ev[date_col], period_type)
        for grain in grains:
            if grain == "company":
                ev["_entity"] = "company"
            else:
                ev["_entity"] = ev[GRAIN_KEYS[grain]].fillna("unassigned")
            agg = ev.groupby(["_entity", "period_start"]).agg(**measures).reset_index()
            agg = agg.rename(columns={"_entity": "entity_id"})
            agg["grain"] = grain
            agg["period_type"] = period_type
            out.append(agg)
    return pd.concat(out, ignore_index=True)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return num.astype(float) / den.where(den != 0)
