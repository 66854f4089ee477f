"""Source adapters without a build: mapping validation (file and line), the importer's row
accounting, unmapped values, both Salesforce shapes, encodings. The builds are in
test_adapters_build.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import write_csv_tables

from salesperf.adapters.importer import ImportFailed, report_lines, run_import
from salesperf.adapters.mapping import PRESET_DIR, load_mapping
from salesperf.adapters.readers import snake_case
from salesperf.adapters.yamlnodes import MappingError
from salesperf.contract import REQUIRED_TABLES, TABLES_BY_NAME

FIXTURE = Path(__file__).parent / "fixtures" / "salesforce"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my_crm.yml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
preset: test
sources:
  deals: [deals.csv]
tables:
  crm_teams:
    from: deals
    distinct: true
    columns:
      team_id: dept
  crm_sales_reps:
    from: deals
    distinct: true
    columns:
      rep_id: owner
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
      rep_id: owner
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
"""


# ---------------------------------------------------------------- validation: file and line


@pytest.mark.parametrize("preset", sorted(p.stem for p in PRESET_DIR.glob("*.yml")))
def test_presets_are_valid(preset):
    mapping = load_mapping(preset)
    assert {m.target for m in mapping.tables} >= set(REQUIRED_TABLES)


def test_minimal_mapping_is_valid(tmp_path):
    assert load_mapping(write_mapping(tmp_path, MINIMAL)).name == "test"


def test_unknown_target_column_names_file_and_line(tmp_path):
    text = MINIMAL.replace("      team_id: dept\n", "      team_id: dept\n      team_colour: colour\n")
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    line = text.splitlines().index("      team_colour: colour") + 1
    assert error.value.path == path and error.value.line == line
    assert str(error.value).startswith(f"{path}:{line}: unknown target column crm_teams.team_colour")


def test_duplicate_mapping_names_both_lines(tmp_path):
    text = MINIMAL.replace("      rep_id: owner\n", "      rep_id: owner\n      rep_id: seller\n")
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    first = text.splitlines().index("      rep_id: owner") + 1
    assert error.value.line == first + 1
    assert f"duplicate mapping: 'rep_id' is already given on line {first}" in str(error.value)


def test_duplicate_table_mapping_is_an_error(tmp_path):
    text = MINIMAL + "  crm_teams:\n    from: deals\n    columns:\n      team_id: dept\n"
    with pytest.raises(MappingError, match=r"my_crm.yml:\d+: duplicate mapping: 'crm_teams'"):
        load_mapping(write_mapping(tmp_path, text))


def test_missing_required_column_names_the_mapping_line(tmp_path):
    text = MINIMAL.replace("      order_date: date\n", "")
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    assert error.value.line == text.splitlines().index("  erp_sales_orders:") + 2  # the mapping's first line
    assert "erp_sales_orders: missing required column(s) order_date" in str(error.value)


def test_missing_required_table(tmp_path):
    text = MINIMAL.replace("  erp_products:\n    rows:\n      - {product_id: P1}\n", "")
    with pytest.raises(MappingError, match=r"my_crm.yml:\d+: missing required table\(s\): erp_products"):
        load_mapping(write_mapping(tmp_path, text))


def test_map_to_a_value_outside_the_closed_list(tmp_path):
    text = MINIMAL.replace(
        "      rep_id: owner\n",
        "      rep_id: owner\n      role:\n        column: kind\n        map: {直销: direct, 电商: online}\n",
    )
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    assert error.value.line == text.splitlines().index("        map: {直销: direct, 电商: online}") + 1
    assert "'online' is not one of direct, ecommerce, key_account" in str(error.value)


def test_unknown_table_and_unknown_option(tmp_path):
    with pytest.raises(MappingError, match=r":5: unknown target table 'crm_deals'"):
        load_mapping(write_mapping(tmp_path, MINIMAL.replace("  crm_teams:", "  crm_deals:")))
    line = MINIMAL.splitlines().index("    rows:") + 1
    with pytest.raises(MappingError, match=rf":{line}: unknown option 'rowz' in mapping of erp_products"):
        load_mapping(write_mapping(tmp_path, MINIMAL.replace("    rows:", "    rowz:")))


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(MappingError, match=r"my_crm.yml:\d+: not valid YAML"):
        load_mapping(write_mapping(tmp_path, MINIMAL.replace("      team_id: dept", "      team_id: [dept")))


