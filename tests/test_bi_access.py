"""The SQLAlchemy route for BI tools (README "Connect a BI tool"): duckdb-engine opens the published
warehouse read-only, reflects the public marts' columns and runs a query, while another process
(the dashboard) has the same file open read-only; nothing can be written through it."""

from __future__ import annotations

import subprocess
import sys

import pytest

sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("duckdb_engine")

pytestmark = pytest.mark.slow

SALES_BY_YEAR = (
    "select period_start, value from main.indicator_values where indicator_code = 'sales_amount' "
    "and grain = 'company' and period_type = 'year' order by period_start"
)
TABLES = ("indicator_values", "fct_order_lines", "rpt_team_indicators", "dim_teams")


@pytest.fixture
def dashboard_reader(demo_build):
    """Another process holding the published file read-only, as the dashboard does."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "con.execute('select count(*) from main.indicator_values').fetchone(); "
        "print('open', flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(demo_build.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "open"
    yield proc
    proc.stdin.close()
    proc.wait(timeout=30)


def test_reflect_the_public_marts_and_query_read_only(demo_build, dashboard_reader):
    with demo_build.connect() as con:  # what the tool must see, read before the engine opens the file
        public = {
            name
            for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
        }
        described = {table: [row[0] for row in con.execute(f"describe main.{table}").fetchall()] for table in TABLES}
        expected = con.execute(SALES_BY_YEAR).fetchall()

    # the URL of the README, with the published file's path
    engine = sqlalchemy.create_engine(f"duckdb:///{demo_build.warehouse}?access_mode=read_only")
    try:
        inspector = sqlalchemy.inspect(engine)
        assert set(inspector.get_table_names(schema="main")) == public
        for table in TABLES:
            assert [c["name"] for c in inspector.get_columns(table, schema="main")] == described[table], table
        values = sqlalchemy.Table("indicator_values", sqlalchemy.MetaData(), schema="main", autoload_with=engine)
        assert {"indicator_code", "entity_id", "period_start", "value"} <= set(values.c.keys())
        with engine.connect() as con:
            rows = con.execute(sqlalchemy.text(SALES_BY_YEAR)).fetchall()
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
                con.execute(sqlalchemy.text("create table main.bi_scratch as select 1 as x"))
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == expected and len(rows) >= 3
    assert dashboard_reader.poll() is None  # the dashboard's reader was never disturbed
