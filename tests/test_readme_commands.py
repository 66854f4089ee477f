"""Every README command for an analyst is run exactly as written (issue 9).

The shell code blocks of README.md's section "For analysts" ("Point it at your own extracts",
"Run dbt yourself", and whatever else that section holds) are extracted from the README at test
time; each block runs in its own bash shell from the project root with the venv active, as the
README says, on the data it is written for (the demo data; a USD company where it sets a non-CNY
base currency; a Chinese CRM export where it imports one). Only the documented placeholders are
replaced (``/path/to/extracts``, ``/path/to/warehouse.duckdb``, ``~/Downloads/crm_export``);
SALESPERF_LANDING_DIR / SALESPERF_WAREHOUSE point at temporary folders, dbt's target/ and logs/
too, and files a block creates in the checkout (``my_crm.yml``) are removed afterwards. A block that
keeps the default company settings leaves dbt's unit tests out (the session's demo build runs them under those settings;
tests/conftest.py NO_UNIT_TESTS). The SQL blocks of the README and of docs/*.md are then run against
the published demo warehouse.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import NO_UNIT_TESTS, PROJECT_DIR
from test_adapters_build import write_cn_export

pytestmark = pytest.mark.slow

README = PROJECT_DIR / "README.md"
# The README's sections link to these for the full text; their SQL runs on the warehouse too.
DOCS = sorted((PROJECT_DIR / "docs").glob("*.md"))
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}
BLOCK = re.compile(r"^```([A-Za-z0-9_-]*)[^\n]*\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"(?:/path/to/|~/)[^\s'\"`]*")
# a block that sets company settings (a SALESPERF_ setting other than where files are and how many
# threads, or --vars): its builds run dbt's unit tests under those settings
OTHER_SETTINGS = re.compile(r"--vars|SALESPERF_(?!LANDING_DIR=|WAREHOUSE=|THREADS=)[A-Z_]+=")


def section(text: str, heading: str) -> str:
    """The text of a '## heading' section up to the next heading of the same level."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"README.md has no section '## {heading}'"
    return match.group(1)


def code_blocks(text: str, languages: set[str]) -> list[str]:
    return [body for lang, body in BLOCK.findall(text) if lang.lower() in languages]


def analyst_commands() -> list[str]:
    blocks = code_blocks(section(README.read_text(encoding="utf-8"), "For analysts"), SHELL_LANGUAGES)
    assert blocks, "the README's analyst section has no shell code block"
    return blocks


def test_analyst_section_documents_the_commands():
    """The parse finds what an analyst needs: the build command and dbt itself."""
    script = "\n".join(analyst_commands())
    assert "tasks.py build" in script
    assert re.search(r"^\s*dbt build", script, re.M)
    assert "SALESPERF_LANDING_DIR" in script


@dataclass
class BlockRun:
    script: str
    returncode: int
    output: str
    warehouse: Path
    work: Path


def run_block(index: int, block: str, root: Path) -> BlockRun:
    """One README block in its own bash shell from the project root with the venv active, on the
    data it is written for: a USD company where it sets a non-CNY base currency, a Chinese CRM
    export where it imports one, the demo data otherwise."""
    work = root / f"block{index}"
    landing = work / "extracts"
    warehouse = work / "warehouse.duckdb"
    substitutions = {"/path/to/extracts": str(landing), "/path/to/warehouse.duckdb": str(warehouse)}
    currency = re.search(r"SALESPERF_BASE_CURRENCY=(\w+)", block)
    if "tasks.py import" in block:
        substitutions["~/Downloads/crm_export"] = str(write_cn_export(work / "crm_export", full=False))
    elif currency and currency.group(1) != "CNY":
        from companies import usd_company

        usd_company(landing)
    else:
        from salesperf.generate import generate

        # demo data of the generator from 2024 (three years: every indicator has values)
        generate(landing, seed=42, scale="small", fmt="parquet", start="2024-01-01")
    unknown = set(PLACEHOLDER.findall(block)) - set(substitutions)
    assert not unknown, f"README uses placeholders this test does not know: {unknown}"
    script = block
    for placeholder, value in substitutions.items():
        script = script.replace(placeholder, value)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESPERF_", "DBT_"))}
    # where "Point it at your own extracts" says to point it (the first block exports the same)
    env.update(
        SALESPERF_LANDING_DIR=str(landing),
        SALESPERF_WAREHOUSE=str(warehouse),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    if not OTHER_SETTINGS.search(block):  # the demo build of the session ran them under these settings
        env.update(NO_UNIT_TESTS)
    # "From the root, with the venv active (source .venv/bin/activate)"
    full = f"set -euo pipefail\nsource .venv/bin/activate\nset -x\n{script}\n"
    (work / "commands.sh").write_text(full, encoding="utf-8")
    before = set(PROJECT_DIR.iterdir())
    try:
        proc = subprocess.run(
            ["bash", str(work / "commands.sh")],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,  # a command that never returns (a server) does not belong in this section
        )
    finally:
        for created in set(PROJECT_DIR.iterdir()) - before:  # e.g. the my_crm.yml a block copies
            if created.is_file():
                created.unlink()
    return BlockRun(block, proc.returncode, proc.stdout + proc.stderr, warehouse, work)


@pytest.fixture(scope="module")
def readme_runs(tmp_path_factory) -> list[BlockRun]:
    root = tmp_path_factory.mktemp("readme")
    return [run_block(i, block, root) for i, block in enumerate(analyst_commands())]


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
def readme_run(readme_runs):
    """The published warehouse of the first block (the demo data built as documented)."""
    run = readme_runs[0]
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
