"""Customers: CLV (formula and predicted), P(alive) and the churn-risk list, wallet share, NPS,
concentration warnings; one customer's history and CLV trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui
from dashboard.app_pages import clv_views, health_views

CUSTOMER_CODES = (
    "sales_amount", "clv_formula", "clv_predicted", "p_alive", "churn_risk", "share_of_wallet", "nps",
    "relationship_years", "customer_net_profit",
)  # fmt: skip
HISTORY_CODES = ("sales_amount", "clv_predicted", "clv_formula", "p_alive")
CONCENTRATION_CODES = ("customer_concentration", "concentration_warning")
PAGE_SIZE = 500  # rows of a customer list shown at a time (the downloads hold every row)


def customer_table(ctx: ui.Context) -> pd.DataFrame:
    """Visible customers owned at the period's end by the filtered teams / reps, with their values."""
    filtered_teams = ctx.team_ids if (ctx.team or ctx.region) else None
    filtered_reps = ctx.rep_ids if ctx.role else None
    customers = data.customers_owned(
        ctx.principal, ctx.period_type, ctx.period_start, team_ids=filtered_teams, rep_ids=filtered_reps
    )
    customers = data.with_customer_values(ctx.principal, customers, ctx.period_type, ctx.period_start, CUSTOMER_CODES)
    customers["owner_name"] = [ctx.rep_name(rep) for rep in customers["owner_rep_id"]]
    return customers.sort_values(["clv_predicted", "sales_amount"], ascending=False, na_position="last")


def columns(ctx: ui.Context) -> list[ui.Column]:
    name = ctx.catalog.name
    return [
        ui.Column("customer_name", "col_customer"),
        ui.Column("customer_id", "col_customer_id"),
        ui.Column("segment", "col_segment"),
        ui.Column("owner_name", "col_owner"),
        ui.Column("sales_amount", name("sales_amount"), "money"),
        ui.Column("clv_formula", name("clv_formula"), "money"),
        ui.Column("clv_predicted", name("clv_predicted"), "money"),
        ui.Column("p_alive", name("p_alive"), "ratio"),
        ui.Column("churn_risk", name("churn_risk"), "flag"),
        ui.Column("share_of_wallet", name("share_of_wallet"), "ratio"),
        ui.Column("nps", name("nps"), "number"),
        ui.Column("relationship_years", name("relationship_years"), "number"),
        ui.Column("customer_net_profit", name("customer_net_profit"), "money"),
    ]


