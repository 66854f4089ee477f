"""Source adapters without a build, for the newer source shapes: Salesforce sObject-tree JSON
(`sf data export tree`), owner history from the data export's field-change log
(AccountHistory.csv, the mapping's `next` / `first_of` / `matches`), and 跟进记录 of the cn_crm
preset. Expected landing rows are written out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from salesperf.adapters.importer import ImportFailed, run_import
from salesperf.adapters.mapping import load_mapping
from salesperf.adapters.readers import SourceError, read_source
from salesperf.adapters.yamlnodes import MappingError

LWC = Path(__file__).parent / "fixtures" / "salesforce_lwc_recipes"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# ---------------------------------------------------------------- sObject tree JSON


def test_sobject_tree_records_become_rows(tmp_path):
    path = tmp_path / "Opportunities.json"
    path.write_text(
        json.dumps(
            {
                "records": [
                    {
                        "attributes": {"type": "Opportunity", "referenceId": "OpportunityRef1"},
                        "AccountId": "@AccountRef3",
                        "Name": "Deal one",
                        "Amount": 125000,
                    },
                    {
                        "attributes": {"type": "Opportunity", "referenceId": "OpportunityRef2"},
                        "Id": "006000000000002",
                        "Name": "Deal two",
                        "StageName": "Closed Won",
                        "Note": "mail me @ home",
                        "IsPrivate": False,
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    data = read_source("opportunity", path, "auto", None)
    # the union of the records' fields in first-seen order; referenceId as Id; no attributes
    assert data.header == ["Id", "AccountId", "Name", "Amount", "StageName", "Note", "IsPrivate"]
    assert data.encoding == "json"
    first, second = data.rows
    assert first == {
        "Id": "OpportunityRef1",
        "AccountId": "AccountRef3",  # "@AccountRef3": a reference to that record's id
        "Name": "Deal one",
        "Amount": 125000,
        "StageName": None,
        "Note": None,
        "IsPrivate": None,
        "_row": 1,
    }
    assert second["Id"] == "006000000000002"  # a record's own Id wins over its referenceId
    assert second["Note"] == "mail me @ home" and second["IsPrivate"] is False and second["_row"] == 2
    # snake_case headers, as the salesforce preset reads them
    assert read_source("opportunity", path, "auto", None, "snake_case").header[:4] == [
        "id",
        "account_id",
        "name",
        "amount",
    ]


def test_sobject_tree_fixture_files_read(tmp_path):
    accounts = read_source("account", LWC / "Accounts.json", "auto", None)
    opportunities = read_source("opportunity", LWC / "Opportunities.json", "auto", None)
    assert len(accounts.rows) == 10 and len(opportunities.rows) == 20
    assert [r["Id"] for r in accounts.rows] == [f"AccountRef{i}" for i in range(1, 11)]
    assert accounts.header == ["Id", "Name", "Type", "Phone", "NumberOfEmployees"]
    assert {r["AccountId"] for r in opportunities.rows} == {f"AccountRef{i}" for i in range(1, 11)}


def test_nested_child_records_stop_with_file_record_and_field(tmp_path):
    path = tmp_path / "Accounts.json"
    path.write_text(
        json.dumps(
            {
                "records": [
                    {"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "Name": "A"},
                    {
                        "attributes": {"type": "Account", "referenceId": "AccountRef2"},
                        "Name": "B",
                        "Contacts": {"records": [{"attributes": {"type": "Contact"}, "LastName": "C"}]},
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as error:
        read_source("account", path, "auto", None)
    message = str(error.value)
    assert message.startswith(f"{path}: record 2 (AccountRef2), field 'Contacts' holds nested child records")
    assert "--plan" in message


def test_not_an_sobject_tree_names_the_file_and_line(tmp_path):
    path = tmp_path / "Accounts.json"
    path.write_text('{\n  "records": [\n    {"Name": "A",}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"Accounts.json:3: not JSON \("):
        read_source("account", path, "auto", None)
    path.write_text('[{"Name": "A"}]', encoding="utf-8")
    with pytest.raises(SourceError, match=r"Accounts.json: not an sObject tree file: expected \{\"records\""):
        read_source("account", path, "auto", None)
    path.write_text('{"totalSize": 1}', encoding="utf-8")
    with pytest.raises(SourceError, match=r"Accounts.json: not an sObject tree file"):
        read_source("account", path, "auto", None)
    # through the importer: the import stops, naming the file
    src = tmp_path / "export"
    src.mkdir()
    (src / "Accounts.json").write_text("not json", encoding="utf-8")
    (src / "Opportunities.json").write_bytes((LWC / "Opportunities.json").read_bytes())
    with pytest.raises(ImportFailed, match=r"Accounts.json:1: not JSON"):
        run_import(load_mapping(LWC / "mapping.yml"), src, tmp_path / "out", "USD")
    assert not (tmp_path / "out").exists()


def test_lwc_recipes_mapping_lands_stage_statuses_and_references(tmp_path):
    result = run_import(load_mapping(LWC / "mapping.yml"), LWC, tmp_path / "out", "USD")
    assert not result.unmapped and all(r["outcome"] == "filtered" for r in result.rejects)
    opps = {o["opportunity_id"]: o for o in read_csv(tmp_path / "out" / "crm_opportunities.csv")}
    assert len(opps) == 20
    assert (opps["OpportunityRef4"]["status"], opps["OpportunityRef4"]["won_amount"]) == ("won", "28500")
    assert opps["OpportunityRef4"]["closed_at"] == "2025-01-15 00:00:00"
    assert (opps["OpportunityRef10"]["status"], opps["OpportunityRef10"]["won_amount"]) == ("lost", "")
    assert opps["OpportunityRef10"]["closed_at"] == "2024-11-20 00:00:00"
    assert (opps["OpportunityRef1"]["status"], opps["OpportunityRef1"]["closed_at"]) == ("open", "")
    assert opps["OpportunityRef1"]["customer_id"] == "AccountRef1" and opps["OpportunityRef1"]["rep_id"] == "ORG-OWNER"
    assert opps["OpportunityRef1"]["created_at"] == "2025-06-30 00:00:00"  # the close date stands in (see mapping)
    assert {o["currency"] for o in opps.values()} == {"USD"}
    orders = read_csv(tmp_path / "out" / "erp_sales_orders.csv")
    assert sorted((o["order_id"], o["customer_id"], o["order_date"]) for o in orders) == [
        ("OpportunityRef15", "AccountRef7", "2025-02-28"),
        ("OpportunityRef4", "AccountRef4", "2025-01-15"),
    ]


def test_a_custom_stage_in_a_tree_export_is_reported(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "Accounts.json").write_bytes((LWC / "Accounts.json").read_bytes())
    doc = json.loads((LWC / "Opportunities.json").read_text(encoding="utf-8"))
    doc["records"][0]["StageName"] = "Contract Review"
    (src / "Opportunities.json").write_text(json.dumps(doc), encoding="utf-8")
    result = run_import(load_mapping(LWC / "mapping.yml"), src, tmp_path / "out", "USD")
    [unmapped] = result.unmapped
    assert (unmapped.column, unmapped.value, unmapped.count) == ("status", "Contract Review", 1)
    rejects = [r for r in result.rejects if r["outcome"] == "rejected"]
    assert [(r["target_table"], r["source_row_key"]) for r in rejects] == [
        ("crm_opportunities", "OpportunityRef1 (row 1)"),
        ("erp_sales_orders", "OpportunityRef1 (row 1)"),
        ("erp_sales_order_lines", "OpportunityRef1 (row 1)"),
    ]


# ---------------------------------------------------------------- owner history from AccountHistory.csv

SF_BASE = {
    "UserRole": [{"Id": "00E1", "Name": "East", "ParentRoleId": ""}],
    "User": [
        {"Id": "005000000000001", "Name": "Ann Lee", "UserRoleId": "00E1"},
        {"Id": "005000000000002", "Name": "Bob Ray", "UserRoleId": "00E1"},
        {"Id": "005000000000003", "Name": "Cai Min", "UserRoleId": "00E1"},
    ],
    "Account": [
        {"Id": "0011", "Name": "Acme", "OwnerId": "005000000000003", "CreatedDate": "2024-01-05T08:00:00.000Z"},
        {"Id": "0012", "Name": "Globex", "OwnerId": "005000000000001", "CreatedDate": "2024-02-01T08:00:00.000Z"},
    ],
    "Product2": [{"Id": "01t1", "Name": "Widget"}],
    "Opportunity": [
        {"Id": "0061", "AccountId": "0011", "OwnerId": "005000000000001", "CreatedDate": "2024-02-01T09:30:00.000Z",
         "CloseDate": "2024-03-15", "IsClosed": "true", "IsWon": "true", "Amount": "100"},
    ],
    "OpportunityLineItem": [
        {"Id": "00k1", "OpportunityId": "0061", "Product2Id": "01t1", "Quantity": "1", "UnitPrice": "100"},
    ],
}  # fmt: skip

ANN, BOB, CAI = "005000000000001", "005000000000002", "005000000000003"
# AccountHistory.csv as Salesforce's data export writes it: each owner change twice (user names,
# user ids), other field changes between them, not in time order.
ACCOUNT_HISTORY = [
    ("017A1", "0011", "Owner", "Bob Ray", "Cai Min", "2024-06-15T12:00:00.000Z"),
    ("017A2", "0011", "Owner", BOB, CAI, "2024-06-15T12:00:00.000Z"),
    ("017A3", "0011", "Industry", "Retail", "Energy", "2024-04-01T09:00:00.000Z"),
    ("017A4", "0011", "Owner", "Ann Lee", "Bob Ray", "2024-03-01T10:00:00.000Z"),
    ("017A5", "0011", "Owner", ANN, BOB, "2024-03-01T10:00:00.000Z"),
    ("017A6", "0012", "Owner", "Bob Ray", "Ann Lee", "2024-05-10T16:30:00.000Z"),
    ("017A7", "0012", "Owner", BOB, ANN, "2024-05-10T16:30:00.000Z"),
]


def _sf_export(tmp_path: Path, with_history: bool = True) -> Path:
    export = tmp_path / "export"
    export.mkdir()
    for obj, rows in SF_BASE.items():
        write_csv(export / f"{obj}.csv", rows)
    if with_history:
        header = ["Id", "AccountId", "Field", "OldValue", "NewValue", "CreatedDate"]
        write_csv(
            export / "AccountHistory.csv",
            [dict(zip([*header, "IsDeleted"], [*r, "false"], strict=True)) for r in ACCOUNT_HISTORY],
        )
    return export


def test_owner_history_spells_from_the_data_export_field_history(tmp_path):
    result = run_import(load_mapping("salesforce"), _sf_export(tmp_path), tmp_path / "out", "USD")
    spells = read_csv(tmp_path / "out" / "crm_account_owner_history.csv")
    got = sorted((s["customer_id"], s["owner_rep_id"], s["valid_from"], s["valid_to"]) for s in spells)
    # by hand: Acme created 2024-01-05 (Ann), to Bob on 2024-03-01, to Cai on 2024-06-15;
    # Globex created 2024-02-01 (Bob), to Ann on 2024-05-10
    assert got == [
        ("0011", ANN, "2024-01-05", "2024-03-01"),
        ("0011", BOB, "2024-03-01", "2024-06-15"),
        ("0011", CAI, "2024-06-15", ""),
        ("0012", ANN, "2024-05-10", ""),
        ("0012", BOB, "2024-02-01", "2024-05-10"),
    ]
    assert {s["is_deleted"] for s in spells} == {"false"}
    # every history row accounted for, in both mappings: 3 change spells + 2 first owners land
    outcomes = [o for o in result.outcomes if o.mapping.source == "account_field_history"]
    assert [(o.read, o.landed, o.filtered, o.merged, o.rejected) for o in outcomes] == [
        (7, 3, 4, 0, 0),
        (7, 2, 5, 0, 0),
    ]
    reasons = sorted(r["detail"] for r in result.rejects if r["source_table"] == "account_field_history")
    assert reasons.count("not an owner change") == 2  # the Industry row, once per mapping
    assert reasons.count("owner change logged with user names (its id row lands)") == 6
    assert reasons.count("not the account's first owner change") == 1  # 017A2: Acme's second change
    assert result.landing_rows["crm_account_owner_history"] == 5


def test_owner_history_is_optional_in_the_data_export(tmp_path):
    result = run_import(load_mapping("salesforce"), _sf_export(tmp_path, with_history=False), tmp_path / "out", "USD")
    assert "account_field_history" in result.missing_sources
    assert not (tmp_path / "out" / "crm_account_owner_history.csv").exists()


CHANGE_LOG_MAPPING = """\
preset: test
sources:
  deals: [deals.csv]
  log: [log.csv]
