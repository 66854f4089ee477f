"""CONTRIBUTING.md "Adding an indicator", followed step by step on a throwaway indicator.

In a temporary copy of the project (the session's demo warehouse copied beside it, so only the
affected models are rebuilt): a catalog row, a coverage row, a branch in the loyalty family with
its accepted value and a unit test, the doc block and report YAML from their generators, the gate
lineage, then the guide's `dbt build --select ...`. The indicator must then be where the guide says
it will be: in indicator_values (twice referral_count, at the grains of its catalog row), in
indicator_coverage and in the wide reports.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
CODE = "guide_test_double_referrals"
FAMILY = "int_indicators__loyalty"
GRAINS = ("team", "rep", "company")

CATALOG_ROW = {
    "indicator_code": CODE,
    "name_zh": "双倍转介绍数",
    "name_zh_hant": "雙倍轉介紹數",
    "name_en": "Double referrals (guide test)",
    "dimension": "customer_value",
    "bsc_perspective": "customer",
    "unit": "count",
    "direction": "higher_is_better",
    "valid_min": "0",
    "valid_max": "",
    "grains": "team|rep",
    "has_company_total": "true",
    "target_column": "",
    "period_aggregation": "sum",
    "definition": "Twice the referrals with referred_at in the period (a throwaway indicator of the guide's test).",
}
BRANCH = (
    "    union all\n"
    f"    {{{{ indicator_rows('referral_counts', '{CODE}', 'referrals * 2', 'referrals * 2',"
    " where=\"grain in ('team', 'rep', 'company')\") }}\n"
)
UNIT_TEST = f"""
  - name: test_{CODE}
    description: Two referrals of R1's customer in January 2024 give 4 (throwaway of the guide's test).
    model: {FAMILY}
    overrides:
      vars:
        report_period_types: ["month"]
        report_grains: ["rep", "customer"]
    given:
      - input: ref('fct_order_lines')
        rows: []
      - input: ref('dim_customers')
        rows: []
      - input: ref('fct_referrals')
        rows:
          - {{referral_id: F1, referral_date: 2024-01-10, referrer_customer_id: C1,
             referrer_owner_rep_id: R1, referrer_owner_team_id: T1}}
          - {{referral_id: F2, referral_date: 2024-01-20, referrer_customer_id: C1,
             referrer_owner_rep_id: R1, referrer_owner_team_id: T1}}
    expect:
      rows:
        - {{indicator_code: referral_count, grain: rep, entity_id: R1,
           period_type: month, period_start: 2024-01-01, value: 2}}
        - {{indicator_code: referral_count, grain: customer, entity_id: C1,
           period_type: month, period_start: 2024-01-01, value: 2}}
        - {{indicator_code: {CODE}, grain: rep, entity_id: R1,
           period_type: month, period_start: 2024-01-01, value: 4}}
