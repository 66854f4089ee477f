"""The overview's action list (issue 15 item 2): what needs action today in the user's scope.

The rows come from the alert rules of the digests (``salesperf.alerts.rules`` through
``data.action_items``: behind pace, high-value customers newly at churn risk, improvement-plan
candidates, concentration, overdue collections), scoped exactly as the user's digest, plus the
data-quality findings that change a figure (``data.quality_warnings``). Each row is a link to the
drill-down that explains it: a page with the entity and the period in the URL's query string
(``ui.start_run`` reads a query string a link brings).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

SHOWN_PER_KIND = 5  # rows per kind in view; the rest behind "more"
MAX_PER_KIND = 40
KINDS = ("behind_pace", "churn_risk", "improvement", "concentration", "overdue", "data_quality")
ICONS = {
    "behind_pace": ":material/speed:",
    "churn_risk": ":material/person_remove:",
    "improvement": ":material/trending_down:",
    "concentration": ":material/pie_chart:",
    "overdue": ":material/receipt_long:",
    "data_quality": ":material/fact_check:",
}


@dataclass(frozen=True)
class Action:
    """One row of the list: its text and the page + query string it links to."""

    kind: str
    text: str
    page: str
    params: dict[str, str]


def _money(ctx: ui.Context, value: Any) -> str:
    return i18n.format_value(value, "currency", ctx.lang)


def _ratio(value: Any) -> str:
    return i18n.format_value(value, "ratio", "en")


def _name(row: pd.Series, name_column: str, id_column: str) -> str:
    name = row.get(name_column)
    return f"{row[id_column]}" if i18n.is_missing(name) or not name else f"{name} ({row[id_column]})"


def actions(ctx: ui.Context) -> list[Action]:
    """Every action row of the user's scope, in the order of :data:`KINDS`."""
    found = data.action_items(ctx.principal, ctx.period_type)
    period = found.get("period_start")
    base = {"lang": ctx.lang, "ptype": ctx.period_type}
    if period is not None:
        base["period"] = pd.Timestamp(period).date().isoformat()
    return [*_rows(ctx, found, base), *_quality(ctx)]


def _rows(ctx: ui.Context, found: dict[str, Any], base: dict[str, str]) -> Iterator[Action]:
    team_page = ctx.principal.role != "rep"  # the Teams page is not in a rep's menu
    for _, row in found["behind_pace"].head(MAX_PER_KIND).iterrows() if "behind_pace" in found else ():
        values = {
            "indicator": ctx.catalog.name(row["indicator_code"]),
            "attainment": _ratio(row["attainment_to_date"]),
            "elapsed": _ratio(row["time_elapsed_share"]),
            "gap": i18n.format_delta(row["pace_gap"], 0, "ratio", ctx.lang) or "—",
        }
        if row["grain"] == "team" and team_page:
            yield Action("behind_pace", ctx.t("act_behind", name=row["entity_name"], **values), "teams",
                         {**base, "team": row["entity_id"]})  # fmt: skip
        elif row["grain"] == "rep":
            yield Action("behind_pace", ctx.t("act_behind", name=_name(row, "entity_name", "entity_id"), **values),
                         "rep", {**base, "rep": row["entity_id"]})  # fmt: skip
        elif row["grain"] == "company":
            yield Action("behind_pace", ctx.t("act_behind", name=ctx.t("scope_company"), **values), "overview",
                         dict(base))  # fmt: skip
    for _, row in found.get("churn_risk", pd.DataFrame()).head(MAX_PER_KIND).iterrows():
        yield Action(
            "churn_risk",
            ctx.t(
                "act_churn",
                name=_name(row, "customer_name", "customer_id"),
                tier=i18n.code_text("clv_tier", row.get("clv_tier"), ctx.lang) or "—",
                clv=_money(ctx, row.get("clv_predicted")),
                p_alive=_ratio(row.get("p_alive")),
                days="—"
                if i18n.is_missing(row.get("days_since_last_purchase"))
                else int(row["days_since_last_purchase"]),
            ),
            "customers",
            {**base, "customer": row["customer_id"]},
        )
    for _, row in found.get("improvement", pd.DataFrame()).head(MAX_PER_KIND).iterrows():
        flag = f"sc_flag_{row['flag_code']}"
        yield Action(
            "improvement",
            ctx.t(
                "act_improvement",
                name=_name(row, "rep_name", "rep_id"),
                flag=ctx.t(flag) if flag in i18n.TEXT else ctx.t("act_flag_other"),
                periods=int(row["consecutive_periods"]) if not i18n.is_missing(row["consecutive_periods"]) else 1,
            ),
            "rep",
            {**base, "rep": row["rep_id"]},
        )
    for _, row in found.get("concentration", pd.DataFrame()).head(MAX_PER_KIND).iterrows():
        customer = row.get("customer_name")
        yield Action(
            "concentration",
            ctx.t(
                "act_concentration",
                name=_name(row, "rep_name", "rep_id"),
                customer=customer if isinstance(customer, str) and customer else ctx.t("act_largest_customer"),
                share=_ratio(row["share"]),
            ),
            "rep",
            {**base, "rep": row["rep_id"]},
        )
    for _, row in found.get("overdue", pd.DataFrame()).head(MAX_PER_KIND).iterrows():
        yield Action(
            "overdue",
            ctx.t(
                "act_overdue",
                name=_name(row, "rep_name", "rep_id"),
                invoices=int(row["invoices"]),
                amount=_money(ctx, row["outstanding"]),
                days=int(row["max_days_overdue"]),
            ),
            "rep",
            {**base, "rep": row["rep_id"]},
        )


def _quality(ctx: ui.Context) -> Iterator[Action]:
    for _, row in data.quality_warnings(ctx.principal).iterrows():
        newest = row.get("newest")
        yield Action(
            "data_quality",
            ctx.t(
                f"act_dq_{row['kind']}", count=int(row["findings"]), newest=newest if isinstance(newest, str) else "—"
            ),
            "data_quality",
            {"lang": ctx.lang},
        )


def render(ctx: ui.Context) -> list[Action]:
    """The action list with one link per row; returns the rows shown (for the tests)."""
    rows = actions(ctx)
    with st.container(border=True, key="action_list"):
        st.markdown(f"#### {ctx.t('act_title')}")
        if not rows:
            st.success(ctx.t("act_none"))
            return rows
        st.caption(ctx.t("act_caption", count=len(rows)))
        for kind in KINDS:
            of_kind = [row for row in rows if row.kind == kind]
            if not of_kind:
                continue
            st.markdown(f"**{ctx.t(f'act_kind_{kind}')}** · {len(of_kind)}")
            for row in of_kind[:SHOWN_PER_KIND]:
                _link(row)
            if len(of_kind) > SHOWN_PER_KIND:
                with st.expander(ctx.t("act_more", count=len(of_kind) - SHOWN_PER_KIND)):
                    for row in of_kind[SHOWN_PER_KIND:]:
                        _link(row)
    return rows


def _link(row: Action) -> None:
    st.page_link(f"app_pages/{row.page}.py", label=row.text, icon=ICONS[row.kind], query_params=row.params)
