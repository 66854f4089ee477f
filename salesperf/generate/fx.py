"""Daily exchange rates to the base currency (CNY), business days only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.contract import CURRENCIES
from salesperf.generate.config import GenConfig
from salesperf.generate.timeutil import weekday

BASE_CURRENCY = "CNY"
_START_RATE = {"USD": 7.05, "EUR": 7.65, "HKD": 0.902}
_VOLATILITY = {"USD": 0.0025, "EUR": 0.004, "HKD": 0.0025}


@dataclass
class Fx:
    first_day: int  # day number of rate_by_day[:, 0]
    rate_by_day: np.ndarray  # [currency, day]: latest rate on or before the day (CNY = 1)
    table: dict[str, np.ndarray]

    def rate(self, currency: np.ndarray, days: np.ndarray) -> np.ndarray:
        return self.rate_by_day[currency, np.asarray(days, dtype=np.int64) - self.first_day]


def build(cfg: GenConfig) -> Fx:
    """Rates from a year before the start (opportunities and contracts reach back) to as_of."""
    rng = cfg.rng("fx_rates")
    first = cfg.start_day - 400
    days = np.arange(first, cfg.as_of_day + 1)
    business = days[weekday(days) < 5]
    rate_by_day = np.ones((len(CURRENCIES), len(days)))
    cur_col, date_col, rate_col = [], [], []
    for ci, cur in enumerate(CURRENCIES):
        if cur == BASE_CURRENCY:
            continue
        # mean-reverting random walk of the log rate
        steps = rng.normal(0.0, _VOLATILITY[cur], len(business))
        log_rate = np.empty(len(business))
        x = 0.0
        for i, s in enumerate(steps):  # one loop per business day and currency (~1,400), not per row
            x = 0.995 * x + s
            log_rate[i] = x
        rates = np.round(_START_RATE[cur] * np.exp(log_rate), 6)
        pos = np.searchsorted(business, days, side="right") - 1
        # the first calendar days before the first business day take the first rate
        rate_by_day[ci] = rates[np.clip(pos, 0, None)]
        cur_col.append(np.full(len(business), cur))
        date_col.append(business)
        rate_col.append(rates)
    table = {
        "currency": np.concatenate(cur_col),
        "rate_date": np.concatenate(date_col),
        "rate_to_base": np.concatenate(rate_col),
    }
    return Fx(first_day=first, rate_by_day=rate_by_day, table=table)
