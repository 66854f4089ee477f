"""Every query the dashboard runs, and the row-level access rules they enforce.

The dashboard reads only the published warehouse file (env ``SALESPERF_WAREHOUSE``, default
``warehouse/sales_performance.duckdb``). A build publishes by ``os.replace`` of a fully built
file. A script run (a page load) opens one **read-only** connection at its first uncached
statement and closes it when the run ends (:func:`run_connection`; opening one costs about as much
CPU as a page's statements): the file is never held open between runs and a running build is
never blocked. Outside a run (tests, the digests) each query has a connection of its own. Results
are cached with ``st.cache_data`` for ``SALESPERF_DASHBOARD_TTL`` seconds and keyed on the file's
identity (inode, size, mtime), so a newly published file is read at the next rerun.

Access: every query that returns people, teams, customers or their figures takes a
:class:`Principal` and filters in SQL through the ``allowed_*`` CTEs of :data:`SCOPE_CTES`:

- director: everything, including company and product figures;
- manager: the teams listed for them (and those they manage in ``dim_teams``) with their child
  teams; the reps who are or were in those teams (``dim_rep_team_history``) and themselves — a
  rep's figures only for the periods the rep was in one of those teams (``allowed_rep_spans``:
  the team on the event date gets the credit in the marts, so a rep who moved away shows to the
  old manager up to the period of the move, and to the new one from it); the customers owned
  today by a rep whose current team is one of them, and their own;
- rep: themselves and the customers they own today.

Company and product figures are company-wide: directors only. Widgets only narrow what a
principal may see; an id in the URL outside the scope returns nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = "warehouse/sales_performance.duckdb"
ROLES = ("director", "manager", "rep")
GRAINS = ("team", "rep", "customer", "product", "company")


def warehouse_path() -> Path:
    """The published warehouse file (env SALESPERF_WAREHOUSE; relative paths from the project root)."""
    path = Path(os.environ.get("SALESPERF_WAREHOUSE", DEFAULT_WAREHOUSE)).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


def cache_ttl() -> int:
    """Seconds a query result is reused (env SALESPERF_DASHBOARD_TTL, default 300)."""
    return int(os.environ.get("SALESPERF_DASHBOARD_TTL", "300"))


class WarehouseUnavailable(RuntimeError):
    """The published warehouse file is missing or cannot be opened."""


@dataclass(frozen=True)
class Principal:
    """Who is looking: the role and the ids that role is scoped to (from users.yaml)."""

    username: str
    role: str
    rep_id: str | None = None
    team_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")

    @property
    def params(self) -> dict[str, Any]:
        """Bind parameters of the scope CTEs (prefixed: a query's own parameters never override them)."""
        return {
            "scope_role": self.role,
            "scope_rep_id": self.rep_id or "",
            "scope_team_ids": ",".join(self.team_ids),
        }


# ---------------------------------------------------------------------------------------------
# Connections and the cache
# ---------------------------------------------------------------------------------------------


def _file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the named parameters the statement uses (DuckDB rejects extra ones)."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    return {name: value for name, value in params.items() if name in used}


def connect_read_only(path: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file at ``path`` now. ``duckdb.connect(path)`` reuses the
    process's cached database instance while any connection to the path is open (a query of
    another session), which still reads the file a publish replaced; a fresh in-memory database
    that attaches the path opens the file published now. The catalog keeps the file's name."""
    con = duckdb.connect(":memory:")
    try:
        alias = Path(path).stem.replace('"', '""')
        literal = str(path).replace("'", "''")
        con.execute(f"attach '{literal}' as \"{alias}\" (read_only)")
        con.execute(f'use "{alias}"')
    except BaseException:
        con.close()
        raise
    return con


_RUN = threading.local()  # the connection of the script run on this thread (see run_connection)


@contextlib.contextmanager
def run_connection() -> Iterator[None]:
    """One read-only connection for every uncached statement of a script run on this thread.

    Opened lazily at the run's first cache miss (a warm page opens none), closed when the run ends
    (also by ``st.rerun``/``st.stop``). A statement for another file identity than the one the
    connection was opened on (a publish during the run) gets a new connection: figures of a newly
    published file are never read through a connection to the old one. Nested uses share it."""
    if getattr(_RUN, "active", False):
        yield
        return
    _RUN.active, _RUN.con, _RUN.key = True, None, None
    try:
        yield
    finally:
        con = _RUN.con
        _RUN.active, _RUN.con, _RUN.key = False, None, None
        if con is not None:
            con.close()


@contextlib.contextmanager
def _connection(path: str, signature: tuple[int, int, int]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The run's connection to the file ``signature`` identifies, else a short-lived one."""
    if not getattr(_RUN, "active", False):
        con = connect_read_only(path)
        try:
            yield con
        finally:
            con.close()
        return
    if _RUN.key != (path, signature):
        previous, _RUN.con, _RUN.key = _RUN.con, None, None
        if previous is not None:
            previous.close()
        _RUN.con = connect_read_only(path)
        _RUN.key = (path, signature)
    yield _RUN.con


@st.cache_data(ttl=cache_ttl(), show_spinner=False, max_entries=2000)
def _cached_query(path: str, signature: tuple[int, int, int], sql: str, params: dict[str, Any]) -> pd.DataFrame:
    # signature is part of the cache key: a newly published file is a new key
    with _connection(path, signature) as con:
        return con.execute(sql, params).df()


def query(sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised statement on a short-lived read-only connection (cached)."""
    path = warehouse_path()
    signature = _file_signature(path)
    if signature is None:
        raise WarehouseUnavailable(f"{path} does not exist")
    try:
        return _cached_query(str(path), signature, sql, _bind(sql, params or {}))
    except duckdb.IOException as error:
        raise WarehouseUnavailable(str(error)) from error


def scoped_query(principal: Principal, sql: str, **params: Any) -> pd.DataFrame:
    """``sql`` after :data:`SCOPE_CTES` (it may use ``allowed_teams``, ``allowed_reps``,
    ``allowed_customers``), with ``params`` and the principal's scope parameters."""
    return query(SCOPE_CTES + sql, _scoped(principal, **params))


def _scoped(principal: Principal, **params: Any) -> dict[str, Any]:
    """A query's parameters plus the principal's scope parameters, which nothing may override."""
    clash = set(params) & set(principal.params)
    if clash:
        raise ValueError(f"parameters {sorted(clash)} would override the access scope")
    return {**principal.params, **params}


def _ids(values: Iterable[str] | None) -> str:
    """Ids as one comma-separated parameter; the query's ``filter_<name>`` flag says None (= all)
    from an empty list (= none)."""
    return ",".join(sorted({str(v) for v in values})) if values else ""


def _id_lists(**lists: Iterable[str] | None) -> dict[str, Any]:
    """Query parameters of optional id lists: ``<name>`` (see :func:`_ids`) and ``filter_<name>``
    (False for None = all), matched in SQL by
    ``(not $filter_<name> or column in (select unnest(string_split($<name>, ','))))``."""
    params: dict[str, Any] = {}
    for name, values in lists.items():
        params[name] = _ids(values)
        params[f"filter_{name}"] = values is not None
    return params


def _date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


# ---------------------------------------------------------------------------------------------
# Warehouse state and reference data
# ---------------------------------------------------------------------------------------------

REQUIRED_TABLES = ("indicator_values", "dim_periods", "dim_teams", "dim_sales_reps", "dim_customers")


@dataclass(frozen=True)
class WarehouseStatus:
    state: str  # ok | missing | empty | unreadable
    path: str
    detail: str = ""


def warehouse_status() -> WarehouseStatus:
    """Whether the published file exists, opens and holds indicator values."""
    path = warehouse_path()
    if _file_signature(path) is None:
        return WarehouseStatus("missing", str(path))
    try:
        relations = _relations()
        tables = set(relations.loc[relations["table_schema"] == "main", "table_name"])
        if not set(REQUIRED_TABLES) <= tables:
            return WarehouseStatus("empty", str(path), ", ".join(sorted(set(REQUIRED_TABLES) - tables)))
        for table in ("indicator_values", "dim_periods"):
            if query(f"select count(*) as n from (select 1 from main.{table} limit 1)")["n"].iloc[0] == 0:
                return WarehouseStatus("empty", str(path), table)
    except (WarehouseUnavailable, duckdb.Error) as error:
        return WarehouseStatus("unreadable", str(path), str(error).splitlines()[0])
    return WarehouseStatus("ok", str(path))


def published_at() -> dt.datetime | None:
    signature = _file_signature(warehouse_path())
    return None if signature is None else dt.datetime.fromtimestamp(signature[2] / 1e9)


def _relations() -> pd.DataFrame:
    """Schema and name of every table and view of the published file: one cached statement for
    every ``table_exists`` / ``find_table`` of a page (scope-independent: no figures)."""
    return query("select table_schema, table_name from information_schema.tables")


def table_exists(schema: str, table: str) -> bool:
    found = _relations()
    return bool(((found["table_schema"] == schema) & (found["table_name"] == table)).any())


def table_columns(schema: str, table: str) -> list[str]:
    return list(
        query(
            "select column_name from information_schema.columns"
            " where table_schema = $schema and table_name = $table order by ordinal_position",
            {"schema": schema, "table": table},
        )["column_name"]
    )


def find_table(table: str) -> str | None:
    """``schema.table`` of the first schema holding ``table`` (main first), else None."""
    relations = _relations()
    schemas = sorted(
        set(relations.loc[relations["table_name"] == table, "table_schema"]), key=lambda s: (s != "main", s)
    )
    return f'"{schemas[0]}"."{table}"' if schemas else None


def catalog() -> pd.DataFrame:
    """The indicator catalog seed: names in both languages, unit, direction, dimension, grains."""
    return query(
        """
        select indicator_code, name_zh, name_en, dimension, unit, direction, grains,
            has_company_total, definition
        from reference.indicator_catalog
        order by indicator_code
        """
    )


def warehouse_settings() -> dict[str, Any]:
    """The company settings the published build used (main.warehouse_settings, one row): the
    dashboard shows what the warehouse holds, never what dbt_project.yml says today."""
    if not table_exists("main", "warehouse_settings"):
        return {}
    found = query("select * from main.warehouse_settings")
    return {} if found.empty else found.iloc[0].to_dict()


def base_currency() -> str:
    """ISO code of the currency every amount of the published warehouse is in."""
    return str(warehouse_settings().get("base_currency") or "CNY")


def as_of_date() -> dt.date | None:
    found = query("select max(period_end_as_of) as as_of_date from main.dim_periods")
    value = found["as_of_date"].iloc[0]
    return None if pd.isna(value) else _date(value)


def periods(period_type: str) -> pd.DataFrame:
    """Periods of a type up to the as-of date, latest (the running one) first."""
    return query(
        """
        select period_type, period_start, period_end, period_end_as_of, is_complete,
            previous_period_start, same_period_last_year_start, period_label
        from main.dim_periods
        where period_type = $period_type
        order by period_start desc
        """,
        {"period_type": period_type},
    )


# ---------------------------------------------------------------------------------------------
# Row-level access
# ---------------------------------------------------------------------------------------------

SCOPE_CTES = """
with recursive
managed_teams(team_id) as (
    select teams.team_id
    from main.dim_teams as teams
    where $scope_role = 'director'
        or (
            $scope_role = 'manager'
            and (
                teams.team_id in (select unnest(string_split($scope_team_ids, ',')))
                or (teams.manager_rep_id = $scope_rep_id and $scope_rep_id <> '')
            )
        )
    union
    select child_teams.team_id
    from main.dim_teams as child_teams
    inner join managed_teams
        on child_teams.parent_team_id = managed_teams.team_id
),

allowed_teams as (
    select distinct team_id from managed_teams
),

allowed_reps as (
    select reps.rep_id
    from main.dim_sales_reps as reps
    where $scope_role = 'director'
    union
    select history.rep_id
    from main.dim_rep_team_history as history
    inner join allowed_teams
        on history.team_id = allowed_teams.team_id
    where $scope_role = 'manager'
    union
    select reps.rep_id
    from main.dim_sales_reps as reps
    inner join allowed_teams
        on reps.current_team_id = allowed_teams.team_id
    where $scope_role = 'manager'
    union
    select reps.rep_id
    from main.dim_sales_reps as reps
    where $scope_role in ('manager', 'rep') and reps.rep_id = $scope_rep_id
),

-- When each allowed rep counts for the principal: a manager sees a rep's figures of the periods
-- the rep was in one of her teams (valid_from <= d < valid_to, as the marts credit the team on the
-- event date) and her own; NULL bounds = always.
allowed_rep_spans as (
    select reps.rep_id, cast(null as date) as valid_from, cast(null as date) as valid_to
    from main.dim_sales_reps as reps
    where $scope_role = 'director'
    union all
    select history.rep_id, history.valid_from, history.valid_to
    from main.dim_rep_team_history as history
    inner join allowed_teams
        on history.team_id = allowed_teams.team_id
    where $scope_role = 'manager'
    union all
    select reps.rep_id, cast(null as date) as valid_from, cast(null as date) as valid_to
    from main.dim_sales_reps as reps
    where $scope_role in ('manager', 'rep') and reps.rep_id = $scope_rep_id
),

allowed_customers as (
    select customers.customer_id
    from main.dim_customers as customers
    where $scope_role = 'director'
    union
    select customers.customer_id
    from main.dim_customers as customers
    inner join main.dim_sales_reps as owners
        on customers.owner_rep_id = owners.rep_id
    inner join allowed_teams
        on owners.current_team_id = allowed_teams.team_id
    where $scope_role = 'manager'
    union
    select customers.customer_id
    from main.dim_customers as customers
    where $scope_role in ('manager', 'rep') and customers.owner_rep_id = $scope_rep_id
)
"""

# Rows of indicator_values (alias iv) the principal may see.
VISIBLE_INDICATOR_ROWS = """
(
    (iv.grain in ('company', 'product') and $scope_role = 'director')
    or (iv.grain = 'team' and iv.entity_id in (select team_id from allowed_teams))
    or (
        iv.grain = 'rep'
        and exists (
            select 1
            from allowed_rep_spans as spans
            inner join main.dim_periods as span_periods
                on span_periods.period_type = iv.period_type
                and span_periods.period_start = iv.period_start
            where spans.rep_id = iv.entity_id
                and (spans.valid_from is null or spans.valid_from <= span_periods.period_end)
                and (spans.valid_to is null or spans.valid_to > span_periods.period_start)
        )
    )
    or (iv.grain = 'customer' and iv.entity_id in (select customer_id from allowed_customers))
)
"""


def visible_teams(principal: Principal) -> pd.DataFrame:
    return scoped_query(
        principal,
        """
        select teams.team_id, teams.team_name, teams.region_code, teams.region_name,
            teams.market_type, teams.team_stage, teams.manager_rep_id, teams.parent_team_id
        from main.dim_teams as teams
        inner join allowed_teams
            on teams.team_id = allowed_teams.team_id
        order by teams.team_id
        """,
    )


def visible_reps(principal: Principal) -> pd.DataFrame:
    return scoped_query(
        principal,
        """
        select reps.rep_id, reps.rep_name, reps.role, reps.level, reps.hire_date,
            reps.termination_date, reps.current_team_id, current_teams.team_name as current_team_name,
            reps.is_employed
        from main.dim_sales_reps as reps
        inner join allowed_reps
            on reps.rep_id = allowed_reps.rep_id
        left join main.dim_teams as current_teams
            on reps.current_team_id = current_teams.team_id
        order by reps.rep_id
        """,
    )


def visible_customers(principal: Principal) -> pd.DataFrame:
    return scoped_query(
        principal,
        """
        select customers.customer_id, customers.customer_name, customers.segment,
            customers.industry, customers.region_code, customers.owner_rep_id
        from main.dim_customers as customers
        inner join allowed_customers
            on customers.customer_id = allowed_customers.customer_id
        order by customers.customer_id
        """,
    )


def visible_products(principal: Principal) -> pd.DataFrame:
    """Products with their stage and replacement: directors only (product figures are company-wide)."""
    return query(
        """
        select products.product_id, products.product_name, products.category,
            products.lifecycle_stage, products.is_strategic, products.launch_date,
            products.replaced_by_product_id
        from main.dim_products as products
        where $scope_role = 'director'
        order by products.product_id
        """,
        principal.params,
    )


def reps_in_scope(principal: Principal, start: dt.date, end: dt.date) -> set[str]:
    """Reps whose figures of a period [start, end] the principal may see (for a manager: in one of
    her teams at some day of it, or herself; see ``allowed_rep_spans``)."""
    found = scoped_query(
        principal,
        """
        select distinct spans.rep_id
        from allowed_rep_spans as spans
        where (spans.valid_from is null or spans.valid_from <= $end_date)
            and (spans.valid_to is null or spans.valid_to > $start_date)
        """,
        start_date=start,
        end_date=end,
    )
    return set(found["rep_id"])


def reps_in_team(principal: Principal, team_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Visible reps assigned to a visible team at any time in [start, end]."""
    return scoped_query(
        principal,
        """
        select distinct reps.rep_id, reps.rep_name, reps.role, reps.level, reps.current_team_id
        from main.dim_rep_team_history as history
        inner join allowed_teams
            on history.team_id = allowed_teams.team_id
        inner join allowed_reps
            on history.rep_id = allowed_reps.rep_id
        inner join main.dim_sales_reps as reps
            on history.rep_id = reps.rep_id
        where history.team_id = $team_id
            and history.valid_from <= $end_date
            and (history.valid_to is null or history.valid_to > $start_date)
        order by reps.rep_id
        """,
        team_id=team_id,
        start_date=start,
        end_date=end,
    )


# ---------------------------------------------------------------------------------------------
# Indicator values
# ---------------------------------------------------------------------------------------------


def indicator_snapshot(
    principal: Principal,
    grain: str,
    period_type: str,
    period_start: dt.date,
    codes: Iterable[str] | None = None,
    entity_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Visible indicator values of one period with target, attainment, previous period and last year.

    ``codes`` / ``entity_ids`` narrow the rows (None = all visible); an id outside the
    principal's scope simply returns no row.

    A running period (not complete at the as-of date) is compared with the same span of the
    previous period and of last year, up to the same day (``*_span_start``/``*_span_end`` say
    which days): sales_amount takes them from the growth indicators' denominators; another
    summed indicator has no same-span figure, so no comparison (never one with a whole period);
    rates, means and states compare their levels as for closed periods.
    """
    return scoped_query(
        principal,
        """
        , iv as (
            select *
            from main.indicator_values
            where grain = $grain and period_type = $period_type
                and (not $filter_codes or indicator_code in (select unnest(string_split($codes, ',')))
                    or indicator_code in ('sales_growth_pop', 'sales_growth_yoy'))
                and (not $filter_entity_ids or entity_id in (select unnest(string_split($entity_ids, ','))))
        ),

        visible as (
            select iv.*
            from iv
            where """
        + VISIBLE_INDICATOR_ROWS
        + """
        )

        select
            current_period.indicator_code,
            current_period.grain,
            current_period.entity_id,
            current_period.period_type,
            current_period.period_start,
            current_period.value,
            current_period.target_value,
            current_period.attainment,
            current_period.unit,
            current_period.numerator,
            current_period.denominator,
            case
                when periods.is_complete then previous_period.value
                when current_period.indicator_code = 'sales_amount' then growth_pop.denominator
                when catalog.period_aggregation = 'sum' then null
                else previous_period.value
            end as previous_value,
            case
                when periods.is_complete then last_year.value
                when current_period.indicator_code = 'sales_amount' then growth_yoy.denominator
                when catalog.period_aggregation = 'sum' then null
                else last_year.value
            end as last_year_value,
            not periods.is_complete as is_running,
            periods.previous_period_start as previous_span_start,
            case
                when periods.is_complete then cast(periods.period_start - interval 1 day as date)
                else cast(periods.period_end_as_of - to_months(
                    case periods.period_type when 'month' then 1 when 'quarter' then 3 else 12 end) as date)
            end as previous_span_end,
            periods.same_period_last_year_start as last_year_span_start,
            cast(periods.period_end_as_of - to_months(12) as date) as last_year_span_end
        from visible as current_period
        inner join main.dim_periods as periods
            on current_period.period_type = periods.period_type
            and current_period.period_start = periods.period_start
        left join reference.indicator_catalog as catalog
            on current_period.indicator_code = catalog.indicator_code
        left join visible as previous_period
            on current_period.indicator_code = previous_period.indicator_code
            and current_period.entity_id = previous_period.entity_id
            and previous_period.period_start = periods.previous_period_start
        left join visible as last_year
            on current_period.indicator_code = last_year.indicator_code
            and current_period.entity_id = last_year.entity_id
            and last_year.period_start = periods.same_period_last_year_start
        left join visible as growth_pop
            on growth_pop.indicator_code = 'sales_growth_pop'
            and current_period.entity_id = growth_pop.entity_id
            and current_period.period_start = growth_pop.period_start
        left join visible as growth_yoy
            on growth_yoy.indicator_code = 'sales_growth_yoy'
            and current_period.entity_id = growth_yoy.entity_id
            and current_period.period_start = growth_yoy.period_start
        where current_period.period_start = $period_start
            and (not $filter_codes or current_period.indicator_code in (select unnest(string_split($codes, ','))))
        order by current_period.indicator_code, current_period.entity_id
        """,
        grain=grain,
        period_type=period_type,
        period_start=period_start,
        **_id_lists(codes=codes, entity_ids=entity_ids),
    )


def indicator_trend(
    principal: Principal,
    grain: str,
    period_type: str,
    until: dt.date,
    codes: Iterable[str] | None = None,
    entity_ids: Iterable[str] | None = None,
    periods_back: int = 12,
) -> pd.DataFrame:
    """Visible values of the last ``periods_back`` periods up to ``until`` (oldest first)."""
    return scoped_query(
        principal,
        """
        , window_periods as (
            select period_start, period_label
            from main.dim_periods
            where period_type = $period_type and period_start <= $until
            order by period_start desc
            limit $periods_back
        )

        select iv.indicator_code, iv.grain, iv.entity_id, iv.period_type, iv.period_start,
            window_periods.period_label, iv.value, iv.target_value, iv.attainment, iv.unit
        from main.indicator_values as iv
        inner join window_periods
            on iv.period_start = window_periods.period_start
        where iv.grain = $grain and iv.period_type = $period_type
            and (not $filter_codes or iv.indicator_code in (select unnest(string_split($codes, ','))))
            and (not $filter_entity_ids or iv.entity_id in (select unnest(string_split($entity_ids, ','))))
            and """
        + VISIBLE_INDICATOR_ROWS
        + """
        order by iv.indicator_code, iv.entity_id, iv.period_start
        """,
        grain=grain,
        period_type=period_type,
        until=until,
        **_id_lists(codes=codes, entity_ids=entity_ids),
        periods_back=periods_back,
    )


def customers_owned(
    principal: Principal,
    period_type: str,
    period_start: dt.date,
    team_ids: Iterable[str] | None = None,
    rep_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Visible customers with their owner rep and team at the period's end (fct_customer_period_status)."""
    return scoped_query(
        principal,
        """
        select status.customer_id, customers.customer_name, customers.segment, customers.industry,
            status.owner_rep_id, status.owner_team_id, status.is_active_at_end,
            status.is_active_at_start, status.is_acquired_in_period
        from main.fct_customer_period_status as status
        inner join allowed_customers
            on status.customer_id = allowed_customers.customer_id
        inner join main.dim_customers as customers
            on status.customer_id = customers.customer_id
        where status.period_type = $period_type and status.period_start = $period_start
            and (not $filter_team_ids or status.owner_team_id in (select unnest(string_split($team_ids, ','))))
            and (not $filter_rep_ids or status.owner_rep_id in (select unnest(string_split($rep_ids, ','))))
        order by status.customer_id
        """,
        period_type=period_type,
        period_start=period_start,
        **_id_lists(team_ids=team_ids, rep_ids=rep_ids),
    )


_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def customer_values(
    principal: Principal,
    period_type: str,
    period_start: dt.date,
    codes: Iterable[str],
    customer_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per visible customer with a value of one of ``codes`` in the period: ``customer_id``
    and one column per code (NULL without a value), pivoted in DuckDB. The customer lists need the
    values only (no previous period or last year): one statement over the period's rows instead of
    the snapshot's comparisons for every customer, and no pivot in pandas."""
    codes = list(dict.fromkeys(codes))
    bad = [code for code in codes if not _CODE.match(code)]
    if bad or not codes:
        raise ValueError(f"indicator codes {bad or codes!r}")
    columns = ",\n            ".join(
        f"any_value(iv.value) filter (where iv.indicator_code = '{code}') as \"{code}\"" for code in codes
    )
    return scoped_query(
        principal,
        f"""
        select iv.entity_id as customer_id,
            {columns}
        from main.indicator_values as iv
        inner join allowed_customers
            on iv.entity_id = allowed_customers.customer_id
        where iv.grain = 'customer' and iv.period_type = $period_type and iv.period_start = $period_start
            and iv.indicator_code in (select unnest(string_split($codes, ',')))
            and (not $filter_customer_ids or iv.entity_id in (select unnest(string_split($customer_ids, ','))))
        group by iv.entity_id
        order by iv.entity_id
        """,
        period_type=period_type,
        period_start=period_start,
        codes=",".join(codes),
        **_id_lists(customer_ids=customer_ids),
    )


def with_customer_values(
    principal: Principal, customers: pd.DataFrame, period_type: str, period_start: dt.date, codes: Iterable[str]
) -> pd.DataFrame:
    """``customers`` (a ``customer_id`` column) with one column per code of :func:`customer_values`
    (NaN without a value). The values of every visible customer are read (one cached statement that
    the customers page and every rep's page share), then joined to ``customers``."""
    codes = list(codes)
    values = customer_values(principal, period_type, period_start, codes)
    merged = customers.merge(values, on="customer_id", how="left")
    for code in codes:
        merged[code] = pd.to_numeric(merged[code], errors="coerce")
    return merged


# ---------------------------------------------------------------------------------------------
# CLV model tables (models/marts/customers/*clv*): shown when built
# ---------------------------------------------------------------------------------------------

CLV_SNAPSHOT_TABLE = "fct_customer_clv_snapshots"
CLV_COLUMNS = (
    "as_of_date", "snapshot_date", "segment", "frequency", "recency", "age", "t", "days_since_last_purchase",
    "p_alive", "churn_risk", "expected_purchases", "expected_margin_per_purchase", "expected_margin_per_order",
    "clv_predicted", "annual_purchase", "expected_relationship_years", "gross_margin_rate", "maintenance_cost",
    "clv_formula", "clv_tier",
)  # fmt: skip


def clv_snapshots(principal: Principal, customer_id: str, until: dt.date) -> pd.DataFrame | None:
    """A visible customer's CLV snapshots up to ``until`` (None when the CLV table is not built)."""
    table = find_table(CLV_SNAPSHOT_TABLE)
    if table is None:
        return None
    columns = table_columns(table.split(".")[0].strip('"'), CLV_SNAPSHOT_TABLE)
    date_column = next((c for c in ("as_of_date", "snapshot_date") if c in columns), None)
    if "customer_id" not in columns or date_column is None:
        return None
    wanted = [c for c in CLV_COLUMNS if c in columns]
    select_list = ", ".join(f'snapshots."{c}"' for c in wanted)
    return scoped_query(
        principal,
        f"""
        select {select_list}
        from {table} as snapshots
        inner join allowed_customers
            on snapshots.customer_id = allowed_customers.customer_id
        where snapshots.customer_id = $customer_id and snapshots."{date_column}" <= $until
        order by snapshots."{date_column}"
        """,
        customer_id=customer_id,
        until=until,
    )


# ---------------------------------------------------------------------------------------------
# Data quality (dq_results, dq_rejected_rows from the data-quality issue) and freshness
# ---------------------------------------------------------------------------------------------


# Data-quality tables the page shows, and whether their rows are for directors only (rejected
# rows carry the landing row as text, with customer data in it).
DQ_TABLES = {"dq_results": True, "dq_rejected_rows": True, "dq_row_accounting": False}


def dq_table(principal: Principal, table: str, limit: int = 5000) -> pd.DataFrame | None:
    """A data-quality table as built (None when it does not exist yet)."""
    if table not in DQ_TABLES:
        raise ValueError(table)
    relation = find_table(table)
    if relation is None:
        return None
    return query(
        f"select * from {relation} where $scope_role = 'director' or not $directors_only limit $limit",
        _scoped(principal, directors_only=DQ_TABLES[table], limit=limit),
    )


def dq_summary(table: str, group_columns: Iterable[str]) -> pd.DataFrame | None:
    """Row counts of a data-quality table by the given columns that exist (all roles)."""
    if table not in DQ_TABLES:
        raise ValueError(table)
    relation = find_table(table)
    if relation is None:
        return None
    columns = set(table_columns(relation.split(".")[0].strip('"'), table))
    groups = [c for c in group_columns if c in columns]
    if not groups:
        return query(f"select count(*) as row_count from {relation}")
    group_list = ", ".join(f'"{c}"' for c in groups)
    return query(
        f"select {group_list}, count(*) as row_count from {relation}"
        f" group by {', '.join(str(i + 1) for i in range(len(groups)))} order by {group_list}"
    )


def freshness() -> pd.DataFrame:
    """Latest period of each type and the latest business date the warehouse holds."""
    return query(
        """
        select period_type, max(period_start) as latest_period_start,
            max(period_end_as_of) as as_of_date, bool_and(is_complete) as all_complete
        from main.dim_periods
        group by 1
        order by 1
        """
    )


# ---------------------------------------------------------------------------------------------
# Manager dashboard v2 (issue 15 items 1-4): pacing, the scope's parts, actions, customer history
# ---------------------------------------------------------------------------------------------

PACING_TABLE = "rpt_target_pacing"


def indicator_parts(
    principal: Principal,
    grain: str,
    period_type: str,
    period_starts: Iterable[dt.date],
    codes: Iterable[str],
    entity_ids: Iterable[str],
) -> pd.DataFrame:
    """Visible value, numerator, denominator and target of some periods (to combine entities: a
    manager's teams are added up from these parts), with the catalog's period aggregation."""
    return scoped_query(
        principal,
        """
        select iv.indicator_code, iv.entity_id, iv.period_start, iv.value, iv.numerator, iv.denominator,
            iv.target_value, catalog.period_aggregation
        from main.indicator_values as iv
        left join reference.indicator_catalog as catalog
            on iv.indicator_code = catalog.indicator_code
        where iv.grain = $grain and iv.period_type = $period_type
            and iv.period_start in (select cast(unnest(string_split($starts, ',')) as date))
            and iv.indicator_code in (select unnest(string_split($codes, ',')))
            and iv.entity_id in (select unnest(string_split($entity_ids, ',')))
            and """
        + VISIBLE_INDICATOR_ROWS
        + """
        order by iv.indicator_code, iv.entity_id, iv.period_start
        """,
        grain=grain,
        period_type=period_type,
        starts=",".join(sorted({_date(s).isoformat() for s in period_starts if s is not None})),
        codes=_ids(codes),
        entity_ids=_ids(entity_ids),
    )


def pacing(
    principal: Principal,
    grain: str,
    period_type: str,
    period_start: dt.date,
    codes: Iterable[str] | None = None,
    entity_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Visible rows of ``rpt_target_pacing`` (full-period target, value to date, time elapsed,
    attainment to date, pace gap, required daily run-rate, status) of one period; an empty frame
    when the mart is not built."""
    if not table_exists("main", PACING_TABLE):
        return pd.DataFrame()
    return scoped_query(
        principal,
        """
        select iv.grain, iv.entity_id, iv.indicator_code, iv.period_type, iv.period_start, iv.period_end,
            iv.as_of_date, iv.target_full_period, iv.value_to_date, iv.time_elapsed_share,
            iv.attainment_to_date, iv.pace_gap, iv.required_daily_run_rate, iv.projected_value_run_rate,
            iv.status
        from main.rpt_target_pacing as iv
        where iv.grain = $grain and iv.period_type = $period_type and iv.period_start = $period_start
            and (not $filter_codes or iv.indicator_code in (select unnest(string_split($codes, ','))))
            and (not $filter_entity_ids or iv.entity_id in (select unnest(string_split($entity_ids, ','))))
            and """
        + VISIBLE_INDICATOR_ROWS
        + """
        order by iv.entity_id, iv.indicator_code
        """,
        grain=grain,
        period_type=period_type,
        period_start=period_start,
        **_id_lists(codes=codes, entity_ids=entity_ids),
    )


def company_benchmark(principal: Principal, period_type: str, period_start: dt.date, code: str) -> pd.DataFrame:
    """The company's pacing of one indicator, added up over every team (teams are additive: their
    sales add up to the company's): time elapsed, attainment to date and pace gap for every role,
    as the benchmark of a manager's or rep's own progress; the amounts (target, value, run-rate)
    for directors only (company figures stay theirs)."""
    if not table_exists("main", PACING_TABLE):
        return pd.DataFrame()
    return query(
        """
        with teams as (
            select sum(target_full_period) as target_full_period, sum(value_to_date) as value_to_date,
                max(time_elapsed_share) as time_elapsed_share, max(period_end) as period_end,
                max(as_of_date) as as_of_date
            from main.rpt_target_pacing
            where grain = 'team' and period_type = $period_type and period_start = $period_start
                and indicator_code = $code
        )
        select
            case when $scope_role = 'director' then target_full_period end as target_full_period,
            case when $scope_role = 'director' then value_to_date end as value_to_date,
            time_elapsed_share,
            value_to_date / nullif(target_full_period, 0) as attainment_to_date,
            value_to_date / nullif(target_full_period, 0) - time_elapsed_share as pace_gap,
            case when $scope_role = 'director' then
                greatest(target_full_period - value_to_date, 0)
                / nullif(date_diff('day', as_of_date, period_end), 0)
            end as required_daily_run_rate
        from teams
        where target_full_period is not null
        """,
        _scoped(principal, period_type=period_type, period_start=period_start, code=code),
    )


def headline_codes(principal: Principal, period_type: str, period_start: dt.date, limit: int = 5) -> list[str]:
    """The indicators that matter most for the signed-in user's role: the highest weights of her
    own scorecard (``rpt_scorecard``, resolved from the ``scorecard_weights`` seed for her role,
    level, team stage and market), of the latest period up to the selected one; [] without."""
    if not principal.rep_id or not table_exists("main", "rpt_scorecard"):
        return []
    found = query(
        """
        with latest as (
            select max(period_start) as period_start
            from main.rpt_scorecard
            where entity_type = 'rep' and entity_id = $rep_id and period_type = $period_type
                and period_start <= $period_start
        )
        select scorecard.indicator_code, max(scorecard.weight) as weight
        from main.rpt_scorecard as scorecard
        inner join latest on scorecard.period_start = latest.period_start
        where scorecard.entity_type = 'rep' and scorecard.entity_id = $rep_id
            and scorecard.period_type = $period_type
        group by 1
        order by weight desc, indicator_code
        limit $limit
        """,
        {"rep_id": principal.rep_id, "period_type": period_type, "period_start": period_start, "limit": limit},
    )
    return list(found["indicator_code"])


def _alerts_cache_key(principal: Principal) -> tuple[str, str, str, tuple[str, ...]]:
    return (principal.username, principal.role, principal.rep_id or "", principal.team_ids)


@st.cache_data(ttl=cache_ttl(), show_spinner=False, max_entries=200)
def _cached_alerts(
    path: str, signature: tuple[int, int, int], who: tuple[str, str, str, tuple[str, ...]], period_type: str
) -> dict[str, Any]:
    from salesperf.alerts import rules  # imports this module: imported here, not at the top

    principal = Principal(username=who[0], role=who[1], rep_id=who[2] or None, team_ids=who[3])
    with _connection(path, signature) as con:
        alerts = rules.compute(con, principal, period_type=period_type)
    return {
        "period_start": alerts.period_start,
        "period_label": alerts.period_label,
        **{rule: pd.DataFrame(getattr(alerts, rule)) for rule in alerts.RULES if rule != "build"},
    }


def action_items(principal: Principal, period_type: str = "month") -> dict[str, Any]:
    """What needs action in the running period, by the alert rules of the digests
    (``salesperf.alerts.rules``: behind pace, high-value customers newly at churn risk,
    improvement-plan candidates, concentration, overdue collections), scoped to ``principal``
    exactly as her digest is: {rule: DataFrame, "period_start": date, "period_label": str}."""
    path = warehouse_path()
    signature = _file_signature(path)
    if signature is None:
        raise WarehouseUnavailable(f"{path} does not exist")
    return _cached_alerts(str(path), signature, _alerts_cache_key(principal), period_type)


def quality_warnings(principal: Principal) -> pd.DataFrame:
    """Data-quality findings of the published build that change a figure, one row per kind:
    ``rejected`` (landing rows quarantined with severity error: their figures are missing),
    ``check`` (dbt tests of severity warn that failed on a mart: a figure or breakdown is off),
    ``stale`` (extracts past their freshness limit: recent figures may be incomplete). Counts only
    (every role); the rows themselves are on the data-quality page."""
    del principal  # counts of the whole build, for every role
    parts = []
    if find_table("dq_rejected_rows") is not None:
        parts.append(
            "select 'rejected' as kind, count(*) as findings, cast(null as varchar) as newest"
            " from main.dq_rejected_rows where severity = 'error' having count(*) > 0"
        )
    if find_table("dq_results") is not None:
        parts.append(
            "select 'check' as kind, count(*) as findings, cast(null as varchar) as newest from main.dq_results"
            " where check_type = 'dbt_test' and status in ('warn', 'fail') and layer in ('marts', 'reports')"
            " having count(*) > 0"
        )
        parts.append(
            "select 'stale' as kind, count(*) as findings,"
            " max(regexp_extract(message, 'newest row (\\d{4}-\\d{2}-\\d{2})', 1)) as newest"
            " from main.dq_results where check_type = 'freshness' and status = 'fail' having count(*) > 0"
        )
    if not parts:
        return pd.DataFrame(columns=["kind", "findings", "newest"])
    return query(" union all ".join(parts))


def customer_monthly_sales(principal: Principal, customer_id: str, until: dt.date, months: int = 24) -> pd.DataFrame:
    """A visible customer's sales of every month of the last ``months`` up to ``until``: a
    continuous month axis, 0 in a month without sales (indicator_values has no row then)."""
    return scoped_query(
        principal,
        """
        , months as (
            select period_start, period_label
            from main.dim_periods
            where period_type = 'month' and period_start <= $until
            order by period_start desc
            limit $months
        )

        select months.period_start, months.period_label, coalesce(iv.value, 0) as value
        from months
        left join main.indicator_values as iv
            on iv.indicator_code = 'sales_amount' and iv.grain = 'customer' and iv.period_type = 'month'
            and iv.period_start = months.period_start and iv.entity_id = $customer_id
        where $customer_id in (select customer_id from allowed_customers)
        order by months.period_start
        """,
        customer_id=customer_id,
        until=until,
        months=months,
    )


def customer_orders(principal: Principal, customer_id: str, until: dt.date, limit: int = 200) -> pd.DataFrame:
    """A visible customer's orders up to ``until``, latest first: date, rep, lines, net sales,
    gross profit (from ``fct_order_lines``; a return has negative sales)."""
    return scoped_query(
        principal,
        """
        select lines.order_id, min(lines.order_date) as order_date, any_value(lines.order_type) as order_type,
            any_value(lines.rep_id) as rep_id, any_value(reps.rep_name) as rep_name, count(*) as lines,
            sum(lines.net_sales) as net_sales, sum(lines.gross_profit) as gross_profit
        from main.fct_order_lines as lines
        inner join allowed_customers
            on lines.customer_id = allowed_customers.customer_id
        left join main.dim_sales_reps as reps
            on lines.rep_id = reps.rep_id
        where lines.customer_id = $customer_id and lines.order_date <= $until
        group by lines.order_id
        order by order_date desc, lines.order_id
        limit $limit
        """,
        customer_id=customer_id,
        until=until,
        limit=limit,
    )


def customer_opportunities(principal: Principal, customer_id: str, until: dt.date, limit: int = 200) -> pd.DataFrame:
    """A visible customer's opportunities created up to ``until``, latest first."""
    if not table_exists("main", "fct_opportunities"):
        return pd.DataFrame()
    return scoped_query(
        principal,
        """
        select opportunities.opportunity_id, opportunities.created_date, opportunities.expected_close_date,
            opportunities.closed_date, opportunities.stage, opportunities.is_won, opportunities.forecast_amount,
            opportunities.won_amount, opportunities.rep_id, reps.rep_name
        from main.fct_opportunities as opportunities
        inner join allowed_customers
            on opportunities.customer_id = allowed_customers.customer_id
        left join main.dim_sales_reps as reps
            on opportunities.rep_id = reps.rep_id
        where opportunities.customer_id = $customer_id and opportunities.created_date <= $until
        order by opportunities.created_date desc, opportunities.opportunity_id
        limit $limit
        """,
        customer_id=customer_id,
        until=until,
        limit=limit,
    )
