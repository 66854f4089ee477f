"""BG/NBD ("beta-geometric / negative binomial distribution") repeat-purchase model.

Fader, Hardie and Lee (2005), "Counting your customers the easy way". While alive a customer
buys at the times of a Poisson process of rate ``lambda`` (heterogeneous: Gamma(r, alpha));
after each purchase the customer drops out for good with probability ``p`` (heterogeneous:
Beta(a, b)). The inputs per customer, all durations in one explicit time unit:

* ``frequency`` x: number of repeat purchases (purchases after the first one);
* ``recency`` t_x: time from the first to the last purchase (0 when x = 0);
* ``age`` T: time from the first purchase to the end of the observation (the as-of date).

The likelihood is computed in log space (``gammaln``, ``betaln``, ``logaddexp``) and maximised
over the logs of the four parameters with L-BFGS-B and the analytic gradient, from a warm start
(the previous fit) and fixed cold starts; the best optimum of all of them is kept.

The conditional expectation of purchases is computed from its integral form

    E[Y(t) | x, t_x, T] = P(alive) * E_p[(1 - ((alpha + T) / (alpha + T + p t))^(r + x)) / p],
    p ~ Beta(a, b + x)  (the posterior of p given alive)

by Gauss-Jacobi quadrature. Unlike the textbook closed form, which multiplies
(a + b + x - 1) / (a - 1) by 1 - 2F1(...) and cancels catastrophically when a -> 1 or diverges for
long horizons (the hypergeometric argument t / (alpha + T + t) -> 1), the integrand is bounded by
(r + x) t / (alpha + T) everywhere, so the result is finite for every a > 0 and every horizon.
The closed form is kept (``method="closed_form"``) to cross-check the quadrature.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import special

from salesperf.clv.grouping import distinct_rows, in_parts, sums_in_parts
from salesperf.clv.optim import StartResult, bound_verdict, fit_problem, multi_start
from salesperf.clv.timeunits import days_per_unit

log = logging.getLogger(__name__)

_LOG_BOUNDS = (-12.0, 12.0)  # bounds of log(parameter) in the optimiser: e^-12 .. e^12 (x time-unit scale)
_QUAD_NODES = 64
_A_NEAR_ONE = 1e-4
_JACOBI_MAX_PARAMETER = 100.0


@dataclass(frozen=True)
class BGNBDParams:
    """Population parameters: lambda ~ Gamma(shape r, rate alpha), p ~ Beta(a, b).

    ``alpha`` is in the time unit of the data the parameters were fitted on."""

    r: float
    alpha: float
    a: float
    b: float

    def as_array(self) -> np.ndarray:
        return np.array([self.r, self.alpha, self.a, self.b], dtype=float)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class BGNBDFit:
    """Result of :func:`fit_bgnbd`.

    ``converged`` is False when the optimiser did not report success or a parameter ended on
    its bound (a degenerate fit, e.g. data without repeat purchases). ``starts`` holds every
    start tried and the log-likelihood it reached; ``log_likelihood`` is the best of them
    (after the final Newton polish, never below)."""

    params: BGNBDParams
    log_likelihood: float
    n_customers: int
    n_repeat_buyers: int
    converged: bool
    time_unit: str
    message: str
    starts: tuple[StartResult, ...] = ()  # every start tried, with the log-likelihood it reached
    best_start: str = ""  # the start the fit comes from
    std_errors: BGNBDParams | None = None  # observed-information standard errors (None on a ridge)
    covariance: tuple[tuple[float, ...], ...] | None = None  # of the parameters, inverse observed information


def _as_arrays(frequency, recency, age) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    big_t = np.asarray(age, dtype=float)
    if not (x.shape == t_x.shape == big_t.shape):
        raise ValueError("frequency, recency and age must have the same shape")
    if x.size and (np.any(~np.isfinite(x)) or np.any(~np.isfinite(t_x)) or np.any(~np.isfinite(big_t))):
        raise ValueError("frequency, recency and age must be finite")
    if x.size and (np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > big_t + 1e-9)):
        raise ValueError("need frequency >= 0 and 0 <= recency <= age")
    return x, t_x, big_t


def log_likelihood_terms(params: BGNBDParams, frequency, recency, age) -> np.ndarray:
    """Log-likelihood of each customer's (x, t_x, T) under ``params``."""
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    return _ll_and_grad(np.log(params.as_array()), x, t_x, big_t, want_grad=False)[0]


