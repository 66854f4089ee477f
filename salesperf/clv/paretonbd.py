"""Pareto/NBD (Schmittlein, Morrison and Colombo 1987), in the form of Fader and Hardie (2005, note 009).

While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); the lifetime is exponential
with rate mu ~ Gamma(s, beta) (time unit of alpha and beta: the data's). Per customer (x, t_x, T):

    L = Gamma(r + x) alpha^r beta^s / Gamma(r)
        x [ 1 / ((alpha + T)^(r + x) (beta + T)^s) + s / (r + s + x) A0 ]

    A0 = 2F1(r + s + x, c; r + s + x + 1; |alpha - beta| / (max + t_x)) / (max + t_x)^(r + s + x)
       - 2F1(r + s + x, c; r + s + x + 1; |alpha - beta| / (max + T)) / (max + T)^(r + s + x)

with max = max(alpha, beta) and c = s + 1 when alpha >= beta, c = r + x otherwise: the argument
of the hypergeometric function stays in [0, 1) and the series converges (the form of lifetimes
and BTYD). The difference A0 is taken in log space (log(e^u - e^v) = u + log(-expm1(v - u))), so
nothing overflows for many purchases or long ages; A0 = 0 when t_x = T.

    P(alive) = 1 / (1 + s / (r + s + x) (alpha + T)^(r + x) (beta + T)^s A0)
    E[Y(t) | x, t_x, T] = P(alive) (r + x) (beta + T) / ((alpha + T) (s - 1))
                          x [1 - ((beta + T) / (beta + T + t))^(s - 1)]

the last with its limit (r + x) (beta + T) / (alpha + T) log((beta + T + t) / (beta + T)) at s = 1,
computed with expm1 so that s near 1 is exact.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from salesperf.clv import bgnbd
from salesperf.clv.btyd import _GRADIENT_STEP, RepeatModelSpec
from salesperf.clv.grouping import distinct_rows

NAMES = ("r", "alpha", "s", "beta")
_SHAPES = ((1.0, 1.0, 10.0), (0.5, 0.5, 5.0), (2.0, 2.0, 30.0))


def _log_hyp_term(r, alpha, s, beta, x, t) -> np.ndarray:
    """log 2F1(r + s + x, c; r + s + x + 1; |alpha - beta| / (max + t)) - (r + s + x) log(max + t)."""
    rsx = r + s + x
    if alpha >= beta:
        top, c = alpha, s + 1.0
    else:
        top, c = beta, r + x
    gap = abs(alpha - beta)
    return np.log(special.hyp2f1(rsx, c, rsx + 1.0, gap / (top + t))) - rsx * np.log(top + t)


def distinct_pairs(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> dict:
    """The distinct (x, t_x) and (x, T) pairs of the rows and each row's position among them: the
    hypergeometric terms of A0 depend on one pair each (customers share them far more often than
    the whole (x, t_x, T)), so a fit computes them once per pair (``pairs`` of :func:`row_log_likelihood`)."""
    out = {}
    for key, t in (("recency", t_x), ("age", big_t)):
        (pair_x, pair_t), inverse = distinct_rows(x, t)
        out[key] = (pair_x, pair_t, inverse)
    return {"pairs": out}


def _log_a0(r, alpha, s, beta, x, t_x, big_t, pairs: dict | None = None) -> np.ndarray:
    """log A0 (see the module docstring); -inf where t_x = T. ``pairs`` (from :func:`distinct_pairs`
    of the same rows): each hypergeometric term once per distinct pair, elementwise the same values."""
    with np.errstate(all="ignore"):
        if pairs is None:
            u = _log_hyp_term(r, alpha, s, beta, x, t_x)
            v = _log_hyp_term(r, alpha, s, beta, x, big_t)
        else:
            xr, tr, ir = pairs["recency"]
            xa, ta, ia = pairs["age"]
            u = _log_hyp_term(r, alpha, s, beta, xr, tr)[ir]
            v = _log_hyp_term(r, alpha, s, beta, xa, ta)[ia]
        return u + np.log(-np.expm1(v - u))


def row_log_likelihood(
    theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, pairs: dict | None = None
) -> np.ndarray:
    """Log-likelihood of each (x, t_x, T) at theta = log(r, alpha, s, beta) (``pairs``: see :func:`_log_a0`)."""
    r, alpha, s, beta = np.exp(theta)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    dead = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, big_t, pairs)
    return head + np.logaddexp(alive, dead)


def _log_hyp_term_and_slopes(r, alpha, s, beta, x, t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_log_hyp_term` and its derivatives in alpha and beta. These enter only through the
    argument z = |alpha - beta| / (max + t) and the power of (max + t), and dF/dz = a b / c
    2F1(a + 1, b + 1; c + 1; z). At alpha = beta either form is exact on its side, so its slope is the
    one-sided derivative, which is the derivative (the term is smooth in alpha and beta)."""
    rsx = r + s + x
    if alpha >= beta:
        top, c = alpha, s + 1.0
        dz = ((beta + t) / (alpha + t) ** 2, -1.0 / (alpha + t))
        dpower = (-rsx / (alpha + t), 0.0)
    else:
        top, c = beta, r + x
        dz = (-1.0 / (beta + t), (alpha + t) / (beta + t) ** 2)
        dpower = (0.0, -rsx / (beta + t))
    z = abs(alpha - beta) / (top + t)
    value = special.hyp2f1(rsx, c, rsx + 1.0, z)
    slope = rsx * c / (rsx + 1.0) * special.hyp2f1(rsx + 1.0, c + 1.0, rsx + 2.0, z) / value
    term = np.log(value) - rsx * np.log(top + t)
    return term, slope * dz[0] + dpower[0], slope * dz[1] + dpower[1]


