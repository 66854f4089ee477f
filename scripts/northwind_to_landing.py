"""Map Microsoft's Northwind sample database (CSV copy in tests/fixtures/northwind/) into the
landing contract (salesperf/contract.py), so the warehouse can be run on a company nobody here
made up.

    .venv/bin/python scripts/northwind_to_landing.py [--source tests/fixtures/northwind] --out /tmp/nw
    SALESPERF_LANDING_DIR=/tmp/nw SALESPERF_BASE_CURRENCY=USD SALESPERF_FISCAL_YEAR_START_MONTH=1 \
        SALESPERF_TIMEZONE=America/Los_Angeles python3.11 tasks.py build

Settings: Northwind's amounts are US dollars; its head office is in Seattle; it has no fiscal
year of its own, so the calendar year is used (the script prints these settings).

Mapping, table by table (standard library only; amounts are copied as decimal text, never
through floats):

| Northwind | landing table | how |
|---|---|---|
| Employees | `crm_sales_reps` | rep_id = EmployeeID; rep_name = "FirstName LastName"; level `director` for the employee nobody manages (ReportsTo empty), `regional_manager` for one who manages others, else `rep`; role `direct`; hire_date = HireDate; `team_id` = the team below |
| Employees.ReportsTo | `crm_teams` | one team per manager (an employee somebody reports to): team_id `T<EmployeeID>`, named after the manager and their city; manager_rep_id = the manager; parent_team_id = the team of the manager's own manager. A manager is in the team they manage; everybody else in their manager's team (Northwind: `T2`, Fuller's, Seattle; `T5`, Buchanan's, London, under `T2`). region_code = the manager's Region, else Country (`WA`, `UK`) |
| (regions of the teams) | `crm_regions` | one row per team region, market_type empty (unknown) |
| Customers | `crm_accounts` | customer_id = CustomerID; customer_name = CompanyName; segment `B2B` (Northwind sells to shops and restaurants); industry empty; region_code empty (customers are worldwide, not in a sales region); owner_rep_id empty (Northwind has no account owner: customer-owned figures are `unassigned`); created_at empty (unknown); currency `USD` |
| Products + Categories | `erp_products` | product_id = ProductID; sku = ProductID; product_name; category and product_line = CategoryName; list_price = UnitPrice (today's price list); launch_date, lifecycle_stage, unit_cost empty (Northwind has none: margin and new-product figures are unknown, not 0); is_strategic empty; currency `USD` |
| Orders | `erp_sales_orders` | order_id = OrderID; customer_id; rep_id = EmployeeID (the salesperson who took the order); order_date = OrderDate; currency `USD`; status `confirmed` (Northwind has no cancellations; an order not shipped yet still counts as ordered); channel empty; order_type empty (= sale). **Freight is ignored**: it is shipping billed to the customer, not sales of a product |
| Order Details | `erp_sales_order_lines` | order_line_id = "OrderID-ProductID" (the table's key); quantity = Quantity; unit_price = UnitPrice (the price on the order, not the list price); **discount_amount = Quantity x UnitPrice x Discount** (Northwind's Discount is a fraction of the line's gross amount, e.g. 0.15); unit_cost empty |

Net sales of a line in the warehouse = quantity x unit_price - discount_amount
= Quantity x UnitPrice x (1 - Discount), the usual Northwind "extended price".
"""

from __future__ import annotations

import argparse
import csv
from decimal import Decimal
from pathlib import Path

from landing_csv import write

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = PROJECT_DIR / "tests" / "fixtures" / "northwind"
SETTINGS = {
    "SALESPERF_BASE_CURRENCY": "USD",
    "SALESPERF_FISCAL_YEAR_START_MONTH": "1",
    "SALESPERF_TIMEZONE": "America/Los_Angeles",
}


def read(source: Path, name: str) -> list[dict[str, str]]:
    with (source / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def decimal_text(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros ('25.2', '0', '1234.5')."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def teams_of(employees: list[dict[str, str]]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """One team per manager; each employee's team (their own if they manage, else their manager's)."""
    by_id = {e["EmployeeID"]: e for e in employees}
    managers = sorted({e["ReportsTo"] for e in employees if e["ReportsTo"]}, key=int)
    team_of = {}
    for e in employees:
        emp = e["EmployeeID"]
        team_of[emp] = f"T{emp}" if emp in managers else (f"T{e['ReportsTo']}" if e["ReportsTo"] else "")
    teams = []
    for m in managers:
        boss = by_id[m]["ReportsTo"]
        teams.append(
            {
                "team_id": f"T{m}",
                "team_name": f"{by_id[m]['LastName']} team ({by_id[m]['City']})",
                "region_code": by_id[m]["Region"] or by_id[m]["Country"],
                "manager_rep_id": m,
                "parent_team_id": team_of.get(boss, "") if boss else "",
            }
        )
    return teams, team_of


def convert(source: Path, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    employees = read(source, "employees")
    teams, team_of = teams_of(employees)
    managers = {t["manager_rep_id"] for t in teams}
    write(out, "crm_regions", [{"region_code": c, "region_name": c} for c in sorted({t["region_code"] for t in teams})])
    write(out, "crm_teams", teams)
    reps = [
        {
            "rep_id": e["EmployeeID"],
            "rep_name": f"{e['FirstName']} {e['LastName']}",
            "role": "direct",
            "level": "director"
            if not e["ReportsTo"]
            else ("regional_manager" if e["EmployeeID"] in managers else "rep"),
            "hire_date": e["HireDate"],
            "team_id": team_of[e["EmployeeID"]],
        }
        for e in employees
    ]
    write(out, "crm_sales_reps", reps)
    accounts = [
        {"customer_id": c["CustomerID"], "customer_name": c["CompanyName"], "segment": "B2B", "currency": "USD"}
        for c in read(source, "customers")
    ]
    write(out, "crm_accounts", accounts)
    categories = {c["CategoryID"]: c["CategoryName"] for c in read(source, "categories")}
    products = [
        {
            "product_id": p["ProductID"],
            "sku": p["ProductID"],
            "product_name": p["ProductName"],
            "category": categories[p["CategoryID"]],
            "product_line": categories[p["CategoryID"]],
            "list_price": p["UnitPrice"],
            "currency": "USD",
        }
        for p in read(source, "products")
    ]
    write(out, "erp_products", products)
    orders = [
        {
            "order_id": o["OrderID"],
            "customer_id": o["CustomerID"],
            "rep_id": o["EmployeeID"],
            "order_date": o["OrderDate"],
            "currency": "USD",
            "status": "confirmed",
        }
        for o in read(source, "orders")
    ]
    write(out, "erp_sales_orders", orders)
    lines = []
    for d in read(source, "order_details"):
        quantity, price, discount = Decimal(d["Quantity"]), Decimal(d["UnitPrice"]), Decimal(d["Discount"])
        lines.append(
            {
                "order_line_id": f"{d['OrderID']}-{d['ProductID']}",
                "order_id": d["OrderID"],
                "product_id": d["ProductID"],
                "quantity": d["Quantity"],
                "unit_price": d["UnitPrice"],
                "discount_amount": decimal_text(quantity * price * discount),
            }
        )
    write(out, "erp_sales_order_lines", lines)
    return {"crm_sales_reps": len(reps), "crm_teams": len(teams), "crm_accounts": len(accounts),
            "erp_products": len(products), "erp_sales_orders": len(orders), "erp_sales_order_lines": len(lines)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of the Northwind CSV files")
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write")
    args = parser.parse_args(argv)
    counts = convert(args.source, args.out)
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print("settings: " + " ".join(f"{k}={v}" for k, v in SETTINGS.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
