"""Salesforce's own sample data (trailheadapps/lwc-recipes, CC0), an sObject-tree export, from the
export folder to the published warehouse with the README's two commands (`import`, `build`) and
the mapping a user would write for it (tests/fixtures/salesforce_lwc_recipes/mapping.yml, an
edited copy of the `salesforce` preset). The expected figures are computed here from the JSON
files with the json module alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, Build
from test_adapters_build import warehouse_won

FIXTURE = Path(__file__).parent / "fixtures" / "salesforce_lwc_recipes"
MAPPING = FIXTURE / "mapping.yml"
AS_OF = "2025-12-31"  # after every close date of the sample
ORG_OWNER = "ORG-OWNER"  # the mapping's one rep: the export has no OwnerId
SOURCE_FILES = {"account": "Accounts.json", "opportunity": "Opportunities.json"}

pytestmark = pytest.mark.slow


def records(name: str) -> list[dict]:
    return json.loads((FIXTURE / name).read_text(encoding="utf-8"))["records"]


def expected_figures() -> dict:
    """From Opportunities.json alone: won amount by owner and by close month; won and lost
    opportunities by close year (win rate = won / (won + lost) closed in the period)."""
    by_owner: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    closed_by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # year -> [won, won + lost]
    for opp in records("Opportunities.json"):
        stage = opp["StageName"]
        if stage not in {"Closed Won", "Closed Lost"}:
            continue
        year = int(opp["CloseDate"][:4])
        closed_by_year[year][1] += 1
        if stage == "Closed Won":
            closed_by_year[year][0] += 1
            amount = Decimal(str(opp["Amount"]))
            by_owner[opp.get("OwnerId", ORG_OWNER)] += amount
            by_month[opp["CloseDate"][:7]] += amount
    return {
        "by_owner": dict(by_owner),
        "by_month": dict(by_month),
        "win_rate": {y: tuple(v) for y, v in closed_by_year.items()},
    }


@pytest.fixture(scope="module")
def lwc_build(readme_block_runs) -> tuple[Build, str]:
    """The README's two commands for this sample (USD, as-of date AS_OF; `import --from` the mapping,
    then `build`), run as written (tests/readme_blocks.py; the same run test_readme_commands checks):
    the build and the commands' output."""
    import readme_blocks

    run = readme_block_runs(readme_blocks.lwc_import_block())
    mapping = str(MAPPING.relative_to(PROJECT_DIR))
    for written in (f"SALESPERF_AS_OF_DATE={AS_OF}", "SALESPERF_BASE_CURRENCY=USD", mapping):
        assert written in run.script, written
    assert "tasks.py import" in run.output, run.output[-6000:]
    return run.as_build(), run.output


def _warehouse_file(build: Build) -> Path:
    """The published file, or (when the gate refused to publish) the build's working copy."""
    if build.warehouse.exists():
        return build.warehouse
    return build.warehouse.parent / ".build" / build.warehouse.name


def test_sample_is_imported_with_every_row_accounted_for(lwc_build):
    build, output = lwc_build
    assert "every value was covered by the mapping" in output
    report = json.loads((build.landing_dir / "import_report.json").read_text(encoding="utf-8"))
    files = report["source_files"]
    for source, name in SOURCE_FILES.items():
        assert files[source]["file"] == name and files[source]["encoding"] == "json"
        assert files[source]["rows"] == len(records(name)) == {"account": 10, "opportunity": 20}[source]
    landed: dict[str, int] = defaultdict(int)
    for row in report["accounting"]:
        landed[row["target_table"]] += row["rows_landed"]
        if row["source_table"] == "(preset rows)":
            continue
        # source rows = landed + filtered + merged + rejected, per source file and landing table
        assert row["rows_read"] == len(records(row["source_file"])), row
        assert row["rows_read"] == row["rows_landed"] + row["rows_filtered"] + row["rows_merged"] + row["rows_rejected"]
    assert dict(landed) == report["landing_rows"]
    won = sum(o["StageName"] == "Closed Won" for o in records("Opportunities.json"))
    assert report["landing_rows"]["erp_sales_orders"] == report["landing_rows"]["erp_sales_order_lines"] == won == 2
    # references resolved: every opportunity's account is a landed account id (AccountRef…)
    accounts = {a["attributes"]["referenceId"] for a in records("Accounts.json")}
    with duckdb.connect(str(_warehouse_file(build)), read_only=True) as con:
        customers = {r[0] for r in con.execute("select customer_id from main.dim_customers").fetchall()}
        opp_customers = {r[0] for r in con.execute("select customer_id from main.fct_opportunities").fetchall()}
        accounted = dict(con.execute("select source_table, landing_rows from main.dq_row_accounting").fetchall())
        unaccounted = con.execute("select sum(unaccounted_rows) from main.dq_row_accounting").fetchone()[0]
    assert customers == accounts and opp_customers <= accounts
    for table, count in report["landing_rows"].items():
        assert accounted.get(table, 0) == count, table
    assert unaccounted == 0


def test_sample_totals_match_the_json_files(lwc_build):
    build, _ = lwc_build
    expected = expected_figures()
    assert expected["by_month"] == {"2025-01": Decimal(28500), "2025-02": Decimal(78000)}
    with duckdb.connect(str(_warehouse_file(build)), read_only=True) as con:
        won = warehouse_won(con)
        rates = con.execute(
            """
            select year(period_start), numerator, denominator from main.indicator_values
            where indicator_code = 'opportunity_win_rate' and grain = 'company' and period_type = 'year'
            """
        ).fetchall()
        sales = con.execute(
            """
            select entity_id, strftime(period_start, '%Y-%m'), value from main.indicator_values
            where indicator_code = 'sales_amount' and grain = 'rep' and period_type = 'month'
            """
        ).fetchall()
    assert won == (expected["by_owner"], expected["by_month"])
    # win rate per year: won / (won + lost) closed in the year (2024: 0 of 1, 2025: 2 of 2)
    assert {year: (int(n), int(d)) for year, n, d in rates} == expected["win_rate"]
    # each won opportunity became one order at its Amount: sales = won amounts, by rep and month
    assert {(rep, month): Decimal(str(v)) for rep, month, v in sales} == {
        (ORG_OWNER, month): amount for month, amount in expected["by_month"].items()
    }


def test_sample_passes_the_gate_and_is_published(lwc_build):
    build, _ = lwc_build
    assert build.returncode == 0, build.log[-4000:]
    assert build.warehouse.exists()
    assert "[build] data-quality gate failed" not in build.log
