"""A public sample database nobody here wrote, end to end (issue 9): Microsoft's Northwind
(tests/fixtures/northwind/, MIT, see SOURCE.md), mapped into the landing contract by
scripts/northwind_to_landing.py, built and published with `python3.11 tasks.py build`; its sales by
year, by employee, by team and by product equal those computed directly from the source CSVs.

Northwind's orders run from 1996-07-04 to 1998-05-06 (an old history), in US dollars.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, build_converted

pytestmark = pytest.mark.slow

SOURCE = PROJECT_DIR / "tests" / "fixtures" / "northwind"
SCRIPT = PROJECT_DIR / "scripts" / "northwind_to_landing.py"
TOLERANCE = 1e-6


def source_lines() -> pd.DataFrame:
    """Order details x orders straight from the source CSVs: Quantity x UnitPrice x (1 - Discount)."""
    details = pd.read_csv(SOURCE / "order_details.csv")
    orders = pd.read_csv(SOURCE / "orders.csv", dtype={"CustomerID": str})
    employees = pd.read_csv(SOURCE / "employees.csv")
    df = details.merge(orders, on="OrderID", how="inner", validate="many_to_one")
    assert len(df) == len(details)
    df["sales"] = df["Quantity"] * df["UnitPrice"] * (1 - df["Discount"])
    df["year"] = pd.to_datetime(df["OrderDate"]).dt.year
    # the team of an employee: their own if they manage somebody, else their manager's
    managers = set(employees["ReportsTo"].dropna().astype(int))
    boss = dict(zip(employees["EmployeeID"], employees["ReportsTo"], strict=True))
    df["team"] = [f"T{e}" if e in managers else f"T{int(boss[e])}" for e in df["EmployeeID"]]
    return df


@pytest.fixture(scope="module")
def northwind(tmp_path_factory) -> Path:
    """Map, build and publish once for the module; the published warehouse."""
    return build_converted("Northwind", SCRIPT, tmp_path_factory.mktemp("northwind"), "--source", str(SOURCE))[0]


def published(warehouse: Path, grain: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        df = con.execute(
            "select entity_id, year(period_start) as year, value from main.indicator_values "
            "where indicator_code = 'sales_amount' and period_type = 'year' and grain = ?",
            [grain],
        ).df()
    return df


def assert_same(expected: pd.Series, got: pd.Series, what: str) -> None:
    expected, got = expected.sort_index(), got.sort_index()
    assert list(expected.index) == list(got.index), f"{what}: keys differ\n{expected.index}\n{got.index}"
    diff = (expected - got).abs()
    assert (diff <= TOLERANCE).all(), f"{what}: differs by up to {diff.max()}:\n{diff[diff > TOLERANCE]}"


def test_mapping_keeps_every_order_line(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True)
    lines = pd.read_csv(tmp_path / "erp_sales_order_lines.csv")
    details = pd.read_csv(SOURCE / "order_details.csv")
    assert len(lines) == len(details) == 2155
    net = lines["quantity"] * lines["unit_price"] - lines["discount_amount"]
    assert net.sum() == pytest.approx((details["Quantity"] * details["UnitPrice"] * (1 - details["Discount"])).sum())


def test_sales_by_year(northwind):
    lines = source_lines()
    got = published(northwind, "company").set_index("year")["value"]
    assert_same(lines.groupby("year")["sales"].sum(), got, "sales by year")
    # the well-known Northwind total of all extended prices
    assert got.sum() == pytest.approx(1265793.04, abs=0.01)
    assert sorted(got.index) == [1996, 1997, 1998]


def test_sales_by_employee(northwind):
    lines = source_lines()
    pub = published(northwind, "rep")
    pub["entity_id"] = pub["entity_id"].astype(int)
    assert_same(
        lines.groupby(["EmployeeID", "year"])["sales"].sum(),
        pub.set_index(["entity_id", "year"])["value"],
        "sales by employee and year",
    )
    assert_same(
        lines.groupby("EmployeeID")["sales"].sum(), pub.groupby("entity_id")["value"].sum(), "sales by employee"
    )


def test_sales_by_team(northwind):
    lines = source_lines()
    pub = published(northwind, "team")
    assert_same(
        lines.groupby(["team", "year"])["sales"].sum(),
        pub.set_index(["entity_id", "year"])["value"],
        "sales by team and year",
    )


def test_sales_by_product(northwind):
    lines = source_lines()
    pub = published(northwind, "product")
    pub["entity_id"] = pub["entity_id"].astype(int)
    assert_same(
        lines.groupby(["ProductID", "year"])["sales"].sum(),
        pub.set_index(["entity_id", "year"])["value"],
        "sales by product and year",
    )
    assert_same(lines.groupby("ProductID")["sales"].sum(), pub.groupby("entity_id")["value"].sum(), "by product")


def test_no_northwind_row_is_rejected(northwind):
    """Real data the contract accepts: nothing quarantined (USD is the base currency here)."""
    with duckdb.connect(str(northwind), read_only=True) as con:
        rejected = con.execute("select source_table, rule, count(*) n from main.dq_rejected_rows group by all").df()
    assert rejected.empty, rejected.to_string()
