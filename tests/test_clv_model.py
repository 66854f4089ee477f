"""The CLV model module (salesperf.clv): parameter recovery, numerics, predictions, fallbacks.

Parameter recovery: customers simulated from BG/NBD and Gamma-Gamma with known parameters
(20,000 customers observed 52-104 weeks, fixed seeds) must give back every parameter within the
stated relative tolerance, on two parameter sets each. The tolerances are about 3 standard
errors at this sample size: the dropout parameters a and b are the least precise.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from salesperf.clv import (
    ClvSettings,
    attach_segments,
    bgnbd,
    discounted_clv,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_models,
    gamma_gamma,
    population_expected_purchases,
    predict,
    predict_snapshots,
    probability_alive,
    purchases_from_lines,
    run_snapshots,
    summarize,
)
from salesperf.clv.bgnbd import BGNBDParams
from salesperf.clv.gamma_gamma import GammaGammaParams

N_CUSTOMERS = 20_000

# (parameters, relative tolerance of each parameter)
BGNBD_SETS = [
    pytest.param(BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426), (0.10, 0.10, 0.20, 0.20), id="cdnow-like"),
    pytest.param(BGNBDParams(r=2.0, alpha=8.0, a=0.5, b=4.0), (0.10, 0.10, 0.20, 0.20), id="frequent-buyers"),
]
GAMMA_GAMMA_SETS = [
    pytest.param(GammaGammaParams(p=6.25, q=3.74, gamma=15.44), (0.15, 0.15, 0.20), id="cdnow-like"),
    pytest.param(GammaGammaParams(p=2.0, q=5.0, gamma=400.0), (0.15, 0.15, 0.20), id="dispersed-spend"),
]


def _simulate(params: BGNBDParams, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return bgnbd.simulate(params, rng.uniform(52, 104, N_CUSTOMERS), rng)


@pytest.mark.parametrize(("true", "tolerance"), BGNBD_SETS)
def test_bgnbd_recovers_parameters(true: BGNBDParams, tolerance: tuple[float, ...]) -> None:
    x, t_x, age = _simulate(true, seed=2024)
    fit = fit_bgnbd(x, t_x, age, time_unit="weeks")
    assert fit.converged, fit.message
    assert fit.n_customers == N_CUSTOMERS
    got = fit.params.as_array()
    for name, want, value, tol in zip(("r", "alpha", "a", "b"), true.as_array(), got, tolerance, strict=True):
        assert abs(value / want - 1) <= tol, f"{name}: fitted {value:.4f}, true {want}, tolerance {tol:.0%}"
    # the maximum-likelihood fit is at least as likely as the true parameters
    assert fit.log_likelihood >= bgnbd.log_likelihood(true, x, t_x, age) - 1e-6


@pytest.mark.parametrize(("true", "tolerance"), GAMMA_GAMMA_SETS)
def test_gamma_gamma_recovers_parameters(true: GammaGammaParams, tolerance: tuple[float, ...]) -> None:
    rng = np.random.default_rng(7)
    frequency = rng.integers(0, 12, N_CUSTOMERS).astype(float)
    monetary = gamma_gamma.simulate(true, frequency, rng)
    fit = fit_gamma_gamma(frequency, monetary)
    assert fit.converged, fit.message
    assert fit.n_customers == int((frequency > 0).sum())
    for name, want, value, tol in zip(
        ("p", "q", "gamma"), true.as_array(), fit.params.as_array(), tolerance, strict=True
    ):
        assert abs(value / want - 1) <= tol, f"{name}: fitted {value:.4f}, true {want}, tolerance {tol:.0%}"
    assert fit.log_likelihood >= gamma_gamma.log_likelihood(true, frequency, monetary) - 1e-6


def test_log_likelihood_gradients_match_finite_differences() -> None:
    x, t_x, age = _simulate(BGNBDParams(0.5, 6.0, 0.9, 3.0), seed=1)
    theta = np.log([0.7, 4.0, 1.3, 2.0])
    _, grad = bgnbd._ll_and_grad(theta, x, t_x, age)
    eps = 1e-6
    for k in range(4):
        step = np.zeros(4)
        step[k] = eps
        up = bgnbd._ll_and_grad(theta + step, x, t_x, age, want_grad=False)[0].sum()
        down = bgnbd._ll_and_grad(theta - step, x, t_x, age, want_grad=False)[0].sum()
        assert grad[k].sum() == pytest.approx((up - down) / (2 * eps), rel=1e-5)
    freq = np.array([1.0, 2.0, 5.0, 9.0])
    money = np.array([10.0, 35.0, 20.0, 12.5])
    theta = np.log([2.0, 3.0, 15.0])
    _, grad = gamma_gamma._ll_and_grad(theta, freq, money)
    for k in range(3):
        step = np.zeros(3)
        step[k] = eps
        up = gamma_gamma._ll_and_grad(theta + step, freq, money, want_grad=False)[0].sum()
        down = gamma_gamma._ll_and_grad(theta - step, freq, money, want_grad=False)[0].sum()
        assert grad[k].sum() == pytest.approx((up - down) / (2 * eps), rel=1e-5)


def test_p_alive_is_one_without_repeat_purchase() -> None:
    params = BGNBDParams(0.3, 5.0, 0.8, 2.5)
    alive = probability_alive(params, [0, 0, 0, 2], [0, 0, 0, 1], [0, 10, 500, 100])
    assert alive[:3].tolist() == [1.0, 1.0, 1.0]
    assert 0 < alive[3] < 1
    # the longer since the last purchase, the less likely alive
    later = probability_alive(params, [3, 3], [5, 5], [10, 60])
    assert later[0] > later[1]


@pytest.mark.parametrize("a", [0.3, 0.999999, 1.0, 1.0000001, 4.0])
def test_expected_purchases_increase_with_horizon(a: float) -> None:
    params = BGNBDParams(0.8, 2.0, a, 2.5)
    horizons = np.array([0.0, 1.0, 4.0, 13.0, 52.0, 156.0, 1e3, 1e4, 1e6])[:, None]
    x = np.array([0.0, 0.0, 3.0, 40.0, 150.0])[None, :]
    t_x = np.array([0.0, 0.0, 10.0, 90.0, 99.0])[None, :]
    age = np.array([0.0, 50.0, 20.0, 100.0, 100.0])[None, :]
    e = expected_purchases(params, horizons, x, t_x, age)
    assert np.all(np.isfinite(e))
    assert np.all(e[0] == 0)
    assert np.all(np.diff(e, axis=0) > 0)


def _integral(params: BGNBDParams, t: float, x: float, t_x: float, age: float) -> float:
    """E[Y(t) | x, t_x, T] by adaptive quadrature of its integral form (reference values).

    For a < 1 the Beta density is singular at 0: integrate over s = p^a instead (smooth)."""
    r, alpha, a, b = params.as_array()
    beta = b + x
    k = r + x
    log_norm = special.betaln(a, beta)

    def g(p: float) -> float:
        return -math.expm1(-k * math.log1p(p * t / (alpha + age))) / p

    cuts_p = [0.0, 1.0, *stats.beta(a, beta).ppf([1e-10, 1e-4, 0.01, 0.5, 0.99, 1 - 1e-4]).tolist()]
    if a < 1:

        def f(s: float) -> float:
            p = s ** (1.0 / a)
            return g(p) * math.exp((beta - 1.0) * math.log1p(-p) - log_norm) / a if 0 < p < 1 else 0.0

        cuts = sorted({c**a for c in cuts_p})
    else:

        def f(p: float) -> float:
            return g(p) * math.exp((a - 1.0) * math.log(p) + (beta - 1.0) * math.log1p(-p) - log_norm)

        cuts = sorted(set(cuts_p))
    total = sum(
        integrate.quad(f, lo, hi, limit=400, epsrel=1e-12, epsabs=0)[0]
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=False)
        if hi > lo
    )
    return total * float(probability_alive(params, [x], [t_x], [age])[0])


@pytest.mark.parametrize(
    "params",
    [
        BGNBDParams(0.8, 2.0, 1.0, 2.5),  # a = 1: the closed form is 0/0
        BGNBDParams(0.8, 2.0, 1.00002, 2.5),
        BGNBDParams(0.5, 3.0, 0.3, 150.0),
        BGNBDParams(0.93, 5.0, 915.0, 26600.0),  # nearly homogeneous dropout (Jacobi weights overflow)
        BGNBDParams(0.24, 4.4, 0.79, 2.4),
    ],
)
@pytest.mark.parametrize("t", [4.3, 156.0, 1e6])
def test_expected_purchases_match_the_integral(params: BGNBDParams, t: float) -> None:
    for x, t_x, age in ((0, 0, 0), (3, 10, 20), (150, 99, 100)):
        got = expected_purchases(params, t, [x], [t_x], [age])[0]
        assert got == pytest.approx(_integral(params, t, x, t_x, age), rel=1e-5)


def test_closed_form_agrees_with_quadrature_away_from_a_equal_one() -> None:
    params = BGNBDParams(0.24, 4.4, 0.79, 2.4)
    x, t_x, age = _simulate(params, seed=3)
    x, t_x, age = x[:500], t_x[:500], age[:500]
    closed = expected_purchases(params, 39.0, x, t_x, age, method="closed_form")
    quad = expected_purchases(params, 39.0, x, t_x, age, method="quadrature")
    np.testing.assert_allclose(closed, quad, rtol=1e-8)


def test_population_expectation_matches_simulation() -> None:
    params = BGNBDParams(0.6, 5.0, 0.7, 3.0)
    rng = np.random.default_rng(11)
    x, _, _ = bgnbd.simulate(params, np.full(100_000, 26.0), rng)
    assert population_expected_purchases(params, 26.0) == pytest.approx(x.mean(), rel=0.03)


def test_conditional_expected_spend_is_the_weighted_mean() -> None:
    params = GammaGammaParams(p=2.0, q=3.0, gamma=100.0)
    got = gamma_gamma.conditional_expected_spend(params, [0, 1, 4], [np.nan, 80.0, 120.0])
    assert params.population_mean == 100.0
    assert got[0] == 100.0
    assert got[1] == pytest.approx(2 * (100 + 80) / (2 + 3 - 1))
    assert got[2] == pytest.approx(2 * (100 + 480) / (8 + 3 - 1))


def test_discounted_clv() -> None:
    params = BGNBDParams(0.8, 6.0, 0.9, 3.0)
    x, t_x, age = np.array([0.0, 4.0]), np.array([0.0, 30.0]), np.array([20.0, 40.0])
    margin = np.array([100.0, -50.0])
    total, undiscounted = discounted_clv(
        params, x, t_x, age, margin, time_unit="weeks", horizon_months=36, monthly_discount_rate=0.0
    )
    horizon = expected_purchases(params, 36 * 365.25 / 12 / 7, x, t_x, age)
    np.testing.assert_allclose(total, horizon, rtol=1e-9)
    np.testing.assert_allclose(undiscounted, horizon * margin, rtol=1e-9)
    _, discounted = discounted_clv(
        params, x, t_x, age, margin, time_unit="weeks", horizon_months=36, monthly_discount_rate=0.01
    )
    assert 0 < discounted[0] < undiscounted[0]
    assert undiscounted[1] < discounted[1] < 0  # a negative margin gives a negative CLV
    # the same customers in days give the same CLV (time unit is only a scale of alpha)
    days = BGNBDParams(params.r, params.alpha * 7, params.a, params.b)
    _, in_days = discounted_clv(
        days, x, t_x * 7, age * 7, margin, time_unit="days", horizon_months=36, monthly_discount_rate=0.01
    )
    np.testing.assert_allclose(in_days, discounted, rtol=1e-9)


def test_time_unit_is_always_explicit() -> None:
    with pytest.raises(TypeError):
        ClvSettings()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="time_unit"):
        ClvSettings(time_unit="fortnights")
    with pytest.raises(TypeError):
        fit_bgnbd([1.0], [1.0], [2.0])  # type: ignore[call-arg]


# ---------------------------------------------------------------- from order lines to snapshots


def _lines(rows: list[tuple[str, str, str, float, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "net_sales", "gross_profit"])


def test_summary_counts_purchase_days() -> None:
    lines = _lines(
        [
            ("C1", "O1", "2024-01-01", 100.0, 40.0),
            ("C1", "O2", "2024-01-01", 50.0, None),  # same day: one purchase of 150
            ("C1", "O3", "2024-01-15", 0.0, 0.0),  # $0 order: a purchase of $0
            ("C1", "O4", "2024-01-29", -30.0, -10.0),  # return: not a purchase
            ("C1", "O5", "2024-02-12", 60.0, 30.0),
            ("C1", "O6", "2024-03-01", 500.0, 100.0),  # after the as-of date
            ("C2", "O7", "2024-02-05", 80.0, None),
        ]
    )
    purchases = purchases_from_lines(lines)
    summary = summarize(purchases, date(2024, 2, 26), time_unit="weeks").set_index("customer_id")
    c1 = summary.loc["C1"]
    # purchase days 01-01 ($150), 01-15 ($0), 02-12 ($60): x = 2, t_x = 6 weeks, T = 8 weeks
    assert (c1["n_purchases"], c1["frequency"], c1["recency"], c1["age"]) == (3, 2.0, 6.0, 8.0)
    # monetary = mean of the repeat days ($0 and $60); interval = 42 days / 2
    assert c1["monetary"] == 30.0 and c1["total_spend"] == 210.0 and c1["mean_interpurchase_days"] == 21.0
    assert c1["margin_rate"] == pytest.approx(70.0 / 160.0)  # only lines with a cost
    c2 = summary.loc["C2"]
    assert c2["frequency"] == 0 and np.isnan(c2["monetary"]) and np.isnan(c2["margin_rate"])


def _random_lines(n_customers: int, seed: int, repeat: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    order = 0
    for c in range(n_customers):
        first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))
        days = [first]
        if repeat:
            days += [first + pd.Timedelta(days=int(d)) for d in np.cumsum(rng.integers(5, 90, rng.integers(0, 8)))]
        for d in days:
            order += 1
            spend = float(rng.gamma(2.0, 100.0)) + 1.0
            rows.append((f"C{c}", f"O{order}", d.strftime("%Y-%m-%d"), spend, spend * 0.3))
    return _lines(rows)


def _assert_no_nan(predictions: pd.DataFrame) -> None:
    for column in ("p_alive", "expected_purchases", "expected_spend_per_purchase", "clv_predicted"):
        assert predictions[column].notna().all(), column
        assert np.isfinite(predictions[column].to_numpy(float)).all(), column


def test_segment_without_repeat_buyers_falls_back_to_pooled(caplog: pytest.LogCaptureFixture) -> None:
    lines = pd.concat(
        [
            _random_lines(400, seed=5),
            _random_lines(150, seed=6, repeat=False).assign(
                customer_id=lambda d: "N" + d["customer_id"], order_id=lambda d: "N" + d["order_id"]
            ),
        ]
    )
    segments = pd.DataFrame({"customer_id": lines["customer_id"].unique()})
    segments["segment"] = np.where(segments["customer_id"].str.startswith("N"), "B2C", "B2B")
    segments = segments[~segments["customer_id"].isin(["C1", "C2", "C3"])]  # no account row: 'unknown'

    settings = ClvSettings(time_unit="weeks", min_customers_per_segment=100, min_repeat_buyers=20)
    summary = attach_segments(summarize(purchases_from_lines(lines), date(2024, 6, 30), time_unit="weeks"), segments)
    with caplog.at_level(logging.INFO, logger="salesperf.clv"):
        models = fit_models(summary, settings)
    assert models["B2B"].bgnbd_source == "segment_fit"
    assert models["B2C"].bgnbd_source == "pooled_fit"
    assert models["B2C"].gg_source == "pooled_fit"
    assert models["unknown"].bgnbd_source == "pooled_fit"
    assert any("B2C" in r.getMessage() and "pooled fit used" in r.getMessage() for r in caplog.records)
    predictions = predict(summary, models, settings)
    _assert_no_nan(predictions)
    no_repeat = predictions[predictions["segment"] == "B2C"]
    assert (no_repeat["p_alive"] == 1.0).all()


def test_zero_value_orders_and_no_repeat_buyers_at_all(caplog: pytest.LogCaptureFixture) -> None:
    lines = _random_lines(50, seed=8, repeat=False)
    zero = lines.assign(order_id=lambda d: d["order_id"] + "z", net_sales=0.0, gross_profit=0.0)
    returns = lines.assign(
        order_id=lambda d: d["order_id"] + "r", net_sales=-5.0, gross_profit=-1.0, order_date="2024-01-05"
    ).assign(order_type="return")
    purchases = purchases_from_lines(pd.concat([lines.assign(order_type="sale"), zero, returns]))
    assert len(purchases) == 50  # a $0 order on the day of a purchase adds $0 to it; returns are not purchases
    assert purchases["spend"].sum() == pytest.approx(lines["net_sales"].sum())
    settings = ClvSettings(time_unit="days")
    with caplog.at_level(logging.WARNING, logger="salesperf.clv"):
        fits, predictions = run_snapshots(purchases, None, [date(2024, 3, 31)], settings)
    assert fits.loc[fits["segment"] == "pooled", "bgnbd_source"].item() == "naive_rate"
    assert fits.loc[fits["segment"] == "pooled", "gamma_gamma_source"].item() == "segment_mean_spend"
    assert "naive repeat rate" in fits.loc[fits["segment"] == "pooled", "message"].item()
    assert caplog.records, "the fallback is logged"
    _assert_no_nan(predictions)
    assert (predictions["expected_purchases"] == 0).all()


def test_single_customer() -> None:
    lines = _lines(
        [
            ("C1", "O1", "2024-01-01", 100.0, 30.0),
            ("C1", "O2", "2024-02-01", 120.0, 30.0),
            ("C1", "O3", "2024-03-04", 90.0, None),
        ]
    )
    fits, predictions = run_snapshots(
        purchases_from_lines(lines),
        pd.DataFrame({"customer_id": ["C1"], "segment": ["B2B"]}),
        [date(2024, 1, 31), date(2024, 3, 31)],
        ClvSettings(time_unit="weeks"),
    )
    assert len(predictions) == 2
    assert set(fits["bgnbd_source"]) == {"naive_rate"}
    _assert_no_nan(predictions)
    last = predictions.iloc[-1]
    assert last["margin_rate"] == pytest.approx(60.0 / 220.0)
    assert last["clv_predicted"] > 0


def test_snapshots_use_only_history_up_to_each_date() -> None:
    lines = _random_lines(300, seed=9)
    purchases = purchases_from_lines(lines)
    dates = [date(2023, 6, 30), date(2023, 12, 31)]
    settings = ClvSettings(time_unit="weeks", min_customers_per_segment=50)
    fits, predictions = run_snapshots(purchases, None, dates, settings)
    assert sorted(set(fits["as_of_date"].dt.date)) == dates
    early = predictions[predictions["as_of_date"] == dates[0]]
    assert (pd.to_datetime(early["last_purchase_date"]) <= pd.Timestamp(dates[0])).all()
    assert len(early) < len(predictions[predictions["as_of_date"] == dates[1]])
    _assert_no_nan(predictions)
    # a later snapshot scored with an earlier fit (quarterly refits) keeps that fit's parameters
    first_fit = fits[fits["as_of_date"].dt.date == dates[0]]
    later = predict_snapshots(purchases, None, first_fit, settings, [date(2023, 9, 30)])
    assert set(later["fit_as_of_date"]) == {dates[0]}


def test_zero_dollar_orders_are_purchases_of_zero() -> None:
    """One meaning of a $0 order (README, CLV): a purchase for frequency, recency and age that adds
    $0 to spend; a customer with only $0 orders is in the BG/NBD input with x = 0. Hand-computed."""
    lines = _lines(
        [
            ("Z1", "O1", "2024-01-08", 0.0, 0.0),  # a free sample, the customer's only order
            ("Z2", "O2", "2024-01-01", 0.0, 0.0),  # free first order
            ("Z2", "O3", "2024-01-22", 90.0, 30.0),
            ("Z2", "O4", "2024-02-05", 0.0, None),  # free repeat order (no cost known)
            ("Z3", "O5", "2024-01-01", 40.0, 10.0),
            ("Z3", "O6", "2024-01-29", 0.0, 0.0),  # the only repeat purchases are $0
            ("Z3", "O7", "2024-02-12", 0.0, 0.0),
            ("Z4", "O8", "2024-01-15", -20.0, -5.0),  # only a return: not a customer of the model
        ]
    ).assign(order_type=["sale"] * 7 + ["return"])
    summary = summarize(purchases_from_lines(lines), date(2024, 2, 26), time_unit="weeks").set_index("customer_id")
    assert sorted(summary.index) == ["Z1", "Z2", "Z3"]
    z1, z2, z3 = summary.loc["Z1"], summary.loc["Z2"], summary.loc["Z3"]
    assert (z1["frequency"], z1["recency"], z1["age"], z1["total_spend"]) == (0.0, 0.0, 7.0, 0.0)
    assert np.isnan(z1["monetary"])
    # Z2: days 01-01 ($0), 01-22 ($90), 02-05 ($0): x = 2, t_x = 5 weeks, T = 8 weeks, m = 45
    assert (z2["frequency"], z2["recency"], z2["age"], z2["monetary"]) == (2.0, 5.0, 8.0, 45.0)
    assert z2["margin_rate"] == pytest.approx(30.0 / 90.0)
    # Z3: x = 2 repeat purchases of $0: m = 0
    assert (z3["frequency"], z3["recency"], z3["monetary"]) == (2.0, 6.0, 0.0)
    gg = GammaGammaParams(p=2.0, q=3.0, gamma=100.0)
    spend = gamma_gamma.conditional_expected_spend(gg, summary["frequency"], summary["monetary"])
    # x = 0: the population mean p gamma / (q - 1); m = 0: p gamma / (p x + q - 1) = 200 / 6
    assert spend.tolist() == pytest.approx([100.0, 2 * (100 + 90) / (4 + 2), 200.0 / 6])
    fit = fit_gamma_gamma(summary["frequency"], summary["monetary"])
    assert fit.n_customers == 1 and fit.n_dropped == 1  # m = 0 is not in the Gamma-Gamma fit


def _no_dropout_lines(n_customers: int, seed: int) -> pd.DataFrame:
    """Customers who never drop out (the NBD: Poisson purchases at a Gamma(1.5, 10 weeks) rate)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c, rate in enumerate(rng.gamma(1.5, 1 / 10.0, n_customers)):  # purchases per week
        first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 200)))
        day = 0.0
        days = [0]
        while (day := day + rng.exponential(7.0 / rate)) < (pd.Timestamp("2024-06-30") - first).days:
            days.append(int(day))
        for k, d in enumerate(sorted(set(days))):
            spend = float(rng.gamma(2.0, 100.0)) + 1.0
            rows.append((f"C{c}", f"O{c}-{k}", (first + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), spend, spend / 3))
    return _lines(rows)