def row_log_likelihood_and_gradient(
    theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, pairs: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`row_log_likelihood` and its gradient (4, n) over theta = log(r, alpha, s, beta).

    r and s also set the hypergeometric function's parameters, whose derivatives have no closed
    form: their slopes are central differences of :func:`row_log_likelihood` (step 1e-6 in log
    space, as for the whole gradient before). alpha and beta are analytic
    (:func:`_log_hyp_term_and_slopes`): one more hypergeometric term per pair instead of four."""
    if pairs is None:
        pairs = distinct_pairs(x, t_x, big_t)["pairs"]
    r, alpha, s, beta = np.exp(theta)
    gradient = np.empty((4, x.size))
    for i in (0, 2):
        step = np.zeros(4)
        step[i] = _GRADIENT_STEP
        up = row_log_likelihood(theta + step, x, t_x, big_t, pairs)
        gradient[i] = (up - row_log_likelihood(theta - step, x, t_x, big_t, pairs)) / (2 * _GRADIENT_STEP)
    with np.errstate(all="ignore"):
        xr, tr, ir = pairs["recency"]
        xa, ta, ia = pairs["age"]
        u, du_alpha, du_beta = (part[ir] for part in _log_hyp_term_and_slopes(r, alpha, s, beta, xr, tr))
        v, dv_alpha, dv_beta = (part[ia] for part in _log_hyp_term_and_slopes(r, alpha, s, beta, xa, ta))
        ratio = np.exp(v - u)  # A0 = e^u (1 - ratio); ratio = 1 where t_x = T (A0 = 0)
        head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        dead = np.log(s) - np.log(r + s + x) + u + np.log(-np.expm1(v - u))
        total = np.logaddexp(alive, dead)
        p_dead = np.exp(dead - total)
        p_alive = 1.0 - p_dead
        d_alpha = np.where(p_dead > 0, (du_alpha - ratio * dv_alpha) / (1.0 - ratio), 0.0)
        d_beta = np.where(p_dead > 0, (du_beta - ratio * dv_beta) / (1.0 - ratio), 0.0)
    gradient[1] = alpha * (r / alpha - p_alive * (r + x) / (alpha + big_t) + p_dead * d_alpha)
    gradient[3] = beta * (s / beta - p_alive * s / (beta + big_t) + p_dead * d_beta)
    return head + total, gradient


SPEC = RepeatModelSpec(
    "paretonbd",
    NAMES,
    row_log_likelihood,
    _SHAPES,
    prepare=distinct_pairs,
    row_log_likelihood_and_gradient=row_log_likelihood_and_gradient,
)
log_likelihood = SPEC.log_likelihood
fit_paretonbd = SPEC.fit


def probability_alive(params, frequency, recency, age) -> np.ndarray:
    """P(alive at T | x, t_x, T)."""
    x, t_x, big_t = bgnbd._as_arrays(frequency, recency, age)
    r, alpha, s, beta = (float(v) for v in params)
    log_ratio = (
        np.log(s)
        - np.log(r + s + x)
        + (r + x) * np.log(alpha + big_t)
        + s * np.log(beta + big_t)
        + _log_a0(r, alpha, s, beta, x, t_x, big_t, distinct_pairs(x, t_x, big_t)["pairs"])
    )
    return special.expit(-log_ratio)


def expected_purchases(params, t, frequency, recency, age) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T]; ``t`` broadcasts against the customer arrays."""
    x, t_x, big_t = bgnbd._as_arrays(frequency, recency, age)
    rate, factor = _rate_and_factor(params, t, x, big_t)
    return np.maximum(probability_alive(params, x, t_x, big_t) * rate * factor, 0.0)


def expected_purchases_if_alive(params, t, frequency, age) -> np.ndarray:
    """E[purchases in (T, T + t] | alive at T, x, T]: :func:`expected_purchases` without the P(alive)
    factor, which alone depends on the recency."""
    x, _, big_t = bgnbd._as_arrays(frequency, age, age)
    rate, factor = _rate_and_factor(params, t, x, big_t)
    return np.maximum(rate * factor, 0.0)


def _rate_and_factor(params, t, x: np.ndarray, big_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(r + x) (beta + T) / (alpha + T) and (1 - ((beta + T) / (beta + T + t))^(s - 1)) / (s - 1)."""
    t = np.asarray(t, dtype=float)
    if np.any(t < 0) or np.any(~np.isfinite(t)):
        raise ValueError("horizon t must be finite and >= 0")
    r, alpha, s, beta = (float(v) for v in params)
    log_q = np.log(beta + big_t) - np.log(beta + big_t + t)  # <= 0
    s1 = s - 1.0
    # (1 - q^(s - 1)) / (s - 1) = -expm1((s - 1) log q) / (s - 1), -> -log q at s = 1
    factor = -log_q if s1 == 0.0 else -np.expm1(s1 * log_q) / s1
    rate = (r + x) * (beta + big_t) / (alpha + big_t)
    return rate, factor


def population_expected_purchases(params, t) -> np.ndarray:
    """E[X(t)] of a new customer: r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]."""
    t = np.asarray(t, dtype=float)
    zeros = np.zeros_like(t)
    return expected_purchases(params, t, zeros, zeros, zeros)
