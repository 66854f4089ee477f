"""Fault injection: documented bad rows on top of a clean landing dataset, with a manifest.

    python -m salesperf.generate --faults                  # the clean data of the seed, then bad rows
    python -m salesperf.generate --faults missing_column   # a separate scenario: one file loses a column
    python -m salesperf.generate --faults empty_file       # a separate scenario: one file of 0 bytes

``inject_faults(out_dir, seed)`` appends the rows of ``FAULTS`` to the clean files in ``out_dir`` and
writes ``<out_dir>/_faults_manifest.csv`` (table, key, fault, expected_rule, description): one line per
row the warehouse must quarantine, keyed like ``dq_rejected_rows.row_key`` (key columns joined with
'|', '∅' for an empty key), so a test can compare the two exactly.

Rules of the game, so the clean rows' figures stay as they were:
- every bad row is a new row with a fresh key (``...F0000001``), never an edit of a clean row, and
  breaks exactly one quarantine rule (the first rule it breaks is the one listed);
- the exact duplicate copies a clean row: one copy is kept, nothing changes;
- the conflicting duplicate copies a clean survey response with another score: both copies are
  rejected, so the clean response's key is in the manifest too (fault
  ``duplicate_conflicting_original``) and its NPS/CSAT figures change; this is the only clean row
  whose figures the faults touch (``TOUCHED_INDICATORS``);
- a file that cannot be read at all stops the build, so ``missing_column`` and ``empty_file`` are
  separate scenarios (``write_unreadable``), never part of the main faulty dataset.

Landing files hold text: the tables that receive bad rows are rewritten with every column as text
(as ``landing_source`` reads them anyway), in the dataset's own format (Parquet or CSV).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from salesperf.contract import TABLES_BY_NAME, Table

MANIFEST_NAME = "_faults_manifest.csv"
MANIFEST_COLUMNS = ("table", "key", "fault", "expected_rule", "description")
UNREADABLE_SCENARIOS = ("missing_column", "empty_file")
# Indicators computed from crm_surveys: the conflicting duplicate removes one clean response.
TOUCHED_INDICATORS = ("nps", "csat_economic", "csat_relationship")
# The conflicting duplicate's clean survey response (its customer, rep and period may change).
TOUCHED_TABLE = "crm_surveys"
FAR_FUTURE = "2099-03-01"
IMPOSSIBLE_DATE = "2024-02-30"

Row = dict[str, str | None]


@dataclass(frozen=True)
class Injected:
    """One row the warehouse must quarantine: a line of the manifest."""

    table: str
    key: str
    fault: str
    expected_rule: str
    description: str


def row_key(table: Table, row: Row) -> str:
    """The row's key as ``dq_rejected_rows.row_key`` shows it (macro ``dq_row_key``)."""
    parts = []
    for column in table.key:
        value = row.get(column)
        value = value.strip() if value is not None else None
        parts.append(value if value is not None else "∅")
    return "|".join(parts)


