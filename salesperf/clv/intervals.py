"""Per-customer intervals for the predicted CLV and P(alive) from the parameters' uncertainty.

The fits store the covariance of their parameters (the inverse observed information, see
:func:`salesperf.clv.optim.covariance_and_errors`). BG/NBD and Gamma-Gamma are fitted on separate
likelihoods, so the joint covariance of (r, alpha, a, b, p, q, gamma) is block diagonal. The
interval of a customer is the delta method on log scales, where the parameters are fitted:

* CLV = margin rate x E[spend per purchase](p, q, gamma) x D(r, alpha, a, b), with D the
  discounted expected purchases over the horizon. Var(log |CLV|) = g_bg' S_bg g_bg + g_gg' S_gg g_gg,
  with S the covariances of the log-parameters and g the gradients of log D and log E[spend]
  with respect to them (log D by forward differences of the model's own prediction code,
  log E[spend] analytically); interval CLV x exp(-/+ z sd). A positive CLV stays positive.
* P(alive): the delta method on logit P(alive); a customer without a repeat purchase has
  P(alive) = 1 under BG/NBD whatever the parameters, so its interval is [1, 1].

z is the two-sided normal quantile of ``level`` (var clv_interval_level, default 0.90). The
intervals cover parameter uncertainty only (not the customer's own randomness: they say how
sure the model is of the expected value, not where the customer's actual purchases will fall).
Without a covariance (a fallback to the naive rate or the mean spend, a fit on a ridge) the
interval is unknown (NaN), never a zero-width interval.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from salesperf.clv.bgnbd import BGNBDParams, _as_arrays
from salesperf.clv.gamma_gamma import GammaGammaParams
from salesperf.clv.grouping import distinct_rows
from salesperf.clv.value import discounted_purchases_and_total, horizon_if_alive
from salesperf.clv.value import p_alive as _p_alive

_STEP = 1e-4  # forward-difference step in log-parameter space


def z_value(level: float) -> float:
    """Two-sided standard normal quantile of ``level`` (0 < level < 1): 1.645 for 90 %."""
    if not 0.0 < level < 1.0:
        raise ValueError("interval level must be strictly between 0 and 1")
    return float(stats.norm.ppf(0.5 + level / 2.0))


def log_covariance(params: np.ndarray, covariance) -> np.ndarray:
    """Covariance of log(parameters) from that of the parameters (the inverse of the delta method)."""
    params = np.asarray(params, dtype=float)
    return np.asarray(covariance, dtype=float) / np.outer(params, params)


def discounted_purchases(params: BGNBDParams, frequency, recency, age, **horizon) -> np.ndarray:
    """D: the discounted expected purchases over the horizon (CLV per unit of margin per purchase);
    ``horizon``: time_unit, horizon_months, monthly_discount_rate (keywords)."""
    return discounted_purchases_and_total(params, frequency, recency, age, **horizon)[1]


def _logit(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def bgnbd_log_gradients(
    params: BGNBDParams,
    frequency,
    recency,
    age,
    *,
    time_unit: str,
    horizon_months: int,
    monthly_discount_rate: float,
    discounted: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients (4, n) of log D and of logit P(alive) with respect to log(r, alpha, a, b) (or the log
    parameters of a salesperf.clv.choice.RepeatModel: MBG/NBD, Pareto/NBD).

    Forward differences of the prediction code itself (the closed form with its quadrature
    fallback), step 1e-4 in log space: five evaluations of D instead of the eight of central
    differences (D is the costly part of a prediction); the truncation error, ~1e-4 of the
    gradient, moves an interval's ends by about as much of their distance to the point.
    ``discounted``: D at ``params`` when the caller has it already (the point prediction's), not
    computed again."""
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    theta = np.log(params.as_array())
    n = x.size
    g_d = np.zeros((4, n))
    g_alive = np.zeros((4, n))
    horizon = {
        "time_unit": time_unit,
        "horizon_months": horizon_months,
        "monthly_discount_rate": monthly_discount_rate,
        "pairs": distinct_rows(x, big_t),  # the same (x, T) pairs at every parameter set
    }

    def logs(p: BGNBDParams) -> tuple[np.ndarray, np.ndarray]:
        # D = P(alive) x D if alive: the latter once per distinct (x, T) (see discounted_purchases_and_total)
        _, d_if_alive, inverse = horizon_if_alive(p, x, big_t, **horizon)
        alive = _p_alive(p, x, t_x, big_t)
        with np.errstate(divide="ignore"):
            return np.log(alive * d_if_alive[inverse]), _logit(alive)

    if discounted is None:
        base_d, base_alive = logs(params)
    else:
        with np.errstate(divide="ignore"):
            base_d = np.log(np.asarray(discounted, dtype=float))
            base_alive = _logit(_p_alive(params, x, t_x, big_t))
    for i in range(4):
        shifted = theta.copy()
        shifted[i] += _STEP
        log_d, logit_alive = logs(
            params.with_params(np.exp(shifted)) if hasattr(params, "with_params") else BGNBDParams(*np.exp(shifted))
        )
        with np.errstate(invalid="ignore"):
            g_d[i] = (log_d - base_d) / _STEP
            g_alive[i] = (logit_alive - base_alive) / _STEP
    return g_d, g_alive