def log_likelihood(params: BGNBDParams, frequency, recency, age) -> float:
    """Total log-likelihood of the data under ``params``."""
    return float(np.sum(log_likelihood_terms(params, frequency, recency, age)))


def _x_index(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct frequencies of ``x`` and, per row, the position of its frequency among them."""
    xu, inverse = np.unique(x, return_inverse=True)
    return xu, inverse.ravel()


@dataclass(frozen=True)
class RowIndex:
    """Where each (x, t_x, T) row finds its frequency, its (x, T) pair and its (x, t_x) pair.

    Of a fit's rows, computed once per fit (:func:`row_index`): the likelihood's terms of one
    pair (log(alpha + T), the Beta functions of x, ...) are computed once per distinct pair and
    spread to the rows (a million customers have 68,000 distinct (x, T) among 726,000 distinct rows)."""

    xu: np.ndarray  # distinct frequencies
    inv: np.ndarray  # per row: position of its x in xu
    age_x: np.ndarray  # per distinct (x, T) pair: its x, T, and the position of its x in xu
    age_t: np.ndarray
    age_xi: np.ndarray
    age_inv: np.ndarray  # per row: position of its (x, T) pair
    rec_x: np.ndarray  # the same for the distinct (x, t_x) pairs
    rec_t: np.ndarray
    rec_xi: np.ndarray
    rec_inv: np.ndarray


def row_index(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, x_index=None) -> RowIndex:
    """The :class:`RowIndex` of the rows (x, t_x, T); ``x_index`` from :func:`_x_index` when known."""
    xu, inv = _x_index(x) if x_index is None else x_index
    (age_x, age_t), age_inv = distinct_rows(x, big_t)
    (rec_x, rec_t), rec_inv = distinct_rows(x, t_x)
    return RowIndex(
        xu,
        inv,
        age_x,
        age_t,
        np.searchsorted(xu, age_x),
        age_inv,
        rec_x,
        rec_t,
        np.searchsorted(xu, rec_x),
        rec_inv,
    )


class _PairTerms(NamedTuple):
    """The terms of the BG/NBD likelihood at theta that depend on a distinct frequency or pair alone."""

    r: float
    alpha: float
    a: float
    b: float
    x1u: np.ndarray  # the distinct frequencies, 1 where 0 (keeps b + x - 1 > 0 in the branch x = 0 does not use)
    log_alpha: float
    log_at: np.ndarray  # per (x, T) pair
    log_atx: np.ndarray  # per (x, t_x) pair
    betaln_ab: float
    a2_pair: np.ndarray  # per (x, T) pair
    a3_pair: np.ndarray  # per (x, t_x) pair; -inf where x = 0
    a1_x: np.ndarray  # per distinct frequency


def _pair_terms(theta: np.ndarray, idx: RowIndex) -> _PairTerms:
    """The per-frequency and per-pair terms (one computation for the per-row and the summed objective)."""
    r, alpha, a, b = np.exp(theta)
    xu = idx.xu
    x1u = np.where(xu > 0, xu, 1.0)
    log_alpha = np.log(alpha)
    log_at = np.log(alpha + idx.age_t)
    log_atx = np.log(alpha + idx.rec_t)
    betaln_ab = special.betaln(a, b)
    a2_pair = (special.betaln(a, b + xu) - betaln_ab)[idx.age_xi] - (r + idx.age_x) * log_at
    a3_pair = np.where(
        idx.rec_x > 0,
        (special.betaln(a + 1.0, b + x1u - 1.0) - betaln_ab)[idx.rec_xi] - (r + idx.rec_x) * log_atx,
        -np.inf,
    )
    a1_x = special.gammaln(r + xu) - special.gammaln(r) + r * log_alpha
    return _PairTerms(r, alpha, a, b, x1u, log_alpha, log_at, log_atx, betaln_ab, a2_pair, a3_pair, a1_x)


def _ll_and_grad(
    theta: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    big_t: np.ndarray,
    want_grad: bool = True,
    x_index: tuple[np.ndarray, np.ndarray] | RowIndex | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer log-likelihood and its gradient with respect to theta = log(r, alpha, a, b).

    Every term that depends on the frequency x alone (gammaln, betaln, digamma: 143 distinct x
    among 47,000 customers at medium scale), on (x, T) alone or on (x, t_x) alone is computed once
    per distinct value or pair (``x_index``: a :class:`RowIndex` of the rows, or the distinct
    frequencies from :func:`_x_index`, the pairs then found here) and spread to the rows; only the
    mixture of the two terms is computed per row. The operations are those of
    :func:`_ll_and_grad_reference` in the same order, so the values are bitwise the same, at a
    fraction of the cost."""
    idx = x_index if isinstance(x_index, RowIndex) else row_index(x, t_x, big_t, x_index)
    # per (x, T) pair and per (x, t_x) pair: the same operations as per row
    r, alpha, a, b, x1u, log_alpha, log_at, log_atx, betaln_ab, a2_pair, a3_pair, a1_x = _pair_terms(theta, idx)
    xu = idx.xu
    ll = np.empty(x.size)
    grad = np.empty((4, x.size)) if want_grad else None
    if want_grad:
        dg = special.digamma
        d_ab = dg(a + b)
        d_abx = dg(a + b + xu)
        d_r_x = dg(r + xu) - dg(r) + log_alpha
        d_alpha_age = -(r + idx.age_x) / (alpha + idx.age_t)
        d_alpha_rec = -(r + idx.rec_x) / (alpha + idx.rec_t)
        d_a2_x = d_ab - d_abx
        d_a3_x = dg(a + 1.0) - d_abx - dg(a) + d_ab
        d_b2_x = dg(b + xu) - d_abx - dg(b) + d_ab
        d_b3_x = dg(b + x1u - 1.0) - d_abx - dg(b) + d_ab
        neg_log_at, neg_log_atx = -log_at, -log_atx

    def rows(part: slice) -> None:
        inv, age, rec = idx.inv[part], idx.age_inv[part], idx.rec_inv[part]
        a2 = a2_pair[age]
        a3 = a3_pair[rec]
        mix = np.logaddexp(a2, a3)
        np.add(a1_x[inv], mix, out=ll[part])
        if grad is None:
            return
        w2 = np.exp(a2 - mix)
        w3 = np.where(x[part] > 0, np.exp(a3 - mix), 0.0)
        np.multiply(d_r_x[inv] + w2 * neg_log_at[age] + w3 * neg_log_atx[rec], r, out=grad[0, part])
        np.multiply(r / alpha + w2 * d_alpha_age[age] + w3 * d_alpha_rec[rec], alpha, out=grad[1, part])
        np.multiply(w2 * d_a2_x[inv] + w3 * d_a3_x[inv], a, out=grad[2, part])
        np.multiply(w2 * d_b2_x[inv] + w3 * d_b3_x[inv], b, out=grad[3, part])

    in_parts(rows, x.size)
    return ll, grad


_SUM_ROWS = 131_072  # rows per part of the summed likelihood (a fixed size: the same sums on any number of threads)


def _summed_ll_and_grad(theta: np.ndarray, idx: RowIndex, x: np.ndarray, w: np.ndarray, w_x: np.ndarray):
    """(sum of w x log-likelihood, its gradient over theta = log(r, alpha, a, b)) of the rows, summed by pair.

    The fit needs only the weighted sums, not each row's gradient: every gradient term is a
    per-frequency or per-pair factor times a mixture weight w2 (or w3 = 1 - w2) of the row, so the
    rows' weights are summed per (x, T) and per (x, t_x) pair (``np.bincount``) and multiplied by the
    pair's factor once. Per row remain the mixture and its two weights (2 gathers, 2 exponentials,
    2 scatter-adds instead of 14 gathers and the four gradient rows). The terms are those of
    :func:`_ll_and_grad`; only the order of the additions and the mixture's form (one exponential
    and one log1p per row) differ (within a few units of 1e-16 of the row sums,
    ``tests/test_clv_scale.py``). ``w_x`` is the weight of each distinct frequency
    (``np.bincount(idx.inv, w)``), the same at every evaluation."""
    r, alpha, a, b, x1u, log_alpha, log_at, log_atx, betaln_ab, a2_pair, a3_pair, a1_x = _pair_terms(theta, idx)
    xu = idx.xu
    n_age, n_rec = idx.age_t.size, idx.rec_t.size

    def rows(part: slice) -> tuple[float, np.ndarray, np.ndarray]:
        age, rec, wp = idx.age_inv[part], idx.rec_inv[part], w[part]
        a2 = a2_pair[age]
        a3 = a3_pair[rec]
        # log(e^a2 + e^a3) and the weights e^a2 / (e^a2 + e^a3), e^a3 / (...) from one exponential and
        # one log1p: with e = exp(-|a2 - a3|), the larger term's weight is 1 / (1 + e), the other's e
        # times that, and the log is max(a2, a3) + log1p(e) (np.logaddexp and two exponentials cost
        # twice as much). Where x = 0, a3 = -inf: e = 0, w2 = 1, w3 = 0, mix = a2.
        third_larger = a3 > a2
        e = a3 - a2
        np.abs(e, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)
        larger = 1.0 / (1.0 + e)
        smaller = e * larger
        w2 = np.where(third_larger, smaller, larger)
        w2 *= wp
        w3 = np.where(third_larger, larger, smaller)
        w3 *= wp
        mix = np.maximum(a2, a3)
        mix += np.log1p(e)
        mix *= wp
        return (
            float(np.sum(mix)),
            np.bincount(age, weights=w2, minlength=n_age),
            np.bincount(rec, weights=w3, minlength=n_rec),
        )

    sums = sums_in_parts(rows, x.size, _SUM_ROWS)
    mix_sum = math.fsum(part_sums[0] for part_sums in sums)
    s2_age = sums[0][1].copy()
    s3_rec = sums[0][2].copy()
    for _, s2, s3 in sums[1:]:  # in the parts' order, whichever thread computed them
        s2_age += s2
        s3_rec += s3
    s2_x = np.bincount(idx.age_xi, weights=s2_age, minlength=xu.size)
    s3_x = np.bincount(idx.rec_xi, weights=s3_rec, minlength=xu.size)
    total_w = float(np.sum(w_x))
    value = float(np.sum(w_x * a1_x)) + mix_sum
    dg = special.digamma
    d_ab = dg(a + b)
    d_abx = dg(a + b + xu)
    d_r = np.sum(w_x * (dg(r + xu) - dg(r) + log_alpha)) - np.sum(s2_age * log_at) - np.sum(s3_rec * log_atx)
    d_alpha = (
        r / alpha * total_w
        - np.sum(s2_age * (r + idx.age_x) / (alpha + idx.age_t))
        - np.sum(s3_rec * (r + idx.rec_x) / (alpha + idx.rec_t))
    )
    d_a = np.sum(s2_x * (d_ab - d_abx)) + np.sum(s3_x * (dg(a + 1.0) - d_abx - dg(a) + d_ab))
    d_b = np.sum(s2_x * (dg(b + xu) - d_abx - dg(b) + d_ab)) + np.sum(s3_x * (dg(b + x1u - 1.0) - d_abx - dg(b) + d_ab))
    return value, np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])


