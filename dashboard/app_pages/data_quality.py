"""Data quality: the last build's check results, rejected rows by table and rule, freshness."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

RESULT_GROUPS = ("status", "severity", "check_type", "layer")
REJECTED_GROUPS = ("source_table", "table_name", "model_name", "rule", "rule_name", "check_name", "severity")


def label(column: str) -> str:
    """The i18n key of a data-quality column when there is one, else the column name."""
    return f"col_{column}" if f"col_{column}" in i18n.TEXT else column


def freshness(ctx: ui.Context) -> None:
    st.markdown(f"#### {ctx.t('dq_freshness')}")
    published = data.published_at()
    left, right = st.columns(2)
    left.metric(ctx.t("dq_published_at"), published.strftime("%Y-%m-%d %H:%M") if published else "—")
    right.metric(ctx.t("dq_as_of"), ctx.as_of.isoformat())
    periods = data.freshness()
    periods["period_name"] = [ctx.t(f"pt_{p}") for p in periods["period_type"]]
    ui.table(
        ctx,
        periods,
        [
            ui.Column("period_name", "period_type"),
            ui.Column("latest_period_start", "dq_latest_period", "date"),
            ui.Column("as_of_date", "dq_as_of", "date"),
        ],
        key="freshness",
        file_name="freshness",
    )


def dq_section(ctx: ui.Context, table: str, title: str, groups: tuple[str, ...]) -> None:
    st.markdown(f"#### {ctx.t(title)}")
    summary = data.dq_summary(table, groups)
    if summary is None:
        st.info(ctx.t("dq_not_available", table=table))
        return
    ui.table(
        ctx,
        summary,
        [
            ui.Column(c, "dq_rows" if c == "row_count" else label(c), "int" if c == "row_count" else "text")
            for c in summary.columns
        ],
        key=f"{table}_summary",
        file_name=f"{table}_summary",
    )
    if not ctx.is_director:
        st.caption(ctx.t("dq_summary_only"))
        return
    rows = data.dq_table(ctx.principal, table)
    if rows is not None and not rows.empty:
        ui.table(ctx, rows, [ui.Column(c, label(c)) for c in rows.columns], key=table, file_name=table)


def row_accounting(ctx: ui.Context) -> None:
    st.markdown(f"#### {ctx.t('dq_row_accounting')}")
    rows = data.dq_table(ctx.principal, "dq_row_accounting")
    if rows is None:
        st.info(ctx.t("dq_not_available", table="dq_row_accounting"))
        return
    ui.table(
        ctx,
        rows,
        [ui.Column(c, label(c), "text" if c == "source_table" else "int") for c in rows.columns],
        key="dq_row_accounting",
        file_name="dq_row_accounting",
    )


def render() -> None:
    ctx = ui.context()
    st.header(ctx.t("dq_title"))
    dq_section(ctx, "dq_results", "dq_results", RESULT_GROUPS)
    dq_section(ctx, "dq_rejected_rows", "dq_rejected", REJECTED_GROUPS)
    row_accounting(ctx)
    freshness(ctx)


render()
