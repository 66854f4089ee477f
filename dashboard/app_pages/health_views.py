"""Customer health cards (客户健康度, issue 14): the managers' view of ``main.rpt_customer_health``.

One row per customer of the principal's scope active at the end of the month that holds the selected
period's end (the card is monthly): status colour, overall score, the five sub-scores and the two
main drivers, in the user's language. Rows come through ``data.scoped_query``, so a manager sees only
the customers of her scope (``allowed_customers``), whatever the URL says. The customers page calls
``render_health_cards(ctx)``; the rendering lives here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

HEALTH_TABLE = "rpt_customer_health"
SUB_SCORES = ("stability", "service", "commitments", "satisfaction", "value_trend")
STATUS_ORDER = {"red": 0, "amber": 1, "green": 2}
STATUS_DOT = {"green": "🟢", "amber": "🟡", "red": "🔴"}
ROLES_WITH_CARDS = ("director", "manager")

# Labels of the health cards, registered into the dashboard's one text table (dashboard/i18n.py)
# so t(), the language switch and test_every_label_has_both_languages cover them.
HEALTH_TEXT: dict[str, tuple[str, str]] = {
    "health_title": ("客户健康度卡片（{month}）", "Customer health cards ({month})"),
    "health_explained": ("客户健康度怎么读", "How to read the health card"),
    "health_explained_text": (
        "每位月末活跃客户有五个 0–100 分的分项：合作稳定性（合作年限、存活概率、下单节奏）、服务（投诉、首次响应、"
        "解决时长）、承诺兑现（按时足额交付、按时安装）、满意度（NPS、CSAT）、价值趋势（销售额与 CLV 同比、"
        "钱包份额）。总分是有数据分项的加权平均（没有数据的分项不计入，权重分给其他分项）；"
        "总分达到绿色门槛为绿色，达到黄色门槛为黄色，其余为红色（门槛由分析师设置，默认 70 和 50）。"
        "主要拖累项是得分最低的两个分项。",
        "Every customer active at the month's end has five 0–100 sub-scores: stability (tenure, P(alive), "
        "order rhythm), service (complaints, first response, resolution time), commitments (deliveries and "
        "installations on time), satisfaction (NPS, CSAT) and value trend (sales and CLV vs a year earlier, "
        "share of wallet). The overall score is the weighted mean of the sub-scores with data (a sub-score "
        "without data is left out and its weight goes to the others); at the green threshold or above it is "
        "green, at the amber threshold or above amber, below that red (analysts set the thresholds, 70 and 50 "
        "by default). The main drivers are the two lowest sub-scores.",
    ),
    "health_summary": ("🟢 {green} · 🟡 {amber} · 🔴 {red}", "🟢 {green} · 🟡 {amber} · 🔴 {red}"),
    "health_none": ("当前范围内没有本月的客户健康度卡片。", "No customer health card in your scope for this month."),
    "health_not_built": (
        "该数据仓库还没有客户健康度（rpt_customer_health）；请用新版本重新构建。",
        "This warehouse has no customer health cards yet (rpt_customer_health); rebuild it with this version.",
    ),
    "col_health_status": ("状态", "Status"),
    "col_overall_score": ("健康度总分", "Overall score"),
    "col_drivers": ("主要拖累项", "Main drivers"),
    "col_health_status_code": ("状态代码", "Status code"),
    "health_status_green": ("绿", "green"),
    "health_status_amber": ("黄", "amber"),
    "health_status_red": ("红", "red"),
    "health_stability": ("合作稳定性", "Stability"),
    "health_service": ("服务", "Service"),
    "health_commitments": ("承诺兑现", "Commitments"),
    "health_satisfaction": ("满意度", "Satisfaction"),
    "health_value_trend": ("价值趋势", "Value trend"),
}
for _key, _labels in HEALTH_TEXT.items():
    if i18n.TEXT.setdefault(_key, _labels) != _labels:
        raise RuntimeError(f"label {_key!r} of the health cards is already used in dashboard/i18n.py")


def card_month(period_end_as_of: dt.date) -> dt.date:
    """The month whose card a period shows: the month holding the period's end (as of)."""
    return period_end_as_of.replace(day=1)


