"""Products: sales, margin, penetration and the lifecycle-stage headline indicator (directors)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

PRODUCT_CODES = (
    "sales_amount", "gross_margin_rate", "market_share", "strategic_product_penetration",
    "new_product_first_buy_rate", "opportunity_win_rate", "lifecycle_headline",
)  # fmt: skip
# The headline indicator of each lifecycle stage (catalog row lifecycle_headline).
STAGE_HEADLINE = {
    "introduction": "trial_rate",
    "growth": "market_share",
    "maturity": "customer_net_profit",
    "decline": "replacement_conversion_rate",
}


def render() -> None:
    ctx = ui.context()
    st.header(ctx.t("products_title"))
    st.caption(ctx.period_caption())
    products = data.visible_products(ctx.principal)
    if products.empty:
        st.info(ctx.t("products_director_only") if not ctx.is_director else ctx.t("no_data"))
        return
    snapshot = data.indicator_snapshot(ctx.principal, "product", ctx.period_type, ctx.period_start, PRODUCT_CODES)
    frame = ui.with_values(products.copy(), snapshot, "product_id", PRODUCT_CODES)
    frame["stage_name"] = [
        ctx.t(f"stage_{stage}") if f"stage_{stage}" in i18n.TEXT else (stage or "—")
        for stage in frame["lifecycle_stage"]
    ]
    frame["strategic"] = frame["is_strategic"].astype(float)
    frame["headline_indicator"] = [
        ctx.catalog.name(STAGE_HEADLINE.get(stage, "")) for stage in frame["lifecycle_stage"]
    ]
    frame["headline_value"] = [
        ctx.catalog.format(STAGE_HEADLINE.get(stage, "lifecycle_headline"), value)
        for stage, value in zip(frame["lifecycle_stage"], frame["lifecycle_headline"], strict=True)
    ]
    frame = frame.sort_values("sales_amount", ascending=False, na_position="last")
    name = ctx.catalog.name
    ui.table(
        ctx,
        frame,
        [
            ui.Column("product_name", "col_product"),
            ui.Column("product_id", "col_product_id"),
            ui.Column("category", "col_category"),
            ui.Column("stage_name", "col_stage"),
            ui.Column("strategic", "col_strategic", "flag"),
            ui.Column("sales_amount", name("sales_amount"), "money"),
            ui.Column("gross_margin_rate", name("gross_margin_rate"), "ratio"),
            ui.Column("market_share", name("market_share"), "ratio"),
            ui.Column("strategic_product_penetration", name("strategic_product_penetration"), "ratio"),
            ui.Column("new_product_first_buy_rate", name("new_product_first_buy_rate"), "ratio"),
            ui.Column("opportunity_win_rate", name("opportunity_win_rate"), "ratio"),
            ui.Column("headline_indicator", "col_headline_indicator"),
            ui.Column("headline_value", name("lifecycle_headline")),
            ui.Column("lifecycle_headline", name("lifecycle_headline"), "export"),
        ],
        key="products",
        file_name=f"products_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )

    names = dict(zip(frame["product_id"], frame["product_name"], strict=True))
    chosen = st.multiselect(
        ctx.t("col_product"),
        list(names),
        default=list(names)[:5],
        format_func=names.get,
        key="products_trend",
        placeholder=ctx.t("choose_option"),
    )
    if chosen:
        trend = data.indicator_trend(
            ctx.principal, "product", ctx.period_type, ctx.period_start, ["sales_amount"], chosen
        )
        st.markdown(f"##### {ctx.t('teams_trend', indicator=name('sales_amount'))}")
        ui.trend_chart(ctx, trend, "entity_id", names, "currency")


render()