def test_a_fit_on_the_no_dropout_edge_is_the_segments_fit_not_a_fallback() -> None:
    """Without visible dropout the BG/NBD likelihood is flat towards a -> 0 (its supremum is there);
    a fit that ends on a's lower bound is that limit (the NBD), not a degenerate fit: the segment keeps
    it, and its predictions are those of an interior point of the same flat edge. (It used to be
    called degenerate and replaced by the pooled fit: predictions jumped by up to 72 % between two
    fits of equal likelihood, see CHANGELOG.)"""
    lines = _no_dropout_lines(600, seed=11)
    segments = pd.DataFrame({"customer_id": lines["customer_id"].unique(), "segment": "B2B"})
    settings = ClvSettings(time_unit="weeks", min_customers_per_segment=100, min_repeat_buyers=20)
    summary = attach_segments(summarize(purchases_from_lines(lines), date(2024, 6, 30), time_unit="weeks"), segments)
    interior = fit_models(summary, settings)
    own = interior["B2B"]
    assert own.bgnbd_source == "segment_fit" and own.bgnbd.a < 1e-2  # on the flat edge, inside
    # the previous month's fit (the warm start) on the bound a = e^-12, where the likelihood is highest
    edge = BGNBDParams(own.bgnbd.r, own.bgnbd.alpha, math.exp(-12.0), own.bgnbd.b)
    previous = {k: dataclasses.replace(m, bgnbd=edge) if k == "B2B" else m for k, m in interior.items()}
    refit = fit_models(summary, settings, previous)["B2B"]
    assert refit.bgnbd_source == "segment_fit" and refit.bgnbd_converged
    assert refit.bgnbd.a == pytest.approx(math.exp(-12.0), rel=1e-6)
    assert "a limit of the dropout distribution" in " ".join(refit.messages)
    assert refit.bgnbd_log_likelihood >= own.bgnbd_log_likelihood - 1e-6
    x, t_x, age = (summary[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    for fn in (probability_alive, lambda p, *a: expected_purchases(p, 39.0, *a)):
        np.testing.assert_allclose(fn(refit.bgnbd, x, t_x, age), fn(own.bgnbd, x, t_x, age), rtol=2e-3)


@pytest.mark.parametrize(
    ("log_params", "degenerate", "limit"),
    [
        (
            (0.1, 2.0, -12.0, 5.0),
            False,
            "a at its lower bound: a limit of the dropout distribution (no dropout, or at once)",
        ),
        ((0.1, 2.0, 12.0, 12.0), False, "homogeneous"),
        ((0.1, 2.0, 1.0, 12.0), False, "homogeneous"),
        ((0.1, 2.0, 1.0, 5.0), False, None),
        ((-12.0, 2.0, 1.0, 5.0), True, None),  # r -> 0
        ((0.1, 12.0, 1.0, 5.0), True, None),  # alpha -> infinity
        ((0.1, 2.0, 1.0, -12.0), True, None),  # b -> 0: everyone drops out at once
    ],
)
def test_bound_verdict_of_the_dropout_models(log_params, degenerate: bool, limit: str | None) -> None:
    from salesperf.clv.optim import bound_verdict

    verdict = bound_verdict(np.array(log_params), (-12.0, 12.0), ("a", "b"), "homogeneous")
    assert verdict == (degenerate, limit)