tables:
  crm_teams:
    rows:
      - {team_id: T}
  crm_sales_reps:
    rows:
      - {rep_id: R}
  crm_accounts:
    from: deals
    distinct: true
    columns:
      customer_id: customer
  erp_products:
    rows:
      - {product_id: P1}
  erp_sales_orders:
    from: deals
    columns:
      order_id: id
      customer_id: customer
      rep_id: {value: R}
      order_date: date
      currency: {value: CNY}
  erp_sales_order_lines:
    from: deals
    columns:
      order_line_id: id
      order_id: id
      product_id: {value: P1}
      quantity: {value: 1}
      unit_price: amount
  crm_account_owner_history:
    from: log
    where:
      - {column: field, in: [owner]}
    columns:
      customer_id: customer
      owner_rep_id: new
      valid_from: at
      valid_to: {next: at, group: customer, order: at}
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{next: at, group: customer, order: at}",
            "{next: at, order: at}",
            "crm_account_owner_history.valid_to: next needs group and order",
        ),
        (
            "{next: at, group: customer, order: at}",
            "{column: at, group: customer}",
            "crm_account_owner_history.valid_to: group goes with next only",
        ),
        (
            "{next: at, group: customer, order: at}",
            "{next: at, column: at, group: customer, order: at}",
            "give exactly one of column, value, template, lookup, next",
        ),
        (
            "- {column: field, in: [owner]}",
            "- {first_of: customer}",
            "crm_account_owner_history where: first_of needs order",
        ),
        (
            "- {column: field, in: [owner]}",
            "- {column: field, order: at, in: [owner]}",
            "crm_account_owner_history where: order goes with first_of only",
        ),
        (
            "- {column: field, in: [owner]}",
            "- {column: new, matches: '^005('}",
            "crm_account_owner_history where: matches is not a regular expression",
        ),
        (
            "- {column: field, in: [owner]}",
            "- {column: field, first_of: customer, order: at}",
            "a condition is column/mapped with one of in, not_in, not_empty, matches",
        ),
        (
            "valid_from: at",
            "valid_from: {column: at, when: {first_of: customer, order: at}}",
            "first_of is a condition of a mapping's where only",
        ),
    ],
)
def test_change_log_options_are_validated_with_file_and_line(tmp_path, old, new, message):
    text = CHANGE_LOG_MAPPING.replace(old, new)
    assert text != CHANGE_LOG_MAPPING
    path = tmp_path / "my_crm.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if new in t)
    assert error.value.line == line, str(error.value)
    assert message in str(error.value)
    assert str(error.value).startswith(f"{path}:{line}: ")


