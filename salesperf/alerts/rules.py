"""The alert rules of a digest: queries on the published warehouse, scoped like the dashboard.

Every rule runs on one read-only connection and takes the recipient's
:class:`dashboard.data.Principal`; its SQL comes after the dashboard's own ``SCOPE_CTES``
(``allowed_teams``, ``allowed_reps``, ``allowed_customers``), so a manager's digest holds her
teams, their reps and their customers only, as her dashboard does. One narrowing for alerts
(``ALERT_CTES``, ``alert_reps``): a manager is alerted about the reps *now* in her teams (and
herself), not about every rep who ever was in them. Company-wide figures are for directors only.

A rule whose table the build did not make (an older warehouse, a mart not built yet) is skipped
with a note in :attr:`Alerts.notes`, never an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from salesperf.alerts.scope import ALERT_CTES, SCOPE_CTES, Principal, bind


@dataclass
class Alerts:
    """What one recipient is told: key figures and one list of rows per alert rule."""

    as_of_date: dt.date | None
    period_type: str
    period_start: dt.date | None
    period_label: str
    base_currency: str
    key_figures: list[dict[str, Any]] = field(default_factory=list)
    behind_pace: list[dict[str, Any]] = field(default_factory=list)
    churn_risk: list[dict[str, Any]] = field(default_factory=list)
    improvement: list[dict[str, Any]] = field(default_factory=list)
    concentration: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    build: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    RULES = ("behind_pace", "churn_risk", "improvement", "concentration", "overdue", "build")

    @property
    def count(self) -> int:
        return sum(len(getattr(self, rule)) for rule in self.RULES)


def find_table(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """``schema.table`` of a published table (main first), or None when the build has none."""
    found = con.execute(
        "select table_schema from information_schema.tables where table_name = ? "
        "order by table_schema = 'main' desc, table_schema limit 1",
        [table],
    ).fetchone()
    return f'"{found[0]}"."{table}"' if found else None


def _rows(con: duckdb.DuckDBPyConnection, principal: Principal, sql: str, **params: Any) -> list[dict[str, Any]]:
    statement = SCOPE_CTES + ALERT_CTES + sql
    cursor = con.execute(statement, bind(statement, {**params, **principal.params}))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def current_period(con: duckdb.DuckDBPyConnection, period_type: str, as_of: dt.date) -> tuple[dt.date, str] | None:
    row = con.execute(
        "select period_start, period_label from main.dim_periods where period_type = ? "
        "and ? between period_start and period_end",
        [period_type, as_of],
    ).fetchone()
    return (row[0], row[1]) if row else None


def compute(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    period_type: str = "month",
    concentration_threshold: float | None = None,
    high_value_tiers: tuple[str, ...] = ("high",),
    overdue_min_days: int = 1,
) -> Alerts:
    """Every alert rule for ``principal`` on the published warehouse behind ``con``."""
    settings = _settings(con)
    as_of = settings.get("as_of_date")
    as_of = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    period = current_period(con, period_type, as_of) if as_of else None
    alerts = Alerts(
        as_of_date=as_of,
        period_type=period_type,
        period_start=period[0] if period else None,
        period_label=period[1] if period else "",
        base_currency=str(settings.get("base_currency") or ""),
    )
    if as_of is None or period is None:
        alerts.notes.append("warehouse_settings has no as-of date or dim_periods no current period: no figures")
        return alerts
    if concentration_threshold is None:
        concentration_threshold = float(settings.get("concentration_warning_threshold") or 0.30)
    common = {"period_type": period_type, "period_start": alerts.period_start, "as_of": as_of}
    alerts.key_figures = key_figures(con, principal, **common)
    alerts.behind_pace = behind_pace(con, principal, alerts.notes, period_type)
    alerts.churn_risk = churn_risk(con, principal, alerts.notes, high_value_tiers)
    alerts.improvement = improvement_candidates(con, principal, alerts.notes, period_type)
    alerts.concentration = concentration(con, principal, concentration_threshold, **common)
    alerts.overdue = overdue_collections(con, principal, as_of, overdue_min_days)
    return alerts


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    table = find_table(con, "warehouse_settings")
    if table is None:
        return {}
    cursor = con.execute(f"select * from {table} limit 1")
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else {}


def key_figures(con, principal: Principal, period_type: str, period_start: dt.date, as_of: dt.date):
    """Sales of the current period against target: the company (directors), each visible team, or
    the rep themselves (role rep)."""
    return _rows(
        con,
        principal,
        """
        select iv.grain, iv.entity_id,
            coalesce(teams.team_name, reps.rep_name, 'company') as entity_name,
            iv.value, iv.target_value, iv.attainment
        from main.indicator_values as iv
        left join main.dim_teams as teams on iv.grain = 'team' and iv.entity_id = teams.team_id
        left join main.dim_sales_reps as reps on iv.grain = 'rep' and iv.entity_id = reps.rep_id
        where iv.indicator_code = 'sales_amount'
            and iv.period_type = $period_type and iv.period_start = $period_start
            and (
                (iv.grain = 'company' and $scope_role = 'director')
                or (iv.grain = 'team' and $scope_role <> 'rep' and iv.entity_id in (select team_id from allowed_teams))
                or (iv.grain = 'rep' and $scope_role = 'rep' and iv.entity_id = $scope_rep_id)
            )
        order by iv.grain = 'company' desc, iv.grain, iv.entity_id
        """,
        period_type=period_type,
        period_start=period_start,
    )


def behind_pace(con, principal: Principal, notes: list[str], period_type: str) -> list[dict[str, Any]]:
    """Targets behind pace in the running period (``rpt_target_pacing``, status ``behind``)."""
    table = find_table(con, "rpt_target_pacing")
    if table is None:
        notes.append("behind_pace skipped: rpt_target_pacing is not in this warehouse")
        return []
    return _rows(
        con,
        principal,
        f"""
        , latest as (
            select max(as_of_date) as as_of_date from {table} where period_type = $period_type
        ), running as (
            select max(pacing.period_start) as period_start
            from {table} as pacing inner join latest using (as_of_date)
            where pacing.period_type = $period_type
        )
        select pacing.grain, pacing.entity_id,
            coalesce(teams.team_name, reps.rep_name, 'company') as entity_name,
            pacing.indicator_code, pacing.period_start, pacing.period_end, pacing.as_of_date,
            pacing.target_full_period, pacing.value_to_date, pacing.time_elapsed_share,
            pacing.attainment_to_date, pacing.pace_gap, pacing.required_daily_run_rate,
            pacing.projected_value_run_rate
        from {table} as pacing
        inner join latest using (as_of_date)
        inner join running using (period_start)
        left join main.dim_teams as teams on pacing.grain = 'team' and pacing.entity_id = teams.team_id
        left join main.dim_sales_reps as reps on pacing.grain = 'rep' and pacing.entity_id = reps.rep_id
        where pacing.status = 'behind' and pacing.period_type = $period_type
            and (
                (pacing.grain = 'company' and $scope_role = 'director')
                or (pacing.grain = 'team' and pacing.entity_id in (select team_id from allowed_teams))
                or (pacing.grain = 'rep' and pacing.entity_id in (select rep_id from alert_reps))
            )
        order by pacing.grain = 'company' desc, pacing.grain = 'team' desc,
            pacing.attainment_to_date - pacing.time_elapsed_share, pacing.entity_id, pacing.indicator_code
        """,
        period_type=period_type,
    )


def improvement_candidates(con, principal: Principal, notes: list[str], period_type: str) -> list[dict[str, Any]]:
    """Reps flagged for an improvement plan in the latest flagged period (``rpt_improvement_flags``)."""
    table = find_table(con, "rpt_improvement_flags")
    if table is None:
        notes.append("improvement skipped: rpt_improvement_flags is not in this warehouse")
        return []
    return _rows(
        con,
        principal,
        f"""
        , latest as (
            select max(period_start) as period_start from {table} where period_type = $period_type
        )
        select flags.rep_id, reps.rep_name, flags.team_id, teams.team_name, flags.period_type,
            flags.period_start, flags.flag_code, flags.reason, flags.drag_indicators, flags.consecutive_periods
        from {table} as flags
        inner join latest using (period_start)
        left join main.dim_sales_reps as reps on flags.rep_id = reps.rep_id
        left join main.dim_teams as teams on flags.team_id = teams.team_id
        where flags.period_type = $period_type
            and flags.rep_id in (select rep_id from alert_reps)
            and ($scope_role <> 'manager' or flags.team_id in (select team_id from allowed_teams)
                or flags.rep_id = $scope_rep_id)
        order by flags.consecutive_periods desc, flags.rep_id, flags.flag_code
        """,
        period_type=period_type,
    )


def churn_risk(con, principal: Principal, notes: list[str], tiers: tuple[str, ...]) -> list[dict[str, Any]]:
    """High-value customers (CLV tier) at churn risk at the as-of date that were not at risk at
    the snapshot before (``fct_customer_clv_snapshots``: new risk only)."""
    table = find_table(con, "fct_customer_clv_snapshots")
    if table is None:
        notes.append("churn_risk skipped: fct_customer_clv_snapshots is not in this warehouse")
        return []
    return _rows(
        con,
        principal,
        f"""
        , dates as (
            select max(as_of_date) as current_date_,
                max(as_of_date) filter (where as_of_date < (select max(as_of_date) from {table})) as previous_date
            from {table}
        )
        select now_.customer_id, customers.customer_name, now_.owner_rep_id, reps.rep_name,
            now_.owner_team_id, now_.clv_tier, now_.p_alive, now_.clv_predicted,
            now_.days_since_last_purchase, dates.previous_date
        from {table} as now_
        cross join dates
        left join {table} as before
            on before.customer_id = now_.customer_id and before.as_of_date = dates.previous_date
        left join main.dim_customers as customers on now_.customer_id = customers.customer_id
        left join main.dim_sales_reps as reps on now_.owner_rep_id = reps.rep_id
        where now_.as_of_date = dates.current_date_
            and now_.churn_risk = 1
            and coalesce(before.churn_risk, 0) = 0
            and list_contains(string_split($tiers, ','), now_.clv_tier)
            and now_.customer_id in (select customer_id from allowed_customers)
        order by now_.clv_predicted desc nulls last, now_.customer_id
        """,
        tiers=",".join(tiers),
    )


def concentration(
    con, principal: Principal, threshold: float, period_type: str, period_start: dt.date, as_of: dt.date
) -> list[dict[str, Any]]:
    """Reps whose largest customer gives more than ``threshold`` of their sales in the current
    period (indicator ``customer_concentration``), with that customer."""
    return _rows(
        con,
        principal,
        """
        , customer_sales as (
            select lines.rep_id, lines.customer_id, sum(lines.net_sales) as net_sales
            from main.fct_order_lines as lines
            where lines.order_date between $period_start and $as_of
            group by 1, 2
        ), top_customer as (
            select rep_id, arg_max(customer_id, net_sales) as customer_id, max(net_sales) as customer_sales
            from customer_sales group by 1
        )
        select iv.entity_id as rep_id, reps.rep_name, reps.current_team_id as team_id, iv.value as share,
            iv.numerator as largest_customer_sales, iv.denominator as rep_sales,
            case when abs(top_customer.customer_sales - iv.numerator) < 0.005 then top_customer.customer_id end
                as customer_id,
            case when abs(top_customer.customer_sales - iv.numerator) < 0.005 then customers.customer_name end
                as customer_name
        from main.indicator_values as iv
        left join main.dim_sales_reps as reps on iv.entity_id = reps.rep_id
        left join top_customer on iv.entity_id = top_customer.rep_id
        left join main.dim_customers as customers on top_customer.customer_id = customers.customer_id
        where iv.indicator_code = 'customer_concentration' and iv.grain = 'rep'
            and iv.period_type = $period_type and iv.period_start = $period_start
            and iv.value > $threshold
            and iv.entity_id in (select rep_id from alert_reps)
        order by iv.value desc, iv.entity_id
        """,
        period_type=period_type,
        period_start=period_start,
        as_of=as_of,
        threshold=threshold,
    )


def overdue_collections(con, principal: Principal, as_of: dt.date, min_days: int) -> list[dict[str, Any]]:
    """Per rep: invoices past due (by at least ``min_days``) and not fully paid at the as-of date,
    the amount outstanding and the oldest one."""
    return _rows(
        con,
        principal,
        """
        , open_invoices as (
            select invoices.rep_id, invoices.invoice_id, invoices.customer_id,
                invoices.amount - coalesce(invoices.amount_paid, 0) as outstanding,
                date_diff('day', invoices.due_date, $as_of) as days_overdue
            from main.fct_invoices as invoices
            where invoices.due_date <= $as_of - to_days(cast($min_days as integer))
                and not coalesce(invoices.is_fully_paid and invoices.fully_paid_date <= $as_of, false)
                and invoices.amount - coalesce(invoices.amount_paid, 0) > 0.005
                and invoices.rep_id in (select rep_id from alert_reps)
        )
        select open_invoices.rep_id, reps.rep_name, reps.current_team_id as team_id,
            count(*) as invoices, sum(outstanding) as outstanding, max(days_overdue) as max_days_overdue,
            arg_max(open_invoices.invoice_id, days_overdue) as oldest_invoice_id
        from open_invoices
        left join main.dim_sales_reps as reps on open_invoices.rep_id = reps.rep_id
        group by all
        order by outstanding desc, open_invoices.rep_id
        """,
        as_of=as_of,
        min_days=min_days,
    )
