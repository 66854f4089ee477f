"""From a failing indicator row back to the landing rows behind it (table and key).

A blocking failure of ``indicator_values`` (a value outside its catalog range, a sum that does not
reconcile) names indicator rows: ``indicator|grain|entity|period_type|period_start``. What the
analyst must fix is in the source extract, so the gate adds the landing rows behind each failing
row: per indicator, the fact it is computed from (``LINEAGE``), the fact's rows of that entity
with their event date in that period, and their landing key (the fact carries the key columns
of its landing table: ``salesperf.contract``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from salesperf.contract import TABLES_BY_NAME


@dataclass(frozen=True)
class Trace:
    """Where an indicator's input rows are: a fact, the date that puts a row in its periods, the
    landing table its rows come from, and the fact's columns of each grain (None: not kept)."""

    fact: str
    date_column: str
    landing_table: str
    grain_columns: tuple[tuple[str, str], ...] = (
        ("team", "team_id"),
        ("rep", "rep_id"),
        ("customer", "customer_id"),
        ("product", "product_id"),
    )
    extra_key_columns: tuple[str, ...] = ()
    # The fact's own measure of each row, to show the most extreme rows first (lowest for a value
    # below its range, highest above it), e.g. the payments made before their invoice.
    measure: str | None = None

    def column_of(self, grain: str) -> str | None:
        return dict(self.grain_columns).get(grain)


_ORDER_LINES = Trace(
    "fct_order_lines", "order_date", "erp_sales_order_lines", extra_key_columns=("order_id",), measure="net_sales"
)
_PAYMENTS = Trace(
    "fct_payments",
    "payment_date",
    "erp_payments",
    extra_key_columns=("invoice_id",),
    measure="date_diff('day', invoice_date, payment_date)",
)
_INVOICES = Trace("fct_invoices", "due_date", "erp_invoices", extra_key_columns=("order_id",))
_OPPORTUNITIES = Trace("fct_opportunities", "closed_date", "crm_opportunities")
_DELIVERIES = Trace("fct_deliveries", "promised_date", "erp_deliveries", extra_key_columns=("order_id",))
_TICKETS = Trace("fct_service_tickets", "opened_date", "crm_service_tickets")
_SURVEYS = Trace("fct_surveys", "surveyed_date", "crm_surveys")
_TRAININGS = Trace("fct_trainings", "completed_date", "hr_trainings")
_REQUESTS = Trace("fct_cross_dept_requests", "due_date", "hr_cross_dept_requests")
_CHECKS = Trace("fct_compliance_checks", "checked_date", "hr_compliance_checks")
_SKILLS = Trace("fct_skill_assessments", "assessed_date", "hr_skill_assessments")
_VISITS = Trace("fct_activities", "activity_date", "crm_activities")
_COSTS = Trace("fct_customer_costs", "cost_date", "erp_customer_costs")

# Indicator -> where its inputs are. Indicators not listed are traced to the order lines of the
# entity and period (every figure of a customer, rep or product starts from its sales).
LINEAGE: dict[str, Trace] = {
    "collection_rate": _INVOICES,
    "avg_collection_days": _PAYMENTS,
    "renewal_rate": Trace("fct_contracts", "end_date", "erp_contracts"),
    "visit_count": _VISITS,
    "effective_visit_rate": _VISITS,
    "visit_coverage_rate": _VISITS,
    "follow_up_timeliness_rate": Trace("fct_follow_up_tasks", "due_date", "crm_follow_up_tasks"),
    "opportunity_win_rate": _OPPORTUNITIES,
    "project_cycle_attainment": _OPPORTUNITIES,
    "decision_chain_coverage": _OPPORTUNITIES,
    "demand_forecast_accuracy": _OPPORTUNITIES,
    "contract_fulfillment_rate": _DELIVERIES,
    "fulfillment_delay_days": _DELIVERIES,
    "installation_timeliness_rate": _DELIVERIES,
    "process_compliance_rate": _CHECKS,
    "compliance_veto": _CHECKS,
    "expense_compliance_rate": Trace("fct_expenses", "expense_date", "erp_expenses"),
    "referral_count": Trace(
        "fct_referrals",
        "referral_date",
        "crm_referrals",
        (("team", "referrer_owner_team_id"), ("rep", "referrer_owner_rep_id"), ("customer", "referrer_customer_id")),
    ),
    "first_response_rate": _TICKETS,
    "complaint_rate": _TICKETS,
    "complaint_resolution_hours": _TICKETS,
    "skill_score": _SKILLS,
    "skill_growth": _SKILLS,
    "training_pass_rate": _TRAININGS,
    "self_learning_hours": _TRAININGS,
    "knowledge_test_score": _TRAININGS,
    "insight_report_quality": Trace("fct_insight_reports", "submitted_date", "hr_insight_reports"),
    "internal_collaboration_satisfaction": Trace(
        "fct_collaboration_surveys",
        "surveyed_date",
        "hr_collaboration_surveys",
        (("team", "rated_team_id"), ("rep", "rated_rep_id")),
    ),
    "knowledge_sharing_contributions": Trace(
        "fct_knowledge_contributions", "contributed_date", "hr_knowledge_contributions"
    ),
    "cross_dept_on_time_rate": _REQUESTS,
    "feedback_adoption_rate": _REQUESTS,
    "cac": _COSTS,
    "nps": _SURVEYS,
    "csat_economic": _SURVEYS,
    "csat_relationship": _SURVEYS,
}
DEFAULT_TRACE = _ORDER_LINES
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12, "fiscal_year": 12}


