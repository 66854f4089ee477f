"""Customer lifetime value: BG/NBD + Gamma-Gamma, fitted by maximum likelihood (numpy/scipy only).

Public API (every duration is in an explicit ``time_unit``: "days", "weeks" or "months"):

Model fits from arrays
    fit_bgnbd(frequency, recency, age, *, time_unit) -> BGNBDFit
    fit_gamma_gamma(frequency, monetary) -> GammaGammaFit
Predictions for given customers
    probability_alive(params, frequency, recency, age) -> P(alive), 1 without repeat purchase
    expected_purchases(params, t, frequency, recency, age) -> E[purchases in (T, T + t]]
    conditional_expected_spend(gg_params, frequency, monetary) -> expected spend per purchase
    discounted_clv(params, frequency, recency, age, margin_per_purchase, *, time_unit,
                   horizon_months, monthly_discount_rate) -> (expected purchases, CLV)
From order lines to snapshots (what the dbt models call)
    purchases_from_lines(lines) -> purchase days
    summarize(purchases, as_of, *, time_unit) -> frequency, recency, age, monetary, margin rate
    fit_models / predict: per-segment fits with pooled and naive fallbacks
    fit_snapshots / predict_snapshots / run_snapshots: refit at every snapshot date

Example::

    from salesperf.clv import ClvSettings, purchases_from_lines, run_snapshots
    fits, customers = run_snapshots(purchases_from_lines(lines), segments, ["2025-12-31"],
                                    ClvSettings(time_unit="weeks"))
"""

from salesperf.clv.bgnbd import (
    BGNBDFit,
    BGNBDParams,
    expected_purchases,
    fit_bgnbd,
    population_expected_purchases,
    probability_alive,
)
from salesperf.clv.gamma_gamma import (
    GammaGammaFit,
    GammaGammaParams,
    conditional_expected_spend,
    fit_gamma_gamma,
)
from salesperf.clv.segments import (
    POOLED,
    ClvSettings,
    SegmentModel,
    attach_segments,
    fit_models,
    fit_snapshots,
    models_from_frame,
    models_to_frame,
    predict,
    predict_snapshots,
    run_snapshots,
    settings_from_vars,
)
from salesperf.clv.summary import purchases_from_lines, summarize
from salesperf.clv.timeunits import days_per_unit, months_to_units
from salesperf.clv.value import discounted_clv

__all__ = [
    "POOLED",
    "BGNBDFit",
    "BGNBDParams",
    "ClvSettings",
    "GammaGammaFit",
    "GammaGammaParams",
    "SegmentModel",
    "attach_segments",
    "conditional_expected_spend",
    "days_per_unit",
    "discounted_clv",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_models",
    "fit_snapshots",
    "models_from_frame",
    "models_to_frame",
    "months_to_units",
    "population_expected_purchases",
    "predict",
    "predict_snapshots",
    "probability_alive",
    "purchases_from_lines",
    "run_snapshots",
    "settings_from_vars",
    "summarize",
]
