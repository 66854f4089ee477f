"""DuckDB's resource settings (memory_limit, threads, temp_directory) come from environment
variables: profiles.yml for dbt, salesperf.settings.duckdb_config for the project's own connections."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from salesperf import settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
QUERY = (
    "select current_setting('threads') as threads, current_setting('memory_limit') as memory_limit,"
    " current_setting('temp_directory') as temp_directory"
)
VARIABLES = (
    "SALESPERF_DUCKDB_MEMORY_LIMIT",
    "SALESPERF_MEMORY",
    "SALESPERF_DUCKDB_THREADS",
    "SALESPERF_DUCKDB_TEMP_DIR",
)


def test_duckdb_config_reads_the_variables_and_leaves_the_rest_to_duckdb(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert settings.duckdb_config() == {"memory_limit": "4GB"}
    monkeypatch.setenv("SALESPERF_MEMORY", "5GB")  # the older name
    assert settings.duckdb_config() == {"memory_limit": "5GB"}
    monkeypatch.setenv("SALESPERF_DUCKDB_MEMORY_LIMIT", "3GB")
    monkeypatch.setenv("SALESPERF_DUCKDB_THREADS", "1")
    monkeypatch.setenv("SALESPERF_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    config = settings.duckdb_config()
    assert config == {"memory_limit": "3GB", "threads": "1", "temp_directory": str(tmp_path / "spill")}
    with duckdb.connect(config=config) as con:
        threads, memory, temp = con.execute(QUERY).fetchone()
    assert (threads, memory, temp) == (1, "2.7 GiB", str(tmp_path / "spill"))


@pytest.mark.slow
def test_profiles_yml_gives_dbt_the_same_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(
        SALESPERF_WAREHOUSE=str(tmp_path / "wh.duckdb"),
        SALESPERF_DUCKDB_MEMORY_LIMIT="3GB",
        SALESPERF_DUCKDB_THREADS="1",
        SALESPERF_DUCKDB_TEMP_DIR=str(tmp_path / "spill"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        DBT_PROFILES_DIR=str(PROJECT_DIR),
    )
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt), "show", "--quiet", "--output", "json", "--inline", QUERY],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = json.loads(proc.stdout[proc.stdout.index("{") :])["show"][0]
    assert row == {"threads": 1, "memory_limit": "2.7 GiB", "temp_directory": str(tmp_path / "spill")}
