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


SPEC = RepeatModelSpec("mbgnbd", NAMES, row_log_likelihood, _SHAPES)
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