def spend_log_gradient(params: GammaGammaParams, frequency, monetary) -> np.ndarray:
    """Gradient (3, n) of log E[spend per purchase] with respect to log(p, q, gamma), analytic.

    Repeat buyers: E = p (gamma + m x) / (p x + q - 1); others: the population mean
    p gamma / (q - 1) (valid for q > 1, the only case where it comes from the model)."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    p, q, g = params.as_array()
    usable = (x >= 1) & np.isfinite(m) & (m >= 0)
    xs = np.where(usable, x, 0.0)
    ms = np.where(usable, m, 0.0)
    denominator = p * xs + q - 1.0
    with np.errstate(all="ignore"):
        d_p = 1.0 - p * xs / denominator
        d_q = -q / denominator
        d_g = g / (g + ms * xs)
    return np.stack([d_p, d_q, d_g])


def _quadratic_form(gradient: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """g' S g for every column g of ``gradient`` (k, n)."""
    return np.einsum("in,ij,jn->n", gradient, covariance, gradient)


def customer_intervals(
    bgnbd: BGNBDParams | None,
    bgnbd_covariance,
    gg: GammaGammaParams | None,
    gg_covariance,
    frequency,
    recency,
    age,
    monetary,
    clv,
    p_alive,
    *,
    spend_from_model: np.ndarray | bool = True,
    time_unit: str,
    horizon_months: int,
    monthly_discount_rate: float,
    level: float = 0.9,
    discounted: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Delta-method intervals of ``clv`` and ``p_alive`` (the point predictions) per customer.

    ``spend_from_model`` is False (or False per customer) where the expected spend did not come
    from the Gamma-Gamma parameters (a given population mean, the segment's mean spend): its
    uncertainty is then unknown and so is the CLV interval. Returns clv_low, clv_high,
    p_alive_low, p_alive_high (NaN where unknown). ``discounted``: the discounted expected purchases
    of the point prediction, when the caller has them (see :func:`bgnbd_log_gradients`)."""
    clv = np.asarray(clv, dtype=float)
    p_alive = np.asarray(p_alive, dtype=float)
    n = clv.size
    z = z_value(level)
    nan = np.full(n, np.nan)
    out = {"clv_low": nan.copy(), "clv_high": nan.copy(), "p_alive_low": nan.copy(), "p_alive_high": nan.copy()}
    if bgnbd is None or bgnbd_covariance is None or n == 0:
        return out
    s_bg = log_covariance(bgnbd.as_array(), bgnbd_covariance)
    g_d, g_alive = bgnbd_log_gradients(
        bgnbd,
        frequency,
        recency,
        age,
        time_unit=time_unit,
        horizon_months=horizon_months,
        monthly_discount_rate=monthly_discount_rate,
        discounted=discounted,
    )
    with np.errstate(all="ignore"):
        sd_alive = np.sqrt(np.maximum(_quadratic_form(g_alive, s_bg), 0.0))
        logit = _logit(p_alive)
        low = 1.0 / (1.0 + np.exp(-(logit - z * sd_alive)))
        high = 1.0 / (1.0 + np.exp(-(logit + z * sd_alive)))
    certain = p_alive >= 1.0  # no repeat purchase: P(alive) = 1 for any parameters
    out["p_alive_low"] = np.where(certain, 1.0, low)
    out["p_alive_high"] = np.where(certain, 1.0, high)
    if gg is None or gg_covariance is None:
        return out
    s_gg = log_covariance(gg.as_array(), gg_covariance)
    var_log = _quadratic_form(g_d, s_bg) + _quadratic_form(spend_log_gradient(gg, frequency, monetary), s_gg)
    with np.errstate(all="ignore"):
        factor = np.exp(z * np.sqrt(np.maximum(var_log, 0.0)))
        a, b = clv / factor, clv * factor
    # an overflowing factor (a fit close to a ridge: huge variances) gives no usable interval
    known = np.broadcast_to(np.asarray(spend_from_model, dtype=bool), (n,)) & np.isfinite(factor)
    out["clv_low"] = np.where(known, np.minimum(a, b), np.nan)
    out["clv_high"] = np.where(known, np.maximum(a, b), np.nan)
    return out
