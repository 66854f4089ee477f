"""Benchmark: the CLV step at scale (issue 13) on simulated purchases, with the machine's load beside.

    python benchmarks/clv_scale.py                                  # 1,000,000 customers, 12 month ends
    python benchmarks/clv_scale.py --customers 100000 --month-ends 6

Simulates ``--customers`` customers (BG/NBD buying, first purchases spread over 4 years, two
segments) as purchase days (by customer and day, the order in which the warehouse's
purchases_from_lines gives them to the dbt models), then measures what fct_clv_model_fits and
fct_customer_clv_predictions do (fit_snapshots; the predictions with the per-customer intervals
streamed one snapshot date at a time into a DuckDB file, as the dbt model writes them) at the last
``--month-ends`` month ends, one refit date's fit (fit_models at the last one), and the next day's
build of the same warehouse (a day of purchases appended; the fits and predictions of the unchanged
month ends kept from the stored tables, salesperf.clv.reuse; the new day fitted and scored). Prints each
figure with the CPU time of the process (all threads: the likelihoods and the segments run on
two), the peak resident memory and the load average. The peak is reset after
the simulation where Linux allows it (/proc/self/clear_refs), so the CLV steps' figure is theirs
(with the purchases in memory), not the simulation's. Not a test: timings depend on the machine
and its load (the issue's goal at 1 M customers: whole step < 60 s and < 2 GB, one refit < 10 s).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from salesperf.clv import ClvSettings, attach_segments, bgnbd, fit_models, fit_snapshots, summarize
from salesperf.clv.prediction_stream import predictions_to_store, replace_dates
from salesperf.clv.segments import iter_predict_snapshots
from salesperf.clv.summary import PURCHASE_COLUMNS

HISTORY_START = pd.Timestamp("2023-01-01")
HISTORY_END = pd.Timestamp("2026-12-31")
TRUE = {"B2B": bgnbd.BGNBDParams(0.9, 20.0, 0.8, 6.0), "B2C": bgnbd.BGNBDParams(0.5, 25.0, 1.1, 4.0)}


def peak_mb() -> float:
    """Peak resident memory (VmHWM, resettable) of the process in MB; ru_maxrss where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reset_peak() -> bool:
    """Start the peak resident memory anew from the current one (Linux >= 4.0); False where not possible."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Purchase days (one row per customer and day) and segments of ``n`` simulated customers (days)."""
    rng = np.random.default_rng(seed)
    span = (HISTORY_END - HISTORY_START).days
    first = rng.integers(0, span, n)
    segment = np.where(rng.random(n) < 0.4, "B2B", "B2C")
    x = np.zeros(n)
    t_x = np.zeros(n)
    for name, params in TRUE.items():
        sel = segment == name
        x[sel], t_x[sel], _ = bgnbd.simulate(params, (span - first[sel]).astype(float), rng)
    # a Poisson process's purchase times before the last one are uniform on (0, t_x)
    counts = x.astype(int)
    owner = np.repeat(np.arange(n), counts)
    offsets = rng.random(owner.size) * np.repeat(t_x, counts)
    last = np.flatnonzero(counts)
    offsets[np.cumsum(counts[last]) - 1] = t_x[last]
    customer = np.r_[np.arange(n), owner]
    day = np.r_[first, first[owner] + np.floor(offsets).astype(int)]
    nu = rng.gamma(4.0, 1.0 / 150.0, n)  # Gamma-Gamma spend: per purchase ~ Gamma(6, nu), nu ~ Gamma(4, 150)
    spend = rng.gamma(6.0, 1.0 / nu[customer])
    frame = pd.DataFrame({"customer": customer, "day": day, "spend": spend}).drop_duplicates(["customer", "day"])
    frame = frame.sort_values(["customer", "day"], kind="stable")  # by customer and day, as purchases_from_lines
    ids = pd.Series([f"C{i:07d}" for i in range(n)])
    purchases = pd.DataFrame(
        {
            "customer_id": ids.to_numpy()[frame["customer"].to_numpy()],
            "purchase_date": HISTORY_START + pd.to_timedelta(frame["day"].to_numpy(), unit="D"),
            "spend": frame["spend"].to_numpy(),
            "gross_profit_with_cost": frame["spend"].to_numpy() * 0.3,
            "net_sales_with_cost": frame["spend"].to_numpy(),
        }
    )[PURCHASE_COLUMNS]
    return purchases, pd.DataFrame({"customer_id": ids, "segment": segment})


