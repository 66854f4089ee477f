"""What the repeat-purchase models beside BG/NBD share: a fit record and a grouped multi-start fit.

MBG/NBD (:mod:`salesperf.clv.mbgnbd`) and Pareto/NBD (:mod:`salesperf.clv.paretonbd`) are fitted
like BG/NBD (:func:`salesperf.clv.bgnbd.fit_bgnbd`): maximum likelihood over the logs of the four
parameters, customers with the same (x, t_x, T) as one weighted row, every start optimised
(L-BFGS-B, fixed cold starts and an optional warm one), the best kept and Newton-polished, the
covariance from the observed information. MBG/NBD's gradient is analytic (a model may bring
``row_log_likelihood_and_gradient``); Pareto/NBD's is central differences of the log-likelihood (step
1e-6 in log space): its hypergeometric terms have no cheap analytic derivative. Their
Hessian (the Newton polish, the covariance) is second differences of the log-likelihood itself
(:func:`salesperf.clv.optim.value_hessian`: 21 evaluations, more accurate than differences of the
differenced gradient, which took 72).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from salesperf.clv.bgnbd import _as_arrays
from salesperf.clv.grouping import distinct_rows
from salesperf.clv.optim import StartResult, bound_verdict, fit_problem, multi_start, value_hessian
from salesperf.clv.timeunits import days_per_unit

LOG_BOUNDS = (-12.0, 12.0)
_GRADIENT_STEP = 1e-6

RowLogLikelihood = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]
RowLogLikelihoodAndGradient = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class RepeatFit:
    """A fitted repeat-purchase model: parameters in the model's order (``names``), as for BG/NBD."""

    model: str
    names: tuple[str, ...]
    params: tuple[float, ...]
    log_likelihood: float
    n_customers: int
    n_repeat_buyers: int
    converged: bool
    time_unit: str
    message: str
    starts: tuple[StartResult, ...] = ()
    best_start: str = ""
    std_errors: tuple[float, ...] | None = None
    covariance: tuple[tuple[float, ...], ...] | None = None

    def as_dict(self) -> dict[str, float]:
        return dict(zip(self.names, self.params, strict=True))


def cold_starts(x: np.ndarray, big_t: np.ndarray, w: np.ndarray, shapes) -> list[tuple[str, np.ndarray]]:
    """Cold starts (log r, alpha, third, fourth): alpha from the data's repeat rate (exactly rounded
    sums, the same bits on every machine), the other shapes as given."""
    total_t = math.fsum(w * big_t)
    rate = max(math.fsum(w * x) / max(total_t, 1e-9), 1e-6)
    return [
        (f"cold_{k}", np.log([r0, float(np.clip(r0 / rate, 1e-3, 1e5)), c0, d0]))
        for k, (r0, c0, d0) in enumerate(shapes, start=1)
    ]


