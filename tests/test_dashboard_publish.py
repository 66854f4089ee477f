"""The dashboard shows a newly published warehouse at once, also while queries of other sessions
run across the publish (issue 10, item 16).

DuckDB's Python ``connect(path)`` reuses the process's cached database instance while any
connection to that path is open, and that instance still reads the file a publish replaced: a
dashboard query opened that way after a publish returned the old figures (and cached them under the
new file's key for the whole TTL). dashboard/data.py attaches the path in a fresh database instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from dashboard import data


def _write(path: Path, value: float) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table main.indicator_values as select 'sales_amount' as indicator_code, ? as value", [value]
        )


def _publish(built: Path, live: Path) -> None:
    os.replace(built, live)  # as salesperf.run publishes


def test_new_figures_after_a_publish_with_queries_running_across_it(tmp_path, monkeypatch):
    live_dir, build_dir = tmp_path / "warehouse", tmp_path / "warehouse" / ".build"
    build_dir.mkdir(parents=True)
    live = live_dir / "sales_performance.duckdb"
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(live))
    data._cached_query.clear()
    sql = "select value from main.indicator_values where indicator_code = $code"

    _write(build_dir / live.name, 100.0)
    _publish(build_dir / live.name, live)
    assert data.query(sql, {"code": "sales_amount"})["value"].tolist() == [100.0]

    # Another session's queries run across the publish: their connections to the old file stay open.
    in_flight = duckdb.connect(str(live), read_only=True)
    stop = threading.Event()
    seen: list[float] = []

    def other_session() -> None:
        n = 0
        while not stop.is_set():
            n += 1  # a new statement each time: never served from the cache
            seen.append(data.query(f"{sql} and {n} > 0", {"code": "sales_amount"})["value"].iloc[0])

    reader = threading.Thread(target=other_session)
    reader.start()
    try:
        _write(build_dir / live.name, 250.0)
        _publish(build_dir / live.name, live)
        assert in_flight.execute(sql.replace("$code", "'sales_amount'")).fetchone()[0] == 100.0  # the old file
        # within the TTL (300 s by default): at once, as the file's identity is part of the cache key
        assert data.query(sql, {"code": "sales_amount"})["value"].tolist() == [250.0]
    finally:
        stop.set()
        reader.join(timeout=30)
        in_flight.close()
    assert seen and seen[-1] == 250.0
    assert data.query(sql, {"code": "sales_amount"})["value"].tolist() == [250.0]


def test_catalog_keeps_the_file_name(tmp_path):
    path = tmp_path / "sales_performance.duckdb"
    _write(path, 1.0)
    con = data.connect_read_only(str(path))
    try:
        assert con.execute("select current_database()").fetchone()[0] == "sales_performance"
        assert con.execute("select value from sales_performance.main.indicator_values").fetchone()[0] == 1.0
    finally:
        con.close()
