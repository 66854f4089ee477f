"""Benchmark: time of the CLV model fit (BG/NBD + Gamma-Gamma per segment) on generated data.

    python benchmarks/clv_fit.py                      # generates the medium scale into a temp dir
    python benchmarks/clv_fit.py --landing DIR        # reads existing landing files instead
    python benchmarks/clv_fit.py --scale small

Prints the time of each segment's fit and of the whole fit at the as-of date (goal on medium:
under 30 s). Purchases are read straight from the landing files (confirmed, not soft-deleted
orders with a positive net amount, one purchase per customer and day). Not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from salesperf.clv import ClvSettings, attach_segments, purchases_from_lines, summarize
from salesperf.clv.segments import POOLED, fit_pooled, fit_segment


def _not_deleted(frame: pd.DataFrame) -> pd.Series:
    if "is_deleted" not in frame:
        return pd.Series(True, index=frame.index)
    return ~frame["is_deleted"].fillna(False).astype(bool)


def load(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = pd.read_parquet(landing / "erp_sales_orders.parquet")
    lines = pd.read_parquet(landing / "erp_sales_order_lines.parquet")
    accounts = pd.read_parquet(landing / "crm_accounts.parquet")
    orders = orders[_not_deleted(orders) & (orders["status"] == "confirmed")]
    lines = lines[_not_deleted(lines)].merge(orders[["order_id", "customer_id", "order_date"]], on="order_id")
    lines["net_sales"] = lines["quantity"] * lines["unit_price"] - lines["discount_amount"].fillna(0.0)
    lines["gross_profit"] = lines["net_sales"] - lines["quantity"] * lines["unit_cost"]
    return purchases_from_lines(lines), accounts[_not_deleted(accounts)][["customer_id", "segment"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, help="existing landing directory (parquet)")
    parser.add_argument("--scale", default="medium", help="generator scale when --landing is not given")
    parser.add_argument("--time-unit", default="weeks", choices=["days", "weeks", "months"])
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        landing = args.landing
        if landing is None:
            from salesperf.generate import generate

            landing = Path(tmp) / "landing"
            started = time.perf_counter()
            generate(landing, scale=args.scale)
            print(f"generated the {args.scale} scale in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        purchases, segments = load(landing)
        as_of = purchases["purchase_date"].max()
        settings = ClvSettings(time_unit=args.time_unit)
        summary = attach_segments(summarize(purchases, as_of, time_unit=settings.time_unit), segments)
        print(
            f"read {len(purchases):,} purchase days of {len(summary):,} customers in "
            f"{time.perf_counter() - started:.1f} s (as of {as_of.date()}, time unit {settings.time_unit})"
        )

        total_started = time.perf_counter()
        started = time.perf_counter()
        pooled = fit_pooled(summary, settings, None)
        timings = [(POOLED, len(summary), pooled.bgnbd_source, time.perf_counter() - started)]
        for segment, part in summary.groupby("segment", sort=True):
            started = time.perf_counter()
            model = fit_segment(str(segment), part, pooled, settings, None)
            timings.append((str(segment), len(part), model.bgnbd_source, time.perf_counter() - started))
        total = time.perf_counter() - total_started

    print(f"{'segment':<10} {'customers':>10}  {'BG/NBD from':<12} {'fit s':>7}")
    for segment, n, source, seconds in timings:
        print(f"{segment:<10} {n:>10,}  {source:<12} {seconds:>7.2f}")
    print(f"{'total':<10} {len(summary):>10,}  {'':<12} {total:>7.2f}  (goal < 30 s on medium)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
