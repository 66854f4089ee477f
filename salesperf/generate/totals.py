"""Running sales totals collected block by block; targets and market sizes are set from them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.generate.timeutil import month_of, year_of


@dataclass
class SalesTotals:
    month0: int
    first_year: int
    sales: np.ndarray  # [rep, month] net sales, base currency
    cost: np.ndarray  # [rep, month] cost of lines with a unit cost, base currency
    costed_sales: np.ndarray  # [rep, month] net sales of those lines
    new_customers: np.ndarray  # [rep, month] customers whose first order in the history falls in the month
    market: np.ndarray  # [region, category, year - first_year] net sales, base currency

    @classmethod
    def empty(
        cls, n_reps: int, month0: int, n_months: int, n_regions: int, n_categories: int, first_year: int, n_years: int
    ) -> SalesTotals:
        z = np.zeros((n_reps, n_months))
        return cls(
            month0, first_year, z.copy(), z.copy(), z.copy(), z.copy(), np.zeros((n_regions, n_categories, n_years))
        )

    def add_lines(
        self,
        rep: np.ndarray,
        day: np.ndarray,
        region: np.ndarray,
        category: np.ndarray,
        net_base: np.ndarray,
        cost_base: np.ndarray,
    ) -> None:
        """Confirmed order lines; ``cost_base`` is NaN where the line has no unit cost."""
        cell = rep * self.sales.shape[1] + (month_of(day) - self.month0)
        has_cost = ~np.isnan(cost_base)
        self.sales += _sum_by(cell, net_base, self.sales.shape)
        self.cost += _sum_by(cell[has_cost], cost_base[has_cost], self.cost.shape)
        self.costed_sales += _sum_by(cell[has_cost], net_base[has_cost], self.cost.shape)
        _, n_cat, n_years = self.market.shape
        y = np.clip(year_of(day) - self.first_year, 0, n_years - 1)
        self.market += _sum_by((region * n_cat + category) * n_years + y, net_base, self.market.shape)

    def add_new_customers(self, rep: np.ndarray, day: np.ndarray) -> None:
        cell = rep * self.sales.shape[1] + (month_of(day) - self.month0)
        self.new_customers += _sum_by(cell, np.ones(len(cell)), self.new_customers.shape)


def _sum_by(cell: np.ndarray, values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    size = int(np.prod(shape))
    return np.bincount(cell, weights=values, minlength=size)[:size].reshape(shape)
