"""Gamma-Gamma model of the spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV").

A customer's purchases have values z_i ~ Gamma(p, nu), i.i.d. around the customer's mean p / nu,
with nu ~ Gamma(q, gamma) across customers. Observed per repeat buyer: x repeat purchases and
their mean value m. The model is fitted on repeat buyers only (x >= 1, m > 0), by maximum
likelihood in log space over log(p, q, gamma); it assumes spend is independent of frequency.

The conditional expected spend per purchase of a customer is a weighted mean of the population
mean and the customer's own mean:

    E[Z | x, m] = p (gamma + m x) / (p x + q - 1),   population mean  p gamma / (q - 1)  (q > 1).
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

from salesperf.clv.grouping import in_parts, sums_in_parts
from salesperf.clv.optim import StartResult, fit_problem, multi_start

log = logging.getLogger(__name__)

_LOG_BOUNDS = (-12.0, 25.0)  # gamma is in money units and may be large


@dataclass(frozen=True)
class GammaGammaParams:
    """Spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma); gamma is in money units."""

    p: float
    q: float
    gamma: float

    def as_array(self) -> np.ndarray:
        return np.array([self.p, self.q, self.gamma], dtype=float)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def population_mean(self) -> float:
        """Mean spend per purchase of the population, p gamma / (q - 1); NaN when q <= 1 (no mean)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else float("nan")


@dataclass(frozen=True)
class GammaGammaFit:
    """Result of :func:`fit_gamma_gamma`; ``n_customers`` counts the repeat buyers fitted on."""

    params: GammaGammaParams
    log_likelihood: float
    n_customers: int
    n_dropped: int
    converged: bool
    message: str
    starts: tuple[StartResult, ...] = ()  # every start tried, with the log-likelihood it reached
    best_start: str = ""  # the start the fit comes from
    std_errors: GammaGammaParams | None = None  # observed-information standard errors (None on a ridge)
    covariance: tuple[tuple[float, ...], ...] | None = None  # of the parameters, inverse observed information


def _clean(frequency, monetary) -> tuple[np.ndarray, np.ndarray, int]:
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    if x.shape != m.shape:
        raise ValueError("frequency and monetary must have the same shape")
    keep = (x >= 1) & np.isfinite(m) & (m > 0) & np.isfinite(x)
    return x[keep], m[keep], int(np.sum((x >= 1) & ~keep))


