"""MBG/NBD and Pareto/NBD beside BG/NBD: the published estimates on CDNOW (issue 13, model choice).

Fitted on the CDNOW 1/10 sample's calibration period (tests/fixtures/cdnow, the summary of
tests/test_clv_intervals.cdnow_summary: exact day counts / 7), in weeks:

* Pareto/NBD: r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67, LL = -9595.0 (Fader, Hardie & Lee 2005;
  the figures of BTYD and lifetimes' tests);
* MBG/NBD: r = 0.525, alpha = 6.183, a = 0.891, b = 1.614 (BTYDplus, as in lifetimes' tests);
* Pareto/NBD predictions of the BTYD walkthrough: E[Y(52) | x = 26, t_x = 30.86, T = 31] = 25.46,
  P(alive | same) = 0.9979 at (0.5534, 10.5802, 0.6061, 11.6562); and lifetimes' underflow pair
  E[Y(10) | 132 or 133, 200, 200] = 6.2061 / 6.2529 (the stable form of the hypergeometric terms).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_clv_intervals import cdnow_summary

from salesperf.clv import expected_purchases, fit_bgnbd, mbgnbd, paretonbd
from salesperf.clv.mbgnbd import fit_mbgnbd
from salesperf.clv.paretonbd import fit_paretonbd

PUBLISHED_PARETO = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
PUBLISHED_PARETO_LL = -9595.0
BTYDPLUS_MBGNBD = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}


def _decimals(value: float) -> int:
    return len(repr(value).split(".")[1])


@pytest.fixture(scope="module")
def cdnow() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    summary = cdnow_summary()
    return tuple(summary[c].to_numpy(float) for c in ("frequency", "recency", "age"))


def test_pareto_nbd_reproduces_the_published_estimates(cdnow) -> None:
    fit = fit_paretonbd(*cdnow, time_unit="weeks")
    assert fit.converged and fit.message == "ok", fit.message
    for name, published in PUBLISHED_PARETO.items():
        assert round(fit.as_dict()[name], _decimals(published)) == published, (name, fit.as_dict()[name])
    assert round(fit.log_likelihood, 1) == PUBLISHED_PARETO_LL, fit.log_likelihood
    assert [s.start for s in fit.starts] == ["cold_1", "cold_2", "cold_3"]
    assert fit.log_likelihood >= max(s.log_likelihood for s in fit.starts) - 1e-9
    assert fit.std_errors is not None and np.all(np.array(fit.std_errors) > 0)
    # a warm start at the optimum ends where the cold starts end
    warm = fit_paretonbd(*cdnow, time_unit="weeks", initial=fit.params)
    np.testing.assert_allclose(warm.params, fit.params, rtol=1e-6)


def test_mbg_nbd_reproduces_the_published_estimates(cdnow) -> None:
    fit = fit_mbgnbd(*cdnow, time_unit="weeks")
    assert fit.converged and fit.message == "ok", fit.message
    for name, published in BTYDPLUS_MBGNBD.items():
        assert round(fit.as_dict()[name], _decimals(published)) == published, (name, fit.as_dict()[name])
    # MBG/NBD nests the possibility of dropping out before any repeat purchase: on CDNOW it fits
    # about as well as BG/NBD (-9582.4)
    assert fit.log_likelihood == pytest.approx(-9582.1, abs=0.1)


def _rows_with_many_purchases_and_long_ages(cdnow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CDNOW's rows and 200 more with up to 400 purchases and ages up to 2,000 weeks, 20 with t_x = T."""
    x, t_x, age = cdnow
    rng = np.random.default_rng(7)
    many = rng.integers(0, 400, 200).astype(float)
    long_age = rng.uniform(1.0, 2000.0, 200)
    recency = np.where(many > 0, long_age * rng.uniform(0.0, 1.0, 200), 0.0)
    recency[:20] = long_age[:20]
    return np.concatenate([x, many]), np.concatenate([t_x, recency]), np.concatenate([age, long_age])


GRADIENT_CASES = [
    (mbgnbd, (0.525, 6.183, 0.891, 1.614)),
    (mbgnbd, (2.0, 0.5, 5.0, 0.1)),
    (mbgnbd, (0.01, 100.0, 0.05, 50.0)),
    (mbgnbd, (8.0, 3.0, 40.0, 200.0)),
    (paretonbd, (0.553, 10.58, 0.606, 11.67)),  # alpha < beta
    (paretonbd, (0.553, 11.67, 0.606, 10.58)),  # alpha > beta
    (paretonbd, (0.5, 3.0, 0.5, 3.0)),  # alpha = beta: the two forms meet
    (paretonbd, (2.0, 0.5, 5.0, 0.1)),
    (paretonbd, (0.05, 100.0, 0.3, 1.0)),
]


