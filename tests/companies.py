"""Small synthetic companies for the company matrix (tests/test_company_matrix.py).

Hand-written shapes the demo generator never produces, each a deterministic function of nothing
(no random numbers): the same files on every run. Each company writes its landing CSV files and
says how it is configured (environment variables, or dbt ``--vars``, or the project defaults).

- ``usd_company``: US dollars, fiscal year = calendar year, 10 months of history ending mid-month
  (the last month is running), only the six required tables, every account created before its
  first order, settings given by environment variables.
- ``old_company``: a history that starts in 1997 (before the default calendar start), a few
  customers and reps, a rep who changes team, customers who lapse and come back, settings given
  by ``--vars``.
- ``messy_company``: returns (``order_type`` = ``return`` with ``original_order_id``), payments
  dated before their invoice, opportunities on products that do not exist, $0 orders and lines,
  products without launch dates, a rep with targets and no sales; the project's default settings
  (CNY, fiscal year from April, Asia/Shanghai).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from salesperf.contract import TABLES_BY_NAME


@dataclass(frozen=True)
class Company:
    name: str
    env: dict[str, str] = field(default_factory=dict)  # settings given as environment variables
    dbt_args: tuple[str, ...] = ()  # settings given as dbt arguments (python3.11 tasks.py build <args>)
    base_currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    fiscal_year_start_month: int = 4
    order_history_complete_from: date | None = None  # None: unknown (not set)


def write_table(landing: Path, table: str, rows: list[dict]) -> None:
    """One landing CSV: every non-optional contract column (empty where a row has no value),
    plus the optional columns the rows carry (is_deleted, team_id, order_type, ...)."""
    spec = TABLES_BY_NAME[table]
    columns = [c.name for c in spec.columns if not c.optional]
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    landing.mkdir(parents=True, exist_ok=True)
    with (landing / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else _text(row[c]) for c in columns})


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, 28))


# ------------------------------------------------------------------------------------- (a)
USD = Company(
    name="usd_company",
    env={
        "SALESPERF_BASE_CURRENCY": "USD",
        "SALESPERF_FISCAL_YEAR_START_MONTH": "1",
        "SALESPERF_TIMEZONE": "America/New_York",
        "SALESPERF_ORDER_HISTORY_COMPLETE_FROM": "2024-01-01",
    },
    base_currency="USD",
    timezone="America/New_York",
    fiscal_year_start_month=1,
    order_history_complete_from=date(2024, 1, 1),
)
USD_AS_OF = date(2024, 10, 15)


def usd_company(landing: Path) -> Company:
    """Acme Tools Inc.: 2 teams, 6 reps, 12 customers, 5 products, Jan 2 – Oct 15 2024, USD."""
    write_table(
        landing,
        "crm_teams",
        [
            {
                "team_id": "EAST",
                "team_name": "East Coast",
                "region_code": "US-E",
                "team_stage": "mature",
                "manager_rep_id": "U01",
                "created_at": "2019-03-01T09:00:00-05:00",
            },
            {
                "team_id": "WEST",
                "team_name": "West Coast",
                "region_code": "US-W",
                "team_stage": "growth",
                "manager_rep_id": "U04",
                "created_at": "2021-06-01T09:00:00-07:00",
            },
        ],
    )
    reps = [
        ("U01", "Dana Whitfield", "regional_manager", "EAST", "2018-02-01"),
        ("U02", "Luis Ortega", "rep", "EAST", "2020-09-14"),
        ("U03", "Priya Natarajan", "rep", "EAST", "2022-01-10"),
        ("U04", "Sam O'Connor", "regional_manager", "WEST", "2019-05-20"),
        ("U05", "Mei Chen", "rep", "WEST", "2021-11-01"),
        ("U06", "Jordan Blake", "rep", "WEST", "2024-06-03"),
    ]
    write_table(
        landing,
        "crm_sales_reps",
        [
            {
                "rep_id": r,
                "rep_name": n,
                "email": f"{r.lower()}@acme.example",
                "role": "direct",
                "level": lv,
                "hire_date": h,
                "team_id": t,
            }
            for r, n, lv, t, h in reps
        ],
    )
    owners = ["U01", "U02", "U03", "U04", "U05", "U02", "U03", "U05", "U01", "U04", "U02", "U05"]
    write_table(
        landing,
        "crm_accounts",
        [
            {
                "customer_id": f"A{c:02d}",
                "customer_name": f"Customer {c} LLC",
                "segment": "B2B",
                "industry": ["retail", "construction", "utilities"][c % 3],
                "owner_rep_id": owners[c - 1],
                # every account exists in the CRM before its first order
                "created_at": f"2023-{1 + c % 12:02d}-15T10:00:00-05:00",
                "currency": "USD",
                "is_target_account": c % 4 == 0,
            }
            for c in range(1, 13)
        ],
    )
    products = [
        ("AP1", "Cordless drill", "power", "2021-03-01", 120.00, 70.00),
        ("AP2", "Tool bag", "storage", "2019-01-15", 75.50, 30.25),
        ("AP3", "Table saw", "power", "2024-05-01", 300.00, 190.00),
        ("AP4", "Hammer set", "hand", "2018-07-01", 42.25, 20.00),
        ("AP5", "Laser level", "measure", "2023-11-20", 999.99, 640.00),
    ]
    write_table(
        landing,
        "erp_products",
        [
            {
                "product_id": p,
                "sku": f"SKU-{p}",
                "product_name": n,
                "category": cat,
                "product_line": cat,
                "launch_date": ld,
                "lifecycle_stage": "growth",
                "is_strategic": p == "AP5",
                "list_price": lp,
                "unit_cost": uc,
                "currency": "USD",
            }
            for p, n, cat, ld, lp, uc in products
        ],
    )
    price = {p: lp for p, _, _, _, lp, _ in products}
    cost = {p: uc for p, _, _, _, _, uc in products}
    orders, lines = [], []
    rep_of_team = {"EAST": ["U01", "U02", "U03"], "WEST": ["U04", "U05", "U06"]}
    for c in range(1, 13):
        first_month = (c * 3) % 10 + 1
        step = 1 + c % 3
        for n, month in enumerate(range(first_month, 11, step)):
            last_day = 15 if month == 10 else 28
            day = 1 + (c * 5 + month * 3) % last_day
            order_date = date(2024, month, day)
            owner = owners[c - 1]
            team = "EAST" if owner in rep_of_team["EAST"] else "WEST"
            # every third order is credited to a colleague of the owner
            rep = owner if n % 3 else rep_of_team[team][(c + month) % 3]
            if rep == "U06" and order_date < date(2024, 6, 3):
                rep = owner
            order_id = f"SO-{c:02d}-{month:02d}"
            orders.append(
                {
                    "order_id": order_id,
                    "customer_id": f"A{c:02d}",
                    "rep_id": rep,
                    "order_date": order_date.isoformat(),
                    "currency": "USD",
                    "channel": ["direct", "online", "distributor"][c % 3],
                    "status": "confirmed",
                }
            )
            for j in range(1 + (c + month) % 3):
                product = f"AP{(c + month + j) % 5 + 1}"
                quantity = 1 + (c + j) % 4
                discount = round(quantity * price[product] * 0.05, 2) if (c + j) % 4 == 0 else 0.0
                lines.append(
                    {
                        "order_line_id": f"{order_id}-{j + 1}",
                        "order_id": order_id,
                        "product_id": product,
                        "quantity": quantity,
                        "unit_price": price[product],
                        "discount_amount": discount,
                        "unit_cost": cost[product],
                    }
                )
    # "today": an order on the as-of date, and one cancelled order that must never count
    orders.append(
        {
            "order_id": "SO-LAST",
            "customer_id": "A10",
            "rep_id": "U05",
            "order_date": USD_AS_OF.isoformat(),
            "currency": "USD",
            "channel": "online",
            "status": "confirmed",
        }
    )
    lines.append(
        {
            "order_line_id": "SO-LAST-1",
            "order_id": "SO-LAST",
            "product_id": "AP5",
            "quantity": 2,
            "unit_price": 999.99,
            "discount_amount": 100.0,
            "unit_cost": 640.0,
        }
    )
    orders.append(
        {
            "order_id": "SO-CANCEL",
            "customer_id": "A03",
            "rep_id": "U03",
            "order_date": "2024-09-03",
            "currency": "USD",
            "channel": "direct",
            "status": "cancelled",
        }
    )
    lines.append(
        {
            "order_line_id": "SO-CANCEL-1",
            "order_id": "SO-CANCEL",
            "product_id": "AP3",
            "quantity": 9,
            "unit_price": 300.0,
            "discount_amount": 0.0,
            "unit_cost": 190.0,
        }
    )
    write_table(landing, "erp_sales_orders", orders)
    write_table(landing, "erp_sales_order_lines", lines)
    return USD


# ------------------------------------------------------------------------------------- (b)
OLD_VARS = (
    '{base_currency: "EUR", fiscal_year_start_month: 7, company_timezone: "Europe/Paris", '
    'order_history_complete_from: "1997-01-01"}'
)
OLD = Company(
    name="old_company",
    dbt_args=("--vars", OLD_VARS),
    base_currency="EUR",
    timezone="Europe/Paris",
    fiscal_year_start_month=7,
    order_history_complete_from=date(1997, 1, 1),
)
OLD_AS_OF = date(2000, 3, 20)


def old_company(landing: Path) -> Company:
    """Maison Dupont: orders from 1997-02-10 to 2000-03-20 in euros, 3 reps, 2 teams, 5 customers;
    rep V02 moves from team NORD to team SUD on 1998-07-01; customers lapse and come back."""
    write_table(
        landing,
        "crm_teams",
        [
            {
                "team_id": "NORD",
                "team_name": "Équipe Nord",
                "region_code": "FR-N",
                "manager_rep_id": "V01",
                "created_at": "1995-01-02T08:00:00+01:00",
            },
            {
                "team_id": "SUD",
                "team_name": "Équipe Sud",
                "region_code": "FR-S",
                "manager_rep_id": "V03",
                "created_at": "1996-09-01T08:00:00+02:00",
            },
        ],
    )
    write_table(
        landing,
        "crm_sales_reps",
        [
            {
                "rep_id": "V01",
                "rep_name": "Hélène Dupont",
                "role": "key_account",
                "level": "regional_manager",
                "hire_date": "1990-04-01",
            },
            {"rep_id": "V02", "rep_name": "Jérôme Martin", "role": "direct", "level": "rep", "hire_date": "1996-11-04"},
            {
                "rep_id": "V03",
                "rep_name": "Aïcha Benali",
                "role": "direct",
                "level": "regional_manager",
                "hire_date": "1993-02-15",
            },
        ],
    )
    write_table(
        landing,
        "crm_rep_team_assignments",
        [
            {"rep_id": "V01", "team_id": "NORD", "valid_from": "1990-04-01"},
            {"rep_id": "V02", "team_id": "NORD", "valid_from": "1996-11-04", "valid_to": "1998-07-01"},
            {"rep_id": "V02", "team_id": "SUD", "valid_from": "1998-07-01"},
            {"rep_id": "V03", "team_id": "SUD", "valid_from": "1993-02-15"},
        ],
    )
    customers = ["K1", "K2", "K3", "K4", "K5"]
    owner = {"K1": "V01", "K2": "V02", "K3": "V02", "K4": "V03", "K5": "V03"}
    write_table(
        landing,
        "crm_accounts",
        [
            {
                "customer_id": k,
                "customer_name": f"Société {k}",
                "segment": "B2B",
                "owner_rep_id": owner[k],
                "created_at": "1996-12-01T09:00:00+01:00",
                "currency": "EUR",
            }
            for k in customers
        ],
    )
    write_table(
        landing,
        "erp_products",
        [
            {
                "product_id": "B1",
                "product_name": "Vin rouge (caisse)",
                "category": "vin",
                "launch_date": "1990-01-01",
                "list_price": 96.0,
                "unit_cost": 50.0,
                "currency": "EUR",
            },
            {
                "product_id": "B2",
                "product_name": "Champagne (caisse)",
                "category": "vin",
                "launch_date": "1997-09-01",
                "list_price": 210.5,
                "unit_cost": 120.0,
                "currency": "EUR",
            },
            {
                "product_id": "B3",
                "product_name": "Fromage (meule)",
                "category": "fromage",
                "launch_date": "",
                "list_price": 33.3,
                "unit_cost": "",
                "currency": "EUR",
            },
        ],
    )
    orders: list[dict] = []
    lines: list[dict] = []

    def order(order_id: str, customer: str, rep: str, day: date, items: list[tuple[str, float, float]]) -> None:
        orders.append(
            {
                "order_id": order_id,
                "customer_id": customer,
                "rep_id": rep,
                "order_date": day.isoformat(),
                "currency": "EUR",
                "channel": "direct",
                "status": "confirmed",
            }
        )
        for j, (product, quantity, unit_price) in enumerate(items, start=1):
            lines.append(
                {
                    "order_line_id": f"{order_id}/{j}",
                    "order_id": order_id,
                    "product_id": product,
                    "quantity": quantity,
                    "unit_price": unit_price,
                    "discount_amount": 0.0,
                }
            )

    # K1 and K2 buy every month (K2 in odd months, from V02 in NORD then SUD); K5 every quarter
    month = date(1997, 2, 1)
    n = 0
    while month <= date(2000, 3, 1):
        n += 1
        last = month == date(2000, 3, 1)  # the running month: nothing after the 20th
        order(
            f"F{n:03d}",
            "K1",
            "V01",
            month.replace(day=20 if last else 10 + n % 15),
            [("B1", 1 + n % 5, 96.0), ("B3", 2, 33.3)],
        )
        if month.month % 2 == 1:
            order(f"G{n:03d}", "K2", "V02", month.replace(day=5 + n % 15), [("B1", 3, 96.0)])
        if month.month in (3, 6, 9, 12) and month >= date(1997, 9, 1):
            order(f"H{n:03d}", "K5", "V03", month.replace(day=12), [("B2", 1 + n % 3, 210.5)])
        month = (month + timedelta(days=32)).replace(day=1)
    # K3: next order exactly 12 months after the previous one (still active: not new again),
    # then a gap of more than 12 months (new again)
    order("K3-1", "K3", "V02", date(1997, 5, 12), [("B2", 2, 210.5)])
    order("K3-2", "K3", "V02", date(1998, 5, 12), [("B2", 1, 210.5)])
    order("K3-3", "K3", "V03", date(1999, 6, 1), [("B1", 4, 96.0)])
    # K4: 12 months and one day later: lapsed the day before, so new again
    order("K4-1", "K4", "V03", date(1997, 8, 20), [("B3", 10, 33.3)])
    order("K4-2", "K4", "V03", date(1998, 8, 21), [("B3", 5, 33.3)])
    order("K4-3", "K4", "V02", date(2000, 2, 14), [("B1", 1, 96.0), ("B2", 1, 210.5)])
    write_table(landing, "erp_sales_orders", orders)
    write_table(landing, "erp_sales_order_lines", lines)
    return OLD


# ------------------------------------------------------------------------------------- (c)
MESSY = Company(name="messy_company")
MESSY_AS_OF = date(2024, 9, 14)
PAYMENTS_BEFORE_INVOICE = ("PAY-EARLY-1", "PAY-EARLY-2")
ORPHAN_OPPORTUNITIES = ("OPP-GHOST-1", "OPP-GHOST-2")
ZERO_ONLY_CUSTOMER = "M09"
REP_WITHOUT_SALES = "S06"


def messy_company(landing: Path) -> Company:
    """华东贸易: Jan 2023 – Sep 14 2024 in CNY with returns, early payments, orphan opportunities,
    $0 orders, products without launch dates and a rep with targets but no sales."""
    write_table(
        landing,
        "crm_teams",
        [
            {"team_id": "SH", "team_name": "上海组", "manager_rep_id": "S01", "created_at": "2020-01-01T09:00:00"},
            {"team_id": "HZ", "team_name": "杭州组", "manager_rep_id": "S04", "created_at": "2021-01-01T09:00:00"},
        ],
    )
    reps = [
        ("S01", "王芳", "SH"),
        ("S02", "李强", "SH"),
        ("S03", "赵磊", "SH"),
        ("S04", "陈静", "HZ"),
        ("S05", "刘洋", "HZ"),
        (REP_WITHOUT_SALES, "孙悦", "HZ"),
    ]
    write_table(
        landing,
        "crm_sales_reps",
        [
            {"rep_id": r, "rep_name": n, "role": "direct", "level": "rep", "hire_date": "2020-03-01", "team_id": t}
            for r, n, t in reps
        ],
    )
    customers = [f"M{c:02d}" for c in range(1, 10)]
    owners = ["S01", "S02", "S03", "S04", "S05", "S01", "S02", "S04", "S05"]
    write_table(
        landing,
        "crm_accounts",
        [
            {
                "customer_id": k,
                "customer_name": f"客户{k}",
                "segment": "B2B",
                "owner_rep_id": o,
                "created_at": "2022-06-01T10:00:00+08:00",
                "currency": "CNY",
            }
            for k, o in zip(customers, owners, strict=True)
        ],
    )
    products = [
        ("Q1", "办公椅", "家具", 880.0, 500.0),
        ("Q2", "文件柜", "家具", 1250.0, 700.0),
        ("Q3", "打印纸", "耗材", 32.5, 20.0),
        ("Q4", "碎纸机", "设备", 2100.0, 1500.0),
    ]
    write_table(
        landing,
        "erp_products",
        [  # no launch dates at all: "new product" is unknown here
            {
                "product_id": p,
                "sku": p,
                "product_name": n,
                "category": cat,
                "list_price": lp,
                "unit_cost": uc,
                "currency": "CNY",
            }
            for p, n, cat, lp, uc in products
        ],
    )
    price = {p: lp for p, _, _, lp, _ in products}
    cost = {p: uc for p, _, _, _, uc in products}
    orders: list[dict] = []
    lines: list[dict] = []

    def order(order_id, customer, rep, day, items, order_type="", original=""):
        orders.append(
            {
                "order_id": order_id,
                "customer_id": customer,
                "rep_id": rep,
                "order_date": day,
                "currency": "CNY",
                "channel": "direct",
                "status": "confirmed",
                "order_type": order_type,
                "original_order_id": original,
            }
        )
        for j, (product, quantity, unit_price, discount) in enumerate(items, start=1):
            lines.append(
                {
                    "order_line_id": f"{order_id}-{j}",
                    "order_id": order_id,
                    "product_id": product,
                    "quantity": quantity,
                    "unit_price": unit_price,
                    "discount_amount": discount,
                    "unit_cost": cost[product],
                }
            )

    month = date(2023, 1, 1)
    n = 0
    while month <= date(2024, 9, 1):
        for c in range(1, 9):  # M01..M08 buy on a rhythm of their own; M09 only gets free samples
            if (n + c) % (1 + c % 3) != 0:
                continue
            last = 14 if month == date(2024, 9, 1) else 28
            day = month.replace(day=1 + (c * 7 + n * 5) % last)
            p1, p2 = f"Q{1 + (c + n) % 4}", f"Q{1 + (c + n + 1) % 4}"
            qty = 1 + (c * n) % 6
            discount = round(qty * price[p1] * 0.1, 2) if c % 3 == 0 else 0.0
            items = [(p1, qty, price[p1], discount), (p2, 2, price[p2], 0.0)]
            if c == 5:
                items.append(("Q3", 1, 0.0, 0.0))  # a free line inside a paid order
            order_type = "sale" if c % 2 else ""  # explicit or empty: both mean a sale
            order(f"M-{n:02d}-{c}", customers[c - 1], owners[c - 1], day.isoformat(), items, order_type)
        n += 1
        month = (month + timedelta(days=32)).replace(day=1)
    order("M-LAST", "M01", "S02", MESSY_AS_OF.isoformat(), [("Q2", 1, 1250.0, 50.0)])
    # $0 orders: free samples to a customer who never buys
    order("FREE-1", ZERO_ONLY_CUSTOMER, "S05", "2023-11-08", [("Q3", 5, 0.0, 0.0)])
    order("FREE-2", ZERO_ONLY_CUSTOMER, "S05", "2024-03-19", [("Q1", 1, 880.0, 880.0)])
    # returns: positive quantities, reduce sales on the return's date, credited to the return's rep
    order("RET-1", "M02", "S03", "2023-06-20", [("Q4", 1, 2100.0, 0.0)], "return", "M-04-2")
    order("RET-2", "M04", "S04", "2024-02-07", [("Q1", 1, 880.0, 0.0), ("Q2", 1, 1250.0, 0.0)], "return", "M-12-4")
    # a whole order returned in the running month
    order("RET-3", "M07", "S02", "2024-09-11", [("Q3", 2, 32.5, 0.0), ("Q4", 2, 2100.0, 0.0)], "return", "M-19-7")
    write_table(landing, "erp_sales_orders", orders)
    write_table(landing, "erp_sales_order_lines", lines)

    # invoices for the first order of each month of M01..M04 (due 30 days later), paid in parts
    invoices, payments = [], []
    sale_orders = [
        o for o in orders if o["order_type"] != "return" and o["customer_id"] in ("M01", "M02", "M03", "M04")
    ]
    for i, o in enumerate(sale_orders):
        invoice_date = date.fromisoformat(o["order_date"]) + timedelta(days=2)
        if invoice_date > MESSY_AS_OF:
            continue
        amount = sum(
            line["quantity"] * line["unit_price"] - line["discount_amount"]
            for line in lines
            if line["order_id"] == o["order_id"]
        )
        invoices.append(
            {
                "invoice_id": f"INV-{i:03d}",
                "order_id": o["order_id"],
                "customer_id": o["customer_id"],
                "invoice_date": invoice_date.isoformat(),
                "due_date": (invoice_date + timedelta(days=30)).isoformat(),
                "amount": round(amount, 2),
                "currency": "CNY",
            }
        )
        paid = invoice_date + timedelta(days=10 + i % 40)
        if paid <= MESSY_AS_OF and i % 5 != 4:
            payments.append(
                {
                    "payment_id": f"PAY-{i:03d}",
                    "invoice_id": f"INV-{i:03d}",
                    "payment_date": paid.isoformat(),
                    "amount": round(amount, 2),
                    "currency": "CNY",
                }
            )
    # a real source quirk: prepayments booked against an invoice issued later
    early = [inv for inv in invoices if inv["invoice_id"] in ("INV-003", "INV-011")]
    for payment_id, inv in zip(PAYMENTS_BEFORE_INVOICE, early, strict=True):
        payments = [p for p in payments if p["invoice_id"] != inv["invoice_id"]]
        payments.append(
            {
                "payment_id": payment_id,
                "invoice_id": inv["invoice_id"],
                "payment_date": (date.fromisoformat(inv["invoice_date"]) - timedelta(days=4)).isoformat(),
                "amount": inv["amount"],
                "currency": "CNY",
            }
        )
    write_table(landing, "erp_invoices", invoices)
    write_table(landing, "erp_payments", payments)

    opportunities = []
    for i in range(12):
        created = date(2023, 1 + i, 3)
        status = ["won", "lost", "won", "open"][i % 4]
        closed = (created + timedelta(days=45)).isoformat() + "T15:00:00+08:00" if status != "open" else ""
        opportunities.append(
            {
                "opportunity_id": f"OPP-{i:02d}",
                "customer_id": customers[i % 8],
                "rep_id": owners[i % 8],
                "product_id": f"Q{1 + i % 4}",
                "created_at": created.isoformat() + "T10:00:00+08:00",
                "expected_close_date": (created + timedelta(days=60)).isoformat(),
                "closed_at": closed,
                "status": status,
                "stage": "closed" if closed else "proposal",
                "forecast_amount": 5000.0 + 100 * i,
                "won_amount": 4800.0 if status == "won" else "",
                "currency": "CNY",
                "target_cycle_days": 60,
            }
        )
    for j, opportunity_id in enumerate(ORPHAN_OPPORTUNITIES):  # on a product nobody knows
        opportunities.append(
            {
                "opportunity_id": opportunity_id,
                "customer_id": "M01",
                "rep_id": "S01",
                "product_id": "Q-GHOST",
                "created_at": f"2024-0{3 + j}-05T10:00:00+08:00",
                "expected_close_date": f"2024-0{5 + j}-05",
                "closed_at": f"2024-0{5 + j}-01T11:00:00+08:00",
                "status": ["won", "lost"][j],
                "stage": "closed",
                "forecast_amount": 9000.0,
                "won_amount": 8800.0 if j == 0 else "",
                "currency": "CNY",
                "target_cycle_days": 60,
            }
        )
    write_table(landing, "crm_opportunities", opportunities)

    targets = []
    month = date(2023, 1, 1)
    while month <= date(2024, 9, 1):
        for rep, _, _ in reps:
            targets.append(
                {"target_grain": "rep", "entity_id": rep, "month": month.isoformat(), "target_sales_amount": 20000.0}
            )
        for team in ("SH", "HZ"):
            targets.append(
                {"target_grain": "team", "entity_id": team, "month": month.isoformat(), "target_sales_amount": 60000.0}
            )
        month = (month + timedelta(days=32)).replace(day=1)
    write_table(landing, "plan_sales_targets", targets)
    return MESSY


COMPANIES = {"usd_company": usd_company, "old_company": old_company, "messy_company": messy_company}
AS_OF = {"usd_company": USD_AS_OF, "old_company": OLD_AS_OF, "messy_company": MESSY_AS_OF}
