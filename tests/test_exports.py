"""Parquet exports of the public marts (salesperf/exports.py), published with the warehouse.

The demo build's exports equal its marts row for row; the manifest's checksums, row counts and
build id hold. A publish whose export cannot be written publishes nothing; the previous warehouse
and exports stay (the failed dbt/gate builds of tests/test_publish.py check the same for builds).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pytest

from salesperf import exports


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parquet(folder: Path, entry: dict) -> str:
    paths = ", ".join(f"'{folder / f['path']}'" for f in entry["files"])
    return f"read_parquet([{paths}], hive_partitioning = false)"


@pytest.mark.slow
def test_the_exports_equal_the_public_marts(demo_build):
    folder = exports.export_dir(demo_build.warehouse)
    manifest = json.loads((folder / exports.MANIFEST).read_text(encoding="utf-8"))
    run_results = json.loads((demo_build.warehouse.parent.parent / "target" / "run_results.json").read_text())
    assert manifest["build_id"] and manifest["build_id"] == run_results["metadata"]["invocation_id"]
    assert exports.verify(folder) == []
    by_table = {entry["table"]: entry for entry in manifest["tables"]}
    with demo_build.connect() as con:
        public = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('main', 'reference') and table_type = 'BASE TABLE'"
            ).fetchall()
        }
        assert set(by_table) == public and "main.indicator_values" in public
        assert by_table["main.indicator_values"]["partition_by"] == ["period_type", "period_year"]
        assert by_table["main.dim_periods"]["partition_by"] == []
        for name, entry in by_table.items():
            mart_columns = [(r[0], r[1]) for r in con.execute(f"describe {name}").fetchall()]
            assert [(c["name"], c["type"]) for c in entry["columns"]] == mart_columns, name
            source = _parquet(folder, entry)
            columns = ", ".join(f'"{c}"' for c, _ in mart_columns)
            rows = con.execute(f"select count(*) from {name}").fetchone()[0]
            assert entry["rows"] == rows == con.execute(f"select count(*) from {source}").fetchone()[0], name
            # the same rows, duplicates counted, both ways (NaN and NULL compare equal here)
            mart, export = f"select {columns} from {name}", f"select {columns} from {source}"
            assert con.execute(f"select count(*) from ({mart} except all {export})").fetchone()[0] == 0, name
            assert con.execute(f"select count(*) from ({export} except all {mart})").fetchone()[0] == 0, name
        # one partition per period type and year, period_year = year(period_start)
        values = by_table["main.indicator_values"]
        wrong = con.execute(
            f"select count(*) from read_parquet([{', '.join(repr(str(folder / f['path'])) for f in values['files'])}],"
            " hive_partitioning = true) where period_year <> year(period_start)"
        ).fetchone()[0]
        assert wrong == 0
        assert {f["path"].split("/")[2] for f in values["files"]} == {
            f"period_type={t}"
            for (t,) in con.execute("select distinct period_type from main.indicator_values").fetchall()
        }


def _warehouse(path: Path, value: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table main.fct_x as select range as id, ? as v from range(10)", [value])
        con.execute(
            "create table main.rpt_x as select 'month' as period_type, date '2024-01-01' + to_months(range) "
            "as period_start, range as value from range(30)"
        )
    return path


def test_a_publish_whose_export_fails_publishes_nothing(tmp_path):
    published = _warehouse(tmp_path / "wh" / "sales_performance.duckdb", 1)
    target = tmp_path / "target"
    target.mkdir()
    first = _warehouse(tmp_path / "wh" / ".build" / "first.duckdb", 1)
    kwargs = {"dbt": Path("dbt"), "project": tmp_path, "env": {}}
    assert exports.publish_build(first, published, target, **kwargs) == 0
    live = exports.export_dir(published)
    assert exports.verify(live) == []
    manifest = json.loads((live / exports.MANIFEST).read_text())
    rpt = next(e for e in manifest["tables"] if e["table"] == "main.rpt_x")
    assert rpt["rows"] == 30 and len(rpt["files"]) == 3  # month x 2024, 2025, 2026
    before = (sha256(published), sha256(live / exports.MANIFEST))

    broken = tmp_path / "wh" / ".build" / "broken.duckdb"
    broken.write_bytes(b"not a duckdb file")
    assert exports.publish_build(broken, published, target, **kwargs) == exports.EXIT_EXPORT_FAILED
    assert (sha256(published), sha256(live / exports.MANIFEST)) == before
    assert exports.verify(live) == []
    assert not exports.operation.staging(live).exists()

    second = _warehouse(tmp_path / "wh" / ".build" / "second.duckdb", 2)
    assert exports.publish_build(second, published, target, **kwargs) == 0
    assert not second.exists() and exports.verify(live) == []
    with duckdb.connect() as con:
        assert con.execute(f"select max(v) from '{live / 'main' / 'fct_x.parquet'}'").fetchone()[0] == 2


@pytest.mark.slow
def test_dbt_docs_are_published_when_asked(demo_build, tmp_path, monkeypatch):
    """SALESPERF_DBT_DOCS=1: dbt docs generate --static on the working copy, published beside the
    warehouse as dbt_docs.html with the exports (the build's publish step, on a copy of the demo)."""
    from conftest import PROJECT_DIR, build_env

    published = tmp_path / "wh" / "sales_performance.duckdb"
    work = tmp_path / "wh" / ".build" / "sales_performance.duckdb"
    work.parent.mkdir(parents=True)
    shutil.copyfile(demo_build.warehouse, work)
    env = {**build_env(demo_build.landing_dir, work, tmp_path), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    monkeypatch.setenv(exports.DOCS_ENV, "1")
    started = time.monotonic()
    rc = exports.publish_build(
        work, published, tmp_path / "target", dbt=Path(sys.executable).parent / "dbt", project=PROJECT_DIR, env=env
    )
    took = time.monotonic() - started
    assert rc == 0
    page = published.parent / exports.DOCS_FILE
    html = page.read_text(encoding="utf-8")
    assert "indicator_values" in html and "<script" in html and len(html) > 1_000_000, took
    assert published.exists() and not work.exists() and exports.verify(exports.export_dir(published)) == []
    assert not (tmp_path / "target" / (exports.DOCS_FILE + ".new")).exists()
