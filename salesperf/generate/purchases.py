"""Buy-till-you-die purchase process: the days on which each customer buys.

Each customer buys first shortly after the account is created, then at the times of a Poisson
process of its own rate, thinned by the season (Q4 peak, Chinese New Year dip, shopping festivals,
weekends, growth). After each purchase the customer drops out with its own probability. Some
customers who dropped out come back after 13 to 24 months (a second life with the same habits).
"""

from __future__ import annotations

import numpy as np

from salesperf.generate.context import Context
from salesperf.generate.randutil import expand, group_cumsum
from salesperf.generate.timeutil import FAR_DAY


def _spell(
    ctx: Context, rng: np.random.Generator, cust: np.ndarray, t0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One life: purchases from day t0 (the first purchase) until dropout or as_of.

    Returns (position in ``cust`` of each purchase, purchase day, day of the last purchase of
    customers who dropped out or FAR_DAY for those still alive)."""
    c = ctx.cust
    as_of = ctx.cfg.as_of_day
    n = len(cust)
    seg = c.b2b[cust].astype(np.int64)
    p = c.p_drop[cust]
    n_life = np.where(p > 0, rng.geometric(np.clip(p, 1e-9, 1.0)), 10**7).astype(np.int64)  # purchases till dropout
    lam = np.maximum(c.rate[cust] / 365.25 * ctx.season_peak[seg], 1e-6)  # candidate rate a day
    span = np.maximum(as_of + 1 - t0, 0.0)
    mu = lam * span
    cap = np.minimum(np.ceil(mu + 4 * np.sqrt(mu) + 5), (n_life - 1) * 4 + 10)
    cap = np.where(t0 <= as_of, cap, 0).astype(np.int64)
    parent, _ = expand(cap)
    times = t0[parent] + group_cumsum(rng.exponential(1.0, len(parent)) / lam[parent], parent)
    day = np.floor(times).astype(np.int64)
    col = np.clip(day - ctx.season_day0, 0, ctx.season_ratio.shape[1] - 1)
    accepted = (day <= as_of) & (rng.random(len(parent)) < ctx.season_ratio[seg[parent], col])
    rank = group_cumsum(accepted.astype(np.int64), parent)
    keep = accepted & (rank <= n_life[parent] - 1)
    first_ok = t0 <= as_of
    first_day = np.floor(t0).astype(np.int64)
    repeats = np.bincount(parent[keep], minlength=n)
    dropped = first_ok & (repeats >= n_life - 1)
    last = first_day.copy()
    np.maximum.at(last, parent[keep], day[keep])
    pos = np.concatenate([np.flatnonzero(first_ok), parent[keep]])
    days = np.concatenate([first_day[first_ok], day[keep]])
    return pos, days, np.where(dropped, last, FAR_DAY)


def purchase_days(
    ctx: Context, rng: np.random.Generator, cust: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(customer, day) of every purchase of the given customers (also before the history starts),
    and per customer its first purchase day and its final dropout day (FAR_DAY: still alive)."""
    c = ctx.cust
    n = len(cust)
    t0 = (c.created_day[cust] + rng.integers(1, 22, n)).astype(np.float64)
    t0 = np.where(c.buys[cust], t0, float(FAR_DAY))
    pos1, day1, death = _spell(ctx, rng, cust, t0)
    restart = death + rng.integers(380, 721, n)
    back = c.reactivates[cust] & (death < FAR_DAY) & (restart <= ctx.cfg.as_of_day)
    idx = np.flatnonzero(back)
    pos2, day2, death2 = _spell(ctx, rng, cust[idx], restart[idx].astype(np.float64))
    death = death.copy()
    death[idx] = death2
    pos = np.concatenate([pos1, idx[pos2]])
    days = np.concatenate([day1, day2])
    first = np.where(c.buys[cust], np.floor(t0).astype(np.int64), FAR_DAY)
    return cust[pos], days, first, death