@pytest.mark.parametrize(("module", "params"), GRADIENT_CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_analytic_gradients_are_the_derivatives_of_the_likelihood(cdnow, module, params) -> None:
    """Each row's gradient (MBG/NBD all analytic; Pareto/NBD's alpha and beta analytic) against central
    differences of the row log-likelihood (step 1e-6 in log space: ~1e-9 truncation)."""
    x, t_x, age = _rows_with_many_purchases_and_long_ages(cdnow)
    theta = np.log(params)
    rows, gradient = module.row_log_likelihood_and_gradient(theta, x, t_x, age)
    np.testing.assert_allclose(rows, module.row_log_likelihood(theta, x, t_x, age), rtol=1e-13, atol=1e-10)
    assert np.all(np.isfinite(gradient))
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6
        numeric = (
            module.row_log_likelihood(theta + step, x, t_x, age) - module.row_log_likelihood(theta - step, x, t_x, age)
        ) / 2e-6
        np.testing.assert_allclose(gradient[i], numeric, rtol=1e-6, atol=1e-6 * (1 + np.abs(numeric).max()))


@pytest.mark.parametrize("spec", [paretonbd.SPEC, mbgnbd.SPEC], ids=lambda s: s.model)
def test_fits_with_analytic_gradients_end_where_differences_end(cdnow, spec) -> None:
    """The same optimum as the fit driven by central differences of the whole gradient (the code
    before the analytic gradients)."""
    from dataclasses import replace

    analytic = spec.fit(*cdnow, time_unit="weeks")
    differences = replace(spec, row_log_likelihood_and_gradient=None).fit(*cdnow, time_unit="weeks")
    np.testing.assert_allclose(analytic.params, differences.params, rtol=1e-6)
    assert analytic.log_likelihood == pytest.approx(differences.log_likelihood, abs=1e-7)
    np.testing.assert_allclose(analytic.std_errors, differences.std_errors, rtol=1e-4)
    assert analytic.best_start == differences.best_start


def test_pareto_nbd_predictions_of_the_btyd_walkthrough(cdnow) -> None:
    fit = fit_paretonbd(*cdnow, time_unit="weeks")
    assert abs(float(paretonbd.expected_purchases(fit.params, 52.0, [26.0], [30.86], [31.0])[0]) - 25.46) < 0.01
    walkthrough = (0.5534, 10.5802, 0.6061, 11.6562)
    assert round(float(paretonbd.probability_alive(walkthrough, [26.0], [30.86], [31.0])[0]), 4) == 0.9979
    left, right = paretonbd.expected_purchases(
        (0.55, 10.58, 0.61, 11.67), 10.0, [132.0, 133.0], [200.0] * 2, [200.0] * 2
    )
    assert (round(float(left), 4), round(float(right), 4)) == (6.2061, 6.2529)
    alive = paretonbd.probability_alive(
        (10.465, 7.98565181e-03, 3.0516, 2.820), [40.0, 50, 50], [5.0, 1, 4], [6.0, 37, 37]
    )
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))


def test_mbg_nbd_predictions_are_consistent(cdnow) -> None:
    fit = fit_mbgnbd(*cdnow, time_unit="weeks")
    x, t_x, age = cdnow
    alive = mbgnbd.probability_alive(fit.params, x, t_x, age)
    assert np.all((alive > 0) & (alive < 1))
    assert np.all(alive[x == 0] < 1)  # unlike BG/NBD, a one-time buyer may have dropped out
    horizons = np.array([0.0, 13.0, 39.0, 78.0])[:, None]
    expected = mbgnbd.expected_purchases(fit.params, horizons, x[None, :], t_x[None, :], age[None, :])
    assert np.all(expected[0] == 0) and np.all(np.diff(expected, axis=0) >= 0)
    # E[Y(t)] <= P(alive) (r + x) t / (alpha + T): the purchase rate of an alive customer bounds it
    r, alpha = fit.params[:2]
    bound = alive * (r + x) * 39.0 / (alpha + age)
    assert np.all(expected[2] <= bound * (1 + 1e-9))
    # the total over CDNOW's customers in the next 39 weeks: within 5 % of BG/NBD's (1,577 against 1,653)
    bg = fit_bgnbd(x, t_x, age, time_unit="weeks")
    assert float(expected[2].sum()) == pytest.approx(
        float(expected_purchases(bg.params, 39.0, x, t_x, age).sum()), rel=0.05
    )


