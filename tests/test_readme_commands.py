"""Every README command for an analyst is run exactly as written (issue 9).

The shell code blocks of README.md's section "For analysts" ("Point it at your own extracts",
"Run dbt yourself", and whatever else that section holds) are extracted from the README at test
time and run, in order, in one bash shell from the project root with the venv active, as the
README says. Only the documented placeholders are replaced (``/path/to/extracts`` -> a temporary
landing folder with demo data, ``/path/to/warehouse.duckdb`` -> a temporary warehouse file); dbt's
target/ and logs/ go to temporary folders so the run leaves the checkout as it was. The SQL
blocks of the README are then run against the published warehouse.
"""

from __future__ import annotations

import os
import re
import subprocess

import duckdb
import pytest
from conftest import PROJECT_DIR

pytestmark = pytest.mark.slow

README = PROJECT_DIR / "README.md"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}
BLOCK = re.compile(r"^```([A-Za-z0-9_-]*)[^\n]*\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"/path/to/[^\s'\"`]*")


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


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    landing = work / "extracts"
    warehouse = work / "warehouse.duckdb"
    from salesperf.generate import generate

    # demo data of the generator from 2024 (three years: every indicator has values), quicker than the whole demo
    generate(landing, seed=42, scale="small", fmt="parquet", start="2024-01-01")
    substitutions = {"/path/to/extracts": str(landing), "/path/to/warehouse.duckdb": str(warehouse)}
    blocks = analyst_commands()
    script = "\n".join(blocks)
    unknown = set(PLACEHOLDER.findall(script)) - set(substitutions)
    assert not unknown, f"README uses placeholders this test does not know: {unknown}"
    for placeholder, value in substitutions.items():
        script = script.replace(placeholder, value)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESPERF_") and not k.startswith("DBT_")}
    env.update(DBT_TARGET_PATH=str(work / "target"), DBT_LOG_PATH=str(work / "logs"))
    # "From the root, with the venv active (source .venv/bin/activate)"
    full = f"set -euo pipefail\nsource .venv/bin/activate\nset -x\n{script}\n"
    (work / "readme_commands.sh").write_text(full, encoding="utf-8")
    proc = subprocess.run(
        ["bash", str(work / "readme_commands.sh")],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,  # a command that never returns (a server) does not belong in this section
    )
    return proc, warehouse, work


def test_readme_commands_run_as_written(readme_run):
    proc, warehouse, work = readme_run
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{(proc.stdout + proc.stderr)[-6000:]}"
    assert warehouse.exists(), "the documented SALESPERF_WAREHOUSE was not written"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from main.indicator_values").fetchone()[0] > 0
    script = "\n".join(analyst_commands())
    if "docs generate --static" in script:
        assert (work / "target" / "static_index.html").exists()


def test_readme_sql_runs_on_the_published_warehouse(readme_run):
    proc, warehouse, _ = readme_run
    assert proc.returncode == 0, "the README's commands failed (see test_readme_commands_run_as_written)"
    queries = code_blocks(README.read_text(encoding="utf-8"), {"sql"})
    assert queries
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for block in queries:
            for statement in (s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";")):
                if statement:
                    con.execute(statement).fetchall()


def test_placeholders_are_documented():
    """Every placeholder the commands use is one this test substitutes (and so documented)."""
    found = set(PLACEHOLDER.findall("\n".join(analyst_commands())))
    assert found <= {"/path/to/extracts", "/path/to/warehouse.duckdb"}, found
