"""CLV views of the customer page (issue 13): a customer's CLV and P(alive) with their intervals, and
the model diagnostics of the customer's segment with a one-line verdict.

* ``customer_intervals``: "CLV ¥12.0万 (¥9.0万–¥15.0万)" and "P(alive) 72.3% (69.9%–75.2%)" from the
  customer's latest snapshot up to the period's end (fct_customer_clv_snapshots, columns
  clv_predicted_low/high, p_alive_low/high: the var clv_interval_level interval of the parameter
  uncertainty). Scoped like every customer figure (allowed_customers).
* ``model_diagnostics``: the calibration/holdout chart (expected vs actual holdout purchases by
  calibration frequency, fct_clv_calibration_holdout) and the tracking chart of cumulative repeat
  purchases (fct_clv_tracking) of the customer's segment, at the latest refit date with at least
  ``MIN_HOLDOUT_MONTHS`` of holdout, with the verdict "model fits: holdout error 6 %" and the
  model the holdout prefers (fct_clv_model_selection). Segment-wide figures are company-wide
  figures: directors only, as product indicators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

SNAPSHOT_TABLE = "fct_customer_clv_snapshots"
INTERVAL_COLUMNS = (
    "clv_predicted",
    "clv_predicted_low",
    "clv_predicted_high",
    "p_alive",
    "p_alive_low",
    "p_alive_high",
)
MIN_HOLDOUT_MONTHS = 6
GOOD_FIT = 0.10  # holdout error up to 10 %: "model fits"; above: "check the model"
MODEL_NAMES = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "paretonbd": "Pareto/NBD"}


def interval_text(value: Any, low: Any, high: Any, unit: str, lang: str) -> str:
    """A value with its interval, ¥12.0万 (¥9.0万–¥15.0万); the value alone without an interval, — without a value."""
    shown = i18n.format_value(value, unit, lang)
    if i18n.is_missing(value) or i18n.is_missing(low) or i18n.is_missing(high):
        return shown
    return f"{shown} ({i18n.format_value(low, unit, lang)}–{i18n.format_value(high, unit, lang)})"


def latest_snapshot(principal: data.Principal, customer_id: str, until: dt.date) -> pd.Series | None:
    """The customer's latest CLV snapshot on or before ``until`` with its intervals (None if not built)."""
    table = data.find_table(SNAPSHOT_TABLE)
    if table is None:
        return None
    columns = data.table_columns(table.split(".")[0].strip('"'), SNAPSHOT_TABLE)
    if not set(INTERVAL_COLUMNS) <= set(columns):
        return None
    frame = data.scoped_query(
        principal,
        f"""
        select snapshots.as_of_date, snapshots.segment, {", ".join(f"snapshots.{c}" for c in INTERVAL_COLUMNS)}
        from {table} as snapshots
        inner join allowed_customers
            on snapshots.customer_id = allowed_customers.customer_id
        where snapshots.customer_id = $customer_id and snapshots.as_of_date <= $until
        order by snapshots.as_of_date desc
        limit 1
        """,
        customer_id=customer_id,
        until=until,
    )
    return None if frame.empty else frame.iloc[0]


def customer_intervals(ctx: ui.Context, customer_id: str) -> pd.Series | None:
    """The customer's CLV and P(alive) with their intervals, as two metrics; the snapshot shown."""
    row = latest_snapshot(ctx.principal, customer_id, ctx.period_end_as_of)
    if row is None:
        return None
    st.markdown(f"##### {ctx.t('clv_intervals', date=pd.Timestamp(row['as_of_date']).date().isoformat())}")
    left, right = st.columns(2)
    with left:
        st.metric(
            ctx.t("clv_interval_label"),
            interval_text(
                row["clv_predicted"], row["clv_predicted_low"], row["clv_predicted_high"], "currency", ctx.lang
            ),
        )
    with right:
        st.metric(
            ctx.t("p_alive_interval_label"),
            interval_text(row["p_alive"], row["p_alive_low"], row["p_alive_high"], "ratio", ctx.lang),
        )
    st.caption(ctx.t("clv_interval_explained"))
    return row