def test_weights_stand_for_repeated_customers(cdnow) -> None:
    x, t_x, age = (v[:400] for v in cdnow)
    twice = fit_paretonbd(np.r_[x, x], np.r_[t_x, t_x], np.r_[age, age], time_unit="weeks")
    weighted = fit_paretonbd(x, t_x, age, time_unit="weeks", weights=np.full(x.size, 2.0))
    np.testing.assert_allclose(weighted.params, twice.params, rtol=1e-6)
    assert weighted.log_likelihood == pytest.approx(twice.log_likelihood, rel=1e-9)


def _reference_hessian(f, theta: np.ndarray, h: float = 4e-3) -> np.ndarray:
    """An independent Hessian of f: central second differences at steps h and h/2, Richardson-extrapolated
    (error of order h^4; written here, not the fit's own code)."""

    def at(step: float) -> np.ndarray:
        k = theta.size
        out = np.zeros((k, k))
        for i in range(k):
            for j in range(k):
                e_i, e_j = np.eye(k)[i] * step, np.eye(k)[j] * step
                out[i, j] = (
                    f(theta + e_i + e_j) - f(theta + e_i - e_j) - f(theta - e_i + e_j) + f(theta - e_i - e_j)
                ) / (4 * step**2)
        return out

    return (16 * at(h / 2) - at(h)) / 15


@pytest.mark.parametrize("spec", [paretonbd.SPEC, mbgnbd.SPEC], ids=lambda s: s.model)
def test_standard_errors_are_those_of_the_observed_information(cdnow, spec) -> None:
    """The covariance of a fit whose gradient is a central difference (MBG/NBD, Pareto/NBD) is the inverse
    of the log-likelihood's Hessian at the optimum: standard errors within 1e-4 of an independent
    reference (measured: 2e-5, the hypergeometric terms' own rounding), where differences of the
    differenced gradient were ~1e-4 off the Hessian and 1.2 % (Pareto/NBD) and 0.26 % (MBG/NBD) off in
    the standard errors on CDNOW."""
    fit = spec.fit(*cdnow, time_unit="weeks")
    assert fit.converged and fit.covariance is not None
    x, t_x, big_t = cdnow
    theta = np.log(np.asarray(fit.params))
    hessian = _reference_hessian(lambda th: -float(np.sum(spec.row_log_likelihood(th, x, t_x, big_t))), theta)
    covariance = np.linalg.inv(hessian) * np.outer(fit.params, fit.params)  # of the parameters (delta method)
    np.testing.assert_allclose(fit.std_errors, np.sqrt(np.diag(covariance)), rtol=1e-4)
    np.testing.assert_allclose(np.array(fit.covariance), covariance, rtol=1e-3, atol=1e-6 * np.max(np.abs(covariance)))


def test_value_hessian_of_a_known_function() -> None:
    """optim.value_hessian (second differences of values) against a closed-form Hessian."""
    from salesperf.clv.optim import value_hessian

    def f(t: np.ndarray) -> float:
        return float(np.exp(t[0] + 2 * t[1]) + t[0] ** 2 * t[2] + np.sin(t[2] * t[3]) + np.log1p(t[3] ** 2))

    t = np.array([0.3, -0.2, 1.1, 0.7])
    a, s, c = np.exp(t[0] + 2 * t[1]), np.sin(t[2] * t[3]), np.cos(t[2] * t[3])
    exact = np.array(
        [
            [a + 2 * t[2], 2 * a, 2 * t[0], 0.0],
            [2 * a, 4 * a, 0.0, 0.0],
            [2 * t[0], 0.0, -(t[3] ** 2) * s, c - t[2] * t[3] * s],
            [0.0, 0.0, c - t[2] * t[3] * s, -(t[2] ** 2) * s + (2 - 2 * t[3] ** 2) / (1 + t[3] ** 2) ** 2],
        ]
    )
    got = value_hessian(f, t)
    np.testing.assert_allclose(got, got.T)
    np.testing.assert_allclose(got, exact, atol=1e-6)
