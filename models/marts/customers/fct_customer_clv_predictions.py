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
(column prediction_input_key, salesperf.clv.reuse; var clv_reuse_stored: false scores every date):
the model is incremental, and its strategy replace_dates (macros/) replaces the rows of the dates
scored again and deletes those of dates no longer snapshot dates, leaving the others in place.
"""


def model(dbt, session):
    # incremental (docs/incremental.md): a run on a warehouse that has the table scores only the dates
    # whose input changed or that are new; strategy replace_dates swaps those dates' rows in place
    dbt.config(
        materialized="incremental",
        incremental_strategy="replace_dates",
        date_column="as_of_date",
        dates_model="dim_clv_snapshot_dates",
        dates_model_column="snapshot_date",
        on_schema_change="sync_all_columns",
    )
    from salesperf.clv import settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments, stored_table
    from salesperf.clv.prediction_stream import predictions_to_store
    from salesperf.clv.reuse import PREDICTION_KEY_COLUMN

    meta = dbt.config.get("meta")
    settings = settings_from_vars(meta)
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    fits = dbt.ref("fct_clv_model_fits").df()
    dates = dbt.ref("dim_clv_snapshot_dates").project("snapshot_date").df()
    # the previous build's rows of a date whose input is unchanged stay (salesperf.clv.reuse); a full
    # build, --full-refresh and the Spark step (no dbt.is_incremental there) score every date
    incremental = bool(getattr(dbt, "is_incremental", False))
    reuse = meta.get("clv_reuse_stored", True)
    stored = stored_table(dbt, session, PREDICTION_KEY_COLUMN, reuse) if incremental else None
    return predictions_to_store(session, stored, purchases, segments, fits, settings, dates["snapshot_date"])
