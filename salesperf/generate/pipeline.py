"""Run the generators in dependency order and write every contract table."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from salesperf.generate import (
    activities,
    customers,
    enablement,
    fulfilment,
    fx,
    opportunities,
    orders,
    org,
    planning,
    products,
    service,
)
from salesperf.generate.config import CHUNK_CUSTOMERS, DEFAULT_AS_OF, DEFAULT_START, SCALES, GenConfig
from salesperf.generate.context import Context
from salesperf.generate.org import REGIONS
from salesperf.generate.timeutil import year_of
from salesperf.generate.totals import SalesTotals
from salesperf.generate.writer import Sinks

BLOCK_TABLES = (
    "erp_contracts",
    "erp_sales_orders",
    "erp_sales_order_lines",
    "erp_invoices",
    "erp_payments",
    "erp_deliveries",
    "crm_opportunities",
    "crm_opportunity_contacts",
    "crm_activities",
    "crm_follow_up_tasks",
    "crm_service_tickets",
    "crm_surveys",
    "erp_customer_costs",
)
Reporter = Callable[[str], None]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def generate(
    out_dir: str | Path,
    seed: int = 42,
    scale: str = "small",
    fmt: str = "parquet",
    start: date | str = DEFAULT_START,
    as_of: date | str = DEFAULT_AS_OF,
    progress: Reporter | None = None,
) -> dict[str, int]:
    """Write every landing table as ``<out_dir>/<table>.<fmt>``; return the row count of each table."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    out = Path(out_dir)
    cfg = GenConfig(out_dir=out, seed=seed, scale=SCALES[scale], fmt=fmt, start=_as_date(start), as_of=_as_date(as_of))
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)

    def report(table: str, rows: int, elapsed: float) -> None:
        say(f"  {table:<28} {rows:>12,} rows  {elapsed:8.1f} s")

    sinks = Sinks(out, fmt, report)
    try:
        _run(cfg, sinks, say)
        return sinks.close_all()
    except BaseException:
        sinks.abort()
        raise


def _write_all(sinks: Sinks, tables: dict[str, dict]) -> None:
    for name, columns in tables.items():
        sinks.write(name, columns)


def _run(cfg: GenConfig, sinks: Sinks, say: Reporter) -> None:
    t0 = time.perf_counter()
    say(f"generating scale={cfg.scale.name} seed={cfg.seed} {cfg.start}..{cfg.as_of} -> {cfg.out_dir} ({cfg.fmt})")
    rates = fx.build(cfg)
    sinks.write("fx_rates", rates.table)
    sinks.close("fx_rates")
    organisation = org.build(cfg)
    for name, columns in org.tables(cfg, organisation).items():
        sinks.write(name, columns)
        sinks.close(name)
    prod = products.build(cfg)
    sinks.write("erp_products", products.table(prod))
    sinks.close("erp_products")
    cust = customers.build(cfg, organisation)
    for name, columns in customers.tables(cfg, organisation, cust, rates.rate_by_day[:, -1]).items():
        sinks.write(name, columns)
        sinks.close(name)
    ctx = Context(cfg=cfg, org=organisation, prod=prod, cust=cust, fx=rates)

    first_year = int(year_of(cfg.start_day))
    totals = SalesTotals.empty(
        organisation.n_reps,
        ctx.month0,
        ctx.n_months,
        len(REGIONS),
        len(products.CATEGORIES),
        first_year,
        int(year_of(cfg.as_of_day)) - first_year + 1,
    )
    counters = {name: 0 for name in BLOCK_TABLES}
    n_blocks = -(-cust.n // CHUNK_CUSTOMERS)
    for block in range(n_blocks):
        lo, hi = block * CHUNK_CUSTOMERS, min(cust.n, (block + 1) * CHUNK_CUSTOMERS)
        order_tables, ob = orders.generate_block(ctx, block, lo, hi, counters)
        _write_all(sinks, order_tables)
        ful_tables, ful = fulfilment.generate_block(ctx, block, ob, counters)
        _write_all(sinks, ful_tables)
        opp_tables, opps = opportunities.generate_block(ctx, block, lo, ob, counters)
        _write_all(sinks, opp_tables)
        _write_all(sinks, activities.generate_block(ctx, block, lo, ob.death_day, opps, counters))
        svc_tables, tickets = service.generate_block(ctx, block, ob, ful.order_trouble, opps, counters)
        _write_all(sinks, svc_tables)
        _write_all(sinks, enablement.customer_costs_block(ctx, block, lo, hi, ob.death_day, ful, tickets, counters))
        _add_totals(ctx, totals, ob)
        if n_blocks > 1:
            say(
                f"  block {block + 1}/{n_blocks}: customers {lo:,}..{hi - 1:,}, {len(ob.order_no):,} orders, "
                f"{len(ob.line_order):,} lines  {time.perf_counter() - t0:8.1f} s"
            )
    sinks.close(*BLOCK_TABLES)

    for name, build in enablement.REP_TABLES.items():
        sinks.write(name, build(ctx))
        sinks.close(name)
    sinks.write("plan_sales_targets", planning.targets(ctx, totals))
    sinks.close("plan_sales_targets")
    sinks.write("market_sizes", planning.market_sizes(ctx, totals))
    sinks.close("market_sizes")


def _add_totals(ctx: Context, totals: SalesTotals, ob: orders.OrderBlock) -> None:
    conf_line = ob.confirmed[ob.line_order]
    lo_ = ob.line_order[conf_line]
    totals.add_lines(
        ob.rep[lo_],
        ob.day[lo_],
        ctx.cust.region[ob.cust[lo_]],
        ctx.prod.category[ob.line_product[conf_line]],
        ob.line_net_base[conf_line],
        ob.line_cost_base[conf_line],
    )
    # first confirmed order of each customer in the history (orders are sorted by date)
    conf = np.flatnonzero(ob.confirmed)
    _, first = np.unique(ob.cust[conf], return_index=True)
    totals.add_new_customers(ob.rep[conf[first]], ob.day[conf[first]])