def fit_grouped(
    model: str,
    names: tuple[str, ...],
    row_log_likelihood: RowLogLikelihood,
    shapes,
    frequency,
    recency,
    age,
    *,
    time_unit: str,
    initial=None,
    weights=None,
    prepare: Callable[[np.ndarray, np.ndarray, np.ndarray], dict] | None = None,
    row_log_likelihood_and_gradient: RowLogLikelihoodAndGradient | None = None,
) -> RepeatFit:
    """Maximum-likelihood fit of a 4-parameter repeat-purchase model (see the module docstring).

    ``row_log_likelihood(theta, x, t_x, T)`` gives each row's log-likelihood at theta = log(params).
    A fit without any repeat buyer is returned with ``converged=False`` (not identified); a
    parameter on its bound marks a degenerate fit, except the legitimate limits of the dropout
    process (:func:`salesperf.clv.optim.bound_verdict`: no dropout, nearly homogeneous dropout).
    ``prepare(x, t_x, T)``, when given, returns keyword arguments of ``row_log_likelihood``
    computed once per fit from the (grouped) rows, e.g. their distinct pairs.
    ``row_log_likelihood_and_gradient(theta, x, t_x, T)``, when given, returns the rows' log-likelihood
    and its analytic gradient (4, n) over theta: the objective's gradient then comes from it, not
    from central differences."""
    days_per_unit(time_unit)
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    if x.size == 0:
        raise ValueError(f"cannot fit {model} on zero customers")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    n_customers = int(round(float(np.sum(w))))
    n_repeat = int(round(float(np.sum(w[x > 0]))))
    (x, t_x, big_t), inverse = distinct_rows(x, t_x, big_t)
    w = np.bincount(inverse, weights=w, minlength=x.size)
    extra = {} if prepare is None else prepare(x, t_x, big_t)

    def mean_ll(theta: np.ndarray) -> float:
        return float(np.sum(w * row_log_likelihood(theta, x, t_x, big_t, **extra))) / n_customers

    def negative(theta: np.ndarray) -> float:
        value = -mean_ll(theta)
        return value if np.isfinite(value) else np.nan

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        if row_log_likelihood_and_gradient is not None:
            rows, row_gradient = row_log_likelihood_and_gradient(theta, x, t_x, big_t, **extra)
            value = -float(np.sum(w * rows)) / n_customers
            gradient = -(row_gradient @ w) / n_customers
        else:
            value = negative(theta)
            gradient = np.zeros(theta.size)
            if np.isfinite(value):
                for i in range(theta.size):
                    step = np.zeros(theta.size)
                    step[i] = _GRADIENT_STEP
                    gradient[i] = -(mean_ll(theta + step) - mean_ll(theta - step)) / (2 * _GRADIENT_STEP)
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            return 1e300, np.zeros(theta.size)
        return value, gradient

    starts = cold_starts(x, big_t, w, shapes)
    warm = None if initial is None else np.asarray(initial, dtype=float)
    best = multi_start(
        objective, starts, LOG_BOUNDS, n_customers, warm, hessian=lambda theta: value_hessian(negative, theta)
    )
    degenerate, limit = bound_verdict(
        best.theta, LOG_BOUNDS, names[2:], "dropout parameters at their bound: nearly homogeneous dropout"
    )
    converged = best.success and not degenerate and bool(np.isfinite(best.value))
    message = fit_problem(best, degenerate) or limit or "ok"
    if n_repeat == 0:
        converged, message = False, f"no repeat buyers: {model} is not identified"
    fields = best.fit_fields(lambda *values: tuple(float(v) for v in values), n_customers)
    return RepeatFit(
        model=model,
        names=names,
        params=fields["params"],
        log_likelihood=fields["log_likelihood"],
        n_customers=n_customers,
        n_repeat_buyers=n_repeat,
        converged=converged,
        time_unit=time_unit,
        message=message,
        starts=fields["starts"],
        best_start=fields["best_start"],
        std_errors=fields["std_errors"],
        covariance=fields["covariance"],
    )


@dataclass(frozen=True)
class RepeatModelSpec:
    """What a 4-parameter repeat-purchase model brings of its own (MBG/NBD, Pareto/NBD): its name,
    parameter names, per-row log-likelihood, cold-start shapes and optional ``prepare`` (see
    :func:`fit_grouped`); the fit and the total log-likelihood are the same code for all."""

    model: str
    names: tuple[str, ...]
    row_log_likelihood: RowLogLikelihood
    shapes: tuple[tuple[float, float, float], ...]
    prepare: Callable[[np.ndarray, np.ndarray, np.ndarray], dict] | None = None
    row_log_likelihood_and_gradient: RowLogLikelihoodAndGradient | None = None

    def log_likelihood(self, params, frequency, recency, age) -> float:
        """Total log-likelihood of the customers' (x, t_x, T) under ``params`` (in the order of ``names``)."""
        x, t_x, big_t = _as_arrays(frequency, recency, age)
        return float(np.sum(self.row_log_likelihood(np.log(np.asarray(params, dtype=float)), x, t_x, big_t)))

    def fit(self, frequency, recency, age, *, time_unit: str, initial=None, weights=None) -> RepeatFit:
        """Maximum-likelihood fit (the best of several starts, as :func:`salesperf.clv.bgnbd.fit_bgnbd`)."""
        return fit_grouped(
            self.model,
            self.names,
            self.row_log_likelihood,
            self.shapes,
            frequency,
            recency,
            age,
            time_unit=time_unit,
            initial=initial,
            weights=weights,
            prepare=self.prepare,
            row_log_likelihood_and_gradient=self.row_log_likelihood_and_gradient,
        )