def test_change_log_columns_must_be_in_the_file(tmp_path):
    path = tmp_path / "my_crm.yml"
    path.write_text(CHANGE_LOG_MAPPING.replace("group: customer", "group: client"), encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    (src / "deals.csv").write_text("id,customer,date,amount\nD1,C1,2024-01-02,10\n", encoding="utf-8")
    (src / "log.csv").write_text("customer,field,new,at\nC1,owner,R,2024-01-02\n", encoding="utf-8")
    line = CHANGE_LOG_MAPPING.splitlines().index("      valid_to: {next: at, group: customer, order: at}") + 1
    with pytest.raises(ImportFailed, match=rf"my_crm.yml:{line}: .*source column 'client' not in log.csv"):
        run_import(load_mapping(path), src, tmp_path / "out", "CNY")


def test_next_orders_by_time_not_by_text(tmp_path):
    """A change log in a US date format is ordered by time (12/20/2023 before 03/01/2024), not as text;
    rows the mapping's where leaves out are not in the sequence."""
    path = tmp_path / "my_crm.yml"
    path.write_text(CHANGE_LOG_MAPPING, encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    (src / "deals.csv").write_text("id,customer,date,amount\nD1,C1,2024-01-02,10\n", encoding="utf-8")
    (src / "log.csv").write_text(
        "customer,field,new,at\n"
        "C1,owner,R3,03/01/2024 10:00\n"
        "C1,name,x,02/01/2024 10:00\n"
        "C2,owner,R9,01/15/2024 08:00\n"
        "C1,owner,R2,12/20/2023 09:30\n",
        encoding="utf-8",
    )
    run_import(load_mapping(path), src, tmp_path / "out", "CNY")
    rows = read_csv(tmp_path / "out" / "crm_account_owner_history.csv")
    assert [(r["customer_id"], r["owner_rep_id"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("C1", "R3", "2024-03-01", ""),
        ("C2", "R9", "2024-01-15", ""),
        ("C1", "R2", "2023-12-20", "2024-03-01"),
    ]


# ---------------------------------------------------------------- 跟进记录 (cn_crm)

D = dt.datetime
FOLLOW_UP_HEADER = ["客户名称", "跟进人", "跟进时间", "跟进方式", "跟进内容", "所属部门"]
FOLLOW_UPS = [
    ("上海华联电子", "张伟", D(2024, 3, 1, 10, 30), "电话", "确认需求", "华东销售一部"),
    ("上海华联电子", "张伟", "2024/03/05 14:00", "上门拜访", "现场演示", "华东销售一部"),
    ("杭州明远科技", "李娜", D(2024, 3, 8, 9, 0), "视频会议", "方案讲解", "华东销售一部"),
    ("杭州明远科技", "李娜", "2024-03-09 16:20", "微信", "发送报价", "华东销售一部"),
    ("广州恒通物流", "赵磊", D(2024, 3, 12, 11, 0), "邮件", "发送合同", "华南销售部"),
    ("广州恒通物流", "赵磊", D(2024, 3, 13, 15, 0), "微信", "催款", "华南销售部"),
    ("深圳新客", "王芳", D(2024, 3, 15, 10, 0), "拜访", "初次拜访", "华南销售部"),
]
CN_OPPORTUNITIES = [
    ("客户名称", "负责人", "所属部门", "商机阶段", "预计成交金额", "实际成交金额", "成交日期", "创建时间"),
    ("上海华联电子", "张伟", "华东销售一部", "赢单", 120000, 118000, D(2024, 3, 15), D(2024, 1, 8)),
    ("杭州明远科技", "李娜", "华东销售一部", "方案报价", 80000, None, None, D(2024, 1, 15)),
    ("广州恒通物流", "王芳", "华南销售部", "赢单", 50000, 50000, D(2024, 3, 20), D(2024, 2, 1)),
]


def _xlsx(path: Path, rows: list) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)


def test_follow_up_records_become_activities_and_an_unmapped_way_is_reported(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    _xlsx(src / "商机导出.xlsx", CN_OPPORTUNITIES)
    _xlsx(src / "跟进记录_2024Q1.xlsx", [FOLLOW_UP_HEADER, *FOLLOW_UPS])
    result = run_import(load_mapping("cn_crm"), src, tmp_path / "out", "CNY")
    assert result.sources["跟进记录"].encoding == "xlsx" and len(result.sources["跟进记录"].rows) == 7
    activities = read_csv(tmp_path / "out" / "crm_activities.csv")
    assert [
        (a["activity_id"], a["rep_id"], a["customer_id"], a["activity_type"], a["activity_at"]) for a in activities
    ] == [
        ("跟进-2", "张伟", "上海华联电子", "call", "2024-03-01 10:30:00"),
        ("跟进-3", "张伟", "上海华联电子", "visit_onsite", "2024-03-05 14:00:00"),
        ("跟进-4", "李娜", "杭州明远科技", "visit_online", "2024-03-08 09:00:00"),
        ("跟进-6", "赵磊", "广州恒通物流", "email", "2024-03-12 11:00:00"),
        ("跟进-8", "王芳", "深圳新客", "visit_onsite", "2024-03-15 10:00:00"),
    ]
    # 微信 is not guessed: both rows rejected with their Excel row, the value reported with its count
    [unmapped] = result.unmapped
    assert (unmapped.table, unmapped.column, unmapped.value, unmapped.count) == (
        "crm_activities",
        "activity_type",
        "微信",
        2,
    )
    assert unmapped.suggestion() == '"微信": <visit_onsite|visit_online|call|email>'
    rejects = [r for r in result.rejects if r["target_table"] == "crm_activities"]
    assert [(r["source_row_key"], r["reason"]) for r in rejects] == [
        ("row 5", "unmapped_value"),
        ("row 7", "unmapped_value"),
    ]
    # the rep and the customer found only in 跟进记录 are added (the customer without an owner)
    reps = {r["rep_id"]: r["team_id"] for r in read_csv(tmp_path / "out" / "crm_sales_reps.csv")}
    assert reps == {"张伟": "华东销售一部", "李娜": "华东销售一部", "王芳": "华南销售部", "赵磊": "华南销售部"}
    accounts = {a["customer_id"]: a["owner_rep_id"] for a in read_csv(tmp_path / "out" / "crm_accounts.csv")}
    assert accounts == {"上海华联电子": "张伟", "杭州明远科技": "李娜", "广州恒通物流": "王芳", "深圳新客": ""}
    # every 跟进记录 row accounted for in each of its mappings
    for o in result.outcomes:
        if o.mapping.source == "跟进记录":
            assert o.read == 7 == o.landed + o.filtered + o.merged + o.rejected, o.mapping.label
    counts = {
        o.mapping.target: (o.landed, o.merged, o.rejected) for o in result.outcomes if o.mapping.source == "跟进记录"
    }
    assert counts == {
        "crm_teams": (0, 7, 0),
        "crm_sales_reps": (1, 6, 0),
        "crm_accounts": (1, 6, 0),
        "crm_activities": (5, 0, 2),
    }


def test_follow_up_records_are_optional_and_read_from_gb18030_csv(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    _xlsx(src / "商机导出.xlsx", CN_OPPORTUNITIES)
    result = run_import(load_mapping("cn_crm"), src, tmp_path / "out", "CNY")
    assert "跟进记录" in result.missing_sources and not (tmp_path / "out" / "crm_activities.csv").exists()
    with (src / "跟进记录.csv").open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(
            [FOLLOW_UP_HEADER, ("杭州明远科技", "李娜", "2024-03-09 16:20", "电话", "", "华东销售一部")]
        )
    result = run_import(load_mapping("cn_crm"), src, tmp_path / "out", "CNY")
    assert result.sources["跟进记录"].encoding == "gb18030"
    [activity] = read_csv(tmp_path / "out" / "crm_activities.csv")
    assert (activity["activity_id"], activity["activity_type"]) == ("跟进-2", "call")
