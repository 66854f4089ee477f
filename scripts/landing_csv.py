"""Landing CSV files written by the public-data converters (cdnow_to_landing.py,
northwind_to_landing.py). Standard library only, like the converters.

``COLUMNS`` are the columns of the landing tables they fill, in the order of the landing contract
(salesperf/contract.py), without the optional ``is_deleted`` (nothing is deleted in these samples)
and, for erp_sales_orders, without ``order_type`` / ``original_order_id`` (every order is a sale);
tests/test_landing_csv.py checks them against the contract.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

COLUMNS: dict[str, list[str]] = {
    "crm_regions": ["region_code", "region_name", "market_type"],
    "crm_teams": ["team_id", "team_name", "region_code", "team_stage", "manager_rep_id", "parent_team_id", "created_at"],
    "crm_sales_reps": ["rep_id", "rep_name", "email", "role", "level", "hire_date", "termination_date", "team_id"],
    "crm_accounts": [
        "customer_id", "customer_name", "segment", "industry", "region_code", "owner_rep_id", "created_at",
        "acquisition_channel", "is_target_account", "est_annual_category_spend", "currency", "contact_email",
        "contact_phone", "referred_by_customer_id",
    ],
    "erp_products": [
        "product_id", "sku", "product_name", "category", "product_line", "launch_date", "lifecycle_stage",
        "is_strategic", "replaces_product_id", "list_price", "unit_cost", "currency",
    ],
    "erp_sales_orders": ["order_id", "customer_id", "rep_id", "order_date", "currency", "channel", "status", "contract_id"],
    "erp_sales_order_lines": [
        "order_line_id", "order_id", "product_id", "quantity", "unit_price", "discount_amount", "unit_cost",
    ],
}  # fmt: skip


def write(out: Path, table: str, rows: Iterable[dict[str, str]]) -> None:
    """``rows`` as <out>/<table>.csv with the table's ``COLUMNS`` (a column a row lacks is empty)."""
    columns = COLUMNS[table]
    with (out / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
