"""Inputs of the CLV dbt Python models (fct_clv_model_fits, fct_customer_clv_predictions)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salesperf.clv.reuse import KEY_COLUMN
from salesperf.clv.summary import purchases_from_lines


def purchases_and_segments(order_lines: Any, customers: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Purchases and customer segments from the relations of fct_order_lines and dim_customers
    (the model passes `dbt.ref(...)`: dbt finds a Python model's refs in the model file only).

    Read in a fixed row order: the same data then gives the same sums, and so the same fit,
    in every build (DuckDB returns rows of a parallel scan in any order).
    """
    lines = (
        order_lines.project("customer_id, order_id, order_date, order_type, net_sales, gross_profit")
        .order("customer_id, order_id, order_date, net_sales, gross_profit")
        .df()
    )
    segments = customers.project("customer_id, segment").order("customer_id").df()
    return purchases_from_lines(lines), segments


def stored_table(dbt: Any, session: Any, key_column: str, enabled: Any = True) -> str | None:
    """The model's own table as the previous build left it in this warehouse (its name), for the
    CLV models to keep the rows of dates whose input is unchanged (salesperf.clv.reuse).

    None when reuse is off (var clv_reuse_stored), the table does not exist yet (a full build starts
    from an empty warehouse) or has no ``key_column`` (built before the keys), and in the Spark step
    (salesperf.spark_clv gives no ``dbt.this``): then every date is computed."""
    this = getattr(dbt, "this", None)
    if this is None or str(enabled).strip().lower() in ("false", "0", "no", "off"):
        return None
    found = session.execute(
        "select count(*) from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? and column_name = ?",
        [this.database, this.schema, this.identifier, key_column],
    ).fetchone()[0]
    return str(this) if found else None


def stored_fits(dbt: Any, session: Any, enabled: Any = True) -> pd.DataFrame | None:
    """fct_clv_model_fits as the previous build left it (see :func:`stored_table`), for
    :func:`~salesperf.clv.segments.fit_snapshots` to keep the fits whose input is unchanged."""
    table = stored_table(dbt, session, KEY_COLUMN, enabled)
    return None if table is None else session.sql(f"select * from {table}").df()
