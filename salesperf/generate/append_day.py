"""Append the next day of extracts to existing landing files (``--append-day``): the input of an
incremental build (docs/incremental.md).

The generator is not prefix-stable (generating with ``--as-of`` one day later changes earlier rows:
volumes are calibrated over the whole history), so a new day is not "the same data generated one day
later". The contract instead:

- the new day is D + 1, where D is the latest order date in ``erp_sales_orders``;
- its orders are the orders dated D - 6 (the same weekday a week earlier) replayed on D + 1: same
  customer, rep, currency, channel, status, type and lines, with new ids (``<id>-<yyyymmdd>``); a
  return keeps pointing at its original order;
- every existing row of every file stays exactly as it was; only ``erp_sales_orders`` and
  ``erp_sales_order_lines`` get rows, appended after the existing ones;
- the same landing files give the same appended rows (no random stream), so appending twice gives
  two days (D + 1, D + 2).

Parquet landing folders only (what the generator writes by default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ORDERS = "erp_sales_orders"
LINES = "erp_sales_order_lines"
REPLAY_OFFSET_DAYS = 7  # the template day is the same weekday a week before the new day


@dataclass(frozen=True)
class AppendedDay:
    day: date
    template_day: date
    orders: int
    lines: int


def _parquet(landing: Path, table: str) -> Path:
    path = landing / f"{table}.parquet"
    if not path.exists():
        raise ValueError(f"--append-day needs the Parquet landing file {path} (CSV landing folders are not supported)")
    return path


def _append(path: Path, new_rows: pa.Table) -> None:
    """The file's rows, then ``new_rows`` (in the file's schema), written beside it and moved over it."""
    existing = pq.read_table(path)
    combined = pa.concat_tables([existing, new_rows.select(existing.column_names).cast(existing.schema)])
    tmp = path.with_name(path.name + ".append.tmp")
    pq.write_table(combined, tmp)
    os.replace(tmp, path)


def append_day(landing_dir: str | Path) -> AppendedDay:
    """Append day D + 1 (see the module docstring) to the landing files in ``landing_dir``."""
    landing = Path(landing_dir)
    orders_path, lines_path = _parquet(landing, ORDERS), _parquet(landing, LINES)
    con = duckdb.connect()
    try:
        con.execute(f"create temp table orders as select * from read_parquet('{orders_path}')")
        con.execute(f"create temp table lines as select * from read_parquet('{lines_path}')")
        last = con.execute("select max(order_date) from orders").fetchone()[0]
        if last is None:
            raise ValueError(f"{orders_path} has no order dated: no day to append after")
        day = last + timedelta(days=1)
        template = day - timedelta(days=REPLAY_OFFSET_DAYS)
        suffix = "-" + day.strftime("%Y%m%d")
        con.execute(
            """
            create temp table new_orders as
            select * replace (order_id || ? as order_id, cast(? as date) as order_date)
            from orders
            where order_date = ?
            order by order_id
            """,
            [suffix, day, template],
        )
        con.execute(
            """
            create temp table new_lines as
            select lines.* replace (lines.order_line_id || ? as order_line_id, lines.order_id || ? as order_id)
            from lines
            inner join orders on lines.order_id = orders.order_id
            where orders.order_date = ?
            order by lines.order_line_id
            """,
            [suffix, suffix, template],
        )
        new_orders = con.execute("select * from new_orders order by order_id").to_arrow_table()
        new_lines = con.execute("select * from new_lines order by order_line_id").to_arrow_table()
    finally:
        con.close()
    _append(orders_path, new_orders)
    _append(lines_path, new_lines)
    return AppendedDay(day, template, new_orders.num_rows, new_lines.num_rows)
