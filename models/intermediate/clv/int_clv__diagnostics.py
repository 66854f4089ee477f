"""The calibration/holdout table and the tracking of every stored BG/NBD fit, computed once.

The holdout of a refit date runs from it to the as-of date; the customers are those with a purchase
up to the refit date, scored with the segment's stored parameters (fct_clv_model_fits). Both tables
in one (column diagnostic): int_clv__calibration_holdout and int_clv__tracking select their rows.
See salesperf.clv.diagnostics.diagnostics.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from salesperf.clv.diagnostics import diagnostics_model

    return diagnostics_model(
        session,
        dbt.config.get("meta"),
        dbt.ref("fct_order_lines"),
        dbt.ref("dim_customers"),
        dbt.ref("fct_clv_model_fits"),
        dbt.ref("dim_clv_snapshot_dates"),
    )
