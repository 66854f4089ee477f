"""Every stored CLV fit is the best optimum found (issue 13, defect 1).

A refit used to start from the previous month's parameters and stop at the first start that
converged: after a near-degenerate fit (a, b in the thousands) the next months' fits stayed on
that flat ridge, "converged", 30-60 log-likelihood units below a cold fit. Now every start (the
warm one and fixed cold ones) is optimised and the best kept, then Newton-polished.

Fast unit tests on crafted data, and one test over every refit date of the session's demo build.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy import optimize

from salesperf.clv import bgnbd, fit_bgnbd, fit_gamma_gamma, gamma_gamma
from salesperf.clv.bgnbd import BGNBDParams
from salesperf.clv.gamma_gamma import GammaGammaParams

# the demo build's stored B2C fit of 2026-10-31 before the fix: on the ridge a, b -> infinity
NEAR_DEGENERATE = BGNBDParams(r=0.866, alpha=3.74, a=5986.0, b=136054.0)
LL_TOLERANCE = 1e-6  # relative: the stored optimum may differ from a cold one by rounding only
FLAT_EDGE = 0.005  # log-likelihood units: see test_every_stored_fit_is_at_least_as_good_as_an_independent_fit


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_near_degenerate_warm_start_does_not_stick(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, t_x, age = bgnbd.simulate(BGNBDParams(0.88, 3.77, 1.13, 15.6), rng.uniform(4, 190, 1500), rng)
    warm = fit_bgnbd(x, t_x, age, time_unit="weeks", initial=NEAR_DEGENERATE)
    cold = fit_bgnbd(x, t_x, age, time_unit="weeks")
    # before the fix the warm fit ended 41-60 log-likelihood units lower (a ~ 6,000, b ~ 130,000)
    assert warm.log_likelihood >= cold.log_likelihood - LL_TOLERANCE * abs(cold.log_likelihood)
    assert warm.params.a < 10 and warm.converged
    assert [s.start for s in warm.starts] == ["warm", "cold_1", "cold_2", "cold_3", "cold_4"]
    assert warm.best_start != "warm"
    assert warm.log_likelihood >= max(s.log_likelihood for s in warm.starts) - 1e-9
    # the warm start's own optimum is recorded, and it is the worse one
    assert warm.starts[0].log_likelihood < warm.log_likelihood - 10


def test_gamma_gamma_fit_does_not_depend_on_the_warm_start() -> None:
    """On a flat likelihood the optimiser's stopping point used to depend on the start (4th digit)."""
    rng = np.random.default_rng(1)
    frequency = rng.integers(1, 10, 900).astype(float)
    monetary = gamma_gamma.simulate(GammaGammaParams(6.25, 3.74, 15.44), frequency, rng)
    fits = [
        fit_gamma_gamma(frequency, monetary, initial=warm)
        for warm in (None, GammaGammaParams(1.06, 0.80, 3259.0), GammaGammaParams(50.0, 200.0, 1e5))
    ]
    for fit in fits:
        assert fit.converged, fit.message
        np.testing.assert_allclose(fit.params.as_array(), fits[0].params.as_array(), rtol=1e-6)
        assert fit.log_likelihood >= max(s.log_likelihood for s in fit.starts) - 1e-9
    assert [s.start for s in fits[1].starts] == ["warm", "cold_1", "cold_2", "cold_3"]


def _starts(text: str) -> list[dict]:
    starts = json.loads(text)
    assert starts and all(set(s) == {"start", "log_likelihood", "converged"} for s in starts)
    return starts


@pytest.mark.slow
def test_every_stored_fit_is_at_least_as_good_as_a_cold_fit(demo_build) -> None:
    """Over every refit date of the demo build: each stored own fit (pooled, per segment) has a
    log-likelihood no lower than a cold fit of the same customer summaries, read back from
    fct_customer_clv_predictions at that date (the summaries the fit was made on)."""
    fits = demo_build.query(
        "select * from main.fct_clv_model_fits "
        "where bgnbd_source in ('segment_fit', 'pooled_fit') order by as_of_date, segment"
    )
    customers = demo_build.query(
        "select as_of_date, segment, frequency, recency, age, monetary from main.fct_customer_clv_predictions "
        "where as_of_date in (select as_of_date from main.fct_clv_model_fits)"
    )
    assert fits["as_of_date"].nunique() >= 40, "every month end of the demo history is a refit date"
    checked = 0
    for row in fits.itertuples():
        own = row.bgnbd_source == ("pooled_fit" if row.segment == "pooled" else "segment_fit")
        if not own:
            continue
        part = customers[customers["as_of_date"] == row.as_of_date]
        if row.segment != "pooled":
            part = part[part["segment"] == row.segment]
        assert len(part) == row.n_customers, (row.as_of_date, row.segment)
        cold = fit_bgnbd(part["frequency"], part["recency"], part["age"], time_unit=row.time_unit)
        where = f"{str(row.as_of_date)[:10]} {row.segment}"
        assert row.bgnbd_log_likelihood >= cold.log_likelihood - LL_TOLERANCE * abs(cold.log_likelihood), (
            f"{where}: stored BG/NBD log-likelihood {row.bgnbd_log_likelihood:.2f} < cold fit {cold.log_likelihood:.2f}"
        )
        starts = _starts(row.bgnbd_start_log_likelihoods)
        assert row.bgnbd_starts_tried == len(starts) >= 4
        assert row.bgnbd_log_likelihood >= max(s["log_likelihood"] for s in starts) - 1e-5, where
        if row.gamma_gamma_source == row.bgnbd_source:
            repeat = part[(part["frequency"] > 0) & (part["monetary"] > 0)]
            gg_cold = fit_gamma_gamma(repeat["frequency"], repeat["monetary"])
            assert row.gamma_gamma_log_likelihood >= gg_cold.log_likelihood - LL_TOLERANCE * abs(
                gg_cold.log_likelihood
            ), f"{where}: stored Gamma-Gamma {row.gamma_gamma_log_likelihood:.2f} < cold {gg_cold.log_likelihood:.2f}"
            assert row.gamma_gamma_starts_tried == len(_starts(row.gamma_gamma_start_log_likelihoods)) >= 3
        checked += 1
    assert checked >= 3 * 40


