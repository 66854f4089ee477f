"""Benchmark: time of the CLV model fit (BG/NBD + Gamma-Gamma per segment) on generated data.

    python benchmarks/clv_fit.py                      # generates the medium scale into a temp dir
    python benchmarks/clv_fit.py --landing DIR        # reads existing landing files instead
    python benchmarks/clv_fit.py --scale small

Prints the time of each segment's fit and of the whole fit at the as-of date (goal on medium:
under 30 s). Purchases are read straight from the landing files (confirmed, not soft-deleted
orders with a positive net amount, one purchase per customer and day). Not a test: timings
depend on the machine.

Then, in the same run and on the same data, before/after figures of issue 12 with the machine's
load beside them: customers vs distinct (x, t_x, T) rows, (x, T) pairs and frequencies; the time
of one likelihood evaluation row by row (every customer, special functions per row), on grouped
rows, and on grouped rows with special functions per distinct frequency (what the fits use now);
the fits at the as-of date and at the last ``--month-ends`` month ends (what fct_clv_model_fits
does) and the predictions, each with the row-by-row formulas ("before", swapped in) and as they
are now ("after"), and the largest difference between the two (0 expected: the same arithmetic).

    python benchmarks/clv_fit.py --landing /tmp/medium --month-ends 46
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from salesperf.clv import (
    ClvSettings,
    attach_segments,
    bgnbd,
    fit_snapshots,
    gamma_gamma,
    purchases_from_lines,
    summarize,
)
from salesperf.clv.segments import POOLED, fit_models, fit_pooled, fit_segment, predict


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
    parser.add_argument(
        "--month-ends", type=int, default=12, help="refit at the last N month ends, before and after (0: skip)"
    )
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
    before_after(purchases, segments, summary, settings, args.month_ends)
    return 0


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


@contextlib.contextmanager
def row_by_row():
    """The formulas as before issue 12: special functions per row, hypergeometric term per customer."""
    saved = (bgnbd._ll_and_grad, gamma_gamma._ll_and_grad, bgnbd._closed_form_term)
    bgnbd._ll_and_grad = lambda theta, x, t_x, big_t, want_grad=True, **_: bgnbd._ll_and_grad_reference(
        theta, x, t_x, big_t, want_grad
    )
    gamma_gamma._ll_and_grad = lambda theta, x, m, want_grad=True, **_: gamma_gamma._ll_and_grad_reference(
        theta, x, m, want_grad
    )
    bgnbd._closed_form_term = bgnbd._closed_form_term_rows
    try:
        yield
    finally:
        bgnbd._ll_and_grad, gamma_gamma._ll_and_grad, bgnbd._closed_form_term = saved


def _per_call(function, repeat: int = 20) -> float:
    function()
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat * 1000.0


def _max_difference(before: pd.DataFrame, after: pd.DataFrame) -> tuple[float, float]:
    """Largest absolute and relative difference over the floating columns of two frames."""
    worst_abs, worst_rel = 0.0, 0.0
    for column in before.columns:
        if before[column].dtype.kind != "f":
            continue
        a = before[column].to_numpy(float)
        b = after[column].to_numpy(float)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            return float("inf"), float("inf")
        ok = ~np.isnan(a)
        diff = np.abs(a[ok] - b[ok])
        if diff.size:
            worst_abs = max(worst_abs, float(diff.max()))
            worst_rel = max(worst_rel, float((diff / np.maximum(np.abs(a[ok]), 1e-300)).max()))
    return worst_abs, worst_rel


def _timed(function):
    started_load = _load()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    return result, seconds, started_load


def before_after(
    purchases: pd.DataFrame, segments: pd.DataFrame, summary: pd.DataFrame, settings: ClvSettings, month_ends: int
) -> None:
    x = summary["frequency"].to_numpy(float)
    t_x = summary["recency"].to_numpy(float)
    age = summary["age"].to_numpy(float)
    rows, inverse = np.unique(np.stack([x, t_x, age], axis=1), axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), minlength=rows.shape[0]).astype(float)
    pairs = np.unique(np.stack([x, age], axis=1), axis=0).shape[0]
    repeat = (x > 0) & (summary["monetary"].to_numpy(float) > 0)
    m = summary["monetary"].to_numpy(float)[repeat]
    print(f"\nissue 12 before/after, same data, one run ({_load()})")
    print(
        f"customers {x.size:,}; distinct (x, t_x, T) rows {rows.shape[0]:,}; distinct (x, T) pairs {pairs:,}; "
        f"distinct x {np.unique(x).size:,}; repeat buyers {int(repeat.sum()):,} with "
        f"{np.unique(np.stack([x[repeat], m], axis=1), axis=0).shape[0]:,} distinct (x, m) "
        "(Gamma-Gamma: not grouped, m is continuous)"
    )
    theta = np.log([0.5, 5.0, 0.8, 2.5])
    gx, gt, ga = rows[:, 0], rows[:, 1], rows[:, 2]
    index = bgnbd._x_index(gx)
    with np.errstate(all="ignore"):
        every_row = _per_call(lambda: bgnbd._ll_and_grad_reference(theta, x, t_x, age))
        grouped_rows = _per_call(lambda: np.sum(weights * bgnbd._ll_and_grad_reference(theta, gx, gt, ga)[0]))
        grouped_x = _per_call(lambda: np.sum(weights * bgnbd._ll_and_grad(theta, gx, gt, ga, x_index=index)[0]))
        gg_theta = np.log([6.0, 4.0, 15.0])
        gg_index = gamma_gamma._x_index_of(x[repeat])
        gg_rows = _per_call(lambda: gamma_gamma._ll_and_grad_reference(gg_theta, x[repeat], m))
        gg_grouped = _per_call(lambda: gamma_gamma._ll_and_grad(gg_theta, x[repeat], m, x_index=gg_index))
    print(
        f"BG/NBD log-likelihood + gradient, ms per evaluation: every customer row by row {every_row:.2f}; "
        f"grouped rows, special functions per row {grouped_rows:.2f}; grouped rows, special functions per "
        f"distinct x {grouped_x:.2f} ({every_row / grouped_x:.1f}x, {grouped_rows / grouped_x:.1f}x) ({_load()})"
    )
    print(
        f"Gamma-Gamma log-likelihood + gradient, ms per evaluation: row by row {gg_rows:.2f}; special functions "
        f"per distinct x {gg_grouped:.2f} ({gg_rows / gg_grouped:.1f}x) ({_load()})"
    )

    def fit_once() -> pd.DataFrame:
        from salesperf.clv import models_to_frame

        return models_to_frame(fit_models(summary, settings), summary["last_purchase_date"].max(), settings)

    def predict_once() -> pd.DataFrame:
        return predict(summary, fit_models_cached, settings)

    with row_by_row():
        fits_before, fit_before_s, load_before = _timed(fit_once)
    fits_after, fit_after_s, load_after = _timed(fit_once)
    fit_models_cached = fit_models(summary, settings)
    with row_by_row():
        pred_before, pred_before_s, pload_before = _timed(predict_once)
    pred_after, pred_after_s, pload_after = _timed(predict_once)
    print(f"{'step':<44} {'before s':>9} {'after s':>9} {'ratio':>6}  max abs / rel difference")
    for label, b, a, lb, la, diff in (
        (
            "fit at the as-of date (pooled + segments)",
            fit_before_s,
            fit_after_s,
            load_before,
            load_after,
            _max_difference(fits_before, fits_after),
        ),
        (
            "predict every customer at the as-of date",
            pred_before_s,
            pred_after_s,
            pload_before,
            pload_after,
            _max_difference(pred_before, pred_after),
        ),
    ):
        print(f"{label:<44} {b:>9.2f} {a:>9.2f} {b / a:>5.1f}x  {diff[0]:.3g} / {diff[1]:.3g}  ({lb} | {la})")
    if month_ends > 0:
        last = purchases["purchase_date"].max()
        dates = pd.date_range(purchases["purchase_date"].min(), last, freq="ME")[-month_ends:]

        def refit() -> pd.DataFrame:
            return fit_snapshots(purchases, segments, dates, settings)

        with row_by_row():
            snap_before, snap_before_s, sload_before = _timed(refit)
        snap_after, snap_after_s, sload_after = _timed(refit)
        diff = _max_difference(snap_before, snap_after)
        label = f"refits at {len(dates)} month ends (fits model)"
        print(
            f"{label:<44} {snap_before_s:>9.2f} {snap_after_s:>9.2f} {snap_before_s / snap_after_s:>5.1f}x  "
            f"{diff[0]:.3g} / {diff[1]:.3g}  ({sload_before} | {sload_after})"
        )


if __name__ == "__main__":
    sys.exit(main())