"""
LINEAGE_ENTRY = (
    f'    "{CODE}": Trace(\n'
    '        "fct_referrals",\n'
    '        "referral_date",\n'
    '        "crm_referrals",\n'
    '        (("team", "referrer_owner_team_id"), ("rep", "referrer_owner_rep_id")),\n'
    "    ),\n"
)


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: the guide's example changed ({old!r} not found once)"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is defined
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


@pytest.mark.slow
def test_adding_an_indicator_as_the_guide_says(demo_build, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", "target", "warehouse", "logs", ".git", "dbt_packages", "__pycache__", ".pytest_cache"
        ),
    )
    (project / ".venv").symlink_to((PROJECT_DIR / ".venv").resolve())
    python = str(project / ".venv" / "bin" / "python")
    # The demo warehouse (same file name: same catalog name): the upstream models are built already.
    warehouse = tmp_path / "warehouse" / demo_build.warehouse.name
    warehouse.parent.mkdir()
    shutil.copyfile(demo_build.warehouse, warehouse)

    # 1. Catalog row.
    catalog = project / "seeds" / "indicator_catalog.csv"
    with catalog.open(encoding="utf-8", newline="") as handle:
        fields = next(csv.reader(handle))
    assert set(fields) == set(CATALOG_ROW), "the catalog's columns changed: update the guide and this test"
    with catalog.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerow(CATALOG_ROW)
    # 2. Coverage row: it cannot do without crm_referrals.
    with (project / "seeds" / "indicator_inputs.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"{CODE},crm_referrals,,,\n")
    # 3. Family model: one more indicator_rows branch, and its code among the accepted values.
    family_sql = project / "models" / "intermediate" / "indicators" / f"{FAMILY}.sql"
    anchor = "    {{ indicator_rows('referral_counts', 'referral_count', 'referrals', 'referrals') }}\n"
    _replace_once(family_sql, anchor, anchor + BRANCH)
    family_yml = family_sql.with_suffix(".yml")
    _replace_once(
        family_yml,
        'values: ["repurchase_rate", "referral_count"]',
        f'values: ["repurchase_rate", "referral_count", "{CODE}"]',
    )
    # 4. Unit test (appended to the family's unit_tests); the family's other unit tests expect every row
    #    the model returns: the new indicator's rows join those whose inputs give referral_count rows.
    family_yml.write_text(family_yml.read_text(encoding="utf-8").rstrip("\n") + "\n" + UNIT_TEST, encoding="utf-8")
    docs = yaml.safe_load(family_yml.read_text(encoding="utf-8"))
    extended = 0
    for unit_test in docs["unit_tests"]:
        if unit_test["model"] != FAMILY or unit_test["name"] == f"test_{CODE}":
            continue
        rows = unit_test["expect"]["rows"]
        doubled = [
            {**row, "indicator_code": CODE, "value": row["value"] * 2}
            | ({"numerator": row["numerator"] * 2} if row.get("numerator") is not None else {})
            for row in rows
            if row["indicator_code"] == "referral_count" and row["grain"] in GRAINS
        ]
        rows += doubled
        extended += bool(doubled)
    assert extended, "no unit test of the family gives referral_count rows: the guide's example changed"
    family_yml.write_text(yaml.safe_dump(docs, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # 5. Doc block from the catalog: stale until the generator runs.
    assert _run([python, "scripts/gen_indicator_docs.py", "--check"], project).returncode == 1
    assert _run([python, "scripts/gen_indicator_docs.py"], project).returncode == 0
    assert f"{{% docs ind_{CODE} %}}" in (project / "models" / "docs" / "indicators.md").read_text(encoding="utf-8")
    # 6. Report YAML: stale until the generator runs (the reports' contracts need the new columns).
    assert _run([python, "scripts/gen_report_docs.py", "--check"], project).returncode == 1
    assert _run([python, "scripts/gen_report_docs.py"], project).returncode == 0
    # 7. Gate lineage: computed from fct_referrals, not order lines.
    lineage = project / "salesperf" / "quality" / "lineage.py"
    _replace_once(lineage, '    "referral_count": Trace(\n', LINEAGE_ENTRY + '    "referral_count": Trace(\n')
    assert _module(lineage, "guide_lineage").trace_of(CODE).fact == "fct_referrals"

    # 8. The guide's build of the affected models.
    env = dict(os.environ)
    env.update(
        SALESPERF_WAREHOUSE=str(warehouse),
        SALESPERF_LANDING_DIR=str(demo_build.landing_dir),
        SALESPERF_THREADS="2",
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )
    select = ["indicator_catalog", "indicator_inputs", f"{FAMILY}+", "indicator_coverage"]
    build = _run(
        [str(project / ".venv" / "bin" / "dbt"), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--select", *select],
        project,
        env,
    )
    assert build.returncode == 0, build.stdout[-6000:] + build.stderr[-2000:]
    assert f"test_{CODE}" in build.stdout and "ERROR=0" in build.stdout

    with duckdb.connect(str(warehouse), read_only=True) as con:
        new = con.execute(
            "select grain, entity_id, period_type, period_start, value from main.indicator_values "
            "where indicator_code = ?",
            [CODE],
        ).fetchall()
        base = con.execute(
            "select grain, entity_id, period_type, period_start, value * 2 from main.indicator_values "
            "where indicator_code = 'referral_count' and grain in ('team', 'rep', 'company')"
        ).fetchall()
        coverage = con.execute(
            "select grain from main.indicator_coverage where indicator_code = ? and is_expected", [CODE]
        ).fetchall()
        report_columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_name = 'rpt_rep_indicators'"
            ).fetchall()
        }
    assert new, "the new indicator has no rows in indicator_values"
    assert sorted(new) == sorted(base)
    assert {row[0] for row in new} == set(GRAINS)
    assert {row[0] for row in coverage} == set(GRAINS)
    assert {CODE, f"{CODE}_previous", f"{CODE}_ytd"} <= report_columns
