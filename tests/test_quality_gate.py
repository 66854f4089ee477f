"""The Great Expectations gate: it passes on the clean build (the main command published it and
recorded every check in dq_results) and fails on a deliberately broken mart: a rate of 1.7, a
missing (indicator, grain) pair, sums that no longer reconcile. Plus the pure-Python pieces:
dbt results, freshness and the summary."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from salesperf.quality import dbt_checks, freshness
from salesperf.quality.gate import GateOutcome, summary_lines
from salesperf.quality.results import CheckResult, write_results

# ---------------------------------------------------------------------------------------------
# on real builds
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_gate_passed_on_the_clean_build_and_recorded_every_check(demo_build):
    results = demo_build.query("select * from main.dq_results")
    assert "[dq] data-quality summary" in demo_build.log
    assert set(results["check_type"]) >= {"dbt_test", "dbt_unit_test", "gx_expectation", "freshness"}
    assert set(results["layer"]) >= {"landing", "staging", "marts", "reports"}
    blocking = results[(results["severity"] == "error") & results["status"].isin(["fail", "error"])]
    assert blocking.empty, blocking[["check_id", "message"]].to_string()
    gx = results[results["check_type"] == "gx_expectation"].set_index("check_id")
    for check in (
        "gx.reports.indicator_values.key.unique",
        "gx.reports.indicator_values.value.at_most_valid_max",
        "gx.reports.indicator_values.catalog_pairs",
        "gx.reports.reconciliation.grains_to_company.sales_amount",
        "gx.reports.reconciliation.report_to_fact.sales_amount",
        "gx.staging.dq_row_accounting.nothing_lost",
    ):
        assert gx.loc[check, "status"] == "pass", check
    docs = demo_build.warehouse.parent / "data_docs"
    assert "reports.indicator_values" in (docs / "index.html").read_text(encoding="utf-8")
    summary = (docs / "summary.html").read_text(encoding="utf-8")
    assert "Every check of severity error passed" in summary and "https://" not in summary


@pytest.fixture(scope="module")
def broken_mart(demo_build, tmp_path_factory) -> Path:
    """A copy of the clean warehouse with three figures broken on purpose."""
    path = tmp_path_factory.mktemp("broken") / "broken.duckdb"
    shutil.copy2(demo_build.warehouse, path)
    with duckdb.connect(str(path)) as con:
        # a rate of 1.7: collection_rate must stay within [0, 1]
        con.execute(
            """
            update main.indicator_values set value = 1.7
            where (indicator_code, grain, entity_id, period_type, period_start) in (
                select indicator_code, grain, entity_id, period_type, period_start
                from main.indicator_values
                where indicator_code = 'collection_rate' and grain = 'rep' and period_type = 'month'
                order by entity_id, period_start limit 1
            )
            """
        )
        # a (indicator, grain) pair the catalog marks disappears
        con.execute("delete from main.indicator_values where indicator_code = 'visit_count' and grain = 'team'")
        # one rep's sales no longer add up to the company's
        con.execute(
            """
            update main.indicator_values set value = value + 1000
            where (indicator_code, grain, entity_id, period_type, period_start) in (
                select indicator_code, grain, entity_id, period_type, period_start
                from main.indicator_values
                where indicator_code = 'sales_amount' and grain = 'rep' and period_type = 'month'
                order by entity_id, period_start limit 1
            )
            """
        )
    return path


@pytest.fixture(scope="module")
def broken_results(broken_mart, demo_build, tmp_path_factory) -> dict[str, CheckResult]:
    from salesperf.quality.checkpoint import run_checkpoint

    work = tmp_path_factory.mktemp("broken_gate")
    results = run_checkpoint(broken_mart, demo_build.landing_dir, work / "data_docs", work, "CNY", layers=("reports",))
    return {r.check_id: r for r in results}


def _clean(demo_build, check_id: str) -> int:
    """Failing rows of a check on the clean build (0 unless another family is broken right now)."""
    rows = demo_build.query("select failing_rows from main.dq_results where check_id = ?", [check_id])
    return int(rows["failing_rows"].fillna(0).iloc[0]) if len(rows) else 0


@pytest.mark.slow
def test_checkpoint_fails_on_a_rate_of_1_7(broken_results, demo_build):
    check_id = "gx.reports.indicator_values.value.at_most_valid_max"
    check = broken_results[check_id]
    assert check.blocks_publishing and check.status == "fail"
    assert check.failing_rows - _clean(demo_build, check_id) == 1
    assert "rows break it, e.g." in check.message


@pytest.mark.slow
def test_checkpoint_fails_on_a_missing_catalog_pair(broken_results, demo_build):
    check_id = "gx.reports.indicator_values.catalog_pairs"
    check = broken_results[check_id]
    assert check.blocks_publishing
    assert check.failing_rows - _clean(demo_build, check_id) == 4  # visit_count at team: 4 period types


@pytest.mark.slow
def test_checkpoint_fails_on_sums_that_do_not_reconcile(broken_results, demo_build):
    check_id = "gx.reports.reconciliation.grains_to_company.sales_amount"
    check = broken_results[check_id]
    assert check.blocks_publishing and check.failing_rows - _clean(demo_build, check_id) == 1
    assert "sales_amount|rep|Σ|month|" in check.message
    # what was not broken still passes
    assert broken_results["gx.reports.indicator_values.key.unique"].status == "pass"
    assert broken_results["gx.reports.reconciliation.report_to_fact.sales_amount"].status == "pass"


@pytest.mark.slow
def test_data_docs_are_written_offline(broken_results, tmp_path_factory):
    docs = next(tmp_path_factory.getbasetemp().glob("broken_gate*/data_docs"))
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "reports.indicator_values" in index
    assert list((docs / "validations").rglob("*.html"))
    assert (docs / "static" / "styles" / "data_docs_default_styles.css").exists()


# ---------------------------------------------------------------------------------------------
# pure Python
# ---------------------------------------------------------------------------------------------


def _results_dir(tmp_path: Path) -> Path:
    manifest = {
        "nodes": {
            "test.p.not_null_fct_x_id.abc": {
                "name": "not_null_fct_x_id",
                "original_file_path": "models/marts/sales/fct_x.yml",
                "config": {"severity": "ERROR"},
                "attached_node": "model.p.fct_x",
                "description": "",
            },
            "test.p.relationships_stg_y.def": {
                "name": "relationships_stg_y",
                "original_file_path": "models/staging/crm/_crm__models.yml",
                "config": {"severity": "warn"},
                "attached_node": "model.p.stg_y",
                "description": "warn: an orphan",
            },
            "test.p.assert_pairs": {
                "name": "assert_pairs",
                "original_file_path": "data-tests/reports/assert_pairs.sql",
                "config": {"severity": "warn"},
                "depends_on": {"nodes": ["model.p.indicator_values"]},
            },
        },
        "unit_tests": {
            "unit_test.p.fct_x.test_it": {
                "name": "test_it",
                "original_file_path": "models/marts/sales/fct_x.yml",
                "model": "fct_x",
                "config": {},
            }
        },
    }
    run_results = {
        "results": [
            {"unique_id": "model.p.fct_x", "status": "success", "failures": None, "message": "OK"},
            {"unique_id": "test.p.not_null_fct_x_id.abc", "status": "pass", "failures": 0, "message": None},
            {
                "unique_id": "test.p.relationships_stg_y.def",
                "status": "warn",
                "failures": 3,
                "message": "Got 3 results, configured to warn if != 0",
            },
            {"unique_id": "test.p.assert_pairs", "status": "skipped", "failures": None, "message": None},
            {"unique_id": "unit_test.p.fct_x.test_it", "status": "fail", "failures": 1, "message": "actual differs"},
        ]
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "run_results.json").write_text(json.dumps(run_results))
    return tmp_path


def test_dbt_results_become_check_results(tmp_path):
    results = {r.check_id: r for r in dbt_checks.test_results(_results_dir(tmp_path))}
    assert set(results) == {
        "test.p.not_null_fct_x_id.abc",
        "test.p.relationships_stg_y.def",
        "test.p.assert_pairs",
        "unit_test.p.fct_x.test_it",
    }
    ok = results["test.p.not_null_fct_x_id.abc"]
    assert (ok.layer, ok.object_name, ok.severity, ok.status) == ("marts", "fct_x", "error", "pass")
    orphan = results["test.p.relationships_stg_y.def"]
    assert (orphan.layer, orphan.severity, orphan.status, orphan.failing_rows) == ("staging", "warn", "warn", 3)
    assert not orphan.blocks_publishing and "warn: an orphan" in orphan.message
    pairs = results["test.p.assert_pairs"]
    assert (pairs.layer, pairs.object_name, pairs.status) == ("reports", "indicator_values", "skipped")
    unit = results["unit_test.p.fct_x.test_it"]
    assert (unit.check_type, unit.severity, unit.status) == ("dbt_unit_test", "error", "fail")
    assert unit.blocks_publishing
    assert dbt_checks.failed_nodes(tmp_path) == ["unit_test fct_x.test_it: actual differs"]


def test_freshness_uses_the_sources_thresholds_on_either_format(tmp_path):
    con = duckdb.connect()
    con.execute(
        f"copy (select * from (values ('O1', date '2026-11-01'), ('O2', date '2026-11-20'), ('O3', date '2099-01-01'))"
        f" as t(order_id, order_date)) to '{tmp_path / 'erp_sales_orders.csv'}' (header)"
    )
    con.execute(
        f"copy (select * from (values ('P1', date '2026-10-01')) as t(payment_id, payment_date))"
        f" to '{tmp_path / 'erp_payments.parquet'}' (format parquet)"
    )

    def source(table: str, column: str, filtered: bool) -> dict:
        loaded_at = f"try_cast({column} as timestamp)"
        return {
            "name": table,
            "loaded_at_field": loaded_at,
            "freshness": {
                "warn_after": {"count": 3, "period": "day"},
                "error_after": {"count": 7, "period": "day"},
                "filter": f"{loaded_at} <= timestamp '2026-11-23'" if filtered else None,
            },
        }

    manifest = {
        "sources": {
            "source.p.erp.erp_sales_orders": source("erp_sales_orders", "order_date", True),
            "source.p.erp.erp_payments": source("erp_payments", "payment_date", False),
            "source.p.erp.erp_invoices": source("erp_invoices", "invoice_date", False),  # no file: no data
            "source.p.crm.crm_teams": {"name": "crm_teams", "freshness": None},
        }
    }
    checks = {c.object_name: c for c in freshness.freshness_checks(manifest, tmp_path, dt.datetime(2026, 11, 23))}
    assert set(checks) == {"erp_sales_orders", "erp_payments"}
    orders, payments = checks["erp_sales_orders"], checks["erp_payments"]
    assert orders.status == "pass" and "newest row 2026-11-20, 3 days old" in orders.message  # 2099 filtered out
    assert payments.status == "fail" and "53 days old" in payments.message
    assert {orders.severity, payments.severity} == {"warn"} and not payments.blocks_publishing


def test_results_are_written_into_dq_results_and_summarised(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    results = [
        CheckResult("a", "not_null_a", "dbt_test", "marts", "fct_a", "error", "pass", 0, ""),
        CheckResult("b", "range", "gx_expectation", "reports", "indicator_values", "error", "fail", 2, "1.7 > 1"),
        CheckResult("c", "orphans", "dbt_test", "staging", "stg_c", "warn", "warn", 3, "orphans"),
        CheckResult(
            "freshness.erp_payments",
            "source_freshness_erp_payments",
            "freshness",
            "landing",
            "erp_payments",
            "warn",
            "fail",
            None,
            "newest row 2026-10-01, 53 days old",
        ),
    ]
    assert write_results(warehouse, results, dt.datetime(2026, 11, 23, 8)) == 4
    assert write_results(warehouse, results[:2], dt.datetime(2026, 11, 23, 9)) == 2  # replaces, not appends
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*), max(checked_at) from main.dq_results").fetchone() == (
            2,
            dt.datetime(2026, 11, 23, 9),
        )
    outcome = GateOutcome(results=results, rejected=[("erp_payments", "unknown_reference", "error", 2)])
    assert [r.check_id for r in outcome.blocking] == ["b"] and not outcome.passed
    text = "\n".join(summary_lines(outcome))
    assert "1 pass · 1 warn · 1 fail · 0 error · 0 skipped  (2 dbt_test, 1 gx_expectation)" in text
    assert "rejected rows (main.dq_rejected_rows): 2" in text and "unknown_reference" in text
    assert "stale  erp_payments" in text
    assert "WARN  staging      stg_c: orphans (3 rows)" in text
    assert "failed checks of severity error: 1" in text
