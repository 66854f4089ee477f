"""What a published warehouse records of its build (salesperf.build_record), the incremental run's guard
on it, and the unit-test results an incremental run of the same code carries over (docs/incremental.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from salesperf import build_record, run
from salesperf import settings as settings_mod
from salesperf.quality.results import CarriedResult, CheckResult, read_results, write_results

PROJECT_VARS = {"SALESPERF_BASE_CURRENCY", "SALESPERF_TIMEZONE", "SALESPERF_WAREHOUSE", "SALESPERF_THREADS"}


def _project(root: Path) -> Path:
    (root / "models" / "marts").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: x\n", encoding="utf-8")
    (root / "models" / "marts" / "fct_x.sql").write_text("select 1 as x\n", encoding="utf-8")
    return root


def test_code_fingerprint_follows_every_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path / "project")
    monkeypatch.setattr(settings_mod, "PROJECT_DIR", project)
    first = build_record.code_fingerprint()
    assert build_record.code_fingerprint() == first  # deterministic
    (project / "models" / "marts" / "__pycache__").mkdir()
    (project / "models" / "marts" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert build_record.code_fingerprint() == first  # compiled files are no code of their own
    model = project / "models" / "marts" / "fct_x.sql"
    model.write_text("select 2 as x\n", encoding="utf-8")
    changed = build_record.code_fingerprint()
    assert changed != first
    model.rename(project / "models" / "marts" / "fct_y.sql")  # the same text under another name
    assert build_record.code_fingerprint() not in (first, changed)
    (project / "seeds").mkdir()
    before_seed = build_record.code_fingerprint()
    (project / "seeds" / "weights.csv").write_text("role,weight\nrep,1\n", encoding="utf-8")
    assert build_record.code_fingerprint() != before_seed  # seeds are settings analysts edit: part of the code


def test_settings_fingerprint_reads_what_changes_figures() -> None:
    env = {"SALESPERF_BASE_CURRENCY": "CNY", "SALESPERF_WAREHOUSE": "/a/w.duckdb", "SALESPERF_THREADS": "2"}
    base = build_record.settings_fingerprint(env, [], PROJECT_VARS)
    # places and resources are not settings
    moved = {**env, "SALESPERF_WAREHOUSE": "/b/w.duckdb", "SALESPERF_THREADS": "8", "PATH": "/usr/bin"}
    assert build_record.settings_fingerprint(moved, ["--threads", "4"], PROJECT_VARS) == base
    # an empty variable is an unset one (the project's env_var defaults apply to both)
    assert build_record.settings_fingerprint({**env, "SALESPERF_TIMEZONE": ""}, [], PROJECT_VARS) == base
    assert build_record.settings_fingerprint({**env, "SALESPERF_TIMEZONE": "UTC"}, [], PROJECT_VARS) != base
    assert build_record.settings_fingerprint({**env, "SALESPERF_BASE_CURRENCY": "USD"}, [], PROJECT_VARS) != base
    with_vars = build_record.settings_fingerprint(env, ["--vars", "{base_currency: USD}"], PROJECT_VARS)
    assert with_vars != base
    assert build_record.settings_fingerprint(env, ["--vars={base_currency: USD}"], PROJECT_VARS) == with_vars
    assert build_record.dbt_vars(["--select", "x", "--vars", "{a: 1}", "--vars={b: 2}", "--vars"]) == [
        "{a: 1}",
        "{b: 2}",
    ]


def test_the_guard_names_what_differs(tmp_path: Path) -> None:
    now = build_record.BuildRecord("code", "settings", "/data/landing")
    assert build_record.reason_for_full_build(now, now) is None
    cases = {
        None: "does not record",
        build_record.BuildRecord("code", "settings", "/other"): "other extracts (/other)",
        build_record.BuildRecord("old", "settings", "/data/landing"): "code",
        build_record.BuildRecord("code", "old", "/data/landing"): "settings",
    }
    for published, words in cases.items():
        why = build_record.reason_for_full_build(published, now)
        assert why is not None and words in why, (published, why)


def test_record_round_trip_in_a_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table main.fct_x as select 1 as x")
    assert build_record.read(warehouse) is None  # a warehouse of an earlier version
    record = build_record.current(tmp_path / "landing" / ".." / "landing", {}, [], PROJECT_VARS)
    assert record.landing_folder == str((tmp_path / "landing").resolve())
    build_record.write(warehouse, record)
    build_record.write(warehouse, record)  # replaced, never two rows
    assert build_record.read(warehouse) == record
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"select count(*) from {build_record.TABLE}").fetchone()[0] == 1
        # outside the exported schemas: no Parquet file, no BI table
        assert build_record.SCHEMA not in ("main", "reference")
    (tmp_path / "not_duckdb.duckdb").write_text("hello", encoding="utf-8")
    assert build_record.read(tmp_path / "not_duckdb.duckdb") is None


def test_a_daily_run_leaves_out_unit_tests_keeping_what_the_user_excluded() -> None:
    env: dict[str, str] = {}
    run.leave_out_unit_tests(env)
    assert env["DBT_EXCLUDE_RESOURCE_TYPES"] == "unit_test"
    env = {"DBT_EXCLUDE_RESOURCE_TYPES": "snapshot"}
    run.leave_out_unit_tests(env)
    assert env["DBT_EXCLUDE_RESOURCE_TYPES"] == "snapshot unit_test"
    run.leave_out_unit_tests(env)
    assert env["DBT_EXCLUDE_RESOURCE_TYPES"] == "snapshot unit_test"


def _result(check_id: str, check_type: str, status: str = "pass") -> CheckResult:
    return CheckResult(check_id, check_id.rsplit(".", 1)[-1], check_type, "marts", "fct_x", "error", status, None, "m")


def test_carried_results_keep_their_time(tmp_path: Path) -> None:
    published = tmp_path / "published.duckdb"
    earlier = dt.datetime(2026, 12, 1, 6, 0, 0)
    unit = [_result("unit_test.p.fct_x.test_a", "dbt_unit_test"), _result("unit_test.p.fct_x.test_b", "dbt_unit_test")]
    write_results(published, [*unit, _result("test.p.not_null_x", "dbt_test")], earlier)
    carried = read_results(published, "dbt_unit_test")
    assert [c.result for c in carried] == unit and {c.checked_at for c in carried} == {earlier}
    with duckdb.connect(str(tmp_path / "bare.duckdb")) as con:
        con.execute("create table main.fct_x as select 1 as x")
    assert read_results(tmp_path / "bare.duckdb", "dbt_unit_test") == []  # no dq_results: nothing to carry

    now = dt.datetime(2026, 12, 2, 6, 0, 0)
    assert write_results(published, [_result("test.p.not_null_x", "dbt_test", "fail")], now, carried) == 3
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("select check_id, check_type, status, checked_at from main.dq_results order by 1").fetchall()
    assert rows == [
        ("test.p.not_null_x", "dbt_test", "fail", now),
        ("unit_test.p.fct_x.test_a", "dbt_unit_test", "pass", earlier),
        ("unit_test.p.fct_x.test_b", "dbt_unit_test", "pass", earlier),
    ]
    assert CarriedResult(unit[0], earlier) == carried[0]