class _Landing:
    """The clean landing files, read as text through DuckDB (as the warehouse reads them)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.con = duckdb.connect()

    def path(self, table: str) -> Path:
        for ext in ("parquet", "csv"):
            candidate = self.out_dir / f"{table}.{ext}"
            if candidate.exists():
                return candidate
        raise FileNotFoundError(f"no landing file for {table} in {self.out_dir}")

    def relation(self, table: str) -> str:
        path = str(self.path(table)).replace("'", "''")
        columns = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in TABLES_BY_NAME[table].column_names)
        if path.endswith(".csv"):
            reader = f"read_csv('{path}', header = true, all_varchar = true, auto_detect = true)"
        else:
            reader = f"read_parquet('{path}')"
        return f"(select {columns} from {reader})"

    def rows(self, sql: str, params: list | None = None) -> list[Row]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def arrow(self, table: str) -> pa.Table:
        return self.con.execute(f"select * from {self.relation(table)}").to_arrow_table()


class _Picker:
    """Deterministic choice of the clean rows the faults copy or point at."""

    def __init__(self, landing: _Landing, seed: int) -> None:
        self.landing = landing
        self.rng = random.Random(seed * 7919 + 5)
        orders = landing.relation("erp_sales_orders")
        # The as-of date the warehouse derives: the latest live order date (clean data has no gaps).
        latest = landing.con.execute(
            f"select max(try_cast(order_date as date)) from {orders} "
            "where coalesce(lower(is_deleted), 'false') not in ('true', 't', '1', 'yes', 'y')"
        ).fetchone()[0]
        if latest is None:
            raise ValueError(f"no orders in {landing.out_dir}: generate the clean dataset first")
        self.as_of: date = latest

    def one(self, sql: str) -> Row:
        candidates = self.landing.rows(sql)
        if not candidates:
            raise ValueError(f"no clean row to base a fault on: {sql}")
        return dict(self.rng.choice(candidates))

    def order(self) -> Row:
        """A confirmed, live CNY order from the middle of the history, with lines."""
        orders = self.landing.relation("erp_sales_orders")
        lines = self.landing.relation("erp_sales_order_lines")
        return self.one(
            f"select orders.* from {orders} as orders "
            f"where orders.status = 'confirmed' and orders.currency = 'CNY' "
            f"and coalesce(lower(orders.is_deleted), 'false') = 'false' "
            f"and cast(orders.order_date as date) between date '{self.as_of}' - interval 720 day "
            f"and date '{self.as_of}' - interval 60 day "
            f"and exists (select 1 from {lines} as lines where lines.order_id = orders.order_id "
            f"and coalesce(lower(lines.is_deleted), 'false') = 'false') "
            f"order by orders.order_id limit 500"
        )

    def line_of(self, order_id: str) -> Row:
        lines = self.landing.relation("erp_sales_order_lines")
        return self.one(
            f"select * from {lines} where order_id = '{order_id}' "
            f"and coalesce(lower(is_deleted), 'false') = 'false' order by order_line_id"
        )

    def paid_invoice(self) -> tuple[Row, str]:
        """A CNY invoice paid in full, and the date of its last payment (well before as-of)."""
        invoices = self.landing.relation("erp_invoices")
        payments = self.landing.relation("erp_payments")
        row = self.one(
            f"select invoices.*, cast(max(cast(payments.payment_date as date)) as varchar) as last_paid "
            f"from {invoices} as invoices "
            f"inner join {payments} as payments on payments.invoice_id = invoices.invoice_id "
            f"where invoices.currency = 'CNY' and payments.currency = 'CNY' "
            f"group by all "
            f"having abs(sum(cast(payments.amount as decimal(18, 4))) "
            f"- cast(invoices.amount as decimal(18, 4))) < 0.005 "
            f"and max(cast(payments.payment_date as date)) < date '{self.as_of}' - interval 90 day "
            f"order by invoices.invoice_id limit 500"
        )
        last_paid = row.pop("last_paid")
        return row, last_paid

    def survey(self) -> Row:
        surveys = self.landing.relation("crm_surveys")
        return self.one(
            f"select * from {surveys} where coalesce(lower(is_deleted), 'false') = 'false' "
            f"and nps_score is not null and cast(surveyed_at as date) < date '{self.as_of}' - interval 60 day "
            f"order by survey_id limit 500"
        )

    def first(self, table: str, order_by: str, live: bool = False) -> Row:
        """The first row of ``table`` by ``order_by``; with ``live``, the first not soft-deleted."""
        where = "where coalesce(lower(is_deleted), 'false') = 'false' " if live else ""
        return dict(
            self.landing.rows(f"select * from {self.landing.relation(table)} {where}order by {order_by} limit 1")[0]
        )


def _fresh(prefix: str, n: int, width: int) -> str:
    return f"{prefix}F{n:0{width}d}"


def _plan(picker: _Picker) -> list[tuple[str, Row, str, str, str]]:
    """(table, row, fault, expected_rule, description) of every bad row, in file order."""
    plan: list[tuple[str, Row, str, str, str]] = []

    def add(table: str, row: Row, fault: str, rule: str, description: str) -> None:
        plan.append((table, row, fault, rule, description))

    # ------------------------------------------------------------------ erp_sales_orders
    order = picker.order()
    order_date = date.fromisoformat(order["order_date"])

    def new_order(n: int, **changes: str | None) -> Row:
        return {**order, "order_id": _fresh("O", n, 8), "contract_id": None, "is_deleted": "false", **changes}

    add("erp_sales_orders", new_order(1, order_id=None), "null_key", "null_key", "order without an order_id")
    add(
        "erp_sales_orders",
        new_order(2, customer_id="C_UNKNOWN"),
        "unknown_customer",
        "unknown_reference",
        "order for a customer that is not in crm_accounts",
    )
    add(
        "erp_sales_orders",
        new_order(3, rep_id=None),
        "missing_rep",
        "missing_required_value",
        "order without its credited rep (rep_id is required)",
    )
    add(
        "erp_sales_orders",
        new_order(4, order_date=IMPOSSIBLE_DATE),
        "impossible_calendar_date",
        "unparseable_date",
        f"order dated {IMPOSSIBLE_DATE}, a day that does not exist",
    )
    future_order = new_order(5, order_date=FAR_FUTURE)
    add(
        "erp_sales_orders",
        future_order,
        "future_date",
        "future_date",
        f"order dated {FAR_FUTURE}, far after the as-of date (a typo)",
    )
    bad_currency_order = new_order(6, currency="XYZ")
    add(
        "erp_sales_orders",
        bad_currency_order,
        "unknown_currency",
        "unknown_currency",
        "order in currency XYZ, which has no fx rate",
    )
    add(
        "erp_sales_orders",
        new_order(7, channel="telepathy"),
        "unknown_channel",
        "unknown_value",
        "order with a channel outside the closed list",
    )

    # ------------------------------------------------------------------ erp_sales_order_lines
    line = picker.line_of(order["order_id"])

    def new_line(n: int, **changes: str | None) -> Row:
        return {**line, "order_line_id": _fresh("L", n, 9), "is_deleted": "false", **changes}

    add(
        "erp_sales_order_lines",
        new_line(1, quantity="-5"),
        "negative_quantity",
        "out_of_range",
        "line with quantity -5",
    )
    add(
        "erp_sales_order_lines",
        new_line(2, unit_price="-120.5"),
        "negative_price",
        "out_of_range",
        "line with unit_price -120.5",
    )
    add(
        "erp_sales_order_lines",
        new_line(3, unit_price="twelve"),
        "text_in_numeric_column",
        "unparseable_number",
        "line whose unit_price is the word 'twelve'",
    )
    add(
        "erp_sales_order_lines",
        new_line(4, order_id="O_MISSING"),
        "unknown_order",
        "unknown_reference",
        "line of an order that is not in erp_sales_orders",
    )
    add(
        "erp_sales_order_lines",
        new_line(5, product_id=None),
        "missing_product",
        "missing_required_value",
        "line without a product (product_id is required)",
    )
    add(
        "erp_sales_order_lines",
        new_line(6, order_id=bad_currency_order["order_id"]),
        "line_of_quarantined_order",
        "reference_rejected",
        "line of the order in currency XYZ (itself rejected)",
    )
    add(
        "erp_sales_order_lines",
        new_line(7, order_id=future_order["order_id"]),
        "line_of_future_order",
        "reference_rejected",
        f"line of the order dated {FAR_FUTURE}",
    )
    add(
        "erp_sales_order_lines",
        dict(line),
        "duplicate_exact",
        "duplicate_exact",
        "an exact copy of a clean line: one copy is kept, no figure changes",
    )

    # ------------------------------------------------------------------ erp_invoices
    invoices = picker.landing.relation("erp_invoices")
    invoice_template = picker.landing.rows(f"select * from {invoices} where order_id = ? limit 1", [order["order_id"]])
    invoice = (
        dict(invoice_template[0])
        if invoice_template
        else {
            "invoice_id": None,
            "order_id": order["order_id"],
            "customer_id": order["customer_id"],
            "invoice_date": order["order_date"],
            "due_date": (order_date + timedelta(days=30)).isoformat(),
            "amount": "100.0",
            "currency": "CNY",
        }
    )
    add(
        "erp_invoices",
        {**invoice, "invoice_id": _fresh("I", 1, 8), "invoice_date": IMPOSSIBLE_DATE},
        "impossible_calendar_date",
        "unparseable_date",
        f"invoice dated {IMPOSSIBLE_DATE}",
    )
    add(
        "erp_invoices",
        {**invoice, "invoice_id": _fresh("I", 2, 8), "currency": "ABC"},
        "unknown_currency",
        "unknown_currency",
        "invoice in currency ABC, which has no fx rate",
    )

    # ------------------------------------------------------------------ erp_payments
    paid, last_paid = picker.paid_invoice()
    paid_on = date.fromisoformat(last_paid)
    payment = {
        "invoice_id": paid["invoice_id"],
        "payment_date": (paid_on + timedelta(days=3)).isoformat(),
        "amount": paid["amount"],
        "currency": paid["currency"],
    }
    add(
        "erp_payments",
        {"payment_id": _fresh("PM", 1, 8), **payment},
        "payment_exceeds_invoice",
        "payment_exceeds_invoice",
        "a second payment of the full amount of an invoice already paid",
    )
    add(
        "erp_payments",
        {"payment_id": _fresh("PM", 2, 8), **payment, "invoice_id": "I_MISSING"},
        "unknown_invoice",
        "unknown_reference",
        "payment for an invoice that is not in erp_invoices",
    )
    add(
        "erp_payments",
        {"payment_id": _fresh("PM", 3, 8), **payment, "amount": "n/a"},
        "text_in_numeric_column",
        "unparseable_number",
        "payment whose amount is 'n/a'",
    )
    add(
        "erp_payments",
        {"payment_id": _fresh("PM", 4, 8), **payment, "payment_date": "2099-01-15"},
        "future_date",
        "future_date",
        "payment dated 2099-01-15",
    )

    # ------------------------------------------------------------------ erp_deliveries
    deliveries = picker.landing.relation("erp_deliveries")
    template = picker.landing.rows(f"select * from {deliveries} limit 1")[0]
    add(
        "erp_deliveries",
        {
            **template,
            "delivery_id": _fresh("D", 1, 8),
            "contract_id": None,
            "order_id": order["order_id"],
            "promised_date": (order_date + timedelta(days=7)).isoformat(),
            "delivered_date": (order_date - timedelta(days=3)).isoformat(),
            "requires_installation": "false",
            "install_promised_date": None,
            "installed_date": None,
        },
        "delivered_before_ordered",
        "impossible_date",
        "delivery dated 3 days before its order",
    )

    # ------------------------------------------------------------------ crm_surveys
    survey = picker.survey()
    add(
        "crm_surveys",
        {**survey, "survey_id": _fresh("SV", 1, 7), "nps_score": "11"},
        "score_out_of_range",
        "out_of_range",
        "survey response with NPS 11 (0-10)",
    )
    other_score = "0" if survey["nps_score"] != "0" else "10"
    add(
        "crm_surveys",
        {**survey, "nps_score": other_score},
        "duplicate_conflicting",
        "duplicate_conflicting",
        f"a second response with the key of a clean one and NPS {other_score}: both copies are rejected",
    )
    add(
        "crm_surveys",
        dict(survey),
        "duplicate_conflicting_original",
        "duplicate_conflicting",
        "the clean response whose key the conflicting copy reuses (already in the clean file)",
    )

    # ------------------------------------------------------------------ crm_activities
    activity = picker.first("crm_activities", "activity_id", live=True)
    add(
        "crm_activities",
        {**activity, "activity_id": _fresh("A", 1, 9), "activity_at": f"{IMPOSSIBLE_DATE} 10:00:00"},
        "impossible_calendar_date",
        "unparseable_timestamp",
        f"activity at {IMPOSSIBLE_DATE} 10:00:00",
    )
    add("crm_activities", {**activity, "activity_id": None}, "null_key", "null_key", "activity without an activity_id")

    # ------------------------------------------------------------------ crm_accounts
    account = picker.first("crm_accounts", "customer_id")
    add(
        "crm_accounts",
        {
            **account,
            "customer_id": "CF000001",
            "is_deleted": "false",
            "segment": "B2X",
            "referred_by_customer_id": None,
        },
        "unknown_segment",
        "unknown_value",
        "account with segment B2X (B2B or B2C)",
    )
    add(
        "crm_accounts",
        {
            **account,
            "customer_id": "CF000002",
            "is_deleted": "false",
            "is_target_account": "maybe",
            "referred_by_customer_id": None,
        },
        "text_in_boolean_column",
        "unparseable_boolean",
        "account whose is_target_account is 'maybe'",
    )

    # ------------------------------------------------------------------ hr_skill_assessments
    assessment = picker.first("hr_skill_assessments", "assessment_id")
    add(
        "hr_skill_assessments",
        {**assessment, "assessment_id": _fresh("SA", 1, 8), "score": "140"},
        "score_out_of_range",
        "out_of_range",
        "skill score 140 (0-100)",
    )

    # ------------------------------------------------------------------ fx_rates
    fx = picker.first("fx_rates", "currency, rate_date")
    add(
        "fx_rates",
        {**fx, "rate_date": "1999-12-31", "rate_to_base": "-7.1"},
        "negative_rate",
        "out_of_range",
        "exchange rate -7.1",
    )
    plan += _value_faults(picker, order, line)
    return plan


# ---------------------------------------------------------------------------------------------
# Values that casts used to misread (issue 10 items 1-4, 6, 13; issue 9 items 8, 9)
# ---------------------------------------------------------------------------------------------
# Rows of these faults that the warehouse must read correctly (not quarantine) carry one of these
# outcomes instead of a rule: staged as a valid row, or staged as a soft-deleted row.
READ_CORRECTLY = "read_correctly"
SOFT_DELETED = "soft_deleted"
NOT_REJECTED = (READ_CORRECTLY, SOFT_DELETED)
# The return of the values block: a fresh sale and its return with the same lines, on the date of
# a clean B2B order of the same customer and rep, so every figure stays as it was if (and only
# if) the return counts with the opposite sign on the right day. Its order date is given as a UTC
# timestamp that is the previous day in UTC and that day in the company time zone.
RETURN_SALE_ID = "OF00000101"
RETURN_ID = "OF00000102"


def quarantined(manifest: list[Injected]) -> list[Injected]:
    """The manifest's rows the warehouse must reject (the others are read correctly)."""
    return [m for m in manifest if m.expected_rule not in NOT_REJECTED]


