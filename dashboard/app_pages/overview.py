"""Overview: KPI cards of the user's scope (company, a team, or the rep) by dimension."""

from __future__ import annotations

import streamlit as st

from dashboard import data, ui
from dashboard.app_pages import scorecard_views

# Headline indicators per dimension (catalog codes); a code without rows shows "—".
HEADLINES: dict[str, tuple[str, ...]] = {
    "results": (
        "sales_amount", "sales_target_attainment", "sales_growth_yoy", "gross_margin_rate",
        "collection_rate", "new_customers", "customer_retention_rate",
    ),
    "process": (
        "visit_count", "effective_visit_rate", "opportunity_win_rate", "follow_up_timeliness_rate",
        "contract_fulfillment_rate",
    ),
    "capability": ("skill_score", "training_pass_rate", "knowledge_test_score", "demand_forecast_accuracy"),
    "collaboration": ("internal_collaboration_satisfaction", "cross_dept_on_time_rate", "feedback_adoption_rate"),
    "customer_value": ("clv_predicted", "nps", "share_of_wallet", "customer_net_profit"),
}  # fmt: skip
CARDS_PER_ROW = 4


def scope(ctx: ui.Context) -> tuple[str, str, str] | None:
    """(grain, entity_id, title) the overview shows for this user and selection."""
    if ctx.team:
        return "team", ctx.team, ctx.t("scope_team", name=ctx.team_name(ctx.team))
    if ctx.principal.role == "director":
        return "company", "company", ctx.t("scope_company")
    if ctx.principal.role == "manager" and ctx.team_ids:
        team_id = ctx.team_ids[0]
        return "team", team_id, ctx.t("scope_team", name=ctx.team_name(team_id))
    if ctx.principal.rep_id:
        return "rep", ctx.principal.rep_id, ctx.t("scope_rep", name=ctx.rep_name(ctx.principal.rep_id))
    return None


def render() -> None:
    ctx = ui.context()
    st.header(ctx.t("overview_title"))
    st.caption(ctx.period_caption())
    chosen = scope(ctx)
    if chosen is None:
        st.info(ctx.t("no_scope"))
        return
    grain, entity_id, title = chosen
    st.subheader(title)

    snapshot = data.indicator_snapshot(ctx.principal, grain, ctx.period_type, ctx.period_start, entity_ids=[entity_id])
    codes = [code for dimension_codes in HEADLINES.values() for code in dimension_codes]
    trend = data.indicator_trend(
        ctx.principal, grain, ctx.period_type, ctx.period_start, codes=codes, entity_ids=[entity_id]
    )
    rows = {row["indicator_code"]: row for _, row in snapshot.iterrows()}

    glance = st.columns(len(HEADLINES))
    for column, dimension in zip(glance, HEADLINES, strict=True):
        in_dimension = [code for code in ctx.catalog.in_dimension(dimension) if code in rows]
        better = sum(
            bool(ui.improved(ctx, code, rows[code]["value"], rows[code].get("previous_value"))) for code in in_dimension
        )
        column.metric(
            ctx.t(f"dim_{dimension}"),
            f"{better}/{len(in_dimension)} ↑",
            help=ctx.t("dimension_glance", total=len(ctx.catalog.in_dimension(dimension))),
        )

    for dimension, dimension_codes in HEADLINES.items():
        st.markdown(f"#### {ctx.t(f'dim_{dimension}')}")
        for start in range(0, len(dimension_codes), CARDS_PER_ROW):
            columns = st.columns(CARDS_PER_ROW)
            for column, code in zip(columns, dimension_codes[start : start + CARDS_PER_ROW], strict=False):
                with column:
                    series = trend.loc[trend["indicator_code"] == code, "value"].tolist()
                    ui.kpi_card(ctx, code, rows.get(code), series)

    st.markdown(f"#### {ctx.t('rep_scorecard')}")
    ui.table(ctx, ui.scorecard(ctx, snapshot), ui.SCORECARD_COLUMNS, key="overview_scorecard", file_name="overview")
    scorecard_views.improvement_plans(ctx)


render()
