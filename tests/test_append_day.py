"""`generate --append-day`: the next day of orders appended to existing landing files (the input of
an incremental build, docs/incremental.md). Every existing row stays as it was; the new rows are the
orders of a week earlier replayed on the new day with new ids; the same files give the same day."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from salesperf.generate import generate
from salesperf.generate.__main__ import main as cli_main
from salesperf.generate.append_day import append_day

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(out, seed=42, scale="small", fmt="parquet", as_of=AS_OF)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def test_appends_the_next_day_and_keeps_every_existing_row(landing: Path, tmp_path: Path) -> None:
    work = shutil.copytree(landing, tmp_path / "landing")
    added = append_day(work)
    assert added.day == date(2026, 11, 1) and added.template_day == date(2026, 10, 25)
    assert added.orders > 0 and added.lines > 0
    before, after = _digests(landing), _digests(work)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"erp_sales_orders.parquet", "erp_sales_order_lines.parquet"}
    con = duckdb.connect()
    for table, key in (("erp_sales_orders", "order_id"), ("erp_sales_order_lines", "order_line_id")):
        old = pq.read_table(landing / f"{table}.parquet")
        new = pq.read_table(work / f"{table}.parquet")
        assert new.schema == old.schema
        # the existing rows first, unchanged and in their order
        assert new.slice(0, old.num_rows).equals(old)
        assert new.num_rows == old.num_rows + (added.orders if table == "erp_sales_orders" else added.lines)
        assert con.execute(f"select count(distinct {key}) = count(*) from new").fetchone()[0], f"{table}: {key} unique"
    orders = f"read_parquet('{work}/erp_sales_orders.parquet')"
    lines = f"read_parquet('{work}/erp_sales_order_lines.parquet')"
    # every new order is dated on the new day, ids suffixed; its lines resolve to it
    assert con.execute(f"select count(*) from {orders} where order_date = '2026-11-01'").fetchone()[0] == added.orders
    assert con.execute(f"select max(order_date) from {orders}").fetchone()[0] == date(2026, 11, 1)
    orphans = con.execute(
        f"select count(*) from {lines} as line anti join {orders} as head on line.order_id = head.order_id"
    ).fetchone()[0]
    assert orphans == 0
    # the replay: same customers, amounts and statuses as the template day
    replay = con.execute(
        f"""
        select count(*) from {orders} new_order
        inner join {orders} template on new_order.order_id = template.order_id || '-20261101'
        where new_order.customer_id = template.customer_id and new_order.status = template.status
            and template.order_date = '2026-10-25'
        """
    ).fetchone()[0]
    assert replay == added.orders


def test_same_files_give_the_same_day_and_a_second_append_the_next(landing: Path, tmp_path: Path) -> None:
    one, two = shutil.copytree(landing, tmp_path / "one"), shutil.copytree(landing, tmp_path / "two")
    append_day(one)
    assert cli_main(["--append-day", "--out", str(two)]) == 0
    assert _digests(one) == _digests(two)
    assert append_day(one).day == date(2026, 11, 2)


def test_csv_landing_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "erp_sales_orders.csv").write_text("order_id\n", encoding="utf-8")
    assert cli_main(["--append-day", "--out", str(tmp_path)]) == 2
    assert "Parquet landing file" in capsys.readouterr().err