def health_cards(principal: data.Principal, month_start: dt.date) -> pd.DataFrame | None:
    """The month's health cards of the principal's customers (None when the table is not built)."""
    if not data.table_exists("main", HEALTH_TABLE):
        return None
    return data.scoped_query(
        principal,
        f"""
        select health.customer_id, customers.customer_name, health.owner_rep_id, health.owner_team_id,
            health.health_status, health.overall_score, health.stability_score, health.service_score,
            health.commitments_score, health.satisfaction_score, health.value_trend_score,
            health.driver_1, health.driver_2
        from main.{HEALTH_TABLE} as health
        inner join allowed_customers
            on health.customer_id = allowed_customers.customer_id
        inner join main.dim_customers as customers
            on health.customer_id = customers.customer_id
        where health.month_start = $month_start
        order by health.customer_id
        """,
        month_start=month_start,
    )


def drivers_text(row: pd.Series, lang: str) -> str:
    names = [i18n.t(f"health_{row[c]}", lang) for c in ("driver_1", "driver_2") if isinstance(row[c], str)]
    return "、".join(names) if lang == "zh" else ", ".join(names)


def shown_cards(ctx: ui.Context, cards: pd.DataFrame) -> pd.DataFrame:
    """Cards narrowed by the sidebar's team / role filters, worst first, with display columns."""
    if ctx.team or ctx.region:
        cards = cards.loc[cards["owner_team_id"].isin(ctx.team_ids)]
    if ctx.role:
        cards = cards.loc[cards["owner_rep_id"].isin(ctx.rep_ids)]
    cards = cards.assign(
        status_text=[f"{STATUS_DOT[s]} {ctx.t(f'health_status_{s}')}" for s in cards["health_status"]],
        drivers=[drivers_text(row, ctx.lang) for _, row in cards.iterrows()],
        owner_name=[ctx.rep_name(rep) for rep in cards["owner_rep_id"]],
        status_order=cards["health_status"].map(STATUS_ORDER),
    )
    return cards.sort_values(["status_order", "overall_score", "customer_id"])


def render_health_cards(ctx: ui.Context) -> None:
    """The health-card section of the customers page (directors and managers)."""
    if ctx.principal.role not in ROLES_WITH_CARDS:
        return
    month = card_month(ctx.period_end_as_of)
    st.markdown(f"#### {ctx.t('health_title', month=month.strftime('%Y-%m'))}")
    with st.expander(ctx.t("health_explained")):
        st.markdown(ctx.t("health_explained_text"))
    cards = health_cards(ctx.principal, month)
    if cards is None:
        st.caption(ctx.t("health_not_built"))
        return
    cards = shown_cards(ctx, cards)
    if cards.empty:
        st.caption(ctx.t("health_none"))
        return
    counts = cards["health_status"].value_counts()
    st.caption(ctx.t("health_summary", **{s: int(counts.get(s, 0)) for s in STATUS_ORDER}))
    ui.table(
        ctx,
        cards,
        [
            ui.Column("status_text", "col_health_status"),
            ui.Column("customer_name", "col_customer"),
            ui.Column("customer_id", "col_customer_id"),
            ui.Column("owner_name", "col_owner"),
            ui.Column("overall_score", "col_overall_score", "number"),
            *(ui.Column(f"{s}_score", f"health_{s}", "number") for s in SUB_SCORES),
            ui.Column("drivers", "col_drivers"),
            ui.Column("health_status", "col_health_status_code", "export"),
        ],
        key="customer_health",
        file_name=f"customer_health_{month.isoformat()}",
        page_size=500,  # a page at a time (the downloads hold every card)
    )
