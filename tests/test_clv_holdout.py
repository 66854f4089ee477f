"""Holdout check of the CLV model on the generated demo data.

Fit BG/NBD per segment (with the pooled fallback) on every purchase up to six months before the
end of the history, predict the repeat purchases of those customers in the last six months and
compare with what they actually bought. Purchases are read straight from the landing files
(confirmed, not soft-deleted orders with a positive net amount; one purchase per customer and
day), so the test needs no dbt build.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesperf.clv import ClvSettings, attach_segments, expected_purchases, fit_models, purchases_from_lines, summarize

HOLDOUT_MONTHS = 6
TOLERANCE = 0.10


def _not_deleted(frame: pd.DataFrame) -> pd.Series:
    if "is_deleted" not in frame:
        return pd.Series(True, index=frame.index)
    return ~frame["is_deleted"].fillna(False).astype(bool)


def _landing_purchases(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = pd.read_parquet(landing / "erp_sales_orders.parquet")
    lines = pd.read_parquet(landing / "erp_sales_order_lines.parquet")
    accounts = pd.read_parquet(landing / "crm_accounts.parquet")
    orders = orders[_not_deleted(orders) & (orders["status"] == "confirmed")]
    lines = lines[_not_deleted(lines)].merge(orders[["order_id", "customer_id", "order_date"]], on="order_id")
    # net amount in the order currency: a positive fx rate keeps its sign, which is all a purchase needs
    lines["net_sales"] = lines["quantity"] * lines["unit_price"] - lines["discount_amount"].fillna(0.0)
    lines["gross_profit"] = lines["net_sales"] - lines["quantity"] * lines["unit_cost"]
    segments = accounts[_not_deleted(accounts)][["customer_id", "segment"]]
    return purchases_from_lines(lines), segments


def test_holdout_repeat_purchases_within_ten_percent(demo_landing: Path) -> None:
    purchases, segments = _landing_purchases(demo_landing)
    end = purchases["purchase_date"].max()
    calibration_end = end - pd.DateOffset(months=HOLDOUT_MONTHS)
    settings = ClvSettings(time_unit="weeks")
    summary = attach_segments(summarize(purchases, calibration_end, time_unit="weeks"), segments)
    models = fit_models(summary, settings)
    horizon_weeks = (end - calibration_end).days / 7.0

    predicted = 0.0
    for segment, part in summary.groupby("segment"):
        model = models.get(segment, models["pooled"])
        assert model.bgnbd is not None, model.messages
        predicted += float(
            np.sum(expected_purchases(model.bgnbd, horizon_weeks, part["frequency"], part["recency"], part["age"]))
        )
    holdout = purchases[(purchases["purchase_date"] > calibration_end) & (purchases["purchase_date"] <= end)]
    actual = int(holdout["customer_id"].isin(summary["customer_id"]).sum())

    error = predicted / actual - 1
    print(
        f"\nCLV holdout {calibration_end.date()} -> {end.date()}: {len(summary)} customers, "
        f"predicted {predicted:,.1f} repeat purchases, actual {actual:,} ({error:+.1%})"
    )
    assert actual > 0
    assert abs(error) <= TOLERANCE
