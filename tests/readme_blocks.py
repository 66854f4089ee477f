"""The README's analyst commands, run exactly as written (issue 9), and shared by the tests that need
their builds (tests/conftest.py ``readme_block_runs``).

The shell code blocks of README.md's section "For analysts" ("Point it at your own extracts", "Run dbt
yourself", and whatever else that section holds) are extracted from the README at test time; each block
runs in its own bash shell from the project root with the venv active, as the README says, on the data
it is written for (the session's demo data; a USD company where it sets a non-CNY base currency; a
Chinese CRM export where it imports one from ``~/Downloads/crm_export``). Only the documented
placeholders are replaced (``/path/to/extracts``, ``/path/to/warehouse.duckdb``,
``~/Downloads/crm_export``); SALESPERF_LANDING_DIR / SALESPERF_WAREHOUSE point at temporary folders,
dbt's target/ and logs/ too, and files a block creates in the checkout (``my_crm.yml``) are removed
afterwards. dbt's unit tests check SQL under a set of company settings: a build runs them only under settings
no other build of the session runs them under (the session's demo build, the first build block, runs
them under the defaults; a block that gives settings runs them on its lines that give them, except
the US company's `--vars` block, which gives the settings of the environment-variable block before
it; tests/conftest.py NO_UNIT_TESTS).

One run of a block serves every test that needs that build: the first build block is the session's
demo build (``demo_build``), the block that sets a US company's settings by environment variables is
test_company_matrix's build of tests/companies.py's usd_company, the block that imports a Chinese CRM
export is test_adapters_build's ``cn_build``, the block that imports the lwc-recipes sample is
test_adapters_lwc_recipes' build, and tests/test_readme_commands.py checks every block's run.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import NO_UNIT_TESTS, PROJECT_DIR, Build

README = PROJECT_DIR / "README.md"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}
BLOCK = re.compile(r"^```([A-Za-z0-9_-]*)[^\n]*\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"(?:/path/to/|~/)[^\s'\"`]*")
# a block that sets company settings (a SALESPERF_ setting other than where files are and how many
# threads, or --vars): its builds run dbt's unit tests under those settings
OTHER_SETTINGS = re.compile(r"--vars|SALESPERF_(?!LANDING_DIR=|WAREHOUSE=|THREADS=)[A-Z_]+=")
CRM_EXPORT = "~/Downloads/crm_export"


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


def block_index(matches: Callable[[str], bool], what: str) -> int:
    """The index of the first analyst block ``matches`` accepts (``what`` names it in the failure)."""
    for index, block in enumerate(analyst_commands()):
        if matches(block):
            return index
    raise AssertionError(f"README.md's section 'For analysts' has no shell block that {what}")


def demo_build_block() -> int:
    """The block that builds the demo data with the build command and the default company settings
    ("Point it at your own extracts"): the session's demo build."""
    return block_index(
        lambda b: "tasks.py build" in b and "tasks.py import" not in b and not OTHER_SETTINGS.search(b),
        "runs `tasks.py build` with the default settings",
    )


def cn_import_block() -> int:
    return block_index(lambda b: CRM_EXPORT in b and "tasks.py import" in b, f"imports {CRM_EXPORT}")


def lwc_import_block() -> int:
    return block_index(lambda b: "salesforce_lwc_recipes" in b and "tasks.py import" in b, "imports lwc-recipes")


def exported(block: str) -> dict[str, str]:
    """The environment variables a block sets with ``export NAME=value`` (several per line allowed)."""
    out: dict[str, str] = {}
    for line in block.splitlines():
        if line.strip().startswith("export "):
            for name, value in re.findall(r"\b([A-Z_][A-Z0-9_]*)=(\S+)", line.split("#", 1)[0]):
                out[name] = value
    return out


def usd_settings_block() -> int:
    """The block that builds a USD company with its settings given by environment variables: the
    build of tests/companies.py's usd_company that test_company_matrix checks."""
    return block_index(
        lambda b: exported(b).get("SALESPERF_BASE_CURRENCY") == "USD" and "tasks.py import" not in b,
        "builds a USD company with settings by environment variables",
    )


def usd_vars_block() -> int:
    """The block that builds the same USD company with the same settings given by ``--vars``: its build
    is checked against the environment-variable block's (the same main.warehouse_settings, the same
    figures), whose build runs dbt's unit tests under these settings; its own leaves them out."""
    return block_index(
        lambda b: re.search(r"--vars\s+'\{[^']*base_currency:\s*USD", b) is not None and "tasks.py import" not in b,
        "builds a USD company with settings by --vars",
    )


# a line of a block that runs a build: dbt itself or the build command
BUILD_LINE = re.compile(r"^\s*(?:dbt\s+build|python3\.11\s+tasks\.py\s+build)\b")


def unit_tests_where_settings_change(script: str) -> str:
    """``script`` with dbt's unit tests left out of each build line that keeps the default settings, for a
    block that gives other settings on some of its lines only (``--vars``; "Run dbt yourself"): the unit
    tests check SQL under a set of settings, and the session's demo build runs them under the defaults."""
    lines = []
    for line in script.splitlines():
        if BUILD_LINE.match(line) and "--vars" not in line:
            line = f"DBT_EXCLUDE_RESOURCE_TYPES=unit_test {line.lstrip()}"
        lines.append(line)
    return "\n".join(lines) + "\n"


@dataclass
class BlockRun:
    script: str
    returncode: int
    output: str
    landing: Path
    warehouse: Path
    work: Path

    def as_build(self) -> Build:
        return Build(self.landing, self.warehouse, self.output, self.returncode)


def run_block(block: str, work: Path, demo_landing: Path, unit_tests: bool | None = None) -> BlockRun:
    """One README block in its own bash shell from the project root with the venv active, in ``work``,
    on the data it is written for: a Chinese CRM export where it imports one (the export in
    work/crm_export, the landing folder empty before), a USD company where it sets a non-CNY base
    currency, ``demo_landing`` otherwise. ``unit_tests``: whether its builds run dbt's unit tests (by
    default only under other company settings: on every line after a block's ``export`` of a setting, on
    the lines that give ``--vars`` otherwise)."""
    work.mkdir(parents=True, exist_ok=True)
    landing = work / "extracts"
    warehouse = work / "warehouse" / "sales_performance.duckdb"
    warehouse.parent.mkdir(exist_ok=True)  # the folder of /path/to/warehouse.duckdb exists (plain dbt needs it)
    substitutions = {"/path/to/warehouse.duckdb": str(warehouse)}
    currency = re.search(r"(?:SALESPERF_BASE_CURRENCY=|base_currency:\s*)(\w+)", block)
    if "tasks.py import" in block:
        if CRM_EXPORT in block:
            from test_adapters_build import write_cn_export

            substitutions[CRM_EXPORT] = str(write_cn_export(work / "crm_export"))
    elif currency and currency.group(1) != "CNY":
        from companies import usd_company

        usd_company(landing)
    else:
        landing = demo_landing  # read only: a build prepares its copy beside the warehouse
    substitutions["/path/to/extracts"] = str(landing)
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
    exports_settings = any(OTHER_SETTINGS.search(f"{name}=") for name in exported(block))
    if unit_tests is None and OTHER_SETTINGS.search(block) and not exports_settings:
        script = unit_tests_where_settings_change(script)  # settings on some lines only: unit tests there
    elif not (OTHER_SETTINGS.search(block) if unit_tests is None else unit_tests):
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
    return BlockRun(block, proc.returncode, proc.stdout + proc.stderr, landing, warehouse, work)
