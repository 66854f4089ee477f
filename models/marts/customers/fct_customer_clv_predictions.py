"""Model outputs per customer and snapshot date: BTYD summary, P(alive), expected purchases,
expected spend and margin per purchase, discounted predicted CLV.

At every snapshot date of dim_clv_snapshot_dates, every customer with at least one purchase
(a day with an order of non-negative net amount that is not a return; a $0 order is a
purchase of $0) up to that date is scored with its segment's parameters from
fct_clv_model_fits (the latest fit on or before the date) on its history up to the date.
fct_customer_clv_snapshots adds the formula CLV, churn risk, tiers and owners.

The rows are streamed to the warehouse one snapshot date at a time (a relation over Arrow
record batches, salesperf.clv.prediction_stream): no frame of every date is built. A snapshot
date whose input is the same as in the previous build of this warehouse keeps that build's rows
(column prediction_input_key, salesperf.clv.reuse; var clv_reuse_stored: false scores every date).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv import settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments, stored_table
    from salesperf.clv.prediction_stream import predictions_with_stored
    from salesperf.clv.reuse import PREDICTION_KEY_COLUMN

    meta = dbt.config.get("meta")
    settings = settings_from_vars(meta)
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    fits = dbt.ref("fct_clv_model_fits").df()
    dates = dbt.ref("dim_clv_snapshot_dates").project("snapshot_date").df()
    # the previous build's rows of a date whose input is unchanged are kept (salesperf.clv.reuse)
    stored = stored_table(dbt, session, PREDICTION_KEY_COLUMN, meta.get("clv_reuse_stored", True))
    return predictions_with_stored(session, stored, purchases, segments, fits, settings, dates["snapshot_date"])
