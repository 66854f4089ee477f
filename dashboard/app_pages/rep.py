"""Rep: one rep's scorecard across the dimensions, the trend of an indicator, their customers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui
from dashboard.app_pages import scorecard_views

REP_CARDS = ("sales_amount", "sales_target_attainment", "gross_margin_rate", "visit_count")
CUSTOMER_CODES = ("sales_amount", "gross_margin_rate", "clv_predicted", "p_alive", "churn_risk", "share_of_wallet")


def render() -> None:
    ctx = ui.context()
    reps = ctx.reps
    if ctx.principal.role == "rep":
        reps = ctx.all_reps.loc[ctx.all_reps["rep_id"] == ctx.principal.rep_id]
    names = dict(zip(reps["rep_id"], reps["rep_name"], strict=True))
    rep_id = ui.entity_select(ctx, "rep_select", names, "rep")
    if rep_id is None:
        st.header(ctx.t("page_rep"))
        st.info(ctx.t("rep_none"))
        return
    rep = reps.loc[reps["rep_id"] == rep_id].iloc[0]
    st.header(ctx.t("rep_title", name=names[rep_id]))
    st.caption(
        ctx.t(
            "rep_info",
            team=rep["current_team_name"] if pd.notna(rep["current_team_name"]) else "—",
            role=ctx.t(f"rep_role_{rep['role']}") if f"rep_role_{rep['role']}" in i18n.TEXT else rep["role"],
            hire=pd.Timestamp(rep["hire_date"]).date().isoformat() if pd.notna(rep["hire_date"]) else "—",
        )
    )
    st.caption(ctx.period_caption())

    snapshot = data.indicator_snapshot(ctx.principal, "rep", ctx.period_type, ctx.period_start, entity_ids=[rep_id])
    rows = {row["indicator_code"]: row for _, row in snapshot.iterrows()}
    trend = data.indicator_trend(ctx.principal, "rep", ctx.period_type, ctx.period_start, entity_ids=[rep_id])
    for column, code in zip(st.columns(len(REP_CARDS)), REP_CARDS, strict=True):
        with column:
            ui.kpi_card(ctx, code, rows.get(code), trend.loc[trend["indicator_code"] == code, "value"].tolist())

    scorecard_views.rep_scorecard(ctx, rep_id)

    st.markdown(f"#### {ctx.t('rep_scorecard')}")
    card = ui.scorecard(ctx, snapshot)
    if card.empty:
        st.info(ctx.t("no_data"))
    else:
        tabs = st.tabs(list(dict.fromkeys(card["dimension"])))
        for tab, dimension in zip(tabs, dict.fromkeys(card["dimension"]), strict=True):
            with tab:
                ui.table(
                    ctx,
                    card.loc[card["dimension"] == dimension],
                    ui.SCORECARD_COLUMNS,
                    key=f"rep_scorecard_{card.loc[card['dimension'] == dimension, 'dimension_order'].iloc[0]}",
                    file_name=f"rep_{rep_id}_{ctx.period_type}_{ctx.period_start.isoformat()}",
                )

    st.markdown(f"#### {ctx.t('rep_trend')}")
    codes = sorted(set(trend["indicator_code"]), key=lambda c: (ctx.catalog.dimension(c) or "", c))
    if codes:
        code = st.selectbox(
            ctx.t("trend_indicator"),
            codes,
            index=codes.index("sales_amount") if "sales_amount" in codes else 0,
            format_func=ctx.catalog.name,
            key=f"rep_trend_code.{ctx.lang}",
            placeholder=ctx.t("choose_option"),
        )
        series = trend.loc[trend["indicator_code"] == code]
        ui.trend_chart(ctx, series, "entity_id", {rep_id: names[rep_id]}, ctx.catalog.unit(code))
    else:
        st.info(ctx.t("no_data"))

    st.markdown(f"#### {ctx.t('rep_customers')}")
    customers = data.customers_owned(ctx.principal, ctx.period_type, ctx.period_start, rep_ids=[rep_id])
    customers = data.with_customer_values(ctx.principal, customers, ctx.period_type, ctx.period_start, CUSTOMER_CODES)
    customers = customers.sort_values("sales_amount", ascending=False, na_position="last")
    ui.table(
        ctx,
        customers,
        [
            ui.Column("customer_name", "col_customer"),
            ui.Column("customer_id", "col_customer_id"),
            ui.Column("segment", "col_segment"),
            ui.Column("sales_amount", ctx.catalog.name("sales_amount"), "money"),
            ui.Column("gross_margin_rate", ctx.catalog.name("gross_margin_rate"), "ratio"),
            ui.Column("clv_predicted", ctx.catalog.name("clv_predicted"), "money"),
            ui.Column("p_alive", ctx.catalog.name("p_alive"), "ratio"),
            ui.Column("churn_risk", ctx.catalog.name("churn_risk"), "flag"),
            ui.Column("share_of_wallet", ctx.catalog.name("share_of_wallet"), "ratio"),
        ],
        key="rep_customers",
        file_name=f"rep_{rep_id}_customers_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )
    open_customer(ctx, customers)


TOP_CUSTOMER_BUTTONS = 6


def open_customer(ctx: ui.Context, customers: pd.DataFrame) -> None:
    """rep → customer: a button for each of the rep's largest customers and a choice of any of
    them, each opening the customer's order and opportunity history on the Customers page."""
    if customers.empty:
        return
    names = dict(zip(customers["customer_id"], customers["customer_name"], strict=True))
    st.caption(ctx.t("rep_open_customer_hint"))
    top = list(customers["customer_id"])[:TOP_CUSTOMER_BUTTONS]
    for column, customer_id in zip(st.columns(TOP_CUSTOMER_BUTTONS), top, strict=False):
        column.button(
            str(names[customer_id]),
            key=f"drill_customer_{customer_id}",
            on_click=ui.drill,
            args=("customer", customer_id, "customers"),
            icon=":material/storefront:",
        )
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    choice = left.selectbox(
        ctx.t("customer_select"),
        list(names),
        format_func=lambda value: f"{names[value]} ({value})",
        key=f"rep_customer_pick.{ctx.lang}",
        placeholder=ctx.t("choose_option"),
    )
    right.button(
        ctx.t("rep_open_customer"),
        key="rep_open_customer",
        on_click=ui.drill,
        args=("customer", choice, "customers"),
        icon=":material/arrow_forward:",
    )


render()