def _value_faults(picker: _Picker, order: Row, line: Row) -> list[tuple[str, Row, str, str, str]]:
    plan: list[tuple[str, Row, str, str, str]] = []

    def add(table: str, row: Row, fault: str, rule: str, description: str) -> None:
        plan.append((table, row, fault, rule, description))

    def new_line(n: int, **changes: str | None) -> Row:
        return {**line, "order_line_id": _fresh("L", n, 9), "is_deleted": "false", **changes}

    # ---- numbers: strict grammar, finite, plausible
    for n, (column, text, rule, what) in enumerate(
        [
            ("quantity", "NaN", "unparseable_number", "quantity NaN (not a number)"),
            ("quantity", "inf", "unparseable_number", "quantity inf (not finite)"),
            ("unit_price", "-Infinity", "unparseable_number", "unit_price -Infinity (not finite)"),
            ("quantity", "1e300", "out_of_range", "quantity 1e300 (above the plausible bound 1e9)"),
            ("unit_price", "2e12", "out_of_range", "unit_price 2e12 (above the money bound 1e12)"),
            ("quantity", "1_000", "unparseable_number", "quantity 1_000 (DuckDB would read 1000)"),
            ("unit_price", "1,5", "unparseable_number", "unit_price 1,5 (a decimal comma is not read)"),
        ],
        start=101,
    ):
        add("erp_sales_order_lines", new_line(n, **{column: text}), f"{column}_{text}", rule, f"line with {what}")
    add(
        "erp_sales_order_lines",
        new_line(108, quantity="2", unit_price="10", discount_amount="25"),
        "discount_above_gross",
        "out_of_range",
        "line with a discount of 25 on a gross amount of 2 × 10 (negative net sales)",
    )
    # ---- booleans: an explicit list of spellings
    add(
        "erp_sales_order_lines",
        new_line(109, is_deleted="deleted"),
        "is_deleted_deleted",
        "unparseable_boolean",
        "line whose is_deleted is 'deleted' (not a boolean spelling: neither live nor deleted)",
    )
    add(
        "erp_sales_order_lines",
        new_line(110, is_deleted="maybe"),
        "is_deleted_maybe",
        "unparseable_boolean",
        "line whose is_deleted is 'maybe'",
    )
    add(
        "erp_sales_order_lines",
        new_line(111, is_deleted="是"),
        "is_deleted_shi",
        SOFT_DELETED,
        "line whose is_deleted is 是 (yes): soft-deleted; read as live it would add to sales",
    )
    add(
        "erp_sales_order_lines",
        new_line(112, unit_price="1,234.50", discount_amount="0", is_deleted=" Y "),
        "thousands_separator",
        SOFT_DELETED,
        "soft-deleted line (is_deleted ' Y ') whose unit_price is 1,234.50 (quoted in CSV): read as 1234.5",
    )
    accounts = picker.landing.relation("crm_accounts")
    survey = picker.first("crm_surveys", "survey_id", live=True)
    add(
        "crm_surveys",
        {**survey, "survey_id": _fresh("SV", 101, 7), "nps_score": "7.5"},
        "fractional_integer",
        "unparseable_number",
        "survey response with NPS 7.5 (an integer column)",
    )
    add(
        "crm_surveys",
        {**survey, "survey_id": _fresh("SV", 102, 7), "nps_score": "1_0"},
        "underscore_in_integer",
        "unparseable_number",
        "survey response with NPS 1_0",
    )
    training = picker.first("hr_trainings", "training_id")
    add(
        "hr_trainings",
        {**training, "training_id": _fresh("TR", 101, 8), "hours": "NaN"},
        "hours_nan",
        "unparseable_number",
        "training with hours NaN",
    )
    # ---- whitespace: tabs, no-break and ideographic spaces are trimmed like spaces
    opportunity = picker.first("crm_opportunities", "opportunity_id", live=True)
    add(
        "crm_opportunities",
        {**opportunity, "opportunity_id": _fresh("OP", 101, 8), "status": "won\t", "is_deleted": "true"},
        "enum_with_tab",
        SOFT_DELETED,
        "soft-deleted opportunity whose status is 'won' followed by a tab: read as won",
    )
    add(
        "crm_opportunities",
        {
            **opportunity,
            "opportunity_id": _fresh("OP", 102, 8),
            "status": "\u3000Won\u00a0",
            "is_deleted": "\ttrue\n",
        },
        "enum_with_unicode_spaces",
        SOFT_DELETED,
        "soft-deleted opportunity (is_deleted 'true' between a tab and a newline) whose status is 'Won' "
        "between an ideographic and a no-break space",
    )
    # ---- dates: strict ISO
    add(
        "crm_opportunities",
        {**opportunity, "opportunity_id": _fresh("OP", 103, 8), "expected_close_date": "2024-3-5"},
        "date_not_iso",
        "unparseable_date",
        "opportunity whose expected_close_date is 2024-3-5 (not YYYY-MM-DD)",
    )
    # ---- payments dated before their invoice
    paid, _last_paid = picker.paid_invoice()
    invoice_date = date.fromisoformat(str(paid["invoice_date"])[:10])
    add(
        "erp_payments",
        {
            "payment_id": _fresh("PM", 101, 8),
            "invoice_id": paid["invoice_id"],
            "payment_date": (invoice_date - timedelta(days=5)).isoformat(),
            "amount": "1.00",
            "currency": paid["currency"],
        },
        "payment_before_invoice",
        "payment_before_invoice",
        "payment dated 5 days before its invoice (negative collection days)",
    )
    # ---- returns (order_type, original_order_id)
    orders = picker.landing.relation("erp_sales_orders")
    lines = picker.landing.relation("erp_sales_order_lines")
    clean = picker.one(
        f"select orders.* from {orders} as orders "
        f"inner join {accounts} as accounts on accounts.customer_id = orders.customer_id "
        f"where orders.status = 'confirmed' and orders.currency = 'CNY' and accounts.segment = 'B2B' "
        f"and coalesce(lower(orders.is_deleted), 'false') = 'false' "
        f"and cast(orders.order_date as date) between date '{picker.as_of}' - interval 700 day "
        f"and date '{picker.as_of}' - interval 90 day "
        f"and exists (select 1 from {lines} as lines where lines.order_id = orders.order_id "
        f"and coalesce(lower(lines.is_deleted), 'false') = 'false') "
        f"order by orders.order_id limit 500"
    )
    day = date.fromisoformat(str(clean["order_date"])[:10])
    clean_lines = picker.landing.rows(
        f"select * from {lines} where order_id = ? and coalesce(lower(is_deleted), 'false') = 'false' "
        "order by order_line_id",
        [clean["order_id"]],
    )

    def new_order(order_id: str, **changes: str | None) -> Row:
        return {
            **clean,
            "order_id": order_id,
            "contract_id": None,
            "order_type": None,
            "original_order_id": None,
            "is_deleted": "false",
            **changes,
        }

    add(
        "erp_sales_orders",
        new_order(RETURN_SALE_ID, order_type="sale", order_date=f"{day.isoformat()} 10:15:00"),
        "sale_returned",
        READ_CORRECTLY,
        f"a sale on {day} (order_date a local timestamp: its date is taken), fully returned by {RETURN_ID}",
    )
    add(
        "erp_sales_orders",
        new_order(
            RETURN_ID,
            order_type="return",
            original_order_id=RETURN_SALE_ID,
            order_date=f"{(day - timedelta(days=1)).isoformat()}T23:30:00Z",
        ),
        "return_order",
        READ_CORRECTLY,
        f"the return of {RETURN_SALE_ID} dated {day - timedelta(days=1)}T23:30:00Z = {day} in Asia/Shanghai: "
        "its lines reduce sales and cost on that day (read in UTC it would precede its sale: impossible_date)",
    )
    for n, clean_line in enumerate(clean_lines):
        for order_id, offset in ((RETURN_SALE_ID, 201), (RETURN_ID, 601)):
            add(
                "erp_sales_order_lines",
                {**clean_line, "order_line_id": _fresh("L", offset + n, 9), "order_id": order_id},
                "return_line" if order_id == RETURN_ID else "returned_sale_line",
                READ_CORRECTLY,
                f"a line of {order_id} (copy of clean line {clean_line['order_line_id']}, positive quantity)",
            )
    add(
        "erp_sales_orders",
        new_order("OF00000103", order_type="refund"),
        "order_type_refund",
        "unknown_value",
        "order whose order_type is 'refund' (sale or return)",
    )
    add(
        "erp_sales_orders",
        new_order("OF00000104", order_type="return", original_order_id="O_MISSING"),
        "return_of_unknown_order",
        "unknown_reference",
        "return whose original_order_id is not in erp_sales_orders",
    )
    add(
        "erp_sales_orders",
        new_order("OF00000105", order_type="return", original_order_id="OF00000103"),
        "return_of_rejected_order",
        "reference_rejected",
        "return of the order with order_type 'refund' (itself rejected)",
    )
    add(
        "erp_sales_orders",
        new_order(
            "OF00000106",
            order_type="return",
            original_order_id=RETURN_SALE_ID,
            order_date=(day - timedelta(days=10)).isoformat(),
        ),
        "return_before_sale",
        "impossible_date",
        f"return of {RETURN_SALE_ID} dated 10 days before it",
    )
    add(
        "erp_sales_orders",
        new_order("OF00000107", is_deleted="是"),
        "is_deleted_shi",
        SOFT_DELETED,
        "order whose is_deleted is 是 (yes): soft-deleted",
    )
    return plan