def connect(database: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """The warehouse file as the build opens it (DuckDB's buffer pool, up to its memory_limit, 4GB in
    the profile, is part of the process's peak: ``--duckdb-memory-limit``)."""
    return duckdb.connect(str(database), config={"memory_limit": memory_limit, "preserve_insertion_order": False})


def write_fits(con: duckdb.DuckDBPyConnection, fits: pd.DataFrame, table: str) -> None:
    """fct_clv_model_fits as the dbt model stores it (as_of_date a DATE)."""
    con.register("fits_frame", fits)
    con.execute(
        f"create or replace table {table} as select * replace (cast(as_of_date as date) as as_of_date) from fits_frame"
    )
    con.unregister("fits_frame")


def write_predictions(
    con: duckdb.DuckDBPyConnection,
    purchases,
    segments,
    fits,
    settings: ClvSettings,
    dates,
    table: str,
    incremental: bool,
) -> int:
    """fct_customer_clv_predictions as dbt-duckdb materialises the model: on a full build ``create table
    ... as select`` over the model's relation; on an incremental run (the table exists) the relation of
    the dates to score (salesperf.clv.reuse) into a temporary table, then the strategy replace_dates
    (macros/incremental_replace_dates.sql): those dates and the dates no longer wanted deleted, the
    new rows inserted, every other date's rows left in place."""
    relation = predictions_to_store(con, table if incremental else None, purchases, segments, fits, settings, dates)
    if incremental:
        replace_dates(con, table, relation, dates)
    else:
        con.register("predictions", relation)
        con.execute(f"create table {table} as select * from predictions")
        con.unregister("predictions")
    return int(con.execute(f"select count(*) from {table}").fetchone()[0])


def append_day(purchases: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The purchases with a new day: the customers of the last day buy again on ``day`` (same spend),
    in the order the warehouse gives them (by customer and day)."""
    last = purchases[purchases["purchase_date"] == purchases["purchase_date"].max()]
    both = pd.concat([purchases, last.assign(purchase_date=day)], ignore_index=True)
    return both.sort_values(["customer_id", "purchase_date"], kind="stable", ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--month-ends", type=int, default=12, help="refit and snapshot dates (the last N month ends)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--duckdb-memory-limit",
        default="1GB",
        help="memory_limit of the DuckDB file the predictions go to (SALESPERF_DUCKDB_MEMORY_LIMIT in a build)",
    )
    args = parser.parse_args(argv)
    settings = ClvSettings(time_unit="weeks")
    figures = []

    def report(label: str, seconds: float, cpu: float) -> None:
        load = os.getloadavg()[0]
        figures.append((label, seconds, cpu, peak_mb(), load))
        print(f"{label:<52} {seconds:7.1f} s  cpu {cpu:7.1f} s  peak {peak_mb():7.0f} MB  load {load:4.1f}", flush=True)

    start, cpu = time.perf_counter(), time.process_time()
    purchases, segments = simulate(args.customers, args.seed)
    report(
        f"simulate {args.customers:,} customers ({len(purchases):,} purchase days)",
        time.perf_counter() - start,
        time.process_time() - cpu,
    )
    if reset_peak():
        print(f"(peak memory reset after the simulation: {peak_mb():.0f} MB with the purchases in memory)")
    dates = list(pd.date_range(end=HISTORY_END, periods=args.month_ends, freq="ME"))

    start, cpu = time.perf_counter(), time.process_time()
    summary = attach_segments(summarize(purchases, dates[-1], time_unit="weeks"), segments)
    fit_models(summary, settings)
    report("one refit date: summary + fits (pooled, B2B, B2C)", time.perf_counter() - start, time.process_time() - cpu)
    del summary

    start, cpu = time.perf_counter(), time.process_time()
    fits = fit_snapshots(purchases, segments, dates, settings)
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
    report(f"fits at {len(dates)} refit dates (fct_clv_model_fits)", fit_seconds, fit_cpu)
    folder = tempfile.TemporaryDirectory(prefix="clv_scale_")
    con = connect(Path(folder.name) / "warehouse.duckdb", args.duckdb_memory_limit)
    write_fits(con, fits, "fct_clv_model_fits")
    start, cpu = time.perf_counter(), time.process_time()
    rows = write_predictions(con, purchases, segments, fits, settings, dates, "fct_customer_clv_predictions", False)
    predict_seconds, predict_cpu = time.perf_counter() - start, time.process_time() - cpu
    report(
        f"predictions + intervals, {rows:,} rows (to DuckDB, memory_limit {args.duckdb_memory_limit})",
        predict_seconds,
        predict_cpu,
    )
    report("whole CLV step (fits + predictions)", fit_seconds + predict_seconds, fit_cpu + predict_cpu)

    # the next day's build of the same warehouse (build --incremental): a day of purchases added, the
    # fits and predictions of the unchanged month ends kept (salesperf.clv.reuse), the new day computed
    new_day = dates[-1] + pd.Timedelta(days=1)
    appended = append_day(purchases, new_day)
    day_dates = [*dates, new_day]
    known = "select distinct prediction_input_key from fct_customer_clv_predictions"
    before = {key for (key,) in con.execute(known).fetchall()}
    peak_reset = reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    stored_fits = con.sql("select * from fct_clv_model_fits").df()
    day_fits = fit_snapshots(appended, segments, day_dates, settings, stored=stored_fits)
    write_fits(con, day_fits, "fct_clv_model_fits")
    rows = write_predictions(
        con, appended, segments, day_fits, settings, day_dates, "fct_customer_clv_predictions", True
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    kept = sum(key in before for (key,) in con.execute(known).fetchall())
    note = " (peak reset before it)" if peak_reset else ""
    report(f"a new day: {kept} of {len(day_dates)} dates kept, {rows:,} prediction rows{note}", seconds, cpu)
    con.close()
    folder.cleanup()

    # the cost of the intervals: the same predictions with the interval computation left out
    from salesperf.clv import segments as segments_module

    real = segments_module.customer_intervals
    segments_module.customer_intervals = lambda *a, **k: {
        key: np.full(len(a[8]), np.nan) for key in ("clv_low", "clv_high", "p_alive_low", "p_alive_high")
    }
    try:
        start, cpu = time.perf_counter(), time.process_time()
        for frame in iter_predict_snapshots(purchases, segments, fits, settings):
            del frame
        report(
            "predictions without the intervals (for comparison)", time.perf_counter() - start, time.process_time() - cpu
        )
    finally:
        segments_module.customer_intervals = real
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