def _x_index_of(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct frequencies of ``x`` and, per row, the position of its frequency among them."""
    xu, inverse = np.unique(x, return_inverse=True)
    return xu, inverse.ravel()


def _ll_and_grad(
    theta: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    want_grad: bool = True,
    x_index: tuple[np.ndarray, np.ndarray] | None = None,
    logs: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer log-likelihood of (x, m) and its gradient with respect to log(p, q, gamma).

    ``logs``: (log m, log x) of the rows when the caller has them (a fit: computed once, not at
    every evaluation; the same values).

    gammaln and digamma depend on the frequency x only (few distinct values): computed once per
    distinct x (``x_index`` = (distinct x, each row's position), computed here when not given)
    and spread to the rows, in the order of operations of :func:`_ll_and_grad_reference`, so the
    values are bitwise the same."""
    p, q, g = np.exp(theta)
    xu, inv = _x_index_of(x) if x_index is None else x_index
    log_m, log_x = (np.log(m), np.log(x)) if logs is None else logs
    pxu = p * xu
    head_x = special.gammaln(pxu + q) - special.gammaln(pxu) - special.gammaln(q) + q * np.log(g)
    ll = np.empty(x.size)
    grad = np.empty((3, x.size)) if want_grad else None
    if want_grad:
        dg = special.digamma
        d_pxq = dg(pxu + q)
        d_p_x = d_pxq - dg(pxu)
        d_q_x = d_pxq - dg(q) + np.log(g)

    def rows(part: slice) -> None:
        # per row, in parts (see salesperf.clv.grouping.in_parts): the same operations as on all rows
        xs, ms, lm, lx, inv_s = x[part], m[part], log_m[part], log_x[part], inv[part]
        px = p * xs
        gmx = g + ms * xs
        log_gmx = np.log(gmx)
        pxq = px + q
        np.subtract(head_x[inv_s] + (px - 1.0) * lm + px * lx, pxq * log_gmx, out=ll[part])
        if grad is None:
            return
        np.multiply(xs * (d_p_x[inv_s] + lm + lx - log_gmx), p, out=grad[0, part])
        np.multiply(d_q_x[inv_s] - log_gmx, q, out=grad[1, part])
        np.multiply(q / g - pxq / gmx, g, out=grad[2, part])

    in_parts(rows, x.size)
    return ll, grad


_SUM_ROWS = 131_072  # rows per part of the summed likelihood (a fixed size: the same sums on any number of threads)


@dataclass(frozen=True)
class _SumData:
    """What the summed likelihood of a fit's rows reads at every evaluation, computed once per fit."""

    x: np.ndarray  # per row: repeat purchases
    spend: np.ndarray  # per row: m x, the repeat purchases' total spend
    xu: np.ndarray  # distinct frequencies
    count_x: np.ndarray  # rows per distinct frequency
    sum_log_m: float  # sums over the rows of log m, x log m, x log x
    sum_x_log_m: float
    sum_x_log_x: float

    @classmethod
    def of(cls, x: np.ndarray, m: np.ndarray, x_index: tuple[np.ndarray, np.ndarray]) -> _SumData:
        xu, inv = x_index
        log_m = np.log(m)
        return cls(
            x,
            m * x,
            xu,
            np.bincount(inv, minlength=xu.size).astype(float),
            math.fsum(log_m),
            math.fsum(x * log_m),
            math.fsum(x * np.log(x)),
        )


def _summed_ll_and_grad(theta: np.ndarray, data: _SumData) -> tuple[float, np.ndarray]:
    """(sum of the rows' log-likelihoods, its gradient over log(p, q, gamma)): what a fit needs.

    The terms of :func:`_ll_and_grad` summed: those of x alone once per distinct frequency (times its
    number of rows), those of m and x alone once per fit (:class:`_SumData`), so per row and evaluation
    remain log(gamma + m x), 1 / (gamma + m x) and four sums. The same sums in another order (within a
    few units of 1e-16 of the row sums, ``tests/test_clv_scale.py``)."""
    p, q, g = np.exp(theta)
    xu, count_x, x, spend = data.xu, data.count_x, data.x, data.spend
    pxu = p * xu
    head_x = special.gammaln(pxu + q) - special.gammaln(pxu) - special.gammaln(q) + q * np.log(g)

    def rows(part: slice) -> tuple[float, float, float, float]:
        xs = x[part]
        gmx = spend[part] + g
        log_gmx = np.log(gmx)
        inv_gmx = np.reciprocal(gmx)
        return (
            float(np.sum(log_gmx)),
            float(np.sum(xs * log_gmx)),
            float(np.sum(inv_gmx)),
            float(np.sum(xs * inv_gmx)),
        )

    sums = sums_in_parts(rows, x.size, _SUM_ROWS)
    s_log, s_x_log, s_inv, s_x_inv = (math.fsum(part[i] for part in sums) for i in range(4))
    dg = special.digamma
    d_pxq = dg(pxu + q)
    total = (
        float(np.sum(count_x * head_x))
        + p * data.sum_x_log_m
        - data.sum_log_m
        + p * data.sum_x_log_x
        - (p * s_x_log + q * s_log)
    )
    n = float(np.sum(count_x))
    d_p = float(np.sum(count_x * xu * (d_pxq - dg(pxu)))) + data.sum_x_log_m + data.sum_x_log_x - s_x_log
    d_q = float(np.sum(count_x * (d_pxq - dg(q) + np.log(g)))) - s_log
    d_g = n * q / g - p * s_x_inv - q * s_inv
    return total, np.array([d_p * p, d_q * q, d_g * g])


def _ll_and_grad_reference(
    theta: np.ndarray, x: np.ndarray, m: np.ndarray, want_grad: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Row-by-row form of :func:`_ll_and_grad`, kept as its reference in tests."""
    p, q, g = np.exp(theta)
    px = p * x
    log_gmx = np.log(g + m * x)
    ll = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(g)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_gmx
    )
    if not want_grad:
        return ll, None
    dg = special.digamma
    d_pxq = dg(px + q)
    d_p = x * (d_pxq - dg(px) + np.log(m) + np.log(x) - log_gmx)
    d_q = d_pxq - dg(q) + np.log(g) - log_gmx
    d_g = q / g - (px + q) / (g + m * x)
    return ll, np.stack([d_p * p, d_q * q, d_g * g])


def log_likelihood(params: GammaGammaParams, frequency, monetary) -> float:
    """Total log-likelihood of the repeat buyers' (x, m) under ``params``."""
    x, m, _ = _clean(frequency, monetary)
    return float(np.sum(_ll_and_grad(np.log(params.as_array()), x, m, want_grad=False)[0]))


def fit_gamma_gamma(frequency, monetary, *, initial: GammaGammaParams | None = None) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit on repeat buyers.

    Args:
        frequency: repeat purchases x per customer; rows with x = 0 are ignored (the model
            uses repeat purchases only).
        monetary: mean value of the customer's repeat purchases (> 0; rows with m <= 0 or
            missing, e.g. a customer whose repeat purchases were all $0, are dropped and
            counted in ``n_dropped``).
        initial: optional starting point (e.g. the previous snapshot's fit), start "warm".

    Like :func:`salesperf.clv.bgnbd.fit_bgnbd`, every start (the warm one and three fixed cold
    ones) is optimised to its end and the best log-likelihood is kept, then Newton-polished.

    Raises ValueError when no repeat buyer with a positive mean spend remains: callers fall back
    (pooled fit or mean spend, see :mod:`salesperf.clv.segments`).
    """
    x, m, n_dropped = _clean(frequency, monetary)
    if n_dropped:
        log.info("Gamma-Gamma: %d repeat buyers without a positive mean spend dropped", n_dropped)
    if x.size == 0:
        raise ValueError("Gamma-Gamma needs at least one repeat buyer with a positive mean spend")
    n = x.size

    data = _SumData.of(x, m, _x_index_of(x))

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = _summed_ll_and_grad(theta, data)  # sums of the rows' terms
        value = -total / n
        if not np.isfinite(value):
            return 1e300, np.zeros(3)
        return value, -grad / n

    mean_m = float(np.mean(m))
    starts = [
        (f"cold_{k}", np.log([p0, q0, mean_m * (q0 - 1.0) / p0]))
        for k, (p0, q0) in enumerate(((2.0, 3.0), (6.0, 4.0), (1.0, 2.0)), start=1)
    ]
    best = multi_start(objective, starts, _LOG_BOUNDS, n, None if initial is None else initial.as_array())
    on_bound = bool(np.any(np.isclose(best.theta, _LOG_BOUNDS[0]) | np.isclose(best.theta, _LOG_BOUNDS[1])))
    converged = best.success and not on_bound and bool(np.isfinite(best.value))
    fields = best.fit_fields(GammaGammaParams, n)
    message = fit_problem(best, on_bound) or (
        "q <= 1: the population has no mean spend" if fields["params"].q <= 1.0 else "ok"
    )
    return GammaGammaFit(**fields, n_customers=n, n_dropped=n_dropped, converged=converged, message=message)


def conditional_expected_spend(
    params: GammaGammaParams, frequency, monetary, population_mean: float | None = None
) -> np.ndarray:
    """Expected spend per future purchase of each customer.

    Repeat buyers (x >= 1, m >= 0): p (gamma + m x) / (p x + q - 1); a repeat buyer whose
    repeat purchases were all $0 (m = 0) gets the formula's value at m = 0, p gamma / (p x + q - 1),
    the population mean shrunk towards 0 as x grows. Customers without a repeat purchase get the
    population mean p gamma / (q - 1), or ``population_mean`` when given (required when q <= 1,
    where the model has no population mean)."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    p, q, g = params.as_array()
    pop = params.population_mean if population_mean is None else float(population_mean)
    usable = (x >= 1) & np.isfinite(m) & (m >= 0)
    xs = np.where(usable, x, 1.0)
    ms = np.where(usable, m, 1.0)
    with np.errstate(all="ignore"):
        own = p * (g + ms * xs) / (p * xs + q - 1.0)
    return np.where(usable, own, pop)


def simulate(params: GammaGammaParams, frequency, rng: np.random.Generator) -> np.ndarray:
    """Mean spend of ``frequency`` purchases per customer (NaN where frequency = 0); for tests."""
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(params.q, 1.0 / params.gamma, x.size)
    out = np.full(x.size, np.nan)
    pos = x > 0
    # the sum of x Gamma(p, nu) draws is Gamma(p x, nu)
    out[pos] = rng.gamma(params.p * x[pos], 1.0 / nu[pos]) / x[pos]
    return out