# ---------------------------------------------------------------- importer on the Fivetran seeds


@pytest.fixture(scope="module")
def fivetran_import(tmp_path_factory):
    out = tmp_path_factory.mktemp("sf_landing")
    return run_import(load_mapping("salesforce"), FIXTURE, out, "CNY")


def test_every_source_row_is_accounted_for(fivetran_import):
    result = fivetran_import
    for outcome in result.outcomes:
        if outcome.mapping.source is None:
            continue
        if outcome.mapping.source not in result.sources:  # an optional source not in the seeds
            assert outcome.mapping.source in result.missing_sources and outcome.read == 0
            continue
        source_rows = len(read_csv(result.sources[outcome.mapping.source].path))
        assert outcome.read == source_rows, outcome.mapping.label
        assert outcome.read == outcome.landed + outcome.filtered + outcome.merged + outcome.rejected
        # every row that did not land is listed with its key and reason
        listed = [
            r
            for r in result.rejects
            if r["source_table"] == outcome.mapping.source and r["target_table"] == outcome.mapping.target
        ]
        assert len(listed) == outcome.filtered + outcome.merged + outcome.rejected
        assert all(r["source_row_key"] and r["reason"] for r in listed)
    # per landing table: landing rows = what its mappings landed, and the file has them
    for table, rows in result.landing_rows.items():
        assert rows == sum(o.landed for o in result.outcomes if o.mapping.target == table)
        assert len(read_csv(result.out_dir / f"{table}.csv")) == rows
    # and per source table, against the files written: landing + import rejects = source rows
    summary = read_csv(result.out_dir / "import_summary.csv")
    for row in summary:
        assert int(row["rows_read"]) == sum(
            int(row[k]) for k in ("rows_landed", "rows_filtered", "rows_merged", "rows_rejected")
        )


def test_fivetran_seed_specifics(fivetran_import):
    result = fivetran_import
    by_label = {o.mapping.label: o for o in result.outcomes}
    assert by_label["opportunity -> crm_opportunities"].landed == 10
    # the line items of the seeds belong to opportunities that are not in the seeds: all filtered
    lines = by_label["opportunity_line_item -> erp_sales_order_lines"]
    assert (lines.read, lines.landed, lines.filtered) == (10, 0, 10)
    reasons = {r["detail"] for r in result.rejects if r["source_table"] == "opportunity_line_item"}
    assert reasons == {"line of an opportunity that is not won (or not in the export)"}
    # the 5 won opportunities become orders; without line items, each gets one line at its Amount,
    # and the 4 without an Amount are rejected with the reason
    assert by_label["opportunity -> erp_sales_orders"].landed == 5
    amount_lines = by_label["opportunity -> erp_sales_order_lines"]
    assert (amount_lines.landed, amount_lines.filtered, amount_lines.rejected) == (1, 5, 4)
    [line] = read_csv(result.out_dir / "erp_sales_order_lines.csv")
    assert line == dict.fromkeys(TABLES_BY_NAME["erp_sales_order_lines"].column_names, "") | {
        "order_line_id": "006q000000HddohAAB-amount",
        "order_id": "006q000000HddohAAB",
        "product_id": "SF-NO-PRODUCT",
        "quantity": "1",
        "unit_price": "24120000",
        "is_deleted": "true",
    }
    # status comes from is_closed/is_won; deleted rows keep their flag
    opps = read_csv(result.out_dir / "crm_opportunities.csv")
    assert sorted(o["status"] for o in opps) == ["lost"] * 4 + ["open"] + ["won"] * 5
    won = {o["opportunity_id"]: o for o in opps if o["status"] == "won"}
    assert won["006q000000HddohAAB"]["won_amount"] == "24120000"
    assert won["006q000000HddohAAB"]["closed_at"] == "2018-12-19 00:00:00"
    assert all(o["is_deleted"] == "true" for o in opps)
    open_opp = next(o for o in opps if o["status"] == "open")
    assert open_opp["closed_at"] == "" and open_opp["won_amount"] == ""


