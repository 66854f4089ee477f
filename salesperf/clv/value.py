"""Discounted customer lifetime value over a horizon of months."""

from __future__ import annotations

import numpy as np

from salesperf.clv.bgnbd import BGNBDParams, _as_arrays, expected_purchases, expected_purchases_if_alive
from salesperf.clv.bgnbd import probability_alive as bgnbd_probability_alive
from salesperf.clv.grouping import distinct_rows
from salesperf.clv.timeunits import months_to_units


def monthly_expected_purchases(
    params: BGNBDParams, frequency, recency, age, *, time_unit: str, horizon_months: int
) -> np.ndarray:
    """Expected purchases in each month 1..H after the as-of date: array (H, n_customers).

    Month m covers (m - 1, m] average months, converted to ``time_unit`` (the fit's unit)."""
    if horizon_months < 1:
        raise ValueError("horizon_months must be >= 1")
    months = np.arange(0, horizon_months + 1, dtype=float)
    t = np.array([months_to_units(m, time_unit) for m in months])[:, None]
    x = np.asarray(frequency, dtype=float)[None, :]
    t_x = np.asarray(recency, dtype=float)[None, :]
    big_t = np.asarray(age, dtype=float)[None, :]
    # a salesperf.clv.choice.RepeatModel (MBG/NBD, Pareto/NBD) brings its own expectation
    if hasattr(params, "expected"):
        cumulative = params.expected(t, x, t_x, big_t)
    else:
        cumulative = expected_purchases(params, t, x, t_x, big_t)
    cumulative = np.maximum.accumulate(cumulative, axis=0)  # guards rounding: never decreasing
    return np.diff(cumulative, axis=0)


def discount_factors(horizon_months: int, monthly_discount_rate: float) -> np.ndarray:
    """1 / (1 + d)^m for m = 1..H: a month's purchases are discounted at the month's end."""
    if monthly_discount_rate <= -1.0:
        raise ValueError("monthly_discount_rate must be > -1")
    m = np.arange(1, horizon_months + 1, dtype=float)
    return (1.0 + monthly_discount_rate) ** -m


def discounted_clv(
    params: BGNBDParams,
    frequency,
    recency,
    age,
    margin_per_purchase,
    *,
    time_unit: str,
    horizon_months: int,
    monthly_discount_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """CLV = sum over months m = 1..H of E[purchases in month m] x margin per purchase / (1 + d)^m.

    Returns (expected purchases over the whole horizon, discounted CLV) per customer. The margin
    per purchase is constant per customer (Gamma-Gamma expected spend x margin rate); a NaN
    margin gives a NaN CLV (unknown, never 0)."""
    total, discounted = discounted_purchases_and_total(
        params,
        frequency,
        recency,
        age,
        time_unit=time_unit,
        horizon_months=horizon_months,
        monthly_discount_rate=monthly_discount_rate,
    )
    margin = np.asarray(margin_per_purchase, dtype=float)
    return total, discounted * margin


def discounted_purchases_and_total(
    params: BGNBDParams, frequency, recency, age, *, time_unit: str, horizon_months: int, monthly_discount_rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """(expected purchases over the whole horizon, discounted expected purchases D) per customer:
    :func:`discounted_clv` per unit of margin per purchase (D also feeds the CLV intervals).

    The expectation is P(alive | x, t_x, T) x E[purchases | alive, x, T] for every model, and
    only P(alive) depends on the recency: the monthly expectations (the costly part, a
    hypergeometric function per month) are computed once per distinct (x, T) pair
    (:func:`horizon_if_alive`) and multiplied by each customer's P(alive). The same values as
    from :func:`monthly_expected_purchases` per customer up to rounding (a few units of 1e-16)."""
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    total, discounted, inverse = horizon_if_alive(
        params,
        x,
        big_t,
        time_unit=time_unit,
        horizon_months=horizon_months,
        monthly_discount_rate=monthly_discount_rate,
    )
    alive = p_alive(params, x, t_x, big_t)
    return alive * total[inverse], alive * discounted[inverse]


def horizon_if_alive(
    params,
    frequency,
    age,
    *,
    time_unit: str,
    horizon_months: int,
    monthly_discount_rate: float,
    pairs: tuple[tuple[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected purchases over the horizon, discounted ones, each customer's pair) of a customer
    alive at T, per distinct (x, T) pair of the customers (1-D ``frequency`` and ``age``; ``pairs``:
    their ``distinct_rows(frequency, age)`` when the caller has it, for several parameter sets)."""
    (x, big_t), inverse = distinct_rows(frequency, age) if pairs is None else pairs
    if horizon_months < 1:
        raise ValueError("horizon_months must be >= 1")
    months = np.arange(0, horizon_months + 1, dtype=float)
    t = np.array([months_to_units(m, time_unit) for m in months])[:, None]
    if hasattr(params, "expected_if_alive"):  # a salesperf.clv.choice.RepeatModel (MBG/NBD, Pareto/NBD)
        cumulative = params.expected_if_alive(t, x[None, :], big_t[None, :])
    else:
        cumulative = expected_purchases_if_alive(params, t, x[None, :], big_t[None, :])
    cumulative = np.maximum.accumulate(cumulative, axis=0)  # guards rounding: never decreasing
    per_month = np.diff(cumulative, axis=0)
    discounted = discount_factors(horizon_months, monthly_discount_rate) @ per_month
    return per_month.sum(axis=0), discounted, inverse


def p_alive(params, frequency, recency, age) -> np.ndarray:
    """P(alive) under BGNBDParams or a salesperf.clv.choice.RepeatModel (MBG/NBD, Pareto/NBD)."""
    if hasattr(params, "p_alive"):
        return params.p_alive(frequency, recency, age)
    return bgnbd_probability_alive(params, frequency, recency, age)
