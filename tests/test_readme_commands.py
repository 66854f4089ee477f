"""Every README command for an analyst is run exactly as written (issue 9): the shell blocks of README.md's
section "For analysts", each on the data it is written for (tests/readme_blocks.py says how). Each block
runs once per test run: the tests that need its build share the run (the first build block is the
session's demo build, the US company's block is test_company_matrix's usd_company build, the CRM imports
are test_adapters_build's and test_adapters_lwc_recipes' builds).
The SQL blocks of the README and of docs/*.md are then run against the published demo warehouse.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR
from readme_blocks import (
    PLACEHOLDER,
    README,
    BlockRun,
    analyst_commands,
    code_blocks,
    demo_build_block,
    usd_settings_block,
    usd_vars_block,
)

pytestmark = pytest.mark.slow

# The README's sections link to these for the full text; their SQL runs on the warehouse too.
DOCS = sorted((PROJECT_DIR / "docs").glob("*.md"))


def test_analyst_section_documents_the_commands():
    """The parse finds what an analyst needs: the build command and dbt itself."""
    script = "\n".join(analyst_commands())
    assert "tasks.py build" in script
    assert re.search(r"^\s*dbt build", script, re.M)
    assert "SALESPERF_LANDING_DIR" in script


@pytest.fixture(scope="module")
def readme_runs(readme_block_runs) -> list[BlockRun]:
    return [readme_block_runs(i) for i in range(len(analyst_commands()))]


def test_readme_commands_run_as_written(readme_runs):
    failed = [r for r in readme_runs if r.returncode != 0]
    assert not failed, "\n\n".join(f"exit {r.returncode} of:\n{r.script}\n{r.output[-4000:]}" for r in failed)
    for run in readme_runs:
        if "tasks.py build" in run.script or re.search(r"^\s*dbt build", run.script, re.M):
            assert run.warehouse.exists(), f"the documented SALESPERF_WAREHOUSE was not written by:\n{run.script}"
            with duckdb.connect(str(run.warehouse), read_only=True) as con:
                assert con.execute("select count(*) from main.indicator_values").fetchone()[0] > 0
        if "docs generate --static" in run.script:
            assert (run.work / "target" / "static_index.html").exists()


@pytest.fixture(scope="module")
def readme_run(readme_block_runs):
    """The published warehouse of the demo build block (the demo data built as documented)."""
    run = readme_block_runs(demo_build_block())
    return run, run.warehouse, run.work


def test_readme_sql_runs_on_the_published_warehouse(readme_run):
    run, warehouse, _ = readme_run
    assert run.returncode == 0, "the README's commands failed (see test_readme_commands_run_as_written)"
    queries = [q for doc in (README, *DOCS) for q in code_blocks(doc.read_text(encoding="utf-8"), {"sql"})]
    assert queries
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for block in queries:
            for statement in (s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";")):
                if statement:
                    con.execute(statement).fetchall()


def test_placeholders_are_documented():
    """Every placeholder the commands use is one this test substitutes (and so documented)."""
    found = set(PLACEHOLDER.findall("\n".join(analyst_commands())))
    assert found <= {"/path/to/extracts", "/path/to/warehouse.duckdb", "~/Downloads/crm_export"}, found


def test_settings_by_vars_are_the_settings_by_environment(readme_block_runs):
    """The README's `--vars` block ("the same settings by --vars instead") builds the US company's files
    with the settings its environment-variable block gives: the same main.warehouse_settings and the
    same published figures (doubles to 1e-9: a parallel sum may add in another order). So the unit tests
    the environment block's build ran under those settings hold for the --vars build, which leaves them
    out."""
    env_run, vars_run = readme_block_runs(usd_settings_block()), readme_block_runs(usd_vars_block())
    assert env_run.returncode == 0 and vars_run.returncode == 0, (env_run.output[-3000:], vars_run.output[-3000:])
    by_env, by_vars = env_run.as_build(), vars_run.as_build()

    settings = by_env.query("from main.warehouse_settings")
    pd.testing.assert_frame_equal(settings, by_vars.query("from main.warehouse_settings"))
    assert settings["base_currency"].tolist() == ["USD"]
    figures = "from main.indicator_values order by indicator_code, grain, entity_id, period_type, period_start"
    env_figures = by_env.query(figures)
    assert len(env_figures) > 0
    pd.testing.assert_frame_equal(env_figures, by_vars.query(figures), check_exact=False, rtol=1e-9, atol=1e-9)
    unit_tests = by_env.query("select status from main.dq_results where check_type = 'dbt_unit_test'")
    assert len(unit_tests) > 50 and set(unit_tests["status"]) == {"pass"}, "the environment block's unit tests"