def test_unmapped_value_is_reported_with_count_and_suggestion(fivetran_import):
    result = fivetran_import
    [unmapped] = result.unmapped
    assert (unmapped.table, unmapped.column, unmapped.source_column, unmapped.value, unmapped.count) == (
        "crm_activities",
        "activity_type",
        "type",
        "X",
        7,
    )
    assert unmapped.suggestion() == '"X": <visit_onsite|visit_online|call|email>'
    preset_lines = (PRESET_DIR / "salesforce.yml").read_text(encoding="utf-8").splitlines()
    assert preset_lines[unmapped.mapping_line - 1].strip().startswith("map: {Call: call")
    rejected = [r for r in result.rejects if r["reason"] == "unmapped_value"]
    assert len(rejected) == 7 and all(r["source_row_key"].startswith("00T") for r in rejected)
    # the same in the files beside the landing files, and in the printed report
    csv_rows = read_csv(result.out_dir / "import_unmapped.csv")
    assert [(r["value"], r["rows"], r["suggested_mapping_line"]) for r in csv_rows] == [
        ("X", "7", '"X": <visit_onsite|visit_online|call|email>')
    ]
    report = json.loads((result.out_dir / "import_report.json").read_text(encoding="utf-8"))
    assert report["unmapped_values"][0]["rows"] == 7
    printed = "\n".join(report_lines(result))
    assert "'X' x7" in printed and "rejected, not guessed" in printed
    # tasks without a type are not unmapped: the activity type is simply empty
    activities = read_csv(result.out_dir / "crm_activities.csv")
    assert sum(1 for a in activities if a["activity_id"].startswith("00T")) == 3


# ---------------------------------------------------------------- Salesforce data-export shape


def test_salesforce_data_export_shape_lands_like_the_synced_shape(tmp_path):
    """The same records as Salesforce's own data export (API names, Opportunity.csv ...) and as
    Fivetran tables (snake_case, opportunity.csv ...) give identical landing files."""
    records = {
        "UserRole": [{"Id": "00E1", "Name": "East", "ParentRoleId": ""}],
        "User": [{"Id": "0051", "Name": "Ann Lee", "Email": "ann@example.com", "UserRoleId": "00E1"}],
        "Account": [
            {
                "Id": "0011",
                "Name": "Acme",
                "Industry": "Retail",
                "OwnerId": "0051",
                "IsDeleted": "false",
                "AccountSource": "Web",
                "Phone": "",
                "CreatedDate": "2024-01-05T08:00:00.000Z",
            },
        ],
        "Product2": [{"Id": "01t1", "ProductCode": "W-1", "Name": "Widget", "Family": "Hardware"}],
        "Opportunity": [
            {
                "Id": "0061",
                "AccountId": "0011",
                "OwnerId": "0051",
                "CreatedDate": "2024-02-01T09:30:00.000Z",
                "CloseDate": "2024-03-15",
                "IsClosed": "true",
                "IsWon": "true",
                "StageName": "Closed Won",
                "Amount": "1200.50",
                "IsDeleted": "false",
            },
            {
                "Id": "0062",
                "AccountId": "0011",
                "OwnerId": "0051",
                "CreatedDate": "2024-02-02T09:30:00.000Z",
                "CloseDate": "2024-04-30",
                "IsClosed": "false",
                "IsWon": "false",
                "StageName": "Negotiation/Review",
                "Amount": "800",
                "IsDeleted": "false",
            },
        ],
        "OpportunityLineItem": [
            {
                "Id": "00k1",
                "OpportunityId": "0061",
                "Product2Id": "01t1",
                "Quantity": "2",
                "UnitPrice": "600.25",
                "IsDeleted": "false",
            },
            {
                "Id": "00k2",
                "OpportunityId": "0062",
                "Product2Id": "01t1",
                "Quantity": "1",
                "UnitPrice": "800",
                "IsDeleted": "false",
            },
        ],
    }
    synced_names = {"UserRole": "user_role", "Product2": "product_2", "OpportunityLineItem": "opportunity_line_item"}
    export_dir = write_csv_tables(tmp_path / "export", records)
    synced_dir = write_csv_tables(
        tmp_path / "synced",
        {
            synced_names.get(obj, obj.lower()): [{snake_case(k): v for k, v in r.items()} for r in rows]
            for obj, rows in records.items()
        },
    )
    mapping = load_mapping("salesforce")
    a = run_import(mapping, export_dir, tmp_path / "land_export", "USD")
    b = run_import(mapping, synced_dir, tmp_path / "land_synced", "USD")
    assert a.landing_rows == b.landing_rows
    for table in a.landing_rows:
        assert read_csv(a.out_dir / f"{table}.csv") == read_csv(b.out_dir / f"{table}.csv"), table
    orders = read_csv(a.out_dir / "erp_sales_orders.csv")
    assert [(o["order_id"], o["order_date"], o["currency"], o["rep_id"]) for o in orders] == [
        ("0061", "2024-03-15", "USD", "0051")
    ]
    lines = read_csv(a.out_dir / "erp_sales_order_lines.csv")
    assert [(x["order_line_id"], x["quantity"], x["unit_price"]) for x in lines] == [("00k1", "2", "600.25")]
    opps = {o["opportunity_id"]: o for o in read_csv(a.out_dir / "crm_opportunities.csv")}
    assert opps["0061"]["created_at"] == "2024-02-01T09:30:00+00:00"  # the offset is kept: staging converts it
    assert (opps["0062"]["status"], opps["0062"]["stage"], opps["0062"]["won_amount"]) == (
        "open",
        "Negotiation/Review",
        "",
    )
    assert snake_case("Product2Id") == "product_2_id" and snake_case("Custom__c") == "custom_c"


