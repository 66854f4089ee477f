"""The overview's scope (issue 15 items 1 and 3): what the signed-in user is responsible for, at a glance.

- A manager's default is her whole scope: every team of hers side by side and combined, sorted by
  the gap to target (业绩进度 − 时间进度, most behind first), with the company as benchmark.
- Pacing cards: full-period target, time progress vs attainment (时间进度 / 业绩进度), the run-rate
  still needed per day (from ``rpt_target_pacing``).
- The indicators of a scope combined over several teams: summed indicators add up; rates are
  recomputed from their added numerators and denominators (teams are additive: their sales add
  up to the company's); anything else is shown only for a single team.

Figures come from ``dashboard.data`` (scoped, bound-parameter queries); labels from ``i18n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

PACED_CODE = "sales_amount"


@dataclass(frozen=True)
class Scope:
    """What the overview shows: a grain and its entities (several teams = a manager's combined scope)."""

    grain: str
    entity_ids: tuple[str, ...]
    title: str

    @property
    def combined(self) -> bool:
        return len(self.entity_ids) > 1


def scope(ctx: ui.Context) -> Scope | None:
    """The scope of this user and selection: a chosen team; the company for a director; every
    team of a manager (combined); the rep themselves."""
    if ctx.team:
        return Scope("team", (ctx.team,), ctx.t("scope_team", name=ctx.team_name(ctx.team)))
    if ctx.principal.role == "director":
        return Scope("company", ("company",), ctx.t("scope_company"))
    if ctx.principal.role == "manager" and ctx.team_ids:
        if len(ctx.team_ids) == 1:
            return Scope("team", (ctx.team_ids[0],), ctx.t("scope_team", name=ctx.team_name(ctx.team_ids[0])))
        names = "、".join(ctx.team_name(team) for team in ctx.team_ids)
        return Scope("team", tuple(ctx.team_ids), ctx.t("scope_teams", count=len(ctx.team_ids), names=names))
    if ctx.principal.rep_id:
        return Scope("rep", (ctx.principal.rep_id,), ctx.t("scope_rep", name=ctx.rep_name(ctx.principal.rep_id)))
    return None


# ---------------------------------------------------------------------------------------------
# Indicator rows of a scope (one entity, or several teams combined)
# ---------------------------------------------------------------------------------------------


def _sum(values: pd.Series) -> float | None:
    """The sum when every value is there (a partial sum would understate the scope), else None."""
    if values.empty or values.isna().any():
        return None
    return float(values.sum())


def _ratio(parts: pd.DataFrame | dict, code: str, start: Any, entity_count: int) -> float | None:
    """sum(numerator) / sum(denominator) of every entity at one period start, else None
    (``parts``: indicator parts, or :func:`_ratio_parts` of them)."""
    if start is None or i18n.is_missing(start):
        return None
    sums = _ratio_parts(parts) if isinstance(parts, pd.DataFrame) else parts
    found = sums.get((code, pd.Timestamp(start)))
    if found is None:
        return None
    rows, complete, numerator, denominator = found
    if rows != entity_count or not complete or denominator == 0:
        return None
    return numerator / denominator


def _ratio_parts(parts: pd.DataFrame) -> dict[tuple[str, pd.Timestamp], tuple[int, bool, float, float]]:
    """(indicator, period start) -> (rows, every numerator and denominator present, their sums),
    computed once for every indicator of a scope (not one filter of the parts per card)."""
    if parts.empty:
        return {}
    grouped = parts.assign(
        complete=parts["numerator"].notna() & parts["denominator"].notna(),
        period_start=pd.to_datetime(parts["period_start"]),
    ).groupby(["indicator_code", "period_start"])
    sums = grouped.agg(
        rows=("complete", "size"), complete=("complete", "all"), numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
    )  # fmt: skip
    return {
        (code, pd.Timestamp(start)): (int(row.rows), bool(row.complete), float(row.numerator), float(row.denominator))
        for (code, start), row in zip(sums.index, sums.itertuples(index=False), strict=True)
    }


def scope_rows(ctx: ui.Context, chosen: Scope, codes: list[str] | None = None) -> dict[str, pd.Series]:
    """indicator code -> the row a KPI card shows (value, previous, last year, target, attainment,
    running-period spans) for the scope; several teams are combined (see the module docstring)."""
    snapshot = data.indicator_snapshot(
        ctx.principal, chosen.grain, ctx.period_type, ctx.period_start, codes, list(chosen.entity_ids)
    )
    if not chosen.combined:
        return {row["indicator_code"]: row for _, row in snapshot.iterrows()}
    if snapshot.empty:
        return {}
    first = snapshot.iloc[0]
    starts = [ctx.period_start, first.get("previous_span_start"), first.get("last_year_span_start")]
    parts = data.indicator_parts(
        ctx.principal,
        chosen.grain,
        ctx.period_type,
        [s for s in starts if not i18n.is_missing(s)],
        sorted(set(snapshot["indicator_code"])),
        chosen.entity_ids,
    )
    parts["period_start"] = pd.to_datetime(parts["period_start"])
    aggregation = dict(zip(parts["indicator_code"], parts["period_aggregation"], strict=False))
    ratios = _ratio_parts(parts)
    count = len(chosen.entity_ids)
    rows: dict[str, pd.Series] = {}
    for code, group in snapshot.groupby("indicator_code"):
        row = group.iloc[0].copy()
        row["entity_id"] = ",".join(chosen.entity_ids)
        if aggregation.get(code) == "sum" and len(group) == count:
            row["value"] = _sum(group["value"])
            row["previous_value"] = _sum(group["previous_value"])
            row["last_year_value"] = _sum(group["last_year_value"])
            row["target_value"] = _sum(group["target_value"])
        else:
            row["value"] = _ratio(ratios, code, starts[0], count)
            row["previous_value"] = _ratio(ratios, code, starts[1], count)
            row["last_year_value"] = _ratio(ratios, code, starts[2], count)
            row["target_value"] = None
        has_target = not i18n.is_missing(row["target_value"]) and float(row["target_value"]) != 0
        row["attainment"] = float(row["value"]) / float(row["target_value"]) if has_target else None
        if row["value"] is None:
            continue
        rows[str(code)] = row
    return rows


# ---------------------------------------------------------------------------------------------
# Pacing: full-period target, time progress vs attainment, required run-rate
# ---------------------------------------------------------------------------------------------


def scope_pacing(ctx: ui.Context, chosen: Scope) -> dict[str, Any] | None:
    """The scope's pacing of sales: one entity's ``rpt_target_pacing`` row, several teams added
    up, the company (directors) added up over every team; None without a target."""
    if chosen.grain == "company":
        frame = data.company_benchmark(ctx.principal, ctx.period_type, ctx.period_start, PACED_CODE)
        if frame.empty:
            return None
        row = frame.iloc[0].to_dict()
        row["period_end"] = ctx.period_end
        return row
    frame = data.pacing(
        ctx.principal, chosen.grain, ctx.period_type, ctx.period_start, [PACED_CODE], list(chosen.entity_ids)
    )
    if frame.empty:
        return None
    return combine_pacing(frame)


def combine_pacing(frame: pd.DataFrame) -> dict[str, Any] | None:
    """Pacing rows of several entities added up: targets and values summed, attainment and pace
    gap recomputed, the run-rate still needed per day summed over the entities still short."""
    frame = frame.dropna(subset=["target_full_period"])
    frame = frame.loc[frame["target_full_period"] > 0]
    if frame.empty:
        return None
    target = float(frame["target_full_period"].sum())
    value = float(frame["value_to_date"].fillna(0).sum())
    elapsed = float(frame["time_elapsed_share"].max())
    attainment = value / target
    required = frame["required_daily_run_rate"]
    return {
        "target_full_period": target,
        "value_to_date": value,
        "time_elapsed_share": elapsed,
        "attainment_to_date": attainment,
        "pace_gap": attainment - elapsed,
        "required_daily_run_rate": None if required.isna().all() else float(required.fillna(0).sum()),
        "period_end": frame["period_end"].max(),
        "as_of_date": frame["as_of_date"].max(),
    }


def pacing_cards(ctx: ui.Context, pace: dict[str, Any] | None) -> None:
    """Four cards: sales to date against the full-period target, 时间进度 vs 业绩进度, the gap to
    target, and the run-rate needed per remaining day."""
    if pace is None:
        st.caption(ctx.t("pace_none"))
        return
    money = ctx.catalog.unit(PACED_CODE)
    ratio = lambda v: i18n.format_value(v, "ratio", ctx.lang)  # noqa: E731
    columns = st.columns(4)
    with columns[0].container(border=True):
        st.metric(
            ctx.t("pace_full_target"),
            i18n.format_value(pace.get("target_full_period"), money, ctx.lang),
            help=ctx.t("pace_full_target_help"),
        )
        st.caption(ctx.t("pace_to_date", value=i18n.format_value(pace.get("value_to_date"), money, ctx.lang)))
    with columns[1].container(border=True):
        st.metric(ctx.t("pace_attainment"), ratio(pace.get("attainment_to_date")), help=ctx.t("pace_attainment_help"))
        st.progress(min(max(float(pace.get("attainment_to_date") or 0), 0.0), 1.0))
    with columns[2].container(border=True):
        st.metric(ctx.t("pace_elapsed"), ratio(pace.get("time_elapsed_share")), help=ctx.t("pace_elapsed_help"))
        st.progress(min(max(float(pace.get("time_elapsed_share") or 0), 0.0), 1.0))
    with columns[3].container(border=True):
        gap = pace.get("pace_gap")
        st.metric(
            ctx.t("pace_gap"),
            "—" if i18n.is_missing(gap) else f"{float(gap) * 100:+.1f}",  # percentage points (in the label)
            help=ctx.t("pace_gap_help"),
        )
        required = pace.get("required_daily_run_rate")
        st.caption(
            ctx.t("pace_required", value=i18n.format_value(required, money, ctx.lang))
            if not i18n.is_missing(required) and float(required) > 0
            else ctx.t("pace_required_none")
        )


# ---------------------------------------------------------------------------------------------
# A manager's teams side by side, combined, and the company as benchmark
# ---------------------------------------------------------------------------------------------

SIDE_BY_SIDE_CODES = ("sales_amount", "gross_margin_rate", "new_customers", "collection_rate")


def scope_table(ctx: ui.Context, chosen: Scope) -> pd.DataFrame:
    """One row per team of the scope, then the scope combined and the company benchmark; the
    teams sorted by the gap to target (业绩进度 − 时间进度), most behind first."""
    team_ids = list(chosen.entity_ids)
    pace = data.pacing(ctx.principal, "team", ctx.period_type, ctx.period_start, [PACED_CODE], team_ids)
    snapshot = data.indicator_snapshot(
        ctx.principal, "team", ctx.period_type, ctx.period_start, SIDE_BY_SIDE_CODES, team_ids
    )
    teams = pd.DataFrame({"entity_id": team_ids})
    teams["name"] = [ctx.team_name(team) for team in team_ids]
    teams["kind"] = "team"
    if not pace.empty:
        teams = teams.merge(pace.drop(columns=["grain", "indicator_code"]), on="entity_id", how="left")
    teams = ui.with_values(teams, snapshot, "entity_id", SIDE_BY_SIDE_CODES)
    teams = teams.sort_values(["pace_gap", "name"], na_position="last") if "pace_gap" in teams else teams
    rows = [teams]

    combined_rows = scope_rows(ctx, chosen, list(SIDE_BY_SIDE_CODES))
    combined = combine_pacing(pace) if not pace.empty else None
    total = {"entity_id": "", "name": ctx.t("scope_combined"), "kind": "combined", **(combined or {})}
    total.update({code: combined_rows[code]["value"] for code in SIDE_BY_SIDE_CODES if code in combined_rows})
    rows.append(pd.DataFrame([total]))

    company = data.company_benchmark(ctx.principal, ctx.period_type, ctx.period_start, PACED_CODE)
    if not company.empty:
        bench = {"entity_id": "", "name": ctx.t("scope_company_benchmark"), "kind": "company"}
        bench.update(company.iloc[0].to_dict())
        rows.append(pd.DataFrame([bench]))
    frame = pd.concat(rows, ignore_index=True)
    for column in ("target_full_period", "value_to_date", "time_elapsed_share", "attainment_to_date", "pace_gap",
                   "required_daily_run_rate"):  # fmt: skip
        if column not in frame:
            frame[column] = float("nan")
    frame["gap_amount"] = frame["target_full_period"] - frame["value_to_date"]
    frame["kind_text"] = [ctx.t(f"scope_kind_{kind}") for kind in frame["kind"]]
    status = frame["status"] if "status" in frame else pd.Series([None] * len(frame))
    frame["status_text"] = [
        ctx.t(f"sc_status_{mart}") if isinstance(mart, str) else _status(ctx, gap)
        for mart, gap in zip(status, frame["pace_gap"], strict=True)
    ]
    return frame


# The pace status of a combined row, with rpt_target_pacing's default bounds (vars scorecard_pacing_*).
PACE_AHEAD, PACE_BEHIND = 0.05, -0.05


def _status(ctx: ui.Context, gap: Any) -> str | None:
    if i18n.is_missing(gap):
        return None
    gap = float(gap)
    return ctx.t(
        "sc_status_behind" if gap < PACE_BEHIND else "sc_status_ahead" if gap > PACE_AHEAD else "sc_status_on_track"
    )


def render_scope_table(ctx: ui.Context, chosen: Scope) -> pd.DataFrame:
    st.markdown(f"#### {ctx.t('scope_side_by_side')}")
    st.caption(ctx.t("scope_sorted"))
    frame = scope_table(ctx, chosen)
    name = ctx.catalog.name
    ui.table(
        ctx,
        frame,
        [
            ui.Column("name", "col_scope_entity"),
            ui.Column("kind_text", "col_scope_kind"),
            ui.Column("value_to_date", "col_value_to_date", "money"),
            ui.Column("target_full_period", "col_full_target", "money"),
            ui.Column("attainment_to_date", "col_attainment_progress", "ratio"),
            ui.Column("time_elapsed_share", "col_time_progress", "ratio"),
            ui.Column("pace_gap", "col_pace_gap", "ratio"),
            ui.Column("gap_amount", "col_gap_amount", "money"),
            ui.Column("required_daily_run_rate", "col_required_daily", "money"),
            ui.Column("status_text", "col_pace_status"),
            ui.Column("gross_margin_rate", name("gross_margin_rate"), "ratio"),
            ui.Column("new_customers", name("new_customers"), "int"),
            ui.Column("collection_rate", name("collection_rate"), "ratio"),
            ui.Column("entity_id", "col_team_id"),
        ],
        key="scope_teams",
        file_name=f"scope_{ctx.period_type}_{ctx.period_start.isoformat()}",
    )
    teams = frame.loc[frame["kind"] == "team"]
    chart = teams.set_index("name")[["attainment_to_date", "time_elapsed_share"]].dropna(how="all") * 100
    if not chart.empty:
        chart.columns = [ctx.t("col_attainment_progress"), ctx.t("col_time_progress")]
        st.bar_chart(chart, stack=False, horizontal=True, height=60 + 45 * len(chart))
        st.caption("%")
    st.caption(ctx.t("scope_drill_hint"))
    for start in range(0, len(teams), 6):
        columns = st.columns(6)
        for column, (_, row) in zip(columns, teams.iloc[start : start + 6].iterrows(), strict=False):
            column.button(
                str(row["name"]),
                key=f"scope_team_{row['entity_id']}",
                on_click=ui.drill,
                args=("team", row["entity_id"], "teams"),
                icon=":material/groups:",
            )
    return frame


def glance_strip(ctx: ui.Context, rows: dict[str, pd.Series], dimensions: tuple[str, ...]) -> None:
    """Per dimension: how many of its indicators with data improved on the previous period, in words."""
    st.caption(ctx.t("glance_intro"))
    for column, dimension in zip(st.columns(len(dimensions)), dimensions, strict=True):
        in_dimension = [code for code in ctx.catalog.in_dimension(dimension) if code in rows]
        compared = [code for code in in_dimension if not i18n.is_missing(rows[code].get("previous_value"))]
        better = sum(
            bool(ui.improved(ctx, code, rows[code]["value"], rows[code]["previous_value"])) for code in compared
        )
        column.metric(
            ctx.t(f"dim_{dimension}"),
            ctx.t("glance_value", better=better, compared=len(compared)),
            help=ctx.t("dimension_glance", total=len(ctx.catalog.in_dimension(dimension))),
        )
        column.caption(
            ctx.t(
                "glance_words",
                better=better,
                compared=len(compared),
                with_data=len(in_dimension),
                total=len(ctx.catalog.in_dimension(dimension)),
            )
        )
