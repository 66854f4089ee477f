"""The landing preflight (salesperf/landing.py) on real files, without dbt: every file-level fault
scenario of the generator has its documented outcome (stopped with a message naming the file and
the line, or read correctly), every broken file is reported in one run, and the prepared files hold
exactly the landing rows, counted independently with Python's csv reader and pyarrow.
Also the build lock and the Data Docs swap (salesperf/operation.py)."""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR

from salesperf import landing, operation
from salesperf.contract import REQUIRED_TABLES, TABLES_BY_NAME
from salesperf.generate import faults

EXIT_LOCKED = 4


@pytest.fixture(scope="module")
def clean_prepared(demo_landing, tmp_path_factory) -> tuple[Path, landing.Preflight]:
    out = tmp_path_factory.mktemp("clean_prepared")
    result = landing.prepare(demo_landing, out)
    assert result.ok, [p.message for p in result.problems]
    return out, result


def _copy(demo_landing: Path, tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(demo_landing, target)
    return target


def _rows(path: Path) -> list[tuple]:
    data = pq.read_table(path)
    return sorted(tuple(r.values()) for r in data.to_pylist())


def _csv_rows(path: Path, encoding: str) -> int:
    """Landing rows of a CSV file by Python's csv reader (header and blank lines excluded)."""
    with path.open(newline="", encoding=encoding) as handle:
        return sum(1 for row in csv.reader(handle) if row) - 1


def _independent_count(path: Path, encoding: str = "utf-8") -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as raw:
        if raw.read(3) == codecs.BOM_UTF8:
            encoding = "utf-8-sig"
    return _csv_rows(path, encoding)


def _prepare(landing_dir: Path, tmp_path: Path, environ: dict[str, str] | None = None) -> landing.Preflight:
    return landing.prepare(landing_dir, tmp_path / "prepared", environ=environ or {})


# ---------------------------------------------------------------------------------------------
# every file scenario of the generator
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", faults.FILE_SCENARIOS)
def test_file_scenario_has_its_documented_outcome(scenario, demo_landing, clean_prepared, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    fault = faults.write_file_fault(landing_dir, scenario)
    assert faults.read_manifest(landing_dir / faults.MANIFEST_NAME)[-1] == fault
    environ = dict(faults.GBK_DECLARATION) if scenario == "gbk_declared" else {}
    result = _prepare(landing_dir, tmp_path, environ)
    if fault.expected_rule == faults.STOPS:
        assert not result.ok
        messages = [p.message for p in result.problems]
        assert all(p.table == fault.table for p in result.problems), messages
        file_name = fault.description.split()[0]
        assert any(file_name in m for m in messages), messages
        expected_line = re.search(r"line (\d+)", fault.description)
        if expected_line:  # the message names the very line
            assert any(f"{file_name} line {expected_line.group(1)}:" in m for m in messages), messages
            assert result.problems[0].line == int(expected_line.group(1))
        assert not (tmp_path / "prepared" / f"{fault.table}.parquet").exists()
        return
    assert fault.expected_rule == faults.READ_CORRECTLY
    assert result.ok, [p.message for p in result.problems]
    clean_dir, _clean = clean_prepared
    for table in TABLES_BY_NAME:
        got, want = tmp_path / "prepared" / f"{table}.parquet", clean_dir / f"{table}.parquet"
        assert got.exists() == want.exists(), table
        if not got.exists():
            continue
        got_rows, want_rows = _rows(got), _rows(want)
        if scenario == "quoted_thousands_late" and table == fault.table:
            extra = [r for r in got_rows if r[0] == faults.LATE_LINE_KEY]
            assert len(extra) == 1 and extra[0][TABLES_BY_NAME[table].column_names.index("unit_price")] == "1,234.50"
            got_rows = [r for r in got_rows if r[0] != faults.LATE_LINE_KEY]
        if scenario == "integer_ids_parquet" and table in ("hr_compliance_checks", "hr_trainings"):
            # the ids are the digits of the clean ids, as text: 14, never 14.0
            want_rows = sorted((str(int(re.sub(r"\D", "", r[0]))), *r[1:]) for r in want_rows)
            assert all(not r[0].endswith(".0") for r in got_rows)
        assert got_rows == want_rows, f"{scenario}: {table} differs from the clean data"


def test_gbk_without_declaration_says_how_to_declare(demo_landing, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    faults.write_file_fault(landing_dir, "gbk_undeclared")
    message = _prepare(landing_dir, tmp_path).problems[0].message
    assert "crm_teams.csv line 2" in message
    assert "SALESPERF_LANDING_ENCODING_CRM_TEAMS=gb18030" in message and "SALESPERF_LANDING_ENCODING=gb18030" in message
    # declared for every CSV file, it is read
    assert _prepare(landing_dir, tmp_path, {"SALESPERF_LANDING_ENCODING": "gb18030"}).ok


def test_unknown_declared_encoding_is_named(demo_landing, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    faults.write_file_fault(landing_dir, "utf8_bom")
    result = _prepare(landing_dir, tmp_path, {"SALESPERF_LANDING_ENCODING_CRM_REGIONS": "klingon"})
    assert [p.table for p in result.problems] == ["crm_regions"]
    assert "unknown encoding 'klingon'" in result.problems[0].message


def test_every_broken_file_is_reported_in_one_run(demo_landing, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    for scenario in ("gbk_undeclared", "both_formats", "unquoted_thousands"):
        faults.write_file_fault(landing_dir, scenario)
    faults.write_unreadable(landing_dir, "missing_column", "crm_accounts")
    faults.write_unreadable(landing_dir, "empty_file", "erp_payments")
    (landing_dir / "erp_products.parquet").unlink()
    result = _prepare(landing_dir, tmp_path)
    tables = sorted({p.table for p in result.problems})
    assert tables == sorted(
        ["crm_teams", "erp_invoices", "erp_sales_order_lines", "crm_accounts", "erp_payments", "erp_products"]
    )
    # the same through the command line: every file named, exit 1, no traceback
    proc = _prepare_cmd(landing_dir, tmp_path)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log
    assert "Traceback" not in log
    for needle in (
        "crm_teams.csv line 2:",
        "erp_invoices.csv and",
        "erp_sales_order_lines.csv line",
        "crm_accounts.parquet lacks column(s)",
        "Landing file is empty (0 bytes):",
        "Landing file missing:",
    ):
        assert needle in log, needle
    assert "5 landing file(s) cannot be read" in log


def test_missing_required_table_names_only_the_missing_one(demo_landing, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    (landing_dir / "crm_accounts.parquet").unlink()
    result = _prepare(landing_dir, tmp_path)
    assert [p.message for p in result.problems] == [
        f"Landing file missing: {landing_dir}/crm_accounts.parquet or .csv (required table crm_accounts)"
    ]
    assert result.only_missing
    lines = "\n".join(landing.report(result))
    assert all(t not in lines for t in REQUIRED_TABLES if t != "crm_accounts")


def test_optional_table_without_file_is_no_data(demo_landing, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    (landing_dir / "crm_activities.parquet").unlink()
    said: list[str] = []
    result = landing.prepare(landing_dir, tmp_path / "prepared", say=said.append, environ={})
    assert result.ok
    assert "landing: crm_activities has no file" in said[0]
    assert not (tmp_path / "prepared" / "crm_activities.parquet").exists()


# ---------------------------------------------------------------------------------------------
# rows: counted independently = rows in the prepared files
# ---------------------------------------------------------------------------------------------


def test_prepared_rows_equal_landing_rows_counted_independently(demo_landing, tmp_path):
    landing_dir = _copy(demo_landing, tmp_path)
    for scenario in ("gbk_declared", "utf8_bom", "upper_case_header", "quoted_thousands_late", "integer_ids_parquet"):
        faults.write_file_fault(landing_dir, scenario)
    environ = dict(faults.GBK_DECLARATION)
    result = _prepare(landing_dir, tmp_path, environ)
    assert result.ok, [p.message for p in result.problems]
    manifest = landing.read_manifest(tmp_path / "prepared")
    assert {t for t, v in manifest.items() if v["format"] == "csv"} == {
        "crm_sales_reps",
        "crm_regions",
        "crm_accounts",
        "erp_sales_order_lines",
    }
    for table, prepared in result.tables.items():
        source = Path(prepared.source)
        encoding = environ.get(landing.encoding_env(table), "utf-8")
        landing_rows = _independent_count(source, encoding)
        prepared_rows = pq.ParquetFile(tmp_path / "prepared" / f"{table}.parquet").metadata.num_rows
        assert landing_rows == prepared_rows == prepared.rows == manifest[table]["rows"], table
        # contract columns in contract order, all text
        schema = pq.read_schema(tmp_path / "prepared" / f"{table}.parquet")
        assert schema.names == TABLES_BY_NAME[table].column_names
        assert all(field.type == pa.string() for field in schema)


def test_csv_with_blank_lines_crlf_quotes_and_untrimmed_header(tmp_path):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    names = TABLES_BY_NAME["crm_regions"].column_names
    header = ",".join(f" {n.upper()} " for n in names if n != "is_deleted")  # optional column absent
    text = f'\ufeff{header}\r\nEC,"华东, 一区",mature\r\n\r\n"WC","He said ""hi""",emerging\r\n'
    (landing_dir / "crm_regions.csv").write_text(text, encoding="utf-8")
    table = TABLES_BY_NAME["crm_regions"]
    out = tmp_path / "crm_regions.parquet"
    rows, encoding = landing._prepare_csv(landing_dir / "crm_regions.csv", table, out, {})
    assert (rows, encoding) == (2, "utf-8")
    assert pq.read_table(out).to_pylist() == [
        {"region_code": "EC", "region_name": "华东, 一区", "market_type": "mature", "is_deleted": None},
        {"region_code": "WC", "region_name": 'He said "hi"', "market_type": "emerging", "is_deleted": None},
    ]


def test_parquet_ids_and_numbers_become_text(tmp_path):
    table = TABLES_BY_NAME["hr_trainings"]
    columns = {c: pa.array([None, None, None], type=pa.string()) for c in table.column_names}
    columns["training_id"] = pa.array([123.0, 7.5, None], type=pa.float64())
    columns["rep_id"] = pa.array([1, 22, 333], type=pa.int64())
    path = tmp_path / "hr_trainings.parquet"
    pq.write_table(pa.table(columns), path)
    out = tmp_path / "out.parquet"
    assert landing._prepare_parquet(path, table, out) == 3
    data = pq.read_table(out)
    assert data.column("training_id").to_pylist() == ["123", "7.5", None]
    assert data.column("rep_id").to_pylist() == ["1", "22", "333"]


def test_quoted_value_with_newline_keeps_line_numbers(tmp_path):
    names = TABLES_BY_NAME["crm_regions"].column_names
    text = ",".join(names) + '\nEC,"two\nlines",mature,false\nWC,a,b,c,d\n'
    path = tmp_path / "crm_regions.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(landing._FileProblems) as raised:
        landing._prepare_csv(path, TABLES_BY_NAME["crm_regions"], tmp_path / "o.parquet", {})
    assert raised.value.problems[0].line == 4  # the record starting on physical line 4


# ---------------------------------------------------------------------------------------------
# the build lock and the Data Docs swap
# ---------------------------------------------------------------------------------------------


def _prepare_cmd(landing_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SALESPERF_LANDING_DIR=str(landing_dir))
    env["SALESPERF_WAREHOUSE"] = str(tmp_path / "wh" / "w.duckdb")
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    return subprocess.run(
        [sys.executable, "-m", "salesperf.run", "prepare"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )


def test_a_second_build_refuses_while_the_lock_is_held(demo_landing, tmp_path):
    lock = tmp_path / "wh" / ".build" / operation.LOCK_NAME
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from salesperf.operation import BuildLock; "
            f"BuildLock([Path({str(lock)!r})]).acquire(); print('held', flush=True); time.sleep(60)",
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = _prepare_cmd(demo_landing, tmp_path)
        log = proc.stdout + proc.stderr
        assert proc.returncode == EXIT_LOCKED, log
        assert f"Another build is running (PID {holder.pid}, started " in log and str(lock) in log
        assert "Traceback" not in log
        assert not (tmp_path / "wh" / ".build" / "landing").exists()  # it touched nothing
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing: its lock is stale and taken over
    assert json.loads(lock.read_text())["pid"] == holder.pid
    proc = _prepare_cmd(demo_landing, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "wh" / ".build" / "landing" / "crm_teams.parquet").exists()


def test_a_lock_file_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = tmp_path / "build.lock"
    lock.write_text(json.dumps({"pid": int(dead.stdout), "started": "2026-01-01T00:00:00+00:00"}))
    with operation.BuildLock([lock]):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        with pytest.raises(operation.BuildLocked, match=f"PID {os.getpid()}"):
            operation.BuildLock([lock]).acquire()
    assert lock.read_text() == ""  # released


def test_swap_in_replaces_a_folder_and_recover_puts_back_one_left_aside(tmp_path):
    live, new = tmp_path / "data_docs", tmp_path / "data_docs.new"
    live.mkdir()
    (live / "summary.html").write_text("old")
    new.mkdir()
    (new / "summary.html").write_text("new")
    operation.swap_in(new, live)
    assert (live / "summary.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data_docs"]
    # a build killed between the two renames of the fallback: only data_docs.old is there
    live.rename(tmp_path / "data_docs.old")
    (tmp_path / "data_docs.new").mkdir()
    operation.recover(live)
    assert (live / "summary.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data_docs"]
    # first build: no data_docs yet
    fresh = tmp_path / "first"
    (tmp_path / "first.new").mkdir()
    operation.swap_in(tmp_path / "first.new", fresh)
    assert fresh.is_dir() and not (tmp_path / "first.new").exists()
