"""Overview: the user's scope at a glance (issue 15 items 1-3).

Order: the scope (a manager's teams side by side and combined, with the company as benchmark),
the pacing cards of the scope (full-period target, 时间进度 vs 业绩进度, run-rate needed), the
action list, the headline indicators of the role (highest weights of her scorecard), and the
rest on demand (every dimension's cards and the scorecard table behind an expander).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.app_pages import action_views, scope_views, scorecard_views

# Indicators per dimension behind the "all indicators" expander (catalog codes); a code without rows shows "—".
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
# The headline row when the user has no scorecard of her own.
DEFAULT_HEADLINE = ("sales_amount", "gross_margin_rate", "new_customers", "collection_rate")
CARDS_PER_ROW = 4
ALL_INDICATORS_KEY = "overview_all_indicators"  # session state: True while "All indicators" is open


def scope(ctx: ui.Context) -> tuple[str, str, str] | None:
    """(grain, entity_id, title) of the scope (several team ids comma-joined for a manager's teams)."""
    chosen = scope_views.scope(ctx)
    return None if chosen is None else (chosen.grain, ",".join(chosen.entity_ids), chosen.title)


def cards(ctx: ui.Context, chosen: scope_views.Scope, rows: dict, codes: tuple[str, ...] | list[str]) -> None:
    """KPI cards of ``codes`` for the scope, CARDS_PER_ROW a row; a single entity with its sparkline."""
    trend = None
    if not chosen.combined:
        trend = data.indicator_trend(
            ctx.principal, chosen.grain, ctx.period_type, ctx.period_start, codes=codes, entity_ids=chosen.entity_ids
        )
    for start in range(0, len(codes), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, code in zip(columns, codes[start : start + CARDS_PER_ROW], strict=False):
            with column:
                series = None if trend is None else trend.loc[trend["indicator_code"] == code, "value"].tolist()
                ui.kpi_card(ctx, code, rows.get(code), series)


def render() -> None:
    ctx = ui.context()
    st.header(ctx.t("overview_title"))
    st.caption(ctx.period_caption())
    chosen = scope_views.scope(ctx)
    if chosen is None:
        st.info(ctx.t("no_scope"))
        return
    st.subheader(chosen.title)

    if chosen.combined:
        scope_views.render_scope_table(ctx, chosen)
    st.markdown(f"#### {ctx.t('pace_title')}")
    scope_views.pacing_cards(ctx, scope_views.scope_pacing(ctx, chosen))

    action_views.render(ctx)

    rows = scope_views.scope_rows(ctx, chosen)
    headline = data.headline_codes(ctx.principal, ctx.period_type, ctx.period_start) or list(DEFAULT_HEADLINE)
    st.markdown(f"#### {ctx.t('headline_title')}")
    st.caption(ctx.t("headline_caption"))
    cards(ctx, chosen, rows, headline)

    # Lazy: the other indicators' cards, sparklines and the scorecard table are computed only
    # while the expander is open (its state reruns the page; closed, nothing of it runs).
    with st.expander(ctx.t("all_indicators"), expanded=False, key=ALL_INDICATORS_KEY, on_change="rerun") as box:
        if box.open:
            all_indicators(ctx, chosen, rows, headline)
    scorecard_views.improvement_plans(ctx)


def all_indicators(ctx: ui.Context, chosen: scope_views.Scope, rows: dict, headline: list[str]) -> None:
    """The "All indicators" expander: the glance strip, every dimension's cards, the scorecard table."""
    scope_views.glance_strip(ctx, rows, tuple(HEADLINES))
    for dimension, dimension_codes in HEADLINES.items():
        st.markdown(f"#### {ctx.t(f'dim_{dimension}')}")
        cards(ctx, chosen, rows, [code for code in dimension_codes if code not in headline])
    st.markdown(f"#### {ctx.t('rep_scorecard')}")
    snapshot = data.indicator_snapshot(
        ctx.principal, chosen.grain, ctx.period_type, ctx.period_start, entity_ids=chosen.entity_ids
    )
    if chosen.combined:  # the scope's combined rows, not one row per team
        snapshot = pd.DataFrame(list(rows.values()))
    ui.table(ctx, ui.scorecard(ctx, snapshot), ui.SCORECARD_COLUMNS, key="overview_scorecard",
             file_name="overview")  # fmt: skip


render()