def concentration(ctx: ui.Context) -> None:
    st.markdown(f"#### {ctx.t('concentration')}")
    frames = []
    for grain, ids, names in (
        ("team", ctx.team_ids, ctx.team_name),
        ("rep", ctx.rep_ids, ctx.rep_name),
    ):
        if not ids:
            continue
        snapshot = data.indicator_snapshot(
            ctx.principal, grain, ctx.period_type, ctx.period_start, CONCENTRATION_CODES, ids
        )
        if snapshot.empty:
            continue
        wide = snapshot.pivot_table(index="entity_id", columns="indicator_code", values="value", aggfunc="first")
        wide = wide.reset_index()
        if "concentration_warning" not in wide.columns:
            continue
        wide = wide.loc[wide["concentration_warning"] >= 0.5]
        wide["grain"] = grain
        wide["entity"] = [names(entity) for entity in wide["entity_id"]]
        frames.append(wide)
    warnings = pd.concat(frames) if frames else pd.DataFrame()
    if warnings.empty:
        st.caption(ctx.t("concentration_none"))
        return
    ui.table(
        ctx,
        warnings.sort_values("customer_concentration", ascending=False),
        [
            ui.Column("grain", "col_grain"),
            ui.Column("entity", "col_entity"),
            ui.Column("entity_id", "col_entity_id"),
            ui.Column("customer_concentration", ctx.catalog.name("customer_concentration"), "ratio"),
        ],
        key="concentration",
        file_name=f"concentration_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )


def history(ctx: ui.Context, customers: pd.DataFrame) -> None:
    names = dict(zip(customers["customer_id"], customers["customer_name"], strict=True))
    customer_id = ui.entity_select(ctx, "customer_select", names, "customer")
    if customer_id is None:
        return
    st.markdown(f"#### {ctx.t('customer_history', name=names[customer_id])}")
    trend = data.indicator_trend(
        ctx.principal, "customer", ctx.period_type, ctx.period_start, HISTORY_CODES, [customer_id], periods_back=24
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"##### {ctx.t('customer_monthly_sales')}")
        monthly_sales_chart(ctx, customer_id)
    with right:
        st.markdown("##### CLV")
        clv = trend.loc[trend["indicator_code"].isin(["clv_predicted", "clv_formula"])]
        ui.trend_chart(
            ctx, clv, "indicator_code",
            {code: ctx.catalog.name(code) for code in ("clv_predicted", "clv_formula")}, "currency",
        )  # fmt: skip
    orders_and_opportunities(ctx, customer_id)
    clv_views.render(ctx, customer_id)  # intervals and model diagnostics (issue 13)
    snapshots = data.clv_snapshots(ctx.principal, customer_id, ctx.period_end_as_of)
    st.markdown(f"##### {ctx.t('clv_snapshots')}")
    if snapshots is None:
        st.caption(ctx.t("clv_not_available"))
    elif snapshots.empty:
        st.caption(ctx.t("no_data"))
    else:
        kinds = {"clv_predicted": "money", "clv_formula": "money", "p_alive": "ratio", "churn_risk": "flag",
                 "expected_margin_per_order": "money", "frequency": "number", "recency": "number", "t": "number",
                 "expected_purchases": "number", "as_of_date": "date", "snapshot_date": "date"}  # fmt: skip
        ui.table(
            ctx,
            snapshots,
            [
                ui.Column(c, ctx.catalog.name(c) if c in ctx.catalog else c, kinds.get(c, "text"))
                for c in snapshots.columns
            ],
            key="clv_snapshots",
            file_name=f"customer_{customer_id}_clv_snapshots",
        )


def monthly_sales_chart(ctx: ui.Context, customer_id: str) -> None:
    """The customer's sales of every month of the last 24 on a time axis: 0 in a month without sales."""
    monthly = data.customer_monthly_sales(ctx.principal, customer_id, ctx.period_end_as_of)
    if monthly.empty:
        st.info(ctx.t("no_data"))
        return
    series = monthly.assign(period_start=pd.to_datetime(monthly["period_start"])).set_index("period_start")
    values = series["value"] / i18n.money_table_scale(ctx.lang)
    st.line_chart(values.rename(ctx.catalog.name("sales_amount")))
    st.caption(ctx.t("chart_unit_money"))


def orders_and_opportunities(ctx: ui.Context, customer_id: str) -> None:
    """customer → orders and opportunities: the customer's history up to the period's end."""
    orders = data.customer_orders(ctx.principal, customer_id, ctx.period_end_as_of)
    st.markdown(f"##### {ctx.t('customer_orders')}")
    orders["order_type_text"] = [
        ctx.t(f"order_type_{v}") if f"order_type_{v}" in i18n.TEXT else v for v in orders["order_type"]
    ]
    ui.table(
        ctx,
        orders,
        [
            ui.Column("order_id", "col_order_id"),
            ui.Column("order_date", "col_order_date", "date"),
            ui.Column("order_type_text", "col_order_type"),
            ui.Column("rep_name", "col_rep_name"),
            ui.Column("lines", "col_lines", "int"),
            ui.Column("net_sales", "col_net_sales", "money"),
            ui.Column("gross_profit", "col_gross_profit", "money"),
        ],
        key="customer_orders",
        file_name=f"customer_{customer_id}_orders",
    )
    opportunities = data.customer_opportunities(ctx.principal, customer_id, ctx.period_end_as_of)
    st.markdown(f"##### {ctx.t('customer_opportunities')}")
    if opportunities.empty:
        st.caption(ctx.t("no_data"))
        return
    opportunities["stage_text"] = [
        ctx.t(f"stage_{v}") if f"stage_{v}" in i18n.TEXT else v for v in opportunities["stage"]
    ]
    opportunities["outcome"] = [
        ctx.t("opportunity_status_won" if won else "opportunity_status_lost" if closed else "opportunity_status_open")
        for won, closed in zip(opportunities["is_won"].fillna(False), opportunities["closed_date"].notna(), strict=True)
    ]
    ui.table(
        ctx,
        opportunities,
        [
            ui.Column("opportunity_id", "col_opportunity_id"),
            ui.Column("created_date", "col_created_date", "date"),
            ui.Column("expected_close_date", "col_expected_close_date", "date"),
            ui.Column("closed_date", "col_closed_date", "date"),
            ui.Column("stage_text", "col_stage"),
            ui.Column("outcome", "col_opportunity_status"),
            ui.Column("forecast_amount", "col_forecast_amount", "money"),
            ui.Column("won_amount", "col_won_amount", "money"),
            ui.Column("rep_name", "col_rep_name"),
        ],
        key="customer_opportunities",
        file_name=f"customer_{customer_id}_opportunities",
    )


def render() -> None:
    ctx = ui.context()
    st.header(ctx.t("customers_title"))
    st.caption(ctx.period_caption())
    with st.expander(ctx.t("clv_explained")):
        st.markdown(f"- {ctx.t('clv_formula_explained')}\n- {ctx.t('clv_predicted_explained')}")
    customers = customer_table(ctx)
    if customers.empty:
        st.info(ctx.t("customer_none"))
        return

    if ui.requested("customer"):  # a drill-down or a link named a customer: its history first
        history(ctx, customers)
    st.markdown(f"#### {ctx.t('customers_list')}")
    ui.table(
        ctx,
        customers,
        columns(ctx),
        key="customers",
        file_name=f"customers_{ctx.period_type}_{ctx.period_start.isoformat()}",
        page_size=PAGE_SIZE,
    )

    st.markdown(f"#### {ctx.t('churn_list')}")
    at_risk = customers.loc[customers["churn_risk"] >= 0.5]
    if at_risk.empty:
        st.caption(ctx.t("churn_none"))
    else:
        ui.table(
            ctx,
            at_risk,
            columns(ctx),
            key="churn",
            file_name=f"churn_risk_{ctx.period_type}_{ctx.period_start.isoformat()}",
            page_size=PAGE_SIZE,
        )

    concentration(ctx)
    if not ui.requested("customer"):
        history(ctx, customers)
    health_views.render_health_cards(ctx)


render()
