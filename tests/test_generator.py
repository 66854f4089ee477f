"""The demo landing-data generator: contract shape, integrity, determinism, and every behaviour the
indicators need (each one must really occur in the small demo data).

The small scale is generated once per module into a temporary folder and queried with DuckDB.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesperf.contract import TABLES, TABLES_BY_NAME, foreign_keys
from salesperf.generate import generate
from salesperf.generate.__main__ import main as cli_main
from salesperf.generate.writer import ARROW_TYPES

SEED = int(os.environ.get("SALESPERF_GENERATOR_TEST_SEED", "42"))  # another seed: check the design, not luck
START = date(2023, 1, 1)
AS_OF = date(2026, 10, 31)
# columns that hold a deadline or a planned date, which may lie after as_of
DEADLINES = {
    ("erp_invoices", "due_date"),
    ("erp_deliveries", "promised_date"),
    ("erp_deliveries", "install_promised_date"),
    ("erp_contracts", "end_date"),
    ("crm_opportunities", "expected_close_date"),
    ("crm_follow_up_tasks", "due_at"),
    ("hr_cross_dept_requests", "due_at"),
}
OFFSET_TABLES = ("crm_activities", "crm_service_tickets")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("small_parquet")
    return out, generate(out, seed=SEED, scale="small", fmt="parquet")


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("small_csv")
    return out, generate(out, seed=SEED, scale="small", fmt="csv")


@pytest.fixture(scope="module")
def con(small: tuple[Path, dict[str, int]]):
    out, _ = small
    c = duckdb.connect()
    for t in TABLES:
        c.execute(f"create view {t.name} as select * from read_parquet('{out / (t.name + '.parquet')}')")
    # local company time of an ISO timestamp string (naive = local; '+00:00' = UTC)
    c.execute("""
        create macro local_ts(x) as case
            when x like '%+00:00' then strptime(left(x, 19), '%Y-%m-%d %H:%M:%S') + interval 8 hour
            else strptime(x, '%Y-%m-%d %H:%M:%S') end
    """)
    c.execute("""
        create table line_sales as
        select o.order_id, o.customer_id, o.rep_id, o.order_date, o.currency, l.product_id,
               (l.quantity * l.unit_price - l.discount_amount) * coalesce(fx.rate_to_base, 1.0) as net_base
        from erp_sales_order_lines l
        join erp_sales_orders o using (order_id)
        asof left join fx_rates fx on fx.currency = o.currency and fx.rate_date <= o.order_date
        where o.status = 'confirmed'
    """)
    c.execute("""
        create table employment as
        select rep_id, hire_date, coalesce(termination_date, date '9999-12-31') as term from crm_sales_reps
    """)
    yield c
    c.close()


def one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- files, determinism, CLI


def test_every_table_written_with_row_counts(small):
    out, counts = small
    assert list(counts) == [t.name for t in TABLES]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.name}.parquet" for t in TABLES)
    assert all(n > 0 for n in counts.values()), {k: v for k, v in counts.items() if v == 0}


def test_small_scale_size(small):
    _, counts = small
    assert 40 <= counts["crm_sales_reps"] <= 60
    assert 7 <= counts["crm_teams"] <= 10
    assert 2_500 <= counts["crm_accounts"] <= 3_500
    assert 60_000 <= counts["erp_sales_order_lines"] <= 150_000
    assert 40 <= counts["erp_products"] <= 80


def test_parquet_columns_and_types_follow_the_contract(small):
    out, _ = small
    for t in TABLES:
        schema = pq.read_schema(out / f"{t.name}.parquet")
        assert schema.names == t.column_names, t.name
        for col in t.columns:
            assert schema.field(col.name).type == ARROW_TYPES[col.type], (t.name, col.name)
        assert not any(k.lower().startswith(b"time") for k in (schema.metadata or {})), t.name


def test_csv_header_and_chinese_text(small_csv, con):
    out, counts = small_csv
    for t in TABLES:
        header = (out / f"{t.name}.csv").open(encoding="utf-8").readline().strip()
        assert header.replace('"', "").split(",") == t.column_names, t.name
    c = duckdb.connect()
    csv_names = c.execute(
        f"select customer_id, customer_name from read_csv('{out / 'crm_accounts.csv'}', header=true) order by 1"
    ).fetchall()
    pq_names = con.execute("select customer_id, customer_name from crm_accounts order by 1").fetchall()
    assert csv_names == pq_names
    assert any("有限公司" in name for _, name in csv_names)
    lines = c.execute(f"select count(*) from read_csv('{out / 'erp_sales_order_lines.csv'}')").fetchone()[0]
    assert lines == counts["erp_sales_order_lines"]
    # booleans as true/false, nullable ints as empty cells
    reps = (out / "crm_sales_reps.csv").read_text(encoding="utf-8")
    assert ",false" in reps
    ints = c.execute(
        f"select count(*) filter (where target_cycle_days is null), typeof(any_value(target_cycle_days)) "
        f"from read_csv('{out / 'crm_opportunities.csv'}')"
    ).fetchone()
    assert ints[0] > 0 and ints[1] == "BIGINT"


def test_same_seed_gives_identical_files(small, small_csv, tmp_path):
    out, _ = small
    again = tmp_path / "again"
    generate(again, seed=SEED, scale="small", fmt="parquet")
    assert hashes(again) == hashes(out)
    csv_out, _ = small_csv
    csv_again = tmp_path / "csv_again"
    generate(csv_again, seed=SEED, scale="small", fmt="csv")
    assert hashes(csv_again) == hashes(csv_out)


def test_other_seed_gives_other_data(small, tmp_path):
    out, _ = small
    other = tmp_path / "other"
    generate(other, seed=SEED + 1, scale="small", fmt="parquet")
    a, b = hashes(out), hashes(other)
    differ = [name for name in a if a[name] != b[name]]
    assert len(differ) >= len(TABLES) - 2  # crm_regions is the same fixed list whatever the seed


def test_cli_help_and_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in ("--seed", "--scale", "--out", "--format", "--start", "--as-of"):
        assert option in text
    assert "2026-10-31" in text
    with pytest.raises(SystemExit):
        cli_main(["--scale", "huge"])
    assert cli_main(["--start", "2026-01-01", "--as-of", "2025-01-01", "--out", "/nonexistent/never"]) == 2


# ---------------------------------------------------------------- keys, references, enums, ranges


def test_primary_keys_unique_and_not_null(con):
    for t in TABLES:
        key = ", ".join(t.key)
        nulls = " or ".join(f"{k} is null" for k in t.key)
        assert one(con, f"select count(*) from {t.name} where {nulls}") == 0, t.name
        dup = one(con, f"select count(*) from (select {key} from {t.name} group by all having count(*) > 1)")
        assert dup == 0, t.name


def test_non_nullable_columns(con):
    for t in TABLES:
        for c in t.columns:
            if not c.nullable:
                assert one(con, f"select count(*) from {t.name} where {c.name} is null") == 0, (t.name, c.name)


def test_every_foreign_key_resolves(con):
    fks = foreign_keys()
    assert len(fks) >= 30
    for table, column, ref_table, ref_column in fks:
        missing = one(
            con,
            f"""
            select count(*) from {table} t
            where t.{column} is not null and t.{column} not in (select {ref_column} from {ref_table})""",
        )
        assert missing == 0, f"{table}.{column} -> {ref_table}.{ref_column}: {missing} unknown"
        if (table, column) == ("erp_sales_orders", "original_order_id"):
            continue  # the demo has no returns (its figures stay as they were)
        used = one(con, f"select count(*) from {table} where {column} is not null")
        assert used > 0, f"{table}.{column} is never filled"


def test_enums_within_the_contract(con):
    for t in TABLES:
        for c in t.columns:
            if c.enum:
                values = {r[0] for r in con.execute(f"select distinct {c.name} from {t.name}").fetchall()}
                values.discard(None)
                assert values <= set(c.enum), (t.name, c.name, values - set(c.enum))
    assert {r[0] for r in con.execute("select distinct stage from crm_opportunities").fetchall()} >= {
        "qualification",
        "closed",
    }


def test_ranges_within_the_contract(con):
    for t in TABLES:
        for c in t.columns:
            if c.min is not None:
                assert one(con, f"select count(*) from {t.name} where {c.name} < {c.min}") == 0, (t.name, c.name)
            if c.max is not None:
                assert one(con, f"select count(*) from {t.name} where {c.name} > {c.max}") == 0, (t.name, c.name)


def test_money_has_at_most_two_decimals(con):
    for t in TABLES:
        for c in t.columns:
            if c.type == "money":
                bad = one(
                    con, f"select count(*) from {t.name} where abs({c.name} * 100 - round({c.name} * 100)) > 1e-6"
                )
                assert bad == 0, (t.name, c.name)


# ---------------------------------------------------------------- time


def test_timestamps_iso_and_some_with_utc_offset(con):
    naive = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
    offset = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$"
    for t in TABLES:
        for c in t.columns:
            if c.type != "timestamp":
                continue
            pattern = f"({naive})|({offset})" if t.name in OFFSET_TABLES else naive
            bad = one(
                con,
                f"select count(*) from {t.name} where {c.name} is not null "
                f"and not regexp_matches({c.name}, '{pattern}')",
            )
            assert bad == 0, (t.name, c.name)
    for t, col in (("crm_activities", "activity_at"), ("crm_service_tickets", "opened_at")):
        share = one(con, f"select avg(({col} like '%+00:00')::int) from {t}")
        assert 0.10 <= share <= 0.20, (t, share)
    # written in UTC, some rows fall on the previous calendar day
    assert (
        one(
            con,
            """select count(*) from crm_activities where activity_at like '%+00:00'
                       and left(activity_at, 10)::date < local_ts(activity_at)::date""",
        )
        > 0
    )


def test_nothing_happens_after_as_of(con):
    for t in TABLES:
        for c in t.columns:
            if (t.name, c.name) in DEADLINES:
                continue
            if c.type == "date":
                late = one(con, f"select count(*) from {t.name} where {c.name} > date '{AS_OF}'")
            elif c.type == "timestamp":
                late = one(con, f"select count(*) from {t.name} where local_ts({c.name})::date > date '{AS_OF}'")
            else:
                continue
            assert late == 0, (t.name, c.name)
    assert one(con, "select max(year) from market_sizes") == AS_OF.year


def test_history_of_more_than_three_years_with_growth_and_seasons(con):
    first, last = con.execute("select min(order_date), max(order_date) from erp_sales_orders").fetchone()
    assert first >= START and first <= date(2023, 1, 10)
    assert last <= AS_OF and last >= date(2026, 10, 1)
    by_year = dict(con.execute("select year(order_date), sum(net_base) from line_sales group by 1").fetchall())
    assert by_year[2025] > by_year[2023] * 1.1
    by_month = dict(
        con.execute(
            "select month(order_date), sum(net_base) / count(distinct year(order_date)) from line_sales group by 1"
        ).fetchall()
    )
    overall = sum(by_month.values()) / 12
    assert (by_month[11] + by_month[12]) / 2 > overall * 1.1  # Q4 peak
    assert by_month[2] < 0.85 * (by_month[3] + by_month[4]) / 2  # Chinese New Year dip


def test_nothing_before_its_entity_exists(con):
    # orders: after the account was created, by a rep employed that day, of launched products
    assert (
        one(
            con,
            """select count(*) from erp_sales_orders o join crm_accounts a using (customer_id)
                       where o.order_date < local_ts(a.created_at)::date""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from erp_sales_orders o join employment e using (rep_id)
                       where o.order_date < e.hire_date or o.order_date >= e.term""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from erp_sales_order_lines l join erp_sales_orders o using (order_id)
                       join erp_products p using (product_id) where o.order_date < p.launch_date""",
        )
        == 0
    )
    # every order's rep belongs to a team on the order date
    assert (
        one(
            con,
            """select count(*) from erp_sales_orders o where not exists (
                           select 1 from crm_rep_team_assignments a where a.rep_id = o.rep_id
                           and a.valid_from <= o.order_date
                           and (a.valid_to is null or o.order_date < a.valid_to))""",
        )
        == 0
    )
    # rep-attributed CRM events happen while the rep is employed
    for table, col in (
        ("crm_activities", "activity_at"),
        ("crm_service_tickets", "opened_at"),
        ("crm_surveys", "surveyed_at"),
        ("crm_follow_up_tasks", "triggered_at"),
        ("crm_opportunities", "created_at"),
        ("hr_trainings", "started_at"),
        ("hr_compliance_checks", "checked_at"),
        ("hr_skill_assessments", "assessed_at"),
    ):
        bad = one(
            con,
            f"""select count(*) from {table} x join employment e using (rep_id)
                           where local_ts(x.{col})::date < e.hire_date or local_ts(x.{col})::date >= e.term""",
        )
        assert bad == 0, table
    for table, col in (
        ("crm_activities", "activity_at"),
        ("crm_opportunities", "created_at"),
        ("crm_service_tickets", "opened_at"),
        ("crm_surveys", "surveyed_at"),
    ):
        bad = one(
            con,
            f"""select count(*) from {table} x join crm_accounts a using (customer_id)
                           where local_ts(x.{col}) < local_ts(a.created_at)""",
        )
        assert bad == 0, table
    assert (
        one(
            con,
            """select count(*) from erp_invoices i join erp_sales_orders o using (order_id)
                       where i.invoice_date < o.order_date""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from erp_payments p join erp_invoices i using (invoice_id)
                       where p.payment_date < i.invoice_date""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from erp_deliveries d join erp_sales_orders o using (order_id)
                       where d.delivered_date < o.order_date""",
        )
        == 0
    )
    assert one(con, "select count(*) from crm_leads where local_ts(converted_at) < local_ts(created_at)") == 0
    assert (
        one(
            con,
            """select count(*) from crm_opportunities o join erp_products p using (product_id)
                       where local_ts(o.created_at)::date < p.launch_date""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from erp_contracts k join crm_accounts a using (customer_id)
                       where local_ts(k.signed_at) < local_ts(a.created_at)""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from erp_contracts k join employment e using (rep_id)
                       where local_ts(k.signed_at)::date < e.hire_date or local_ts(k.signed_at)::date >= e.term""",
        )
        == 0
    )
    assert one(con, "select count(*) from crm_opportunities where local_ts(closed_at) < local_ts(created_at)") == 0


# ---------------------------------------------------------------- organisation


def test_regions_teams_and_reps(con):
    assert {r[0] for r in con.execute("select distinct market_type from crm_regions").fetchall()} == {
        "emerging",
        "mature",
        "declining",
    }
    assert {r[0] for r in con.execute("select distinct team_stage from crm_teams").fetchall()} == {
        "startup",
        "growth",
        "mature",
    }
    assert one(con, "select count(*) from crm_teams where parent_team_id is not null") >= 1
    assert (
        one(
            con,
            """select count(*) from crm_teams t join crm_sales_reps r on r.rep_id = t.manager_rep_id
                       where r.level <> 'regional_manager'""",
        )
        == 0
    )
    assert {r[0] for r in con.execute("select distinct role from crm_sales_reps").fetchall()} == {
        "direct",
        "key_account",
        "ecommerce",
    }
    assert {r[0] for r in con.execute("select distinct level from crm_sales_reps").fetchall()} == {
        "rep",
        "regional_manager",
        "director",
    }
    assert any("组" in r[0] for r in con.execute("select team_name from crm_teams").fetchall())


def test_reps_move_join_and_leave(con):
    assert (
        one(con, f"select count(*) from crm_sales_reps where hire_date between date '2023-01-01' and date '{AS_OF}'")
        >= 3
    )
    assert one(con, "select count(*) from crm_sales_reps where termination_date is not null") >= 2
    assert (
        one(con, "select count(*) from (select rep_id from crm_rep_team_assignments group by 1 having count(*) >= 2)")
        >= 3
    )
    # a move in the middle of a month
    assert (
        one(
            con,
            """select count(*) from crm_rep_team_assignments a join crm_sales_reps r using (rep_id)
                       where a.valid_from > r.hire_date and day(a.valid_from) <> 1""",
        )
        >= 1
    )
    # intervals are contiguous; the last one is open unless the rep left, then it ends on the termination date
    assert (
        one(
            con,
            """select count(*) from (
                           select valid_to, lead(valid_from) over (partition by rep_id order by valid_from) nxt
                           from crm_rep_team_assignments) where nxt is not null and valid_to <> nxt""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from (
                           select rep_id, arg_max_null(valid_to, valid_from) last_to, max(valid_from) last_from
                           from crm_rep_team_assignments group by 1) a join crm_sales_reps r using (rep_id)
                       where a.last_to is distinct from r.termination_date""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from crm_sales_reps r where team_id is distinct from (
                           select max_by(team_id, valid_from) from crm_rep_team_assignments a
                           where a.rep_id = r.rep_id)""",
        )
        == 0
    )


# ---------------------------------------------------------------- customers


def test_accounts_and_ownership(con):
    assert {r[0] for r in con.execute("select distinct segment from crm_accounts").fetchall()} == {"B2B", "B2C"}
    assert one(con, "select count(distinct industry) from crm_accounts") >= 5
    assert one(con, "select count(distinct region_code) from crm_accounts") == one(
        con, "select count(*) from crm_regions"
    )
    b2b_target, b2c_target = con.execute("""
        select count(*) filter (where segment = 'B2B' and is_target_account),
               count(*) filter (where segment = 'B2C' and is_target_account) from crm_accounts""").fetchone()
    assert b2b_target > 5 * max(b2c_target, 1)
    assert (
        0
        < one(con, "select count(*) filter (where est_annual_category_spend is null) from crm_accounts")
        < one(con, "select count(*) from crm_accounts")
    )
    assert one(con, "select count(*) from crm_accounts where referred_by_customer_id is not null") >= 10
    assert {r[0] for r in con.execute("select distinct decision_role from crm_contacts").fetchall()} == {
        "decision_maker",
        "influencer",
        "user",
        "procurement",
        "finance",
    }
    # owner history: several intervals for some, the open interval is the current owner
    assert (
        one(
            con,
            "select count(*) from (select customer_id from crm_account_owner_history group by 1 having count(*) >= 2)",
        )
        >= 50
    )
    assert (
        one(
            con,
            """select count(*) from crm_accounts a join crm_account_owner_history h using (customer_id)
                       where h.valid_to is null and h.owner_rep_id <> a.owner_rep_id""",
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from (select customer_id from crm_account_owner_history where valid_to is null "
            "group by 1 having count(*) <> 1)",
        )
        == 0
    )
    # the owner is employed from the first day of ownership
    assert (
        one(
            con,
            """select count(*) from crm_account_owner_history h join employment e on e.rep_id = h.owner_rep_id
                       where h.valid_from < e.hire_date or h.valid_from >= e.term
                       or coalesce(h.valid_to, date '9999-12-31') > e.term""",
        )
        == 0
    )


def test_order_rep_is_mostly_the_owner_on_the_order_date(con):
    share = one(
        con,
        """select avg((o.rep_id = h.owner_rep_id)::int) from erp_sales_orders o
                        join crm_account_owner_history h on h.customer_id = o.customer_id
                        and h.valid_from <= o.order_date and (h.valid_to is null or o.order_date < h.valid_to)""",
    )
    assert 0.9 <= share < 1.0


def test_customers_churn_lapse_and_come_back(con):
    con.execute("""create or replace temp view gaps as
        select customer_id, order_date, order_date - lag(order_date) over (partition by customer_id
               order by order_date) as gap_days
        from erp_sales_orders where status = 'confirmed'""")
    returned = one(con, "select count(distinct customer_id) from gaps where gap_days > 365")
    assert 5 <= returned <= 600
    churned = one(
        con,
        f"""select count(*) from (select customer_id, max(order_date) last_order from erp_sales_orders
                           group by 1) where last_order < date '{AS_OF}' - interval 365 day""",
    )
    buyers = one(con, "select count(distinct customer_id) from erp_sales_orders")
    assert 0.15 * buyers < churned < 0.8 * buyers
    b2b_value, b2c_value, b2b_freq, b2c_freq = con.execute("""
        select avg(v) filter (where segment = 'B2B'), avg(v) filter (where segment = 'B2C'),
               avg(n) filter (where segment = 'B2B'), avg(n) filter (where segment = 'B2C')
        from (select a.segment, s.customer_id, sum(net_base) / count(distinct order_id) v,
                     count(distinct order_id) / greatest(1, (max(order_date) - min(order_date)) / 365.25) n
              from line_sales s join crm_accounts a using (customer_id) group by all)""").fetchone()
    assert b2b_value > 5 * b2c_value  # B2B: fewer, bigger orders; B2C: more frequent, smaller
    assert b2c_freq > b2b_freq


def test_strong_weak_and_concentrated_reps(con):
    con.execute("""create or replace temp view attainment as
        select t.entity_id as rep_id, sum(s.sales) / sum(t.target_sales_amount) as att
        from plan_sales_targets t
        join (select rep_id, date_trunc('month', order_date)::date m, sum(net_base) sales
              from line_sales group by all) s on s.rep_id = t.entity_id and s.m = t.month
        where t.target_grain = 'rep' and t.target_sales_amount is not null group by 1""")
    lo, hi, p10, p90 = con.execute(
        "select min(att), max(att), quantile_cont(att, 0.1), quantile_cont(att, 0.9) from attainment"
    ).fetchone()
    assert lo <= 0.7 and hi >= 1.2, (lo, hi)
    assert p10 < 0.95 and p90 > 1.05
    # a rep with a real book (20+ customers) whose largest customer is more than 30 % of the rep's sales
    top_share = one(
        con,
        """select max(top / total) from (
        select rep_id, max(c) top, sum(c) total from (
            select rep_id, customer_id, sum(net_base) c from line_sales group by all) group by 1
        having count(*) >= 20)""",
    )
    assert top_share > 0.35


def test_leads_and_referrals(con):
    assert {r[0] for r in con.execute("select distinct status from crm_leads").fetchall()} == {
        "open",
        "converted",
        "disqualified",
    }
    assert (
        one(
            con,
            """select count(*) from crm_leads l join crm_accounts a on a.customer_id = l.converted_customer_id
                       where l.converted_at <> a.created_at""",
        )
        == 0
    )
    assert one(con, "select count(*) from crm_leads where status = 'converted' and converted_customer_id is null") == 0
    assert one(con, "select count(*) from crm_leads where status <> 'converted' and converted_at is not null") == 0
    assert one(con, "select count(*) from crm_referrals where referred_lead_id is not null") > 0
    assert one(con, "select count(*) from crm_referrals where referred_customer_id is not null") > 0
    assert (
        one(con, "select count(*) from crm_referrals where referred_lead_id is null and referred_customer_id is null")
        > 0
    )
    assert (
        one(
            con,
            """select count(*) from crm_referrals r
                       join crm_accounts a on a.customer_id = r.referred_customer_id
                       where a.referred_by_customer_id is distinct from r.referrer_customer_id""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from crm_referrals r
                       join crm_accounts a on a.customer_id = r.referrer_customer_id
                       where local_ts(a.created_at) > local_ts(r.referred_at)""",
        )
        == 0
    )


# ---------------------------------------------------------------- products, orders, money


def test_products_lifecycle_launches_and_replacements(con):
    assert {r[0] for r in con.execute("select distinct lifecycle_stage from erp_products").fetchall()} == {
        "introduction",
        "growth",
        "maturity",
        "decline",
    }
    assert (
        one(con, f"select count(*) from erp_products where launch_date between date '{START}' and date '{AS_OF}'") >= 5
    )
    assert (
        one(
            con,
            """select count(*) from erp_products p
                       join erp_products old on old.product_id = p.replaces_product_id
                       where old.lifecycle_stage <> 'decline'""",
        )
        == 0
    )
    assert one(con, "select count(*) from erp_products where replaces_product_id is not null") >= 2
    assert one(con, "select count(*) from erp_products where is_strategic") >= 3
    assert one(con, "select count(distinct category) from erp_products") >= 4
    assert any("打印机" in r[0] for r in con.execute("select product_name from erp_products").fetchall())
    # new products sell after their launch
    assert (
        one(
            con,
            f"""select count(distinct l.product_id) from erp_sales_order_lines l
                        join erp_products p using (product_id) where p.launch_date >= date '{START}'""",
        )
        >= 3
    )


def test_orders_currencies_discounts_costs_cancellations(con):
    currencies = {r[0] for r in con.execute("select distinct currency from erp_sales_orders").fetchall()}
    assert currencies == {"CNY", "USD", "EUR", "HKD"}
    assert one(con, "select avg((currency = 'CNY')::int) from erp_sales_orders") > 0.7
    disc = one(con, "select avg((discount_amount > 0)::int) from erp_sales_order_lines")
    assert 0.1 < disc < 0.6
    assert one(con, "select count(*) from erp_sales_order_lines where discount_amount > quantity * unit_price") == 0
    no_cost = one(con, "select avg((unit_cost is null)::int) from erp_sales_order_lines")
    assert 0.002 < no_cost < 0.03
    cancelled = one(con, "select avg((status = 'cancelled')::int) from erp_sales_orders")
    assert 0.015 < cancelled < 0.05
    assert {r[0] for r in con.execute("select distinct channel from erp_sales_orders").fetchall()} == {
        "direct",
        "online",
        "distributor",
    }
    # contract orders: B2B, same customer, within the contract's dates
    assert one(con, "select count(*) from erp_sales_orders where contract_id is not null") > 100
    assert (
        one(
            con,
            """select count(*) from erp_sales_orders o join erp_contracts k using (contract_id)
                       join crm_accounts a on a.customer_id = o.customer_id
                       where a.segment <> 'B2B' or k.customer_id <> o.customer_id
                       or o.order_date not between k.start_date and k.end_date""",
        )
        == 0
    )


def test_fx_rates_cover_every_business_day(con):
    currencies = {r[0] for r in con.execute("select distinct currency from fx_rates").fetchall()}
    assert currencies >= {"USD", "EUR", "HKD"}
    assert one(con, "select count(*) from fx_rates where dayofweek(rate_date) in (0, 6)") == 0
    first = one(con, "select min(rate_date) from fx_rates")
    assert first < START
    for cur in ("USD", "EUR", "HKD"):
        missing = one(
            con,
            f"""select count(*) from range(date '{first}', date '{AS_OF}' + interval 1 day,
                                                           interval 1 day) r(d)
                               where dayofweek(d) between 1 and 5 and d::date not in (
                                   select rate_date from fx_rates where currency = '{cur}')""",
        )
        assert missing == 0, cur
    # orders on weekends exist, so the latest earlier rate matters
    assert (
        one(con, "select count(*) from erp_sales_orders where currency <> 'CNY' and dayofweek(order_date) in (0, 6)")
        > 0
    )


def test_invoices_follow_confirmed_orders(con):
    assert (
        one(
            con,
            """select count(*) from erp_invoices i join erp_sales_orders o using (order_id)
                       where o.status <> 'confirmed' or i.currency <> o.currency
                       or i.customer_id <> o.customer_id""",
        )
        == 0
    )
    share = one(
        con,
        """select avg((i.invoice_id is not null)::int) from erp_sales_orders o
                        left join erp_invoices i using (order_id) where o.status = 'confirmed'""",
    )
    assert share > 0.98
    assert {r[0] for r in con.execute("select distinct due_date - invoice_date from erp_invoices").fetchall()} == {
        30,
        60,
        90,
    }
    assert (
        one(
            con,
            """select count(*) from erp_invoices i join (
                           select order_id, sum(quantity * unit_price - discount_amount) net
                           from erp_sales_order_lines group by 1) l using (order_id)
                       where abs(i.amount - l.net) > 0.011""",
        )
        == 0
    )


def test_payments_full_late_partial_and_never(con):
    con.execute("""create or replace temp view inv_paid as
        select i.invoice_id, i.amount, i.due_date, count(p.payment_id) n, coalesce(sum(p.amount), 0) paid,
               max(p.payment_date) last_paid
        from erp_invoices i left join erp_payments p using (invoice_id) group by all""")
    assert (
        one(
            con,
            """select count(*) from erp_payments p join erp_invoices i using (invoice_id)
                       where p.currency <> i.currency""",
        )
        == 0
    )
    assert one(con, "select count(*) from inv_paid where paid > amount + 1e-6") == 0
    total = one(con, "select count(*) from inv_paid")
    on_time = one(con, "select count(*) from inv_paid where abs(paid - amount) < 1e-6 and last_paid <= due_date")
    late = one(con, "select count(*) from inv_paid where abs(paid - amount) < 1e-6 and last_paid > due_date")
    partial = one(con, "select count(*) from inv_paid where n > 0 and paid < amount - 0.005")
    several = one(con, "select count(*) from inv_paid where n >= 2")
    never = one(con, f"select count(*) from inv_paid where n = 0 and due_date < date '{AS_OF}' - interval 120 day")
    assert on_time > 0.6 * total
    assert late > 0.03 * total
    assert partial > 0.01 * total and several > 0.01 * total and never > 0.005 * total


def test_contracts_renew_lapse_and_statuses(con):
    assert {r[0] for r in con.execute("select distinct contract_type from erp_contracts").fetchall()} == {
        "one_off",
        "subscription",
    }
    renewed = one(con, "select count(*) from erp_contracts where renewed_from_contract_id is not null")
    lapsed = one(
        con,
        f"""select count(*) from erp_contracts k where contract_type = 'subscription'
                          and end_date < date '{AS_OF}' and not exists (
                              select 1 from erp_contracts r where r.renewed_from_contract_id = k.contract_id)""",
    )
    assert renewed >= 20 and lapsed >= 5
    assert (
        one(
            con,
            """select count(*) from erp_contracts r join erp_contracts p
                       on p.contract_id = r.renewed_from_contract_id
                       where r.customer_id <> p.customer_id or r.start_date <> p.end_date + 1
                       or p.contract_type <> 'subscription'""",
        )
        == 0
    )
    bad_status = one(
        con,
        f"""select count(*) from erp_contracts where
        (status = 'active' and not (start_date <= date '{AS_OF}' and end_date >= date '{AS_OF}'))
        or (status = 'expired' and end_date >= date '{AS_OF}')
        or (status = 'terminated' and end_date > date '{AS_OF}')
        or start_date > date '{AS_OF}' or local_ts(signed_at)::date > start_date""",
    )
    assert bad_status == 0
    assert {r[0] for r in con.execute("select distinct status from erp_contracts").fetchall()} == {
        "active",
        "expired",
        "terminated",
    }


def test_deliveries_and_installations(con):
    assert (
        one(
            con,
            """select count(*) from erp_sales_orders o where status = 'confirmed'
                       and not exists (select 1 from erp_deliveries d where d.order_id = o.order_id)""",
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from erp_deliveries d join erp_sales_orders o using (order_id) "
            "where o.status <> 'confirmed' or d.contract_id is distinct from o.contract_id",
        )
        == 0
    )
    assert one(con, "select count(*) from erp_deliveries where delivered_date > promised_date") > 50
    assert (
        one(con, "select count(*) from erp_deliveries where delivered_date <= promised_date and delivered_in_full") > 0
    )
    assert (
        one(con, "select count(*) from erp_deliveries where delivered_date is not null and not delivered_in_full") > 10
    )
    assert (
        one(con, f"select count(*) from erp_deliveries where delivered_date is null and promised_date < date '{AS_OF}'")
        > 10
    )
    assert one(con, "select count(*) from erp_deliveries where delivered_date is null and delivered_in_full") == 0
    assert one(con, "select count(*) from erp_deliveries where contract_id is not null") > 0
    assert (
        one(
            con,
            "select count(*) from erp_deliveries where requires_installation <> (install_promised_date is not null)",
        )
        == 0
    )
    assert one(con, "select count(*) from erp_deliveries where installed_date <= install_promised_date") > 10
    assert one(con, "select count(*) from erp_deliveries where installed_date > install_promised_date") > 5
    assert (
        one(
            con,
            "select count(*) from erp_deliveries where installed_date < delivered_date "
            "or (installed_date is not null and delivered_date is null)",
        )
        == 0
    )


# ---------------------------------------------------------------- CRM process


def test_opportunities_and_decision_chain(con):
    assert {r[0] for r in con.execute("select distinct status from crm_opportunities").fetchall()} == {
        "open",
        "won",
        "lost",
    }
    assert one(con, "select count(*) from crm_opportunities where (status = 'open') <> (closed_at is null)") == 0
    assert one(con, "select count(*) from crm_opportunities where (status = 'won') <> (won_amount is not null)") == 0
    off = one(
        con,
        "select avg((abs(forecast_amount - won_amount) > 0.05 * won_amount)::int) from crm_opportunities "
        "where status = 'won'",
    )
    assert 0.3 < off < 0.95
    cycle = dict(
        con.execute("""select a.segment, avg((target_cycle_days is not null)::int) from crm_opportunities o
                                join crm_accounts a using (customer_id) group by 1""").fetchall()
    )
    assert cycle["B2B"] == 1.0 and cycle.get("B2C", 0.0) == 0.0
    assert one(con, "select count(*) from crm_opportunities where product_id is null") == 0
    roles = con.execute("""select o.opportunity_id, count(distinct c.decision_role) n, count(*) k
                           from crm_opportunity_contacts oc join crm_contacts c using (contact_id)
                           join crm_opportunities o using (opportunity_id) group by 1""").fetchall()
    assert all(n == k and 1 <= n <= 5 for _, n, k in roles)
    assert any(n >= 3 for _, n, _ in roles) and any(n == 1 for _, n, _ in roles)
    assert (
        one(
            con,
            """select count(*) from crm_opportunity_contacts oc join crm_opportunities o using (opportunity_id)
                       join crm_contacts c using (contact_id) where c.customer_id <> o.customer_id""",
        )
        == 0
    )
    win_rates = [
        r[0]
        for r in con.execute("""select avg((status = 'won')::int) from crm_opportunities
                 where status <> 'open' group by rep_id having count(*) >= 20""").fetchall()
    ]
    assert max(win_rates) - min(win_rates) > 0.15


def test_activities_visits_and_coverage(con):
    assert {r[0] for r in con.execute("select distinct activity_type from crm_activities").fetchall()} == {
        "visit_onsite",
        "visit_online",
        "call",
        "email",
    }
    visits = "activity_type in ('visit_onsite', 'visit_online')"
    assert 0.2 < one(con, f"select avg((key_action <> 'none')::int) from crm_activities where {visits}") < 0.9
    assert one(con, "select count(*) from crm_activities where opportunity_id is not null") > 100
    assert one(con, "select count(*) from crm_activities where opportunity_id is null") > 100
    assert (
        one(
            con,
            """select count(*) from crm_activities x join crm_opportunities o using (opportunity_id)
                       where x.customer_id <> o.customer_id""",
        )
        == 0
    )
    coverage = one(
        con,
        """
        select avg(visited::int) from (
            select a.customer_id, exists (select 1 from crm_activities x where x.customer_id = a.customer_id
                and x.activity_type in ('visit_onsite', 'visit_online')
                and local_ts(x.activity_at)::date between date '2025-05-01' and date '2025-05-31') visited
            from crm_accounts a where a.is_target_account and local_ts(a.created_at) < timestamp '2025-05-01')""",
    )
    assert 0.2 < coverage < 0.9


def test_follow_up_tasks(con):
    assert {r[0] for r in con.execute("select distinct trigger_type from crm_follow_up_tasks").fetchall()} == {
        "inquiry",
        "complaint",
        "quote_sent",
        "pre_contract",
    }
    on_time, late, never = con.execute("""
        select count(*) filter (where local_ts(completed_at) <= local_ts(due_at)),
               count(*) filter (where local_ts(completed_at) > local_ts(due_at)),
               count(*) filter (where completed_at is null) from crm_follow_up_tasks""").fetchone()
    assert on_time > late > 0 and never > 0
    assert one(con, "select count(*) from crm_follow_up_tasks where local_ts(due_at) <= local_ts(triggered_at)") == 0


def test_service_tickets_sla(con):
    assert {r[0] for r in con.execute("select distinct ticket_type from crm_service_tickets").fetchall()} == {
        "complaint",
        "service_request",
        "inquiry",
    }
    met, breached, none, resolved, unresolved = con.execute("""
        select count(*) filter (where local_ts(first_response_at) <= local_ts(opened_at)
                                + sla_first_response_hours * interval 1 hour),
               count(*) filter (where local_ts(first_response_at) > local_ts(opened_at)
                                + sla_first_response_hours * interval 1 hour),
               count(*) filter (where first_response_at is null),
               count(*) filter (where resolved_at is not null),
               count(*) filter (where resolved_at is null) from crm_service_tickets""").fetchone()
    assert met > breached > 0 and none > 0 and resolved > unresolved > 0
    assert (
        one(
            con,
            "select count(*) from crm_service_tickets where local_ts(resolved_at) < local_ts(opened_at) "
            "or local_ts(first_response_at) < local_ts(opened_at)",
        )
        == 0
    )
    assert one(con, "select count(*) from crm_service_tickets where product_id is null") > 0


def test_surveys_costs_and_expenses(con):
    promoters, detractors = con.execute("""select count(*) filter (where nps_score >= 9),
                                                  count(*) filter (where nps_score <= 6) from crm_surveys""").fetchone()
    assert promoters > 0 and detractors > 0
    assert {r[0] for r in con.execute("select distinct cost_type from erp_customer_costs").fetchall()} == {
        "acquisition",
        "service",
        "maintenance",
    }
    assert (
        one(
            con,
            """select count(*) from erp_customer_costs c join crm_accounts a using (customer_id)
                       where c.cost_type = 'acquisition'
                       and c.cost_date not between local_ts(a.created_at)::date
                                              and local_ts(a.created_at)::date + interval 14 day""",
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from (select customer_id from erp_customer_costs where cost_type = 'acquisition' "
            "group by 1 having count(*) > 1)",
        )
        == 0
    )
    bad, unapproved = con.execute("""select count(*) filter (where not policy_compliant),
                                            count(*) filter (where not approved) from erp_expenses""").fetchone()
    assert bad > 0 and unapproved > 0
    assert {r[0] for r in con.execute("select distinct category from erp_expenses").fetchall()} == {
        "travel",
        "entertainment",
        "marketing",
    }


def test_soft_deletes(con):
    for t in TABLES:
        if not t.soft_delete or t.name in (
            "crm_regions",
            "crm_teams",
            "crm_sales_reps",
            "crm_rep_team_assignments",
            "crm_account_owner_history",
        ):
            continue
        share = one(con, f"select avg(is_deleted::int) from {t.name}")
        rows = one(con, f"select count(*) from {t.name}")
        if rows >= 2_000:
            assert 0.002 <= share <= 0.015, (t.name, share)
        assert one(con, f"select count(*) from {t.name} where is_deleted is null") == 0


# ---------------------------------------------------------------- planning and HR


def test_targets(con):
    # every rep has a target row for every month it is employed
    missing = one(
        con,
        f"""
        select count(*) from crm_sales_reps r, range(date '{START}', date '{AS_OF}', interval 1 month) m(month)
        where r.hire_date < m.month + interval 1 month
          and (r.termination_date is null or r.termination_date > m.month)
          and not exists (select 1 from plan_sales_targets t where t.target_grain = 'rep'
                          and t.entity_id = r.rep_id and t.month = m.month::date)""",
    )
    assert missing == 0
    assert one(con, "select count(*) from plan_sales_targets where day(month) <> 1") == 0
    teams_with = one(con, "select count(distinct entity_id) from plan_sales_targets where target_grain = 'team'")
    teams = one(con, "select count(*) from crm_teams")
    assert 0.6 * teams <= teams_with <= teams - 1
    for col in ("target_sales_amount", "target_new_customers", "target_collection_rate", "target_gross_margin_rate"):
        nulls = one(con, f"select count(*) from plan_sales_targets where {col} is null")
        assert 0 < nulls < one(con, "select count(*) from plan_sales_targets") / 4, col


def test_market_sizes_cover_region_category_year(con):
    expected = (
        one(con, "select count(*) from crm_regions")
        * one(con, "select count(distinct category) from erp_products")
        * (AS_OF.year - START.year + 1)
    )
    assert one(con, "select count(*) from market_sizes") == expected
    assert one(con, "select count(*) from market_sizes where market_size_amount <= 0") == 0
    assert one(con, "select count(*) from market_sizes where category not in (select category from erp_products)") == 0


def test_skills_trainings_and_knowledge(con):
    assert one(con, "select count(distinct skill) from hr_skill_assessments") == 6
    assert one(con, "select count(distinct assessor_type) from hr_skill_assessments") == 5
    periodic = one(
        con,
        """select count(*) from (select rep_id from hr_skill_assessments group by 1
                           having count(distinct date_trunc('quarter', local_ts(assessed_at))) >= 8)""",
    )
    assert periodic >= 20
    improving = one(
        con,
        """select count(*) from (
        select rep_id, regr_slope(score, epoch(local_ts(assessed_at)) / 86400) slope
        from hr_skill_assessments group by 1) where slope > 0.01""",
    )
    assert improving >= 5
    stats = con.execute("""select count(*) filter (where is_self_directed),
                                  count(*) filter (where not is_self_directed),
                                  count(*) filter (where passed), count(*) filter (where not passed),
                                  count(*) filter (where completed_at is null),
                                  count(*) filter (where completed_at is null and (passed is not null or exam_score
                                                   is not null)),
                                  count(*) filter (where (passed is null) <> (exam_score is null))
                           from hr_trainings""").fetchone()
    assert all(x > 0 for x in stats[:5]) and stats[5] == 0 and stats[6] == 0
    accepted, rejected, cited, taught = con.execute("""
        select count(*) filter (where accepted), count(*) filter (where not accepted),
               sum(citation_count), sum(instructor_hours) from hr_knowledge_contributions""").fetchone()
    assert accepted > 0 and rejected > 0 and cited > 0 and taught > 0
    assert one(con, "select count(*) from hr_insight_reports where report_type = 'competitor_analysis'") > 20


def test_collaboration_requests_and_compliance(con):
    assert one(con, "select count(*) from hr_collaboration_surveys where rated_rep_id is null") > 0
    assert one(con, "select count(*) from hr_collaboration_surveys where rated_rep_id is not null") > 0
    assert one(con, "select count(distinct respondent_department) from hr_collaboration_surveys") == 5
    assert (
        one(
            con,
            """select count(*) from hr_collaboration_surveys s join crm_rep_team_assignments a
                       on a.rep_id = s.rated_rep_id and a.valid_from <= local_ts(s.surveyed_at)::date
                       and (a.valid_to is null or local_ts(s.surveyed_at)::date < a.valid_to)
                       where a.team_id <> s.rated_team_id""",
        )
        == 0
    )
    on_time, late, never = con.execute("""
        select count(*) filter (where local_ts(completed_at) <= local_ts(due_at)),
               count(*) filter (where local_ts(completed_at) > local_ts(due_at)),
               count(*) filter (where completed_at is null) from hr_cross_dept_requests""").fetchone()
    assert on_time > late > 0 and never > 0
    adopted = {r[0] for r in con.execute("select distinct adopted from hr_cross_dept_requests").fetchall()}
    assert adopted == {True, False, None}
    assert (
        one(con, "select count(*) from hr_cross_dept_requests where completed_at is null and adopted is not null") == 0
    )
    assert (
        one(
            con,
            """select count(*) from hr_cross_dept_requests r join crm_rep_team_assignments a
                       on a.rep_id = r.rep_id and a.valid_from <= local_ts(r.requested_at)::date
                       and (a.valid_to is null or local_ts(r.requested_at)::date < a.valid_to)
                       where a.team_id <> r.team_id""",
        )
        == 0
    )
    passed, veto, total = con.execute("""select avg(passed::int), count(*) filter (where is_veto), count(*)
                                         from hr_compliance_checks""").fetchone()
    assert passed > 0.85 and 0 < veto < 0.03 * total
    assert one(con, "select count(*) from hr_compliance_checks where is_veto and passed") == 0


def test_arrow_types_map_every_contract_type():
    types = {c.type for t in TABLES for c in t.columns}
    assert types <= set(ARROW_TYPES)
    assert ARROW_TYPES["timestamp"] == pa.string()
    assert TABLES_BY_NAME["crm_sales_reps"].column_names[-2:] == ["team_id", "is_deleted"]