def _ll_and_grad_reference(
    theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, want_grad: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Row-by-row form of :func:`_ll_and_grad` (every special function per row), kept as its reference in tests."""
    r, alpha, a, b = np.exp(theta)
    has_repeat = x > 0
    x1 = np.where(has_repeat, x, 1.0)  # keeps b + x - 1 > 0 in the branch that x = 0 does not use
    log_at = np.log(alpha + big_t)
    log_atx = np.log(alpha + t_x)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    betaln_ab = special.betaln(a, b)
    a2 = special.betaln(a, b + x) - betaln_ab - (r + x) * log_at
    a3 = np.where(
        has_repeat,
        special.betaln(a + 1.0, b + x1 - 1.0) - betaln_ab - (r + x) * log_atx,
        -np.inf,
    )
    mix = np.logaddexp(a2, a3)
    ll = a1 + mix
    if not want_grad:
        return ll, None
    w2 = np.exp(a2 - mix)
    w3 = np.where(has_repeat, np.exp(a3 - mix), 0.0)
    dg = special.digamma
    d_ab = dg(a + b)
    d_abx = dg(a + b + x)
    d_r = dg(r + x) - dg(r) + np.log(alpha) + w2 * (-log_at) + w3 * (-log_atx)
    d_alpha = r / alpha + w2 * (-(r + x) / (alpha + big_t)) + w3 * (-(r + x) / (alpha + t_x))
    d_a = w2 * (d_ab - d_abx) + w3 * (dg(a + 1.0) - d_abx - dg(a) + d_ab)
    d_b = w2 * (dg(b + x) - d_abx - dg(b) + d_ab) + w3 * (dg(b + x1 - 1.0) - d_abx - dg(b) + d_ab)
    grad = np.stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return ll, grad


def _initial_guesses(x: np.ndarray, big_t: np.ndarray, w: np.ndarray | None = None) -> list[np.ndarray]:
    """The fixed cold starts (log r, alpha, a, b): a few shapes, alpha set from the data's repeat rate.

    The sums are exactly rounded (``math.fsum``), so the starts are the same bits on every machine:
    ``np.dot`` goes to BLAS, whose result may depend on the number of threads and the CPU's kernels,
    and a fit on a flat ridge keeps the last bits of its start."""
    w = np.ones_like(x) if w is None else w
    total_w = math.fsum(w)
    total_t = math.fsum(w * big_t)
    mean_t = max(total_t / total_w, 1e-3)
    rate = max(math.fsum(w * x) / max(total_t, 1e-9), 1e-6)  # repeat purchases per unit
    guesses = []
    for r0, a0, b0 in ((1.0, 1.0, 1.0), (0.5, 0.8, 3.0), (2.0, 2.0, 8.0)):
        alpha0 = float(np.clip(r0 / rate, 1e-3, 1e5))
        guesses.append(np.log([r0, alpha0, a0, b0]))
    guesses.append(np.log([1.0, mean_t, 1.0, 1.0]))
    return guesses


def fit_bgnbd(frequency, recency, age, *, time_unit: str, weights=None, initial: BGNBDParams | None = None) -> BGNBDFit:
    """Maximum-likelihood BG/NBD fit: the best optimum of several starts.

    Args:
        frequency, recency, age: per-customer x, t_x and T (arrays of equal length), with recency
            and age in ``time_unit``.
        time_unit: the unit of recency and age ("days", "weeks", "months"); required, stored
            with the fit so predictions use the same unit.
        weights: optional number of customers each row stands for (aggregated data).
        initial: a starting point (e.g. the previous snapshot's fit), tried as start "warm".

    Every start is optimised to its end (L-BFGS-B over log-parameters): the warm start, then
    the fixed cold starts of :func:`_initial_guesses` (no randomness); the best log-likelihood
    wins (the warm start on a tie) and is polished by Newton steps. ``starts`` records each
    start's log-likelihood, so a stored fit shows that it is the best optimum found. Customers
    with the same (x, t_x, T) are fitted as one weighted row (same likelihood, less work).

    Raises ValueError for invalid inputs or fewer than one customer. A fit on data without any
    repeat purchase is degenerate: it is returned with ``converged=False`` and a message, and
    callers should fall back (see :mod:`salesperf.clv.segments`).
    """
    days_per_unit(time_unit)
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    if x.size == 0:
        raise ValueError("cannot fit BG/NBD on zero customers")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    n_customers = int(round(float(np.sum(w))))
    n_repeat = int(round(float(np.sum(w[x > 0]))))
    (x, t_x, big_t), inverse = distinct_rows(x, t_x, big_t)
    w = np.bincount(inverse, weights=w, minlength=x.size)
    x_index = row_index(x, t_x, big_t)
    w_x = np.bincount(x_index.inv, weights=w, minlength=x_index.xu.size)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = _summed_ll_and_grad(theta, x_index, x, w, w_x)  # sums of the rows' terms, by pair
        value = -total / n_customers
        gradient = -grad / n_customers  # no BLAS call: BLAS threads stall on a busy machine
        if not np.isfinite(value):
            return 1e300, np.zeros(4)
        return value, gradient

    starts = [(f"cold_{k}", theta0) for k, theta0 in enumerate(_initial_guesses(x, big_t, w), start=1)]
    best = multi_start(objective, starts, _LOG_BOUNDS, n_customers, None if initial is None else initial.as_array())
    # a -> 0 (no dropout) and a, b large (a nearly homogeneous dropout probability a / (a + b)) are
    # legitimate limits; any other parameter on a bound is a degenerate fit (optim.bound_verdict)
    degenerate, limit = bound_verdict(
        best.theta, _LOG_BOUNDS, ("a", "b"), "a, b at their bound: dropout probability nearly homogeneous"
    )
    converged = best.success and not degenerate and bool(np.isfinite(best.value))
    message = fit_problem(best, degenerate) or limit or "ok"
    if n_repeat == 0:
        converged = False
        message = "no repeat buyers: BG/NBD is not identified"
    return BGNBDFit(
        **best.fit_fields(BGNBDParams, n_customers),
        n_customers=n_customers,
        n_repeat_buyers=n_repeat,
        converged=converged,
        time_unit=time_unit,
        message=message,
    )


def probability_alive(params: BGNBDParams, frequency, recency, age) -> np.ndarray:
    """P(customer still alive at T | x, t_x, T); exactly 1 for a customer without repeat purchase."""
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    r, alpha, a, b = params.as_array()
    x1 = np.where(x > 0, x, 1.0)
    log_ratio = np.log(a) - np.log(b + x1 - 1.0) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    return np.where(x > 0, special.expit(-log_ratio), 1.0)


@lru_cache(maxsize=4096)
def _beta_nodes(a: float, bx: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes on (0, 1) and weights (summing to 1) of the expectation over p ~ Beta(a, bx).

    Gauss-Jacobi (the Beta density as the weight function, exact for polynomials) while both
    parameters are moderate; for large ones (a nearly homogeneous dropout probability, where the
    Jacobi weights overflow) Gauss-Legendre over the Beta quantiles, p = I^-1(u; a, bx)."""
    if max(a, bx) <= _JACOBI_MAX_PARAMETER:
        u, w = special.roots_jacobi(n, bx - 1.0, a - 1.0)  # weight (1 - u)^(bx-1) (1 + u)^(a-1) on [-1, 1]
        p = (1.0 + u) / 2.0
    else:
        u, w = special.roots_legendre(n)
        p = special.betaincinv(a, bx, (1.0 + u) / 2.0)
    keep = (p > 0) & np.isfinite(p) & np.isfinite(w)
    return p[keep], w[keep] / np.sum(w[keep])


def _conditional_quadrature(
    params: BGNBDParams, t: np.ndarray, x: np.ndarray, big_t: np.ndarray, alive: np.ndarray, n_nodes: int
) -> np.ndarray:
    r, alpha, a, b = params.as_array()
    out = np.zeros(np.broadcast(t, x).shape, dtype=float)
    t_b, x_b, at_b, alive_b = np.broadcast_arrays(t, x, alpha + big_t, alive)
    for xv in np.unique(x_b):
        sel = x_b == xv
        p, w = _beta_nodes(float(a), float(b + xv), n_nodes)
        k = r + xv
        # (1 - (1 + p t / (alpha + T))^-(r + x)) / p, stable for small p t via log1p / expm1
        z = np.outer(t_b[sel] / at_b[sel], p)
        g = -np.expm1(-k * np.log1p(z)) / p
        out[sel] = alive_b[sel] * (g @ w)
    return out


def _closed_form_term(
    r: float, alpha: float, a: float, b: float, t: np.ndarray, x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """:func:`_closed_form_term_rows` computed once per distinct (x, T) of the customers.

    The term does not depend on the recency, and customers share (x, T) far more often than
    (x, t_x, T) (22,700 distinct pairs among 47,000 customers at medium scale): for customer
    arrays laid out along the last axis (leading axes of length 1, ``t`` a column or a scalar,
    the layout of the monthly CLV) the hypergeometric function, the costly part of a
    prediction, is evaluated per pair and spread back to the customers. Elementwise, so the
    values are bitwise those of the row-by-row computation."""
    if (
        x.shape != big_t.shape
        or x.ndim == 0
        or x.shape[-1] < 2
        or any(d != 1 for d in x.shape[:-1])
        or (t.ndim > 0 and t.shape[-1] != 1)
    ):
        return _closed_form_term_rows(r, alpha, a, b, t, x, big_t)
    (pair_x, pair_t), inverse = distinct_rows(x.reshape(-1), big_t.reshape(-1))
    if pair_x.size == x.shape[-1]:
        return _closed_form_term_rows(r, alpha, a, b, t, x, big_t)
    shape = x.shape[:-1] + (pair_x.size,)
    term = _closed_form_term_rows(r, alpha, a, b, t, pair_x.reshape(shape), pair_t.reshape(shape))
    return np.take(term, inverse, axis=-1)  # C order, as the row-by-row result (same sums downstream)


def _closed_form_term_rows(
    r: float, alpha: float, a: float, b: float, t: np.ndarray, x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """(a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)]

    with Euler's transformation q^(r+x) 2F1(r+x, b+x; c; z) = q^(a-1) 2F1(a+b-1-r, a-1; c; z),
    q = 1 - z = (alpha + T) / (alpha + T + t): no 0 * inf for many purchases and long horizons."""
    c = a + b + x - 1.0
    z = t / (alpha + big_t + t)
    log_q = np.log(alpha + big_t) - np.log(alpha + big_t + t)
    hyp = special.hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    return c / (a - 1.0) * (1.0 - np.exp((a - 1.0) * log_q) * hyp)


def _closed_form_if_alive(params: BGNBDParams, t: np.ndarray, x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """The closed form of E[Y(t) | alive, x, T] (the recency matters only through P(alive))."""
    r, alpha, a, b = params.as_array()
    if abs(a - 1.0) < _A_NEAR_ONE:
        # The formula is 0/0 at a = 1 but smooth in a: interpolate linearly between a = 1 -/+ h,
        # exact to O(h^2) (h = 1e-4), where the cancellation still keeps ~12 digits.
        low = _closed_form_term(r, alpha, 1.0 - _A_NEAR_ONE, b, t, x, big_t)
        high = _closed_form_term(r, alpha, 1.0 + _A_NEAR_ONE, b, t, x, big_t)
        term = low + (a - (1.0 - _A_NEAR_ONE)) / (2.0 * _A_NEAR_ONE) * (high - low)
    else:
        term = _closed_form_term(r, alpha, a, b, t, x, big_t)
    return term


def expected_purchases(
    params: BGNBDParams, t, frequency, recency, age, *, method: str = "auto", n_nodes: int = _QUAD_NODES
) -> np.ndarray:
    """Expected number of purchases in (T, T + t] of customers with history (x, t_x, T).

    ``t`` is in the fit's time unit and broadcasts against the customer arrays (pass a column
    ``t[:, None]`` with customer rows ``x[None, :]`` for several horizons at once). A new
    customer (x = t_x = T = 0) gives the population's expected purchases E[X(t)] in (0, t].

    Methods:
      * ``"closed_form"``: the hypergeometric formula after Euler's transformation
        q^(r+x) 2F1(r+x, b+x; c; z) = q^(a-1) 2F1(a+b-1-r, a-1; c; z) (no 0 * inf for long
        horizons and many purchases); near a = 1, where it is 0/0, linear interpolation between
        a = 1 -/+ 1e-4.
      * ``"quadrature"``: Gauss-Jacobi quadrature of the integral form (bounded integrand, no
        singularity at a = 1); accurate while t / (alpha + T) is moderate (any realistic
        horizon) and the customer's frequency is not extreme.
      * ``"auto"`` (default): the closed form, replaced by the quadrature wherever it is not
        finite or falls outside its bounds 0 <= E <= P(alive) (r + x) t / (alpha + T).
    """
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    return _expected(params, t, x, big_t, probability_alive(params, x, t_x, big_t), method, n_nodes)


def expected_purchases_if_alive(
    params: BGNBDParams, t, frequency, age, *, method: str = "auto", n_nodes: int = _QUAD_NODES
) -> np.ndarray:
    """E[Y(t) | alive at T, x, T]: :func:`expected_purchases` divided by P(alive), which alone
    depends on the recency. The predictions compute it once per distinct (x, T) pair of their
    customers and multiply by each customer's P(alive) (68,000 pairs among a million customers)."""
    x, _, big_t = _as_arrays(frequency, age, age)
    return _expected(params, t, x, big_t, np.ones(x.shape), method, n_nodes)


def _expected(
    params: BGNBDParams, t, x: np.ndarray, big_t: np.ndarray, alive: np.ndarray, method: str, n_nodes: int
) -> np.ndarray:
    """Expected purchases in (T, T + t] of customers alive at T with probability ``alive``."""
    t = np.asarray(t, dtype=float)
    if np.any(t < 0) or np.any(~np.isfinite(t)):
        raise ValueError("horizon t must be finite and >= 0")
    if method not in ("auto", "quadrature", "closed_form"):
        raise ValueError("method must be 'auto', 'quadrature' or 'closed_form'")
    if method == "quadrature":
        return _conditional_quadrature(params, t, x, big_t, alive, n_nodes)
    with np.errstate(all="ignore"):
        result = alive * _closed_form_if_alive(params, t, x, big_t)
    if method == "closed_form":
        return result
    t_b, x_b, big_t_b, alive_b = np.broadcast_arrays(t, x, big_t, alive)
    upper = alive_b * (params.r + x_b) * t_b / (params.alpha + big_t_b)
    bad = ~np.isfinite(result) | (result < -1e-12) | (result > upper * (1.0 + 1e-9) + 1e-12)
    if np.any(bad):
        log.debug("closed form invalid for %d of %d values: quadrature used", int(bad.sum()), bad.size)
        result = np.array(np.broadcast_to(result, bad.shape), copy=True)
        result[bad] = _conditional_quadrature(params, t_b[bad], x_b[bad], big_t_b[bad], alive_b[bad], n_nodes)
    return np.clip(result, 0.0, None)


def population_expected_purchases(params: BGNBDParams, t) -> np.ndarray:
    """E[X(t)]: expected purchases of a randomly chosen new customer in (0, t] (after its first)."""
    t = np.asarray(t, dtype=float)
    zeros = np.zeros_like(t)
    return expected_purchases(params, t, zeros, zeros, zeros)


def simulate(params: BGNBDParams, age, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate (frequency, recency, age) of customers observed for ``age`` time units each.

    For tests and benchmarks: each customer draws lambda ~ Gamma(r, alpha) and p ~ Beta(a, b),
    buys at Poisson(lambda) times and drops after each purchase with probability p."""
    big_t = np.asarray(age, dtype=float)
    n = big_t.size
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while np.any(active):
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0, idx.size) / lam[idx]
        bought = now[idx] <= big_t[idx]
        done = idx[~bought]
        active[done] = False
        buyers = idx[bought]
        x[buyers] += 1
        t_x[buyers] = now[buyers]
        dies = rng.random(buyers.size) < p[buyers]
        active[buyers[dies]] = False
    return x, t_x, big_t
