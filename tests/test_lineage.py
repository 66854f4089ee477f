"""salesperf.quality.lineage: from a failing indicator row to the landing rows behind it."""

from __future__ import annotations

import duckdb

from salesperf.quality import lineage


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """
        create table fct_payments as select * from (values
            ('PM1', 'I1', 'C1', 'R1', 'T1', date '2025-03-10', date '2025-03-01'),
            ('PM2', 'I2', 'C1', 'R1', 'T1', date '2025-03-02', date '2025-03-20'),
            ('PM3', 'I3', 'C1', 'R1', 'T1', date '2025-03-05', date '2025-03-06'),
            ('PM4', 'I4', 'C2', 'R1', 'T1', date '2025-03-05', date '2025-01-06'),
            ('PM5', 'I5', 'C1', 'R1', 'T1', date '2025-04-05', date '2025-01-06')
        ) as t(payment_id, invoice_id, customer_id, rep_id, team_id, payment_date, invoice_date)
        """
    )
    return con


def test_negative_collection_days_name_the_payments_before_their_invoice() -> None:
    con = _warehouse()
    table, keys, count = lineage.landing_rows(con, "avg_collection_days|customer|C1|month|2025-03-01", limit=1)
    assert table == "erp_payments"
    assert count == 3  # C1's payments of March 2025
    assert keys == ["payment_id=PM2, invoice_id=I2"]  # paid 18 days before its invoice: shown first


def test_company_and_quarter_rows_and_the_message() -> None:
    con = _warehouse()
    _, keys, count = lineage.landing_rows(con, "avg_collection_days|company|company|quarter|2025-01-01")
    assert count == 4 and len(keys) == 3
    message = lineage.describe(con, ["avg_collection_days|customer|C2|month|2025-03-01"])
    assert message == (
        "landing rows behind them: avg_collection_days|customer|C2|month|2025-03-01 ← erp_payments "
        "payment_id=PM4, invoice_id=I4"
    )


def test_unknown_grain_column_or_fact_gives_nothing() -> None:
    con = _warehouse()
    assert lineage.landing_rows(con, "avg_collection_days|product|P1|month|2025-03-01") == ("erp_payments", [], 0)
    assert lineage.landing_rows(con, "visit_count|rep|R1|month|2025-03-01") == ("crm_activities", [], 0)
    assert lineage.describe(con, ["not|a|key"]) == ""