def _reference_optimum(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> float:
    """The BG/NBD maximum log-likelihood found with the row-by-row formula (every special function per
    customer: bgnbd._ll_and_grad_reference) and scipy's L-BFGS-B from 16 starts over a grid: none of the
    fit's own machinery (grouped rows, per-pair terms, parts on threads, its starts, the Newton polish)."""

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = bgnbd._ll_and_grad_reference(theta, x, t_x, big_t)
        total = float(np.sum(ll))
        if not np.isfinite(total):
            return 1e300, np.zeros(4)
        return -total, -np.sum(grad, axis=1)

    best = -np.inf
    for start in itertools.product([0.2, 2.0], [1.0, 20.0], [0.2, 2.0], [1.0, 20.0]):
        result = optimize.minimize(objective, np.log(start), jac=True, method="L-BFGS-B", bounds=[(-15.0, 15.0)] * 4)
        best = max(best, -float(result.fun))
    return best


@pytest.mark.slow
def test_every_stored_fit_is_at_least_as_good_as_an_independent_fit(demo_build) -> None:
    """Over every refit date of the demo build: each stored own BG/NBD fit's log-likelihood is the
    row-by-row likelihood at its parameters, and no lower than an independent maximisation of the
    row-by-row likelihood (_reference_optimum). The cold-fit test above uses the fit's own objective,
    so a wrong fast objective could pass it: this one uses none of the fit's machinery."""
    fits = demo_build.query(
        "select * from main.fct_clv_model_fits where bgnbd_source in ('segment_fit', 'pooled_fit') "
        "order by as_of_date, segment"
    )
    customers = demo_build.query(
        "select as_of_date, segment, frequency, recency, age from main.fct_customer_clv_predictions "
        "where as_of_date in (select as_of_date from main.fct_clv_model_fits)"
    )
    checked = 0
    for row in fits.itertuples():
        if row.bgnbd_source != ("pooled_fit" if row.segment == "pooled" else "segment_fit"):
            continue
        part = customers[customers["as_of_date"] == row.as_of_date]
        if row.segment != "pooled":
            part = part[part["segment"] == row.segment]
        x, t_x, big_t = (part[c].to_numpy(dtype=float) for c in ("frequency", "recency", "age"))
        where = f"{str(row.as_of_date)[:10]} {row.segment}"
        theta = np.log([row.r, row.alpha, row.a, row.b])
        at_stored = float(np.sum(bgnbd._ll_and_grad_reference(theta, x, t_x, big_t, want_grad=False)[0]))
        assert at_stored == pytest.approx(row.bgnbd_log_likelihood, rel=1e-9), where
        reference = _reference_optimum(x, t_x, big_t)
        # 0.005: where the likelihood rises toward the edge a -> 0 (little dropout), the reference optimiser
        # (bounds e^-15) may go a little further than the fit (bounds e^-12): up to 0.0007 on the demo. A fit
        # that stops inside the flat edge is hundredths below (2023-02-28 B2B before the edge counted as a
        # fit: 0.023), a fit in a worse optimum units to thousands.
        assert at_stored >= reference - max(LL_TOLERANCE * abs(reference), FLAT_EDGE), (
            f"{where}: stored fit {at_stored:.3f} below the row-by-row optimum {reference:.3f}"
        )
        checked += 1
    assert checked >= 3 * 40


def test_standard_errors_match_the_spread_of_refits() -> None:
    """The stored standard errors (observed information) against the spread of the estimates over
    40 simulated data sets of the same design: within 25 % (the spread's own error is ~11 %)."""
    true = BGNBDParams(0.5, 6.0, 0.9, 3.0)
    estimates, errors = [], []
    for seed in range(40):
        rng = np.random.default_rng(100 + seed)
        x, t_x, age = bgnbd.simulate(true, rng.uniform(26, 78, 2000), rng)
        fit = fit_bgnbd(x, t_x, age, time_unit="weeks")
        assert fit.std_errors is not None, fit.message
        estimates.append(fit.params.as_array())
        errors.append(fit.std_errors.as_array())
    spread = np.std(estimates, axis=0, ddof=1)
    np.testing.assert_allclose(np.mean(errors, axis=0), spread, rtol=0.25)
