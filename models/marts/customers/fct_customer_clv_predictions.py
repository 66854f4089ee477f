"""Model outputs per customer and snapshot date: BTYD summary, P(alive), expected purchases,
expected spend and margin per purchase, discounted predicted CLV.

At every snapshot date of dim_clv_snapshot_dates, every customer with at least one purchase
(a day with an order of non-negative net amount that is not a return; a $0 order is a
purchase of $0) up to that date is scored with its segment's parameters from
fct_clv_model_fits (the latest fit on or before the date) on its history up to the date.
fct_customer_clv_snapshots adds the formula CLV, churn risk, tiers and owners.
"""

import pandas as pd

COLUMNS = {
    "as_of_date": "datetime64[s]",
    "customer_id": "string",
    "segment": "string",
    "fit_as_of_date": "datetime64[s]",
    "first_purchase_date": "datetime64[s]",
    "last_purchase_date": "datetime64[s]",
    "n_purchases": "int64",
    "frequency": "float64",
    "recency": "float64",
    "age": "float64",
    "recency_days": "float64",
    "age_days": "float64",
    "days_since_last_purchase": "float64",
    "mean_interpurchase_days": "float64",
    "total_spend": "float64",
    "monetary": "float64",
    "margin_rate": "float64",
    "margin_rate_used": "float64",
    "margin_rate_source": "string",
    "p_alive": "float64",
    "expected_purchases": "float64",
    "expected_spend_per_purchase": "float64",
    "expected_margin_per_purchase": "float64",
    "clv_predicted": "float64",
    "clv_predicted_low": "float64",
    "clv_predicted_high": "float64",
    "p_alive_low": "float64",
    "p_alive_high": "float64",
    "clv_model": "string",
}


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv import predict_snapshots, settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments

    settings = settings_from_vars(dbt.config.get("meta"))
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    fits = dbt.ref("fct_clv_model_fits").df()
    dates = dbt.ref("dim_clv_snapshot_dates").project("snapshot_date").df()
    predictions = predict_snapshots(purchases, segments, fits, settings, dates["snapshot_date"])
    if predictions.empty:
        predictions = pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in COLUMNS.items()})
    predictions = predictions[list(COLUMNS)].astype(COLUMNS)
    # pandas has no date type: the *_date columns become DATE in the returned relation
    return session.from_df(predictions).project(
        ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in COLUMNS)
    )
