"""Teams: leaderboard with attainment bands and trend; a selected team shows its reps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui
from dashboard.app_pages import scorecard_views

LEADERBOARD_CODES = (
    "sales_amount", "sales_target_attainment", "sales_growth_yoy", "gross_margin_rate", "new_customers",
    "collection_rate", "visit_count", "opportunity_win_rate",
)  # fmt: skip
TEAM_CARDS = ("sales_amount", "sales_target_attainment", "gross_margin_rate", "new_customers")
TREND_CODES = ("sales_target_attainment", "sales_amount", "gross_margin_rate", "new_customers", "collection_rate")
BUTTONS_PER_ROW = 6


def _wide(snapshot: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """indicator rows → one row per entity: <code> value columns and the sales target."""
    if snapshot.empty:
        return pd.DataFrame(columns=[id_column])
    values = snapshot.pivot_table(index="entity_id", columns="indicator_code", values="value", aggfunc="first")
    sales = snapshot.loc[snapshot["indicator_code"] == "sales_amount", ["entity_id", "target_value", "attainment"]]
    wide = values.reset_index().merge(
        sales.rename(columns={"target_value": "sales_target"}), on="entity_id", how="left"
    )
    return wide.rename(columns={"entity_id": id_column})


def _with_bands(ctx: ui.Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Attainment = sales_target_attainment (else sales_amount's), its band, and the rank by it."""
    frame = frame.copy()
    for code in LEADERBOARD_CODES:
        if code not in frame.columns:
            frame[code] = float("nan")
    if "attainment" not in frame.columns:
        frame["attainment"] = float("nan")
    frame["attainment"] = frame["sales_target_attainment"].combine_first(frame["attainment"])
    frame["band"] = [ctx.t(f"band_{i18n.attainment_band(v)}") for v in frame["attainment"]]
    frame = frame.sort_values(["attainment", "sales_amount"], ascending=False, na_position="last")
    frame["rank"] = range(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def _ranked_columns(ctx: ui.Context, kind: str, detail: ui.Column, **indicators: str) -> list[ui.Column]:
    """Columns of a table ranked by :func:`_with_bands`: rank, ``<kind>_name``, ``<kind>_id``,
    ``detail``, sales with target, attainment and band, then ``indicators`` (code -> how shown)."""
    return [
        ui.Column("rank", "col_rank", "int"),
        ui.Column(f"{kind}_name", f"col_{kind}"),
        ui.Column(f"{kind}_id", f"col_{kind}_id"),
        detail,
        ui.Column("sales_amount", ctx.catalog.name("sales_amount"), "money"),
        ui.Column("sales_target", "col_target", "money"),
        ui.Column("attainment", "col_attainment", "ratio"),
        ui.Column("band", "col_band"),
        *(ui.Column(code, ctx.catalog.name(code), shown) for code, shown in indicators.items()),
    ]


def _drill_buttons(frame: pd.DataFrame, kind: str, icon: str, page: str | None = None) -> None:
    """One button per row (``<kind>_name``, in rows of BUTTONS_PER_ROW) that drills to its ``<kind>_id``."""
    for start in range(0, len(frame), BUTTONS_PER_ROW):
        columns = st.columns(BUTTONS_PER_ROW)
        for column, (_, row) in zip(columns, frame.iloc[start : start + BUTTONS_PER_ROW].iterrows(), strict=False):
            column.button(
                f"{row[f'{kind}_name']}",
                key=f"drill_{kind}_{row[f'{kind}_id']}",
                on_click=ui.drill,
                args=(kind, row[f"{kind}_id"], page),
                icon=icon,
            )


def leaderboard(ctx: ui.Context) -> None:
    st.header(ctx.t("teams_title"))
    st.caption(f"{ctx.period_caption()} · {ctx.t('teams_ranked_by')}")
    if not ctx.team_ids:
        st.info(ctx.t("no_scope"))
        return
    snapshot = data.indicator_snapshot(
        ctx.principal, "team", ctx.period_type, ctx.period_start, LEADERBOARD_CODES, ctx.team_ids
    )
    teams = ctx.teams[["team_id", "team_name", "region_name"]]
    frame = _with_bands(ctx, teams.merge(_wide(snapshot, "team_id"), on="team_id", how="left"))
    ui.table(
        ctx,
        frame,
        _ranked_columns(
            ctx,
            "team",
            ui.Column("region_name", "col_region"),
            sales_growth_yoy="ratio",
            gross_margin_rate="ratio",
            new_customers="int",
            collection_rate="ratio",
            visit_count="int",
            opportunity_win_rate="ratio",
        ),
        key="leaderboard",
        file_name=f"teams_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )

    st.caption(ctx.t("drill_hint"))
    _drill_buttons(frame, "team", ":material/arrow_forward:")

    code = st.selectbox(
        ctx.t("trend_indicator"),
        TREND_CODES,
        format_func=ctx.catalog.name,
        key=f"teams_trend_code.{ctx.lang}",
        placeholder=ctx.t("choose_option"),
    )
    trend = data.indicator_trend(ctx.principal, "team", ctx.period_type, ctx.period_start, [code], ctx.team_ids)
    st.markdown(f"##### {ctx.t('teams_trend', indicator=ctx.catalog.name(code))}")
    ui.trend_chart(
        ctx,
        trend,
        "entity_id",
        dict(zip(ctx.teams["team_id"], ctx.teams["team_name"], strict=True)),
        ctx.catalog.unit(code),
    )


def team_detail(ctx: ui.Context, team_id: str) -> None:
    st.header(ctx.t("team_title", name=ctx.team_name(team_id)))
    st.caption(ctx.period_caption())
    st.button(
        ctx.t("back_to_leaderboard"),
        key="back_to_leaderboard",
        on_click=ui.drill,
        args=("team", ""),
        icon=":material/arrow_back:",
    )
    snapshot = data.indicator_snapshot(ctx.principal, "team", ctx.period_type, ctx.period_start, entity_ids=[team_id])
    if snapshot.empty and team_id not in ctx.team_ids:
        st.info(ctx.t("team_not_visible"))
        return
    rows = {row["indicator_code"]: row for _, row in snapshot.iterrows()}
    trend = data.indicator_trend(ctx.principal, "team", ctx.period_type, ctx.period_start, TEAM_CARDS, [team_id])
    for column, code in zip(st.columns(len(TEAM_CARDS)), TEAM_CARDS, strict=True):
        with column:
            ui.kpi_card(ctx, code, rows.get(code), trend.loc[trend["indicator_code"] == code, "value"].tolist())
    target_chart(ctx, trend.loc[trend["indicator_code"] == "sales_amount"])

    st.markdown(f"#### {ctx.t('team_reps')}")
    reps = ctx.reps[["rep_id", "rep_name", "role"]].copy()
    reps["role_name"] = [ctx.t(f"rep_role_{r}") if f"rep_role_{r}" in i18n.TEXT else r for r in reps["role"]]
    rep_snapshot = data.indicator_snapshot(
        ctx.principal, "rep", ctx.period_type, ctx.period_start, LEADERBOARD_CODES, list(reps["rep_id"])
    )
    frame = _with_bands(ctx, reps.merge(_wide(rep_snapshot, "rep_id"), on="rep_id", how="left"))
    ui.table(
        ctx,
        frame,
        _ranked_columns(
            ctx,
            "rep",
            ui.Column("role_name", "col_role"),
            gross_margin_rate="ratio",
            new_customers="int",
            visit_count="int",
            opportunity_win_rate="ratio",
        ),
        key="team_reps",
        file_name=f"team_{team_id}_reps_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )
    _drill_buttons(frame, "rep", ":material/person:", page="rep")


def target_chart(ctx: ui.Context, trend: pd.DataFrame, code: str = "sales_amount") -> pd.DataFrame | None:
    """A team's trend of ``code`` over the last periods with its target as a second line (the
    chart's frame, or None without rows)."""
    st.markdown(f"##### {ctx.t('team_trend_target', indicator=ctx.catalog.name(code))}")
    if trend.empty:
        st.info(ctx.t("no_data"))
        return None
    frame = trend.sort_values("period_start").set_index("period_label")[["value", "target_value"]]
    frame = frame.astype(float)
    if ctx.catalog.unit(code) == "currency":
        frame = frame / i18n.money_table_scale(ctx.lang)
    frame.columns = [ctx.t("series_actual"), ctx.t("series_target")]
    frame.index.name = ctx.t("period")
    st.line_chart(frame, color=["#1f77b4", "#d62728"])
    if ctx.catalog.unit(code) == "currency":
        st.caption(ctx.t("chart_unit_money"))
    return frame


def render() -> None:
    ctx = ui.context()
    if ctx.team:
        team_detail(ctx, ctx.team)
    else:
        leaderboard(ctx)
        scorecard_views.team_ranking(ctx)


render()
