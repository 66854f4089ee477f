"""Model outputs per customer and snapshot date: BTYD summary, P(alive), expected purchases,
expected spend and margin per purchase, discounted predicted CLV.

At every snapshot date of dim_clv_snapshot_dates, every customer with at least one purchase
(a day with an order of non-negative net amount that is not a return; a $0 order is a
purchase of $0) up to that date is scored with its segment's parameters from
fct_clv_model_fits (the latest fit on or before the date) on its history up to the date.
fct_customer_clv_snapshots adds the formula CLV, churn risk, tiers and owners.

The rows are streamed to the warehouse one snapshot date at a time (a relation over Arrow
record batches, salesperf.clv.prediction_stream): no frame of every date is built.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv import settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments
    from salesperf.clv.prediction_stream import predictions_reader, predictions_relation

    settings = settings_from_vars(dbt.config.get("meta"))
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    fits = dbt.ref("fct_clv_model_fits").df()
    dates = dbt.ref("dim_clv_snapshot_dates").project("snapshot_date").df()
    reader = predictions_reader(purchases, segments, fits, settings, dates["snapshot_date"])
    return predictions_relation(session, reader)
