"""BG/NBD, MBG/NBD and Pareto/NBD compared on a calibration/holdout split, per segment and pooled.

The calibration end is var clv_selection_calibration_end, or the as-of date minus var
clv_selection_holdout_months; the holdout runs to the as-of date. salesperf.clv.diagnostics.select_models
fits each model on the purchases up to the calibration end and scores it on the holdout.
"""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv import settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments
    from salesperf.clv.diagnostics import SELECTION_DTYPES, default_calibration_end, select_models

    meta = dbt.config.get("meta")
    settings = settings_from_vars(meta)
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    dates = dbt.ref("dim_clv_snapshot_dates").filter("is_as_of_date").project("snapshot_date").df()
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in SELECTION_DTYPES.items()})
    if not dates.empty and not purchases.empty:
        as_of = pd.Timestamp(dates["snapshot_date"].iloc[0])
        calibration_end = default_calibration_end(
            as_of, int(meta["clv_selection_holdout_months"]), str(meta["clv_selection_calibration_end"])
        )
        if calibration_end < as_of:
            frame = select_models(purchases, segments, calibration_end, as_of, settings)
    return session.from_df(frame).project(
        ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in SELECTION_DTYPES)
    )
