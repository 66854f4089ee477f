"""Source adapters end to end: a CRM export -> `import` -> `build` -> published warehouse.

1. Salesforce-shaped data nobody here wrote (Fivetran's dbt_salesforce_source seeds, see
   tests/fixtures/salesforce/SOURCE.md), imported with the `salesforce` preset.
2. A Chinese CRM export: an .xlsx of 商机 with Chinese headers and a GB18030 CSV of 客户,
   imported together with the `cn_crm` preset (one build for both files).

Totals (won amount by owner and by close month, win rate, sales) are computed straight from
the source files here, independently of the importer and of dbt, and compared with the
published warehouse. Each runs the project's own commands as a user does.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, Build, build_env, run_build

FIXTURE = Path(__file__).parent / "fixtures" / "salesforce"

pytestmark = pytest.mark.slow


def run_import(preset: str, export_dir: Path, landing: Path, work: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesperf.run", "import", "--from", preset, str(export_dir), "--out", str(landing)],
        cwd=PROJECT_DIR,
        env=build_env(landing, work / "wh.duckdb", work),
        capture_output=True,
        text=True,
    )


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def accounting(landing: Path) -> list[dict]:
    return json.loads((landing / "import_report.json").read_text(encoding="utf-8"))["accounting"]


# ---------------------------------------------------------------- 1. Fivetran Salesforce seeds


@pytest.fixture(scope="module")
def salesforce_build(tmp_path_factory) -> tuple[Build, subprocess.CompletedProcess]:
    work = tmp_path_factory.mktemp("sf_build")
    landing = work / "landing"
    imported = run_import("salesforce", FIXTURE, landing, work)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    build = run_build(landing, work / "warehouse" / "sales_performance.duckdb", work)
    if build.returncode != 0:
        pytest.fail(f"build of the imported Salesforce seeds failed (exit {build.returncode}):\n{build.log[-6000:]}")
    return build, imported


def direct_salesforce_totals() -> dict:
    """From the fixture CSVs alone: non-deleted closed opportunities; won amount by owner and
    close month; win rate = won / closed."""
    by_owner: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    won = closed = 0
    for row in read_csv(FIXTURE / "sf_opportunity_data.csv"):
        if row["is_deleted"].lower() == "true" or row["is_closed"].lower() != "true":
            continue
        closed += 1
        if row["is_won"].lower() == "true":
            won += 1
            amount = Decimal(row["amount"] or "0")
            by_owner[row["owner_id"]] += amount
            by_month[row["close_date"][:7]] += amount
    return {"by_owner": dict(by_owner), "by_month": dict(by_month), "won": won, "closed": closed}


def test_salesforce_seeds_import_build_and_publish(salesforce_build):
    build, imported = salesforce_build
    assert build.warehouse.exists()
    # row accounting back to the source files: source rows = landing rows + import rejects
    for row in accounting(build.landing_dir):
        source = FIXTURE / row["source_file"]
        assert row["rows_read"] == len(read_csv(source))
        assert row["rows_read"] == row["rows_landed"] + row["rows_filtered"] + row["rows_merged"] + row["rows_rejected"]
    assert "'X' x7" in imported.stdout  # the unmapped task type, with its count
    # … and on into the warehouse: landing rows = staged + soft-deleted + rejected
    accounted = build.query(
        "select source_table, landing_rows, unaccounted_rows from main.dq_row_accounting order by source_table"
    )
    landed = {r["target_table"]: 0 for r in accounting(build.landing_dir)}
    for r in accounting(build.landing_dir):
        landed[r["target_table"]] += r["rows_landed"]
    by_table = dict(zip(accounted["source_table"], accounted["landing_rows"], strict=True))
    for table, rows in landed.items():
        assert by_table.get(table, 0) == rows, table
    assert (accounted["unaccounted_rows"] == 0).all()


def test_salesforce_totals_match_the_fixture_files(salesforce_build):
    build, _ = salesforce_build
    expected = direct_salesforce_totals()
    won = build.query(
        "select rep_id, strftime(closed_at, '%Y-%m') as month, won_amount from main.fct_opportunities where is_won"
    )
    by_owner: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for rep, month, amount in won.itertuples(index=False):
        by_owner[rep] += Decimal(str(amount))
        by_month[month] += Decimal(str(amount))
    assert dict(by_owner) == expected["by_owner"]
    assert dict(by_month) == expected["by_month"]
    # every opportunity of the seeds is soft-deleted: none is in the marts, and the win rate has
    # no population (no row, never a 0) — exactly what the files say
    assert expected["closed"] == 0
    assert build.query("select count(*) as n from main.fct_opportunities")["n"][0] == 0
    rate = build.query("select count(*) as n from main.indicator_values where indicator_code = 'opportunity_win_rate'")
    assert rate["n"][0] == 0
    deleted = build.query(
        "select soft_deleted_rows from main.dq_row_accounting where source_table = 'crm_opportunities'"
    )
    assert deleted["soft_deleted_rows"][0] == 10
    # what did link: users -> reps, roles -> teams, with their names
    reps = build.query("select rep_id, rep_name from main.dim_sales_reps")
    users = {r["id"]: r["name"] for r in read_csv(FIXTURE / "sf_user_data.csv") if r["_fivetran_deleted"] != "true"}
    assert dict(zip(reps["rep_id"], reps["rep_name"], strict=True)) == users


# ---------------------------------------------------------------- 2. Chinese CRM: .xlsx + GB18030 CSV

OPPORTUNITY_HEADER = [
    "客户名称", "负责人", "所属部门", "商机阶段", "预计成交金额", "实际成交金额", "成交日期", "跟进记录", "创建时间",
]  # fmt: skip
# 客户名称, 负责人, 所属部门, 商机阶段, 预计成交金额, 实际成交金额, 成交日期 (datetime cell or text), 跟进记录, 创建时间
OPPORTUNITIES = [
    ("上海华联电子有限公司", "张伟", "华东销售一部", "赢单", 120000, 118000, dt.datetime(2024, 3, 15), "已签合同", dt.datetime(2024, 1, 8)),
    ("上海华联电子有限公司", "张伟", "华东销售一部", "赢单", "¥50,000.00", "¥48,500.00", "2024/04/02", "复购", dt.datetime(2024, 2, 1)),
    ("杭州明远科技有限公司", "李娜", "华东销售一部", "输单", 80000, None, dt.datetime(2024, 3, 20), "价格原因丢单", dt.datetime(2024, 1, 15)),
    ("杭州明远科技有限公司", "李娜", "华东销售一部", "赢单", 60000, 61000.5, "2024-04-28", "", dt.datetime(2024, 2, 10)),
    ("广州恒通物流有限公司", "王芳", "华南销售部", "方案报价", 200000, None, None, "等待客户反馈", dt.datetime(2024, 3, 1)),
    ("广州恒通物流有限公司", "王芳", "华南销售部", "赢单", "9.5万", "9.2万", dt.datetime(2024, 5, 20), "分两期付款", dt.datetime(2024, 2, 20)),
    ("深圳前海数据服务有限公司", "王芳", "华南销售部", "输单", 30000, None, "2024年4月9日", "竞品中标", dt.datetime(2024, 2, 25)),
    ("深圳前海数据服务有限公司", "刘洋", "华南销售部", "谈判审核", 150000, None, None, "法务审核中", dt.datetime(2024, 3, 5)),
    ("成都天府软件有限公司", "刘洋", "华南销售部", "合同审批中", 70000, None, None, "自定义阶段", dt.datetime(2024, 3, 10)),
    ("成都天府软件有限公司", "张伟", "华东销售一部", "合同审批中", 40000, None, None, "自定义阶段", dt.datetime(2024, 3, 12)),
    ("上海华联电子有限公司", "张伟", "华东销售一部", "输单", 25000, None, dt.datetime(2024, 5, 2), "", dt.datetime(2024, 3, 18)),
]  # fmt: skip
UNMAPPED_STAGE, UNMAPPED_COUNT = "合同审批中", 2
CUSTOMERS = [
    ("客户名称", "负责人", "所属部门", "所属行业", "是否重点客户", "创建时间"),
    ("上海华联电子有限公司", "张伟", "华东销售一部", "电子制造", "是", "2023/11/02"),
    ("杭州明远科技有限公司", "李娜", "华东销售一部", "软件", "否", "2023/12/15"),
    ("广州恒通物流有限公司", "王芳", "华南销售部", "物流", "是", "2024/01/05"),
    ("深圳前海数据服务有限公司", "王芳", "华南销售部", "信息技术", "否", "2024/01/20"),
    ("成都天府软件有限公司", "刘洋", "华南销售部", "软件", "否", "2024/02/01"),
]


def _amount(value) -> Decimal:
    """The amounts as a person reads them off the export (12,000.00 / ¥ / 万)."""
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).replace("¥", "").replace(",", "")
    return Decimal(text[:-1]) * 10000 if text.endswith("万") else Decimal(text)


def _month(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m")
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(value, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    raise AssertionError(value)


@pytest.fixture(scope="module")
def cn_export(tmp_path_factory) -> Path:
    import openpyxl

    export = tmp_path_factory.mktemp("cn_export")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "商机列表"
    sheet.append(OPPORTUNITY_HEADER)
    for row in OPPORTUNITIES:
        sheet.append(list(row))
    sheet.append([None] * len(OPPORTUNITY_HEADER))  # the trailing empty row Excel exports often have
    book.save(export / "商机导出_20240601.xlsx")
    with (export / "客户列表.csv").open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(CUSTOMERS)
    return export


@pytest.fixture(scope="module")
def cn_build(cn_export, tmp_path_factory) -> tuple[Build, subprocess.CompletedProcess]:
    work = tmp_path_factory.mktemp("cn_build")
    landing = work / "landing"
    imported = run_import("cn_crm", cn_export, landing, work)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    build = run_build(landing, work / "warehouse" / "sales_performance.duckdb", work)
    if build.returncode != 0:
        pytest.fail(f"build of the imported Chinese CRM export failed (exit {build.returncode}):\n{build.log[-6000:]}")
    return build, imported


def test_cn_export_files_are_read_and_accounted(cn_export, cn_build):
    build, imported = cn_build
    report = json.loads((build.landing_dir / "import_report.json").read_text(encoding="utf-8"))
    files = report["source_files"]
    assert files["客户"]["encoding"] == "gb18030" and files["客户"]["rows"] == len(CUSTOMERS) - 1
    assert files["商机"]["encoding"] == "xlsx" and files["商机"]["rows"] == len(OPPORTUNITIES)
    assert files["商机"]["blank_rows_skipped"] == 1
    for row in report["accounting"]:
        if row["source_table"] == "(preset rows)":
            continue
        expected = len(OPPORTUNITIES) if row["source_table"] == "商机" else len(CUSTOMERS) - 1
        assert row["rows_read"] == expected, row
        assert row["rows_read"] == row["rows_landed"] + row["rows_filtered"] + row["rows_merged"] + row["rows_rejected"]
    # the unmapped custom stage: reported with its count and a line to add, its rows rejected
    [unmapped] = report["unmapped_values"]
    assert (unmapped["target_column"], unmapped["value"], unmapped["rows"]) == ("status", UNMAPPED_STAGE, UNMAPPED_COUNT)
    assert unmapped["suggested_mapping_line"] == f'"{UNMAPPED_STAGE}": <open|won|lost>'
    assert f"'{UNMAPPED_STAGE}' x{UNMAPPED_COUNT}" in imported.stdout
    rejects = read_csv(build.landing_dir / "import_rejects.csv")
    stage_rejects = [r for r in rejects if r["target_table"] == "crm_opportunities"]
    assert sorted(r["source_row_key"] for r in stage_rejects) == ["row 10", "row 11"]  # Excel rows
    # 是/否 -> booleans, Chinese text intact through the warehouse
    targets = build.query("select customer_id, is_target_account from main.dim_customers order by customer_id")
    expected_targets = {c[0]: c[4] == "是" for c in CUSTOMERS[1:]}
    assert dict(zip(targets["customer_id"], targets["is_target_account"], strict=True)) == expected_targets
    teams = build.query("select team_id, team_name from main.dim_teams order by team_id")
    assert set(teams["team_name"]) == {"华东销售一部", "华南销售部"}


def test_cn_totals_match_the_export(cn_build):
    build, _ = cn_build
    by_owner: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    won = lost = 0
    for customer, owner, _dept, stage, _fc, actual, closed, _note, _created in OPPORTUNITIES:
        if stage == "赢单":
            won += 1
            by_owner[owner] += _amount(actual)
            by_month[_month(closed)] += _amount(actual)
        elif stage == "输单":
            lost += 1
    rows = build.query(
        "select rep_id, strftime(closed_at, '%Y-%m') as month, won_amount from main.fct_opportunities where is_won"
    )
    got_owner: dict[str, Decimal] = defaultdict(Decimal)
    got_month: dict[str, Decimal] = defaultdict(Decimal)
    for rep, month, amount in rows.itertuples(index=False):
        got_owner[rep] += Decimal(str(amount))
        got_month[month] += Decimal(str(amount))
    assert dict(got_owner) == dict(by_owner)
    assert dict(got_month) == dict(by_month)
    # win rate over the whole history: won / (won + lost), from the company's yearly figures
    rate = build.query(
        """
        select sum(numerator) as won, sum(denominator) as closed from main.indicator_values
        where indicator_code = 'opportunity_win_rate' and grain = 'company' and period_type = 'year'
        """
    )
    assert (int(rate["won"][0]), int(rate["closed"][0])) == (won, won + lost)
    # won opportunities became orders: sales by rep = won amount by owner
    sales = build.query(
        """
        select entity_id, sum(value) as sales from main.indicator_values
        where indicator_code = 'sales_amount' and grain = 'rep' and period_type = 'year'
        group by entity_id
        """
    )
    assert {r: Decimal(str(v)).quantize(Decimal("0.01")) for r, v in sales.itertuples(index=False)} == {
        r: v.quantize(Decimal("0.01")) for r, v in by_owner.items()
    }
