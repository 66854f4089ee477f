"""The CLV fits and predictions compute their costly functions once per distinct value (issue 12).

The BG/NBD and Gamma-Gamma likelihoods evaluate gammaln, betaln and digamma once per distinct
frequency x, and the BG/NBD prediction evaluates the hypergeometric function once per distinct
(x, T) pair: the values must be bitwise those of the row-by-row formulas (so no fit and no
published figure moves), and the special functions must really be called on the distinct values
only (the work that made the refits slow). No timing here: benchmarks/clv_fit.py measures it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from salesperf.clv import bgnbd, fit_bgnbd, fit_gamma_gamma, gamma_gamma
from salesperf.clv.bgnbd import BGNBDParams
from salesperf.clv.gamma_gamma import GammaGammaParams
from salesperf.clv.value import discounted_clv


def _customers(n: int = 3000, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.integers(1, 120, n).astype(float) / 7.0  # whole days in weeks, as summarize gives
    return bgnbd.simulate(BGNBDParams(0.24, 4.4, 0.79, 2.4), age, rng)


class _CallSizes:
    """Stands in for scipy.special in a module: records the largest array each function saw."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.largest: dict[str, int] = {}
        self._names = names

    def __getattr__(self, name: str):
        function = getattr(special, name)
        if name not in self._names:
            return function

        def recorded(*args):
            size = max(np.size(arg) for arg in args)
            self.largest[name] = max(self.largest.get(name, 0), size)
            return function(*args)

        return recorded


BG_THETAS = [np.log([0.24, 4.4, 0.79, 2.4]), np.log([2.0, 0.1, 30.0, 1e4]), np.log([1e-5, 1e5, 1e-5, 1e-5])]


@pytest.mark.parametrize("theta", BG_THETAS)
def test_bgnbd_likelihood_per_distinct_frequency_is_bitwise_the_row_formula(theta: np.ndarray) -> None:
    x, t_x, age = _customers()
    with np.errstate(all="ignore"):
        ll, grad = bgnbd._ll_and_grad(theta, x, t_x, age)
        ll_ref, grad_ref = bgnbd._ll_and_grad_reference(theta, x, t_x, age)
    assert np.array_equal(ll, ll_ref, equal_nan=True)
    assert np.array_equal(grad, grad_ref, equal_nan=True)


@pytest.mark.parametrize("theta", [np.log([6.25, 3.74, 15.44]), np.log([0.1, 50.0, 1e5]), np.log([1e-5, 1e-5, 1e10])])
def test_gamma_gamma_likelihood_per_distinct_frequency_is_bitwise_the_row_formula(theta: np.ndarray) -> None:
    x, _, _ = _customers()
    rng = np.random.default_rng(9)
    x = x[x > 0]
    m = gamma_gamma.simulate(GammaGammaParams(6.25, 3.74, 15.44), x, rng)
    with np.errstate(all="ignore"):
        ll, grad = gamma_gamma._ll_and_grad(theta, x, m)
        ll_ref, grad_ref = gamma_gamma._ll_and_grad_reference(theta, x, m)
    assert np.array_equal(ll, ll_ref, equal_nan=True)
    assert np.array_equal(grad, grad_ref, equal_nan=True)


def test_fits_call_the_special_functions_once_per_distinct_frequency(monkeypatch: pytest.MonkeyPatch) -> None:
    x, t_x, age = _customers()
    n_distinct = np.unique(x).size
    assert n_distinct < 50 < x.size  # the data has far fewer distinct frequencies than customers
    bg_calls = _CallSizes(("gammaln", "betaln", "digamma"))
    monkeypatch.setattr(bgnbd, "special", bg_calls)
    fit = fit_bgnbd(x, t_x, age, time_unit="weeks")
    assert fit.converged
    assert set(bg_calls.largest) == {"gammaln", "betaln", "digamma"}
    assert max(bg_calls.largest.values()) <= n_distinct

    repeat = x > 0
    m = gamma_gamma.simulate(GammaGammaParams(6.25, 3.74, 15.44), x[repeat], np.random.default_rng(2))
    gg_calls = _CallSizes(("gammaln", "digamma"))
    monkeypatch.setattr(gamma_gamma, "special", gg_calls)
    gg = fit_gamma_gamma(x[repeat], m)
    assert gg.converged
    assert set(gg_calls.largest) == {"gammaln", "digamma"}
    assert max(gg_calls.largest.values()) <= np.unique(x[repeat]).size


@pytest.mark.parametrize(
    "params",
    [BGNBDParams(0.24, 4.4, 0.79, 2.4), BGNBDParams(0.24, 4.4, 1.00001, 2.4), BGNBDParams(0.5, 4.4, 300.0, 900.0)],
)
def test_predictions_per_distinct_frequency_and_age_are_bitwise_the_row_formula(
    params: BGNBDParams, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, t_x, age = _customers()
    margin = np.linspace(1.0, 50.0, x.size)
    kwargs = {"time_unit": "weeks", "horizon_months": 36, "monthly_discount_rate": 0.01}
    grouped = discounted_clv(params, x, t_x, age, margin, **kwargs)
    # the hypergeometric function sees the distinct (x, T) pairs only (x 37 months), not every customer
    n_pairs = np.unique(np.stack([x, age], axis=1), axis=0).shape[0]
    assert n_pairs < x.size / 2
    calls = _CallSizes(("hyp2f1",))
    monkeypatch.setattr(bgnbd, "special", calls)
    discounted_clv(params, x, t_x, age, margin, **kwargs)
    assert calls.largest["hyp2f1"] == 37 * n_pairs
    # the row-by-row computation gives bitwise the same expected purchases and CLV
    monkeypatch.setattr(bgnbd, "_closed_form_term", bgnbd._closed_form_term_rows)
    rows = discounted_clv(params, x, t_x, age, margin, **kwargs)
    assert np.array_equal(grouped[0], rows[0]) and np.array_equal(grouped[1], rows[1])


def test_weights_stand_for_repeated_customers() -> None:
    x, t_x, age = _customers(800)
    twice = fit_bgnbd(np.tile(x, 2), np.tile(t_x, 2), np.tile(age, 2), time_unit="weeks")
    weighted = fit_bgnbd(x, t_x, age, time_unit="weeks", weights=np.full(x.size, 2.0))
    assert twice.params == weighted.params
    assert twice.log_likelihood == weighted.log_likelihood
    assert twice.n_customers == weighted.n_customers == 2 * x.size