def trace_of(indicator_code: str) -> Trace:
    return LINEAGE.get(indicator_code, DEFAULT_TRACE)


def _relation(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    found = con.execute(
        "select table_schema from information_schema.tables where table_name = ?"
        " order by table_schema = 'main' desc limit 1",
        [name],
    ).fetchone()
    return f'"{found[0]}"."{name}"' if found else None


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    rows = con.execute("select column_name from information_schema.columns where table_name = ?", [name]).fetchall()
    return {row[0] for row in rows}


def landing_rows(
    con: duckdb.DuckDBPyConnection, row_key: str, limit: int = 3, lowest_first: bool = True
) -> tuple[str, list[str], int]:
    """(landing table, up to ``limit`` keys as ``col=value, ...``, number of rows) behind one
    indicator row ``indicator|grain|entity|period_type|period_start``; ('', [], 0) when unknown."""
    parts = row_key.split("|")
    if len(parts) != 5:
        return "", [], 0
    code, grain, entity, period_type, period_start = parts
    trace = trace_of(code)
    relation = _relation(con, trace.fact)
    months = PERIOD_MONTHS.get(period_type)
    if relation is None or months is None:
        return trace.landing_table, [], 0
    present = _columns(con, trace.fact)
    table = TABLES_BY_NAME[trace.landing_table]
    keys = [c for c in (*table.key, *trace.extra_key_columns) if c in present]
    if not keys or trace.date_column not in present:
        return trace.landing_table, [], 0
    where = [
        f'"{trace.date_column}" >= cast(? as date)',
        f'"{trace.date_column}" < cast(? as date) + to_months({months})',
    ]
    params: list[object] = [period_start, period_start]
    if grain != "company":
        column = trace.column_of(grain)
        if column is None or column not in present:
            return trace.landing_table, [], 0
        if entity == "unassigned":
            where.append(f'"{column}" is null')
        else:
            where.append(f'"{column}" = ?')
            params.append(entity)
    select_keys = ", ".join(f'cast("{k}" as varchar)' for k in keys)
    condition = " and ".join(where)
    count = con.execute(f"select count(*) from {relation} where {condition}", params).fetchone()[0]
    order = "1"
    if trace.measure:
        order = f"{trace.measure} {'asc' if lowest_first else 'desc'} nulls last, 1"
    rows = con.execute(
        f"select {select_keys} from {relation} where {condition} order by {order} limit {limit}", params
    ).fetchall()
    shown = [", ".join(f"{k}={v}" for k, v in zip(keys, row, strict=True)) for row in rows]
    return trace.landing_table, shown, int(count)


def describe(
    con: duckdb.DuckDBPyConnection, row_keys: list[str], limit_rows: int = 3, lowest_first: bool = True
) -> str:
    """``landing rows behind them: erp_payments payment_id=P1, invoice_id=I9; ... (n rows) | ...``."""
    pieces = []
    for row_key in row_keys[:limit_rows]:
        try:
            table, keys, count = landing_rows(con, row_key, lowest_first=lowest_first)
        except duckdb.Error:
            continue
        if keys:
            more = f" (+{count - len(keys)} more)" if count > len(keys) else ""
            pieces.append(f"{row_key} ← {table} {'; '.join(keys)}{more}")
    return ("landing rows behind them: " + " | ".join(pieces)) if pieces else ""


def failing_range_rows(con: duckdb.DuckDBPyConnection, bound: str, limit: int = 5) -> list[str]:
    """Keys of indicator rows below valid_min (bound 'min') or above valid_max ('max'), worst first."""
    values, catalog = _relation(con, "indicator_values"), _relation(con, "indicator_catalog")
    if values is None or catalog is None:
        return []
    slack = f"1e-9 * greatest(1, abs(c.valid_{bound}))"
    condition = f"v.value < c.valid_min - {slack}" if bound == "min" else f"v.value > c.valid_max + {slack}"
    order = "v.value" if bound == "min" else "v.value desc"
    rows = con.execute(
        f"select v.indicator_code || '|' || v.grain || '|' || v.entity_id || '|' || v.period_type || '|' "
        f"|| cast(v.period_start as varchar) from {values} as v join {catalog} as c using (indicator_code) "
        f"where {condition} order by v.grain = 'company', v.grain = 'team', v.grain = 'rep', {order} limit {limit}"
    ).fetchall()
    return [r[0] for r in rows]
