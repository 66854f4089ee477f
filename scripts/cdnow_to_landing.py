"""Map the CDNOW 1/10 sample (tests/fixtures/cdnow/, MIT, see SOURCE.md) into the landing contract
(salesperf/contract.py), so the warehouse's CLV can be compared with the published BTYD fits.

    .venv/bin/python scripts/cdnow_to_landing.py --out /tmp/cdnow --until 1997-09-30
    SALESPERF_LANDING_DIR=/tmp/cdnow SALESPERF_AS_OF_DATE=1997-09-30 SALESPERF_BASE_CURRENCY=USD \
        SALESPERF_ORDER_HISTORY_COMPLETE_FROM=1997-01-01 python3.11 tasks.py build

Settings (printed by the script): amounts are US dollars; the sample is the cohort of customers
whose first purchase was in 1997-Q1, so the history is complete from 1997-01-01; with --until the
as-of date is that day (the literature's calibration period ends 1997-09-30: 39 weeks).

Mapping (standard library only; amounts are copied as decimal text, never through floats):

| CDNOW | landing table | how |
|---|---|---|
| (one company) | `crm_regions`, `crm_teams`, `crm_sales_reps` | one region `US`, one team `T1`, one rep `R1` (CDNOW sold online: every order is credited to that rep) |
| sample customer id | `crm_accounts` | customer_id = the sample id without leading zeros (`0001` -> `1`, as in the literature's summaries); segment `B2C`; currency `USD` |
| (the product) | `erp_products` | one product `CD` |
| one line of the file | `erp_sales_orders` | order_id `O<line number>`; customer_id; rep_id `R1`; order_date = the date; `USD`; status `confirmed`. Several lines of a customer on one day stay separate orders: the warehouse counts one purchase per customer and day, as the literature does |
| same line | `erp_sales_order_lines` | order_line_id `L<line number>`; product `CD`; quantity 1 and unit_price = the dollar value (the line's net amount; the number of CDs is not carried); discount 0. A $0.00 line is a $0 order |

--until DATE keeps only the lines on or before DATE (the calibration period): the warehouse then
sees exactly the history the published fits were made on.
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from pathlib import Path

from landing_csv import write

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = PROJECT_DIR / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
SETTINGS = {
    "SALESPERF_BASE_CURRENCY": "USD",
    "SALESPERF_ORDER_HISTORY_COMPLETE_FROM": "1997-01-01",
}


def read(source: Path, until: date | None) -> list[dict[str, str]]:
    """The transaction lines (sample id, ISO date, dollar value), with a clear error for a bad line."""
    rows = []
    with source.open(encoding="ascii") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            fields = text.split()
            try:
                if len(fields) != 5:
                    raise ValueError(f"expected 5 fields, found {len(fields)}")
                _master, sample_id, day, _cds, value = fields
                when = date(int(day[:4]), int(day[4:6]), int(day[6:8]))
                amount = Decimal(value)
                if amount < 0 or not sample_id.isdigit():
                    raise ValueError("negative value or non-numeric customer id")
            except (ValueError, ArithmeticError) as exc:
                raise SystemExit(f"{source}:{number}: unreadable CDNOW line {text.strip()!r}: {exc}") from None
            if until is not None and when > until:
                continue
            rows.append(
                {"line": str(number), "customer_id": str(int(sample_id)), "date": when.isoformat(), "value": value}
            )
    return rows


def convert(source: Path, out: Path, until: date | None = None) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    lines = read(source, until)
    write(out, "crm_regions", [{"region_code": "US", "region_name": "US"}])
    write(
        out, "crm_teams", [{"team_id": "T1", "team_name": "CDNOW online", "region_code": "US", "manager_rep_id": "R1"}]
    )
    write(
        out,
        "crm_sales_reps",
        [{"rep_id": "R1", "rep_name": "CDNOW online store", "role": "direct", "level": "rep", "team_id": "T1"}],
    )
    customers = sorted({r["customer_id"] for r in lines}, key=int)
    write(
        out,
        "crm_accounts",
        [
            {"customer_id": c, "customer_name": f"CDNOW customer {c}", "segment": "B2C", "currency": "USD"}
            for c in customers
        ],
    )
    product = {"product_id": "CD", "sku": "CD", "product_name": "CD", "category": "Music", "product_line": "Music"}
    write(out, "erp_products", [{**product, "currency": "USD"}])
    write(
        out,
        "erp_sales_orders",
        [
            {
                "order_id": f"O{r['line']}",
                "customer_id": r["customer_id"],
                "rep_id": "R1",
                "order_date": r["date"],
                "currency": "USD",
                "channel": "online",
                "status": "confirmed",
            }
            for r in lines
        ],
    )
    write(
        out,
        "erp_sales_order_lines",
        [
            {
                "order_line_id": f"L{r['line']}",
                "order_id": f"O{r['line']}",
                "product_id": "CD",
                "quantity": "1",
                "unit_price": r["value"],
                "discount_amount": "0",
            }
            for r in lines
        ],
    )
    return {"crm_accounts": len(customers), "erp_sales_orders": len(lines), "erp_sales_order_lines": len(lines)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the CDNOW_sample.txt file")
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write")
    parser.add_argument("--until", type=date.fromisoformat, help="keep lines on or before this date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    counts = convert(args.source, args.out, args.until)
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    settings = dict(SETTINGS)
    if args.until is not None:
        settings["SALESPERF_AS_OF_DATE"] = args.until.isoformat()
    print("settings: " + " ".join(f"{k}={v}" for k, v in settings.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
