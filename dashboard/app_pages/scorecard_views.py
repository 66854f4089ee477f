"""Performance scorecard views (issue 14): a rep's composite with its perspectives, tiers and pacing;
the team ranking by composite; the improvement-plan list of a manager's scope.

Read from the scorecard marts (models/reports/scorecard) with the scoped query helpers, so the
row-level access of the signed-in user holds. The pages call these functions with a line each.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")


def _available(ctx: ui.Context) -> bool:
    if data.table_exists("main", "rpt_scorecard_summary"):
        return True
    st.info(ctx.t("sc_not_built"))
    return False


def _score(value) -> str:
    return "—" if i18n.is_missing(value) else f"{float(value):.1f}"


def _tier(ctx: ui.Context, tier) -> str:
    return "—" if i18n.is_missing(tier) else ctx.t(f"sc_tier_{tier}")


def rep_scorecard(ctx: ui.Context, rep_id: str) -> None:
    """Composite, perspectives, rank and veto; the tier per indicator; the pacing of the period."""
    st.markdown(f"#### {ctx.t('sc_title')}")
    if not _available(ctx):
        return
    params = {"rep_id": rep_id, "period_type": ctx.period_type, "period_start": ctx.period_start}
    summary = data.scoped_query(
        ctx.principal,
        """
        select s.* from main.rpt_scorecard_summary as s
        inner join allowed_reps on s.entity_id = allowed_reps.rep_id
        where s.entity_type = 'rep' and s.entity_id = $rep_id
            and s.period_type = $period_type and s.period_start = $period_start
        """,
        **params,
    )
    if summary.empty or i18n.is_missing(summary.iloc[0]["composite_score"]):
        st.info(ctx.t("no_data"))
        return
    row = summary.iloc[0]
    columns = st.columns(2 + len(PERSPECTIVES))
    columns[0].metric(
        ctx.t("sc_composite"),
        _score(row["composite_score"]),
        None if i18n.is_missing(row["composite_change"]) else f"{row['composite_change']:+.1f}",
        help=ctx.t("sc_composite_help"),
    )
    columns[1].metric(
        ctx.t("sc_rank"),
        "—" if i18n.is_missing(row["peer_rank"]) else f"{int(row['peer_rank'])}/{int(row['peers_ranked'])}",
        help=_tier(ctx, row["composite_tier"]),
    )
    for column, perspective in zip(columns[2:], PERSPECTIVES, strict=True):
        column.metric(ctx.t(f"sc_perspective_{perspective}"), _score(row[f"{perspective}_score"]))
    if bool(row["is_vetoed"]):
        st.error(ctx.t("sc_vetoed", reason=row["veto_reason"]))

    card = data.scoped_query(
        ctx.principal,
        """
        select s.indicator_code as code, s.perspective, s.value, s.tier_base, s.tier_challenge, s.tier_ideal,
            s.tier_reached, s.score, s.weight
        from main.rpt_scorecard as s
        inner join allowed_reps on s.entity_id = allowed_reps.rep_id
        where s.entity_type = 'rep' and s.entity_id = $rep_id
            and s.period_type = $period_type and s.period_start = $period_start
        order by s.weight desc, s.indicator_code
        """,
        **params,
    )
    card["indicator"] = [ctx.catalog.name(code) for code in card["code"]]
    card["perspective"] = [ctx.t(f"sc_perspective_{p}") for p in card["perspective"]]
    card["tier_reached"] = [_tier(ctx, tier) for tier in card["tier_reached"]]
    ui.table(
        ctx,
        card,
        [
            ui.Column("indicator", "sc_col_indicator"),
            ui.Column("perspective", "sc_col_perspective"),
            ui.Column("value", "sc_col_value", "number"),
            ui.Column("tier_base", "sc_col_base", "number"),
            ui.Column("tier_challenge", "sc_col_challenge", "number"),
            ui.Column("tier_ideal", "sc_col_ideal", "number"),
            ui.Column("tier_reached", "sc_col_tier"),
            ui.Column("score", "sc_col_score", "number"),
            ui.Column("weight", "sc_col_weight", "ratio"),
        ],
        key="sc_rep_card",
        file_name=f"scorecard_{rep_id}_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )

    st.markdown(f"#### {ctx.t('sc_pacing')}")
    pacing = data.scoped_query(
        ctx.principal,
        """
        select p.indicator_code as code, p.target_full_period, p.value_to_date, p.time_elapsed_share,
            p.attainment_to_date, p.pace_gap, p.required_daily_run_rate, p.projected_value_run_rate, p.status
        from main.rpt_target_pacing as p
        inner join allowed_reps on p.entity_id = allowed_reps.rep_id
        where p.grain = 'rep' and p.entity_id = $rep_id
            and p.period_type = $period_type and p.period_start = $period_start
        order by p.indicator_code
        """,
        **params,
    )
    pacing["indicator"] = [ctx.catalog.name(code) for code in pacing["code"]]
    pacing["status"] = ["—" if i18n.is_missing(s) else ctx.t(f"sc_status_{s}") for s in pacing["status"]]
    ui.table(
        ctx,
        pacing,
        [
            ui.Column("indicator", "sc_col_indicator"),
            ui.Column("target_full_period", "sc_col_target", "number"),
            ui.Column("value_to_date", "sc_col_value_to_date", "number"),
            ui.Column("time_elapsed_share", "sc_col_elapsed", "ratio"),
            ui.Column("attainment_to_date", "sc_col_attainment", "ratio"),
            ui.Column("pace_gap", "sc_col_gap", "ratio"),
            ui.Column("required_daily_run_rate", "sc_col_required", "number"),
            ui.Column("projected_value_run_rate", "sc_col_projected", "number"),
            ui.Column("status", "sc_col_status"),
        ],
        key="sc_rep_pacing",
        file_name=f"pacing_{rep_id}_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )


def team_ranking(ctx: ui.Context) -> None:
    """The visible teams ranked by composite score in the selected period."""
    st.markdown(f"#### {ctx.t('sc_team_ranking')}")
    if not _available(ctx):
        return
    ranking = data.scoped_query(
        ctx.principal,
        """
        select s.entity_id as team, teams.team_name, s.composite_score, s.composite_tier, s.peer_rank,
            s.financial_score, s.customer_score, s.internal_process_score, s.learning_growth_score,
            s.composite_change, s.veto_reason
        from main.rpt_scorecard_summary as s
        inner join allowed_teams on s.entity_id = allowed_teams.team_id
        left join main.dim_teams as teams on s.entity_id = teams.team_id
        where s.entity_type = 'team' and s.period_type = $period_type and s.period_start = $period_start
        order by s.composite_score desc nulls last, s.entity_id
        """,
        period_type=ctx.period_type,
        period_start=ctx.period_start,
    )
    ranking["composite_tier"] = [_tier(ctx, tier) for tier in ranking["composite_tier"]]
    ui.table(
        ctx,
        ranking,
        [
            ui.Column("peer_rank", "sc_rank", "int"),
            ui.Column("team_name", "sc_col_team"),
            ui.Column("team", "sc_col_team_id"),
            ui.Column("composite_score", "sc_composite", "number"),
            ui.Column("composite_tier", "sc_col_tier"),
            *[ui.Column(f"{p}_score", f"sc_perspective_{p}", "number") for p in PERSPECTIVES],
            ui.Column("composite_change", "sc_col_change", "number"),
            ui.Column("veto_reason", "sc_col_veto"),
        ],
        key="sc_team_ranking",
        file_name=f"team_ranking_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )


def improvement_plans(ctx: ui.Context) -> None:
    """Managers and directors: the improvement-plan flags of the reps in their scope."""
    if ctx.principal.role == "rep":
        return
    st.markdown(f"#### {ctx.t('sc_pip_title')}")
    if not _available(ctx):
        return
    flags = data.scoped_query(
        ctx.principal,
        """
        select f.rep_id as rep, reps.rep_name, f.team_id as team, f.flag_code, f.reason, f.drag_indicators,
            f.consecutive_periods
        from main.rpt_improvement_flags as f
        inner join allowed_reps on f.rep_id = allowed_reps.rep_id
        left join main.dim_sales_reps as reps on f.rep_id = reps.rep_id
        where f.period_type = $period_type and f.period_start = $period_start
        order by f.flag_code, f.consecutive_periods desc, f.rep_id
        """,
        period_type=ctx.period_type,
        period_start=ctx.period_start,
    )
    if flags.empty:
        st.info(ctx.t("sc_pip_none"))
        return
    flags["flag"] = [ctx.t(f"sc_flag_{code}") for code in flags["flag_code"]]
    ui.table(
        ctx,
        pd.DataFrame(flags),
        [
            ui.Column("rep_name", "sc_col_rep"),
            ui.Column("rep", "sc_col_rep_id"),
            ui.Column("team", "sc_col_team_id"),
            ui.Column("flag", "sc_col_flag"),
            ui.Column("flag_code", "sc_col_flag_code"),
            ui.Column("reason", "sc_col_reason"),
            ui.Column("drag_indicators", "sc_col_drags"),
            ui.Column("consecutive_periods", "sc_col_consecutive", "int"),
        ],
        key="sc_pip",
        file_name=f"improvement_plans_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )
