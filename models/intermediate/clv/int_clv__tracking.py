"""Expected against actual cumulative repeat purchases, month by month after every refit date.

The holdout of a refit date runs from it to the as-of date; the customers are those with a purchase
up to the refit date, scored with the segment's stored parameters (fct_clv_model_fits). See
salesperf.clv.diagnostics.diagnostics.
"""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv import settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments
    from salesperf.clv.diagnostics import TRACKING_DTYPES, diagnostics

    settings = settings_from_vars(dbt.config.get("meta"))
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    fits = dbt.ref("fct_clv_model_fits").df()
    dates = dbt.ref("dim_clv_snapshot_dates").filter("is_as_of_date").project("snapshot_date").df()
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in TRACKING_DTYPES.items()})
    if not dates.empty and not fits.empty:
        frame = diagnostics(purchases, segments, fits, pd.Timestamp(dates["snapshot_date"].iloc[0]), settings)[1]
    return session.from_df(frame).project(
        ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in TRACKING_DTYPES)
    )
