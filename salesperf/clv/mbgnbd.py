"""MBG/NBD, the modified BG/NBD of Batislam, Denizel and Filiztekin (2007).

As BG/NBD (:mod:`salesperf.clv.bgnbd`), but a customer may also drop out right after the first
purchase (BG/NBD lets only repeat purchases end a life): a customer without repeat purchase is no
longer certainly alive. Parameters r, alpha (purchase rate ~ Gamma(r, alpha), alpha in the time
unit) and a, b (dropout probability ~ Beta(a, b)). Per customer (x, t_x, T):

    L = Gamma(r + x) alpha^r / Gamma(r) x B(a, b + x + 1) / B(a, b)
        x [ (alpha + T)^-(r + x) + a / (b + x) (alpha + t_x)^-(r + x) ]

    P(alive) = 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x))

The conditional expected purchases are BG/NBD's with b + 1 in place of b (the posterior of the
dropout probability given alive is Beta(a, b + x + 1)) times MBG/NBD's P(alive); they are
computed with BG/NBD's closed form and quadrature fallback.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from salesperf.clv import bgnbd
from salesperf.clv.btyd import RepeatModelSpec

NAMES = ("r", "alpha", "a", "b")
_SHAPES = ((1.0, 1.0, 1.0), (0.5, 0.8, 3.0), (2.0, 2.0, 8.0))


def row_log_likelihood(theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """Log-likelihood of each (x, t_x, T) at theta = log(r, alpha, a, b)."""
    r, alpha, a, b = np.exp(theta)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    head = head + special.betaln(a, b + x + 1.0) - special.betaln(a, b)
    stays = -(r + x) * np.log(alpha + big_t)
    drops = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
    return head + np.logaddexp(stays, drops)


def row_log_likelihood_and_gradient(
    theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`row_log_likelihood` and its gradient (4, n) with respect to theta = log(r, alpha, a, b).

    With S = -(r + x) log(alpha + T), D = log a - log(b + x) - (r + x) log(alpha + t_x) and the weights
    p_S, p_D = softmax(S, D) of their log-sum (psi: digamma):
        d/dr     = psi(r + x) - psi(r) + log alpha - p_S log(alpha + T) - p_D log(alpha + t_x)
        d/dalpha = r / alpha - (r + x) (p_S / (alpha + T) + p_D / (alpha + t_x))
        d/da     = psi(a + b) - psi(a + b + x + 1) + p_D / a
        d/db     = psi(b + x + 1) - psi(a + b + x + 1) - psi(b) + psi(a + b) - p_D / (b + x)
    each times its parameter (the chain rule of the log scale)."""
    r, alpha, a, b = np.exp(theta)
    log_t = np.log(alpha + big_t)
    log_tx = np.log(alpha + t_x)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    head = head + special.betaln(a, b + x + 1.0) - special.betaln(a, b)
    stays = -(r + x) * log_t
    drops = np.log(a) - np.log(b + x) - (r + x) * log_tx
    total = np.logaddexp(stays, drops)
    p_d = np.exp(drops - total)
    p_s = 1.0 - p_d
    psi_abx1 = special.digamma(a + b + x + 1.0)
    psi_ab = special.digamma(a + b)
    gradient = np.empty((4, x.size))
    gradient[0] = r * (special.digamma(r + x) - special.digamma(r) + np.log(alpha) - p_s * log_t - p_d * log_tx)
    gradient[1] = r - alpha * (r + x) * (p_s / (alpha + big_t) + p_d / (alpha + t_x))
    gradient[2] = a * (psi_ab - psi_abx1) + p_d
    gradient[3] = b * (special.digamma(b + x + 1.0) - psi_abx1 - special.digamma(b) + psi_ab - p_d / (b + x))
    return head + total, gradient


SPEC = RepeatModelSpec(
    "mbgnbd", NAMES, row_log_likelihood, _SHAPES, row_log_likelihood_and_gradient=row_log_likelihood_and_gradient
)
log_likelihood = SPEC.log_likelihood
fit_mbgnbd = SPEC.fit


def probability_alive(params, frequency, recency, age) -> np.ndarray:
    """P(alive at T | x, t_x, T): below 1 also without a repeat purchase."""
    x, t_x, big_t = bgnbd._as_arrays(frequency, recency, age)
    r, alpha, a, b = (float(v) for v in params)
    log_ratio = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    return special.expit(-log_ratio)


def expected_purchases(params, t, frequency, recency, age) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T]; ``t`` broadcasts like in BG/NBD's function."""
    x, t_x, big_t = bgnbd._as_arrays(frequency, recency, age)
    r, alpha, a, b = (float(v) for v in params)
    shifted = bgnbd.BGNBDParams(r, alpha, a, b + 1.0)
    term_alive = bgnbd.probability_alive(shifted, x, t_x, big_t)
    with np.errstate(all="ignore"):
        per_alive = bgnbd.expected_purchases(shifted, t, x, t_x, big_t) / term_alive
    per_alive = np.where(np.isfinite(per_alive), per_alive, 0.0)
    return per_alive * probability_alive(params, x, t_x, big_t)


def expected_purchases_if_alive(params, t, frequency, age) -> np.ndarray:
    """E[purchases in (T, T + t] | alive at T, x, T]: :func:`expected_purchases` without the
    P(alive) factor (BG/NBD's with b + 1 in place of b), which alone depends on the recency."""
    r, alpha, a, b = (float(v) for v in params)
    return bgnbd.expected_purchases_if_alive(bgnbd.BGNBDParams(r, alpha, a, b + 1.0), t, frequency, age)
