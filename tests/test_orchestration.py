"""The Dagster definitions (salesperf/orchestration): they load, the schedule and the sensor
behave, a failing landing check stops the run and alerts, and (slow) the job builds and
publishes the demo in-process with the same figures as `tasks.py build`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from alert_servers import HookServer
from conftest import NO_UNIT_TESTS
from dagster import AssetKey, DagsterInstance, RunRequest, SkipReason, build_sensor_context

from salesperf.orchestration import definitions as orch


def test_definitions_load_with_the_dbt_project_as_assets() -> None:
    defs = orch.defs
    job = defs.resolve_job_def("salesperf_build")
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    assert {AssetKey("indicator_values"), AssetKey("quality_gate"), AssetKey("published_warehouse")} <= keys
    assert AssetKey(["crm", "crm_accounts"]) in orch.LANDING_KEYS  # the dbt sources, produced by landing_check
    assert len(orch.LANDING_KEYS) >= 30
    assert orch.salesperf_dbt.check_keys  # dbt tests are asset checks
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("published_warehouse")).parent_keys == {AssetKey("quality_gate")}
    assert AssetKey("indicator_values") in graph.get(AssetKey("quality_gate")).parent_keys
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("salesperf_daily")
    if "SALESPERF_SCHEDULE_CRON" not in os.environ:
        assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "salesperf_build"
    assert schedule.execution_timezone  # the company time zone of dbt_project.yml
    assert defs.resolve_sensor_def("new_landing_files").job_name == "salesperf_build"
    assert orch.manifest_path().exists()


def _touch(path: Path, when: float) -> None:
    path.write_text("id\n1\n", encoding="utf-8")
    os.utime(path, (when, when))


def test_sensor_requests_a_build_when_new_landing_files_arrive(tmp_path: Path, monkeypatch) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "wh" / "sales_performance.duckdb"
    monkeypatch.setenv("SALESPERF_LANDING_DIR", str(landing))
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("SALESPERF_LANDING_SETTLE_SECONDS", "60")
    instance = DagsterInstance.ephemeral()

    def evaluate(cursor: str | None):
        context = build_sensor_context(instance=instance, cursor=cursor)
        return orch.new_landing_files(context), context.cursor

    result, cursor = evaluate(None)
    assert isinstance(result, SkipReason) and "no landing files" in result.skip_message
    landing.mkdir()
    old = time.time() - 3600
    _touch(landing / "crm_accounts.csv", old)
    _touch(landing / "notes.md", old)  # not a landing file
    result, cursor = evaluate(None)
    assert isinstance(result, RunRequest) and result.run_key.startswith("landing-") and cursor
    again, same = evaluate(cursor)
    assert isinstance(again, SkipReason) and same == cursor  # the same files: no second run
    _touch(landing / "erp_invoices.csv", time.time())  # still being copied
    fresh, unchanged = evaluate(cursor)
    assert isinstance(fresh, SkipReason) and "waiting" in fresh.skip_message and unchanged == cursor
    os.utime(landing / "erp_invoices.csv", (old + 10, old + 10))
    second, new_cursor = evaluate(cursor)
    assert isinstance(second, RunRequest) and second.run_key != result.run_key and new_cursor != cursor
    warehouse.parent.mkdir()
    warehouse.write_bytes(b"")  # published after the files arrived
    _touch(landing / "erp_payments.csv", old + 20)
    newer, _ = evaluate(new_cursor)
    assert isinstance(newer, SkipReason) and "published warehouse is newer" in newer.skip_message


def test_a_failed_landing_check_stops_the_run_and_alerts(tmp_path: Path, monkeypatch) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "wh" / "sales_performance.duckdb"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("SALESPERF_DATA_DOCS", str(tmp_path / "docs"))
    with HookServer() as hooks:
        config = tmp_path / "digest.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "channels": {"ops": {"type": "slack", "url_env": "TEST_OPS_SLACK"}},
                    "recipients": [{"role": "director", "channels": ["ops"], "language": "en"}],
                }
            ),
            encoding="utf-8",
        )
        monkeypatch.setenv("TEST_OPS_SLACK", hooks.url("/slack"))
        monkeypatch.setenv("SALESPERF_DIGEST_CONFIG", str(config))
        hooks.answers["/slack"] = "ok"
        defs = orch.definitions(build=orch.SalesperfBuild(landing_dir=str(landing), warehouse=str(warehouse)))
        result = defs.resolve_job_def("salesperf_build").execute_in_process(
            instance=DagsterInstance.ephemeral(), raise_on_error=False
        )
        assert not result.success
        failed = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert [e.step_key for e in failed] == ["landing_check"]
        assert "exit 2: no landing data" in failed[0].event_specific_data.error.message
        assert not warehouse.exists()
        (alert,) = hooks.at("/slack")
        assert alert.body["text"].startswith("Build failed · exit 2: no landing data")
        assert "crm_accounts" in str(alert.body["blocks"])


# A Dagster process (lock held, dbt started as dagster-dbt starts it: Popen with close_fds) that
# reports dbt's pid and then waits to be killed.
DAGSTER_STAND_IN = """
import subprocess, sys, time
from salesperf import run, settings
from salesperf.orchestration import lock_handover
lock = run.build_lock(settings.load()).acquire()
with lock_handover.serve(lock.fds):
    dbt = subprocess.Popen(
        [sys.executable, lock_handover.__file__, sys.executable, "-c",
         "import time; print('dbt running', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE,
    )
    assert dbt.stdout.readline().strip() == b"dbt running"
    print(dbt.pid, flush=True)
    time.sleep(120)
"""


def test_the_dbt_process_keeps_the_build_lock_when_the_dagster_process_is_killed(tmp_path: Path, monkeypatch) -> None:
    """The dbt that dagster-dbt starts holds the run's build lock (lock_handover): killing the
    Dagster process mid-run leaves the lock held until that dbt has exited."""
    from salesperf import run as run_mod
    from salesperf import settings as settings_mod
    from salesperf.operation import BuildLocked, pid_alive

    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(tmp_path / "wh" / "sales_performance.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("SALESPERF_DATA_DOCS", str(tmp_path / "docs"))
    env = dict(os.environ, PYTHONPATH=str(orch.PROJECT_DIR))
    dagster = subprocess.Popen([sys.executable, "-c", DAGSTER_STAND_IN], stdout=subprocess.PIPE, env=env)
    dbt_pid = 0
    try:
        dbt_pid = int(dagster.stdout.readline())
        with pytest.raises(BuildLocked):
            run_mod.build_lock(settings_mod.load()).acquire()
        dagster.kill()
        dagster.wait(timeout=10)
        assert pid_alive(dbt_pid)
        with pytest.raises(BuildLocked, match="exited; its dbt process is still running"):
            run_mod.build_lock(settings_mod.load()).acquire()
    finally:
        dagster.kill()
        if dbt_pid:
            os.kill(dbt_pid, signal.SIGKILL)
    deadline = time.time() + 10
    while True:  # dbt gone: the lock is free
        try:
            run_mod.build_lock(settings_mod.load()).acquire().release()
            break
        except BuildLocked:
            assert time.time() < deadline, "the lock stayed held after dbt exited"
            time.sleep(0.1)


def test_dagster_starts_dbt_under_the_build_lock() -> None:
    """dagster-dbt's dbt executable is the lock_handover wrapper of the project's dbt."""
    executable = Path(orch.defs.resources["dbt"].dbt_executable)
    text = executable.read_text(encoding="utf-8")
    assert os.access(executable, os.X_OK)
    assert "lock_handover.py" in text and str(orch.run_mod.BIN / "dbt") in text
    done = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "1.11" in done.stdout + done.stderr


@pytest.mark.slow
def test_the_job_builds_and_publishes_the_demo(demo_landing: Path, demo_build, tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "wh" / "sales_performance.duckdb"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    monkeypatch.setenv("SALESPERF_DATA_DOCS", str(tmp_path / "docs"))
    monkeypatch.setenv("SALESPERF_THREADS", "2")
    for name, value in NO_UNIT_TESTS.items():  # the demo build of the session ran them
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SALESPERF_DIGEST_CONFIG", raising=False)
    defs = orch.definitions(build=orch.SalesperfBuild(landing_dir=str(demo_landing), warehouse=str(warehouse)))
    result = defs.resolve_job_def("salesperf_build").execute_in_process(instance=DagsterInstance.ephemeral())
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert {AssetKey("published_warehouse"), AssetKey("quality_gate"), AssetKey("indicator_values")} <= materialized
    assert AssetKey(["erp", "erp_invoices"]) in materialized or AssetKey(["crm", "crm_accounts"]) in materialized
    assert warehouse.exists() and not (warehouse.parent / ".build" / warehouse.name).exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        blocking = con.execute(
            "select count(*) from main.dq_results where severity = 'error' and status in ('fail', 'error')"
        ).fetchone()[0]
    assert blocking == 0
    # what it was built from, recorded as `tasks.py build` records it (a later `build --incremental` reads it)
    from salesperf import build_record

    recorded, by_cli = build_record.read(warehouse), build_record.read(demo_build.warehouse)
    assert recorded is not None and by_cli is not None
    assert (recorded.code_fingerprint, recorded.landing_folder) == (by_cli.code_fingerprint, by_cli.landing_folder)
    # the same figures as `tasks.py build` of the same data: every row of indicator_values, within
    # 1e-9 relative (doubles summed by parallel threads in another order differ in the last digit)
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as dagster (read_only)")
        con.execute(f"attach '{demo_build.warehouse}' as cli (read_only)")
        rows, differ = con.execute(
            """
            select count(*), count(*) filter (where not (
                d.value is not distinct from c.value or abs(d.value - c.value) <= 1e-9 * abs(c.value) + 1e-9
            ))
            from dagster.main.indicator_values as d
            full join cli.main.indicator_values as c
                using (indicator_code, grain, entity_id, period_type, period_start)
            """
        ).fetchone()
    assert rows > 100_000 and differ == 0
