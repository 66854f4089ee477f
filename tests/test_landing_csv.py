"""The landing columns the public-data converters write (scripts/landing_csv.py) follow the contract."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from salesperf.contract import TABLES_BY_NAME

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "landing_csv.py"
spec = importlib.util.spec_from_file_location("landing_csv", SCRIPT)
landing_csv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(landing_csv)

# Contract columns the converters leave out on purpose (see the module's docstring).
LEFT_OUT = {"is_deleted", "order_type", "original_order_id"}


def test_converter_columns_are_the_contracts_in_its_order():
    assert set(landing_csv.COLUMNS) == {
        "crm_regions", "crm_teams", "crm_sales_reps", "crm_accounts", "erp_products", "erp_sales_orders",
        "erp_sales_order_lines",
    }  # fmt: skip
    for table, columns in landing_csv.COLUMNS.items():
        expected = [c for c in TABLES_BY_NAME[table].column_names if c not in LEFT_OUT]
        assert columns == expected, table


def test_write_fills_missing_columns_with_empty_text(tmp_path):
    landing_csv.write(tmp_path, "crm_regions", [{"region_code": "US", "region_name": "US"}])
    assert (tmp_path / "crm_regions.csv").read_text(encoding="utf-8") == "region_code,region_name,market_type\nUS,US,\n"
