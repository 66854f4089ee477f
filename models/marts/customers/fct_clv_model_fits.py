"""Fitted BG/NBD + Gamma-Gamma parameters per customer segment and refit date.

At every refit date of dim_clv_snapshot_dates the model is refitted on the order history up to
that date only (no look-ahead): one row per segment (B2B, B2C, ...) plus the pooled fit on all
customers, with the parameters the segment's customers are scored with, where they come from
(own fit, pooled fallback, naive rate or mean spend), log-likelihoods, counts and convergence.
Column clv_model says which repeat-purchase model the predictions use (salesperf.clv.choice).
A refit date whose input is the same as in the previous build of this warehouse keeps that build's
rows (column fit_input_key, salesperf.clv.reuse; var clv_reuse_stored: false refits every date).
The model code is salesperf.clv; the clv_* vars arrive through this model's config meta.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv import fit_snapshots, settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments, stored_fits

    meta = dbt.config.get("meta")
    settings = settings_from_vars(meta)
    purchases, segments = purchases_and_segments(dbt.ref("fct_order_lines"), dbt.ref("dim_customers"))
    dates = dbt.ref("dim_clv_snapshot_dates").filter("is_refit_date").project("snapshot_date").df()
    # the model choice per segment (var clv_model = auto): the selection whose holdout ends at a refit date
    selection = dbt.ref("int_clv__model_selection").df()
    # the previous build's fits: a date whose input is unchanged keeps them (salesperf.clv.reuse)
    stored = stored_fits(dbt, session, meta.get("clv_reuse_stored", True))
    fits = fit_snapshots(purchases, segments, dates["snapshot_date"], settings, selection, stored)
    # pandas has no date type: as_of_date becomes DATE in the returned relation
    return session.from_df(fits).project(
        ", ".join("cast(as_of_date as date) as as_of_date" if c == "as_of_date" else c for c in fits.columns)
    )
