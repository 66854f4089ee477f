"""Inputs of the CLV dbt Python models (fct_clv_model_fits, fct_customer_clv_predictions)."""

from __future__ import annotations

from typing import Any

import pandas as pd

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