def _table(name: str) -> str | None:
    return data.find_table(name)


def _refit_date(table: pd.DataFrame) -> Any:
    """The latest refit date with at least MIN_HOLDOUT_MONTHS of holdout, else the earliest one."""
    dates = pd.to_datetime(table["as_of_date"])
    ends = pd.to_datetime(table["holdout_end_date"])
    long_enough = table[dates <= ends - pd.DateOffset(months=MIN_HOLDOUT_MONTHS)]
    chosen = long_enough if not long_enough.empty else table
    return pd.to_datetime(chosen["as_of_date"]).max() if not long_enough.empty else dates.min()


def verdict_text(ctx: ui.Context, error: float) -> str:
    key = "clv_verdict_fits" if error <= GOOD_FIT else "clv_verdict_check"
    return ctx.t(key, error=f"{error * 100:.0f}")


def model_diagnostics(ctx: ui.Context, segment: str) -> None:
    """The segment's calibration/holdout and tracking charts with the verdict (directors only)."""
    st.markdown(f"##### {ctx.t('clv_diagnostics', segment=segment)}")
    if not ctx.is_director:
        st.caption(ctx.t("clv_diagnostics_director_only"))
        return
    holdout, tracking = _table("fct_clv_calibration_holdout"), _table("fct_clv_tracking")
    if holdout is None or tracking is None:
        st.caption(ctx.t("clv_not_available"))
        return
    rows = data.query(f"select * from {holdout} where segment = $segment order by as_of_date", {"segment": segment})
    if rows.empty:
        st.caption(ctx.t("no_data"))
        return
    refit = _refit_date(rows)
    table = rows[pd.to_datetime(rows["as_of_date"]) == refit].sort_values("frequency_class")
    error = float(table["holdout_error"].iloc[0])
    holdout_end = pd.Timestamp(table["holdout_end_date"].iloc[0]).date().isoformat()
    st.markdown(f"**{verdict_text(ctx, error)}**")
    st.caption(ctx.t("clv_diagnostics_period", refit=refit.date().isoformat(), end=holdout_end))
    expected, actual = ctx.t("clv_expected"), ctx.t("clv_actual")
    left, right = st.columns(2)
    with left:
        st.markdown(ctx.t("clv_calibration_holdout_chart"))
        labels = [str(k) if k < 7 else "7+" for k in table["frequency_class"]]
        n = table["n_customers"].where(table["n_customers"] > 0)
        chart = pd.DataFrame(
            {
                expected: (table["expected_holdout_purchases"] / n).to_numpy(),
                actual: (table["actual_holdout_purchases"] / n).to_numpy(),
            },
            index=pd.Index(labels, name=ctx.t("clv_frequency_class")),
        )
        st.bar_chart(chart, stack=False)
    with right:
        st.markdown(ctx.t("clv_tracking_chart"))
        track = data.query(
            f"select * from {tracking} where segment = $segment and as_of_date = $refit order by months_after",
            {"segment": segment, "refit": refit.date()},
        )
        chart = pd.DataFrame(
            {
                expected: track["expected_cumulative_purchases"].to_numpy(),
                actual: track["actual_cumulative_purchases"].to_numpy(float),
            },
            index=pd.Index(pd.to_datetime(track["period_end_date"]).dt.date, name=ctx.t("clv_period_end")),
        )
        st.line_chart(chart)
    selection = _table("fct_clv_model_selection")
    if selection is not None:
        chosen = data.query(
            f"select model, holdout_error from {selection} where segment = $segment and is_chosen",
            {"segment": segment},
        )
        if not chosen.empty:
            st.caption(
                ctx.t(
                    "clv_best_model",
                    model=MODEL_NAMES.get(chosen["model"].iloc[0], chosen["model"].iloc[0]),
                    error=f"{float(chosen['holdout_error'].iloc[0]) * 100:.0f}",
                )
            )


def render(ctx: ui.Context, customer_id: str) -> None:
    """Everything of issue 13 on the customer page, for the selected customer."""
    row = customer_intervals(ctx, customer_id)
    if row is not None:
        model_diagnostics(ctx, str(row["segment"]))