def _write(landing: _Landing, table_name: str, new_rows: list[Row]) -> None:
    """Rewrite one landing file with its clean rows and the new ones, every column as text."""
    table = TABLES_BY_NAME[table_name]
    path = landing.path(table_name)
    clean = landing.arrow(table_name)
    names = table.column_names
    extra = pa.table({c: pa.array([r.get(c) for r in new_rows], type=pa.string()) for c in names})
    combined = pa.concat_tables([clean.select(names).cast(extra.schema), extra])
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".csv":
        pacsv.write_csv(combined, tmp, pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed"))
    else:
        pq.write_table(combined, tmp, compression="zstd")
    tmp.replace(path)


def inject_faults(out_dir: str | Path, seed: int = 42, progress: Callable[[str], None] | None = None) -> list[Injected]:
    """Append the bad rows to the clean dataset in ``out_dir``; write and return the manifest."""
    out = Path(out_dir)
    if (out / MANIFEST_NAME).exists():
        raise ValueError(f"{out} already has {MANIFEST_NAME}: inject faults into a clean dataset only")
    say = progress or (lambda _msg: None)
    landing = _Landing(out)
    plan = _plan(_Picker(landing, seed))
    manifest: list[Injected] = []
    by_table: dict[str, list[Row]] = {}
    for table_name, row, fault, rule, description in plan:
        table = TABLES_BY_NAME[table_name]
        manifest.append(Injected(table_name, row_key(table, row), fault, rule, description))
        if fault.endswith("_original"):
            continue  # already in the clean file
        by_table.setdefault(table_name, []).append({c: row.get(c) for c in table.column_names})
    for table_name, rows in by_table.items():
        _write(landing, table_name, rows)
        say(f"  {table_name:<28} +{len(rows)} bad rows")
    landing.con.close()
    write_manifest(out / MANIFEST_NAME, manifest)
    rejected = len(quarantined(manifest))
    say(
        f"faults: {rejected} rows to quarantine, {len(manifest) - rejected} to read correctly, "
        f"listed in {out / MANIFEST_NAME}"
    )
    return manifest


def write_manifest(path: Path, rows: list[Injected]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MANIFEST_COLUMNS)
        for row in rows:
            writer.writerow([row.table, row.key, row.fault, row.expected_rule, row.description])


def read_manifest(path: str | Path) -> list[Injected]:
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return [Injected(**{k: r[k] for k in MANIFEST_COLUMNS}) for r in csv.DictReader(handle)]


def write_unreadable(out_dir: str | Path, scenario: str, table: str | None = None) -> Injected:
    """Make one landing file unreadable, the build must stop naming it.

    ``missing_column``: the file loses a column the contract requires (default: erp_sales_order_lines
    without unit_price). ``empty_file``: the file becomes 0 bytes (default: erp_payments, an optional
    table: even an optional file must have its header row).
    """
    out = Path(out_dir)
    landing = _Landing(out)
    if scenario == "missing_column":
        table = table or "erp_sales_order_lines"
        contract = TABLES_BY_NAME[table]
        candidates = [c for c in contract.columns if not c.optional and c.name not in contract.key]
        required = [c for c in candidates if not c.nullable]
        dropped = (required or candidates)[-1].name
        path = landing.path(table)
        kept = [c for c in contract.column_names if c != dropped]
        data = landing.arrow(table).select(kept)
        landing.con.close()
        if path.suffix == ".csv":
            pacsv.write_csv(data, path)
        else:
            pq.write_table(data, path)
        fault = Injected(table, "", "missing_column", "build_stops", f"{path.name} lacks column {dropped}")
    elif scenario == "empty_file":
        table = table or "erp_payments"
        path = landing.path(table)
        landing.con.close()
        path.write_bytes(b"")
        fault = Injected(table, "", "empty_file", "build_stops", f"{path.name} is 0 bytes")
    else:
        raise ValueError(f"scenario must be one of {UNREADABLE_SCENARIOS}, not {scenario!r}")
    write_manifest(out / MANIFEST_NAME, [fault])
    return fault


# ---------------------------------------------------------------------------------------------
# File-level faults (issue 10): whole files as messy exports write them
# ---------------------------------------------------------------------------------------------

FILE_SCENARIOS = (
    "gbk_undeclared",
    "gbk_declared",
    "utf8_bom",
    "upper_case_header",
    "both_formats",
    "unquoted_thousands",
    "quoted_thousands_late",
    "integer_ids_parquet",
)
# expected outcomes of a file scenario (column expected_rule of the manifest)
STOPS = "build_stops"  # the preflight stops, naming the file (and the line: description "… line N …")
READ_CORRECTLY = "read_correctly"  # read as if it were a clean UTF-8 file
# What a user declares for gbk_declared (the test sets it; docs/data_quality.md).
GBK_DECLARED_TABLE = "crm_sales_reps"
GBK_DECLARATION = {"SALESPERF_LANDING_ENCODING_CRM_SALES_REPS": "gbk"}
LATE_LINE_KEY = "LF00000001"  # the order line with a quoted "1,234.50" after row 20,480


def _text_rows(landing: _Landing, table: str) -> list[list[str | None]]:
    data = landing.arrow(table)
    columns = [data.column(i).to_pylist() for i in range(data.num_columns)]
    return [list(values) for values in zip(*columns, strict=True)]


def _write_csv(
    path: Path, header: list[str], rows: list[list[str | None]], encoding: str = "utf-8", bom: bool = False
) -> None:
    with path.open("w", newline="", encoding=encoding) as handle:
        if bom:
            handle.write("\ufeff")
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def _as_csv(landing: _Landing, table: str, **options: object) -> tuple[Path, list[list[str | None]]]:
    """Rewrite one table as CSV (the Parquet file is removed); returns the CSV path and its rows."""
    old = landing.path(table)
    rows = _text_rows(landing, table)
    path = landing.out_dir / f"{table}.csv"
    header = [c.upper() if options.get("upper") else c for c in TABLES_BY_NAME[table].column_names]
    _write_csv(path, header, rows, str(options.get("encoding", "utf-8")), bool(options.get("bom")))
    if old != path:
        old.unlink()
    return path, rows


def write_file_fault(out_dir: str | Path, scenario: str) -> Injected:
    """Apply one file-level fault to a clean dataset in ``out_dir``; append it to the manifest.

    Several scenarios can be applied to one dataset (each touches its own table), so one build
    shows that every broken file is reported at once. Outcomes: ``build_stops`` (the description
    names the file and, for CSV, ``line N``) or ``read_correctly``.
    """
    out = Path(out_dir)
    landing = _Landing(out)
    try:
        fault = _file_fault(landing, scenario)
    finally:
        landing.con.close()
    manifest = out / MANIFEST_NAME
    write_manifest(manifest, (read_manifest(manifest) if manifest.exists() else []) + [fault])
    return fault


def _file_fault(landing: _Landing, scenario: str) -> Injected:
    if scenario == "gbk_undeclared":
        table = "crm_teams"
        path, rows = _as_csv(landing, table, encoding="gb18030")
        first = next(i for i, row in enumerate(rows) if any(v and not v.isascii() for v in row))
        line = first + 2  # header is line 1
        return Injected(table, "", scenario, STOPS, f"{path.name} line {line}: GB18030 without a declared encoding")
    if scenario == "gbk_declared":
        table = GBK_DECLARED_TABLE
        path, _rows = _as_csv(landing, table, encoding="gbk")
        declared = " ".join(f"{k}={v}" for k, v in GBK_DECLARATION.items())
        return Injected(table, "", scenario, READ_CORRECTLY, f"{path.name} in GBK, declared by {declared}")
    if scenario == "utf8_bom":
        table = "crm_regions"
        path, _rows = _as_csv(landing, table, bom=True)
        return Injected(table, "", scenario, READ_CORRECTLY, f"{path.name} starts with a UTF-8 byte-order mark")
    if scenario == "upper_case_header":
        table = "crm_accounts"
        path, _rows = _as_csv(landing, table, upper=True)
        return Injected(table, "", scenario, READ_CORRECTLY, f"{path.name} has an upper-case header")
    if scenario == "both_formats":
        table = "erp_invoices"
        parquet = landing.path(table)
        rows = _text_rows(landing, table)
        half = landing.out_dir / f"{table}.csv"
        _write_csv(half, TABLES_BY_NAME[table].column_names, rows[: len(rows) // 2])
        return Injected(table, "", scenario, STOPS, f"{half.name} and {parquet.name} are both present")
    if scenario == "unquoted_thousands":
        table = "erp_sales_order_lines"
        names = TABLES_BY_NAME[table].column_names
        old = landing.path(table)
        rows = _text_rows(landing, table)
        middle = len(rows) // 2
        path = landing.out_dir / f"{table}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for i, row in enumerate(rows):
                if i == middle:  # written by hand: the comma of 1,234.50 splits the value in two
                    values = ["" if v is None else v for v in row]
                    values[names.index("unit_price")] = "1,234.50"
                    handle.write(",".join(values) + "\r\n")
                else:
                    writer.writerow(["" if v is None else v for v in row])
        if old != path:
            old.unlink()
        line = middle + 2
        return Injected(table, "", scenario, STOPS, f"{path.name} line {line}: unquoted 1,234.50 (one field too many)")
    if scenario == "quoted_thousands_late":
        table = "erp_sales_order_lines"
        names = TABLES_BY_NAME[table].column_names
        rows = _text_rows(landing, table)
        if len(rows) <= 20_480:
            raise ValueError(f"{table} has {len(rows)} rows: the scenario needs more than 20,480")
        # a line of a cancelled order: read correctly, it is staged and changes no figure
        order_names = TABLES_BY_NAME["erp_sales_orders"].column_names
        cancelled = {
            row[order_names.index("order_id")]
            for row in _text_rows(landing, "erp_sales_orders")
            if row[order_names.index("status")] == "cancelled"
        }
        template = next(dict(zip(names, row, strict=True)) for row in rows if row[names.index("order_id")] in cancelled)
        new = dict(template, **{TABLES_BY_NAME[table].key[0]: LATE_LINE_KEY, "unit_price": "1,234.50"})
        old = landing.path(table)
        path = landing.out_dir / f"{table}.csv"
        _write_csv(path, names, rows + [[new[c] for c in names]])
        if old != path:
            old.unlink()
        line = len(rows) + 2
        return Injected(
            table,
            LATE_LINE_KEY,
            scenario,
            READ_CORRECTLY,
            f'{path.name} line {line}: a quoted "1,234.50" after row 20,480 is read as one value '
            "and parsed as 1234.5 (a line of a cancelled order: no figure changes)",
        )
    if scenario == "integer_ids_parquet":
        import pyarrow.compute as pc

        rewritten = []
        for table, kind in (("hr_compliance_checks", pa.int64()), ("hr_trainings", pa.float64())):
            key = TABLES_BY_NAME[table].key[0]
            data = landing.arrow(table)
            digits = pc.cast(pc.replace_substring_regex(data.column(key), "[^0-9]", ""), pa.int64()).cast(kind)
            data = data.set_column(data.schema.get_field_index(key), key, digits)
            old = landing.path(table)
            path = landing.out_dir / f"{table}.parquet"
            pq.write_table(data, path)
            if old != path:
                old.unlink()
            rewritten.append(f"{path.name} ({key} {kind})")
        return Injected(
            "hr_compliance_checks",
            "",
            scenario,
            READ_CORRECTLY,
            "integer and float ids in Parquet are read as text ids (14, never 14.0): " + ", ".join(rewritten),
        )
    raise ValueError(f"scenario must be one of {FILE_SCENARIOS}, not {scenario!r}")


__all__ = [
    "FAULTS_DOC",
    "FILE_SCENARIOS",
    "READ_CORRECTLY",
    "STOPS",
    "write_file_fault",
    "MANIFEST_COLUMNS",
    "MANIFEST_NAME",
    "TOUCHED_INDICATORS",
    "TOUCHED_TABLE",
    "UNREADABLE_SCENARIOS",
    "NOT_REJECTED",
    "READ_CORRECTLY",
    "SOFT_DELETED",
    "Injected",
    "inject_faults",
    "quarantined",
    "read_manifest",
    "row_key",
    "write_manifest",
    "write_unreadable",
]
FAULTS_DOC = __doc__