# ---------------------------------------------------------------- files and encodings


def _deals_csv(path: Path, encoding: str, rows: list[str]) -> None:
    path.write_bytes(("id,dept,owner,customer,date,amount\n" + "\n".join(rows) + "\n").encode(encoding))


def test_gb18030_csv_is_read_and_a_wrong_declared_encoding_names_file_and_line(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _deals_csv(src / "deals.csv", "gb18030", ['D1,华东一部,张伟,上海某某贸易有限公司,2024/3/5,"12,000.00"'])
    mapping = load_mapping(write_mapping(tmp_path, MINIMAL))
    result = run_import(mapping, src, tmp_path / "out", "CNY")
    assert result.sources["deals"].encoding == "gb18030"
    [order] = read_csv(tmp_path / "out" / "erp_sales_orders.csv")
    assert (order["customer_id"], order["rep_id"], order["order_date"]) == (
        "上海某某贸易有限公司",
        "张伟",
        "2024-03-05",
    )
    [line] = read_csv(tmp_path / "out" / "erp_sales_order_lines.csv")
    assert line["unit_price"] == "12000"
    strict = write_mapping(
        tmp_path, MINIMAL.replace("  deals: [deals.csv]", "  deals: {files: [deals.csv], encoding: utf-8}")
    )
    with pytest.raises(ImportFailed, match=r"deals.csv:2: not UTF-8 text .*gb18030"):
        run_import(load_mapping(strict), src, tmp_path / "out2", "CNY")


def test_missing_source_file_and_column_stop_the_import(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    mapping = load_mapping(write_mapping(tmp_path, MINIMAL))
    with pytest.raises(ImportFailed, match=r"no file for source table 'deals' \(looked for deals.csv"):
        run_import(mapping, src, tmp_path / "out", "CNY")
    (src / "deals.csv").write_text("id,dept,owner,customer,date\nD1,a,b,c,2024-01-01\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"my_crm.yml:\d+: erp_sales_order_lines.unit_price: source column amount"):
        run_import(mapping, src, tmp_path / "out", "CNY")
    assert not (tmp_path / "out").exists()  # nothing written


def test_bad_values_are_rejected_with_reason_and_row(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _deals_csv(
        src / "deals.csv",
        "utf-8",
        [
            "D1,East,Ann,Acme,2024-01-31,100",
            "D2,East,Ann,Acme,2024-02-30,100",
            "D3,East,Ann,Acme,2024-03-01,n/a",
            "D4,East,,Acme,2024-03-02,5",
            "",
            "D5,West,Bob,Beta,2024-03-03,1.2万",
        ],
    )
    result = run_import(load_mapping(write_mapping(tmp_path, MINIMAL)), src, tmp_path / "out", "CNY")
    assert result.sources["deals"].blank_rows == 1
    orders = {o.mapping.target: o for o in result.outcomes}
    rejects = {(r["target_table"], r["source_row_key"]): (r["reason"], r["detail"]) for r in result.rejects}
    assert rejects[("erp_sales_orders", "row 3")] == (
        "unparseable_date",
        "erp_sales_orders.order_date: '2024-02-30' is not a date (give 'format:' in the mapping)",
    )
    assert rejects[("erp_sales_order_lines", "row 4")][0] == "unparseable_number"
    assert rejects[("erp_sales_orders", "row 5")][0] == "missing_value"
    assert rejects[("crm_sales_reps", "row 5")][0] == "missing_value"
    assert rejects[("crm_sales_reps", "row 3")] == ("merged_duplicate", "same rep_id as deals.csv row 2")
    assert orders["erp_sales_orders"].landed == 3  # D1, D3 (its amount is not an order column), D5
    lines = {x["order_line_id"]: x["unit_price"] for x in read_csv(tmp_path / "out" / "erp_sales_order_lines.csv")}
    assert lines == {"D1": "100", "D2": "100", "D4": "5", "D5": "12000"}
    assert {r["rep_id"] for r in read_csv(tmp_path / "out" / "crm_sales_reps.csv")} == {"Ann", "Bob"}


# ---------------------------------------------------------------- the command


def test_import_command_reports_and_exits(tmp_path, capsys, monkeypatch):
    from salesperf import run

    out = tmp_path / "landing"
    with pytest.raises(SystemExit) as done:
        run.main(["import", "--from", "salesforce", str(FIXTURE), "--out", str(out)])
    assert done.value.code == 0
    printed = capsys.readouterr().out
    assert "'X' x7" in printed and (out / "crm_opportunities.csv").exists()
    # --strict: the same import exits 4 because a value was unmapped
    with pytest.raises(SystemExit) as done:
        run.main(["import", "--from", "salesforce", str(FIXTURE), "--out", str(out), "--strict"])
    assert done.value.code == run.EXIT_IMPORT_FAILED
    assert "--strict: 11 row(s) rejected, 1 value(s) unmapped" in capsys.readouterr().err
    # a broken mapping: file and line, nothing written, and `build --from` stops before dbt
    bad = write_mapping(tmp_path, MINIMAL.replace("      team_id: dept\n", "      team_id: dept\n      colour: x\n"))
    for argv in (["import", "--from", str(bad), str(FIXTURE), "--out", str(tmp_path / "none")],
                 ["build", "--from", str(bad), str(FIXTURE)]):  # fmt: skip
        monkeypatch.setenv("SALESPERF_LANDING_DIR", str(tmp_path / "none"))
        with pytest.raises(SystemExit) as done:
            run.main(argv)
        assert done.value.code == run.EXIT_IMPORT_FAILED
        err = capsys.readouterr().err
        assert f"{bad}:10: unknown target column crm_teams.colour" in err and "nothing was written" in err
    assert not (tmp_path / "none").exists()


def test_unreadable_files_are_named(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "商机导出.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ImportFailed, match=r"商机导出.xlsx: not a readable .xlsx workbook"):
        run_import(load_mapping("cn_crm"), src, tmp_path / "out", "CNY")
    (src / "商机导出.xlsx").unlink()
    (src / "商机导出.csv").write_text("客户名称,负责人\n甲,乙,丙\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"商机导出.csv:2: 3 fields but the header has 2"):
        run_import(load_mapping("cn_crm"), src, tmp_path / "out", "CNY")
    (src / "商机导出.csv").write_text('客户名称,负责人\n"甲,乙\n', encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"商机导出.csv:\d+: unexpected end of data"):
        run_import(load_mapping("cn_crm"), src, tmp_path / "out", "CNY")
    assert not (tmp_path / "out").exists()
