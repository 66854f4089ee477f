"""Everything the per-block generators share: settings, organisation, products, customers, fx."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from salesperf.generate.config import GenConfig
from salesperf.generate.customers import Customers, id_width
from salesperf.generate.fx import Fx
from salesperf.generate.org import Org
from salesperf.generate.products import Products
from salesperf.generate.timeutil import demand_factor, month_of


@dataclass
class Context:
    cfg: GenConfig
    org: Org
    prod: Products
    cust: Customers
    fx: Fx
    season_day0: int = 0
    season_ratio: np.ndarray = field(default_factory=lambda: np.zeros((2, 0)))  # [segment, day]: accept prob
    season_peak: np.ndarray = field(default_factory=lambda: np.ones(2))  # candidate-rate multiplier

    def __post_init__(self) -> None:
        cfg = self.cfg
        self.season_day0 = int(self.cust.created_day.min()) - 1
        days = np.arange(self.season_day0, cfg.as_of_day + 1)
        hist = days >= cfg.start_day
        ratio, peak = [], []
        for b2b in (False, True):
            f = demand_factor(days, b2b, cfg.start_day)
            s = f / f[hist].mean()
            peak.append(s.max())
            ratio.append(s / s.max())
        self.season_ratio = np.array(ratio)
        self.season_peak = np.array(peak)

    @property
    def month0(self) -> int:
        return int(month_of(self.cfg.start_day))

    @property
    def n_months(self) -> int:
        return int(month_of(self.cfg.as_of_day)) - self.month0 + 1

    @property
    def cust_width(self) -> int:
        return id_width(self.cust.n)
