"""Monthly sales targets and yearly market sizes, set from the sales the blocks produced.

A rep's target is what an average rep would have sold with the same book (the rep's smoothed
sales divided by the rep's skill), so attainment reflects skill: about 60 % for the weak rep,
about 130 % for the strong one. Team targets are the members' targets plus a stretch, except
for one team that has no target rows of its own. A few months leave some target columns empty.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from salesperf.contract import MARKET_TYPES, TARGET_GRAINS
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.org import REGIONS, region_ids, rep_ids, team_ids
from salesperf.generate.products import CATEGORIES
from salesperf.generate.timeutil import month_of, month_start, year_of
from salesperf.generate.totals import SalesTotals


def _smooth(x: np.ndarray) -> np.ndarray:
    padded = np.pad(x, ((0, 0), (1, 1)), mode="edge")
    return 0.25 * padded[:, :-2] + 0.5 * padded[:, 1:-1] + 0.25 * padded[:, 2:]


def targets(ctx: Context, totals: SalesTotals) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("plan_sales_targets")
    months = np.arange(ctx.month0, ctx.month0 + ctx.n_months)
    m_first = month_start(months)
    m_next = month_start(months + 1)
    employed = (org.rep_hire[:, None] < m_next[None, :]) & (org.rep_term[:, None] > m_first[None, :])
    skill = org.rep_skill[:, None]
    smooth = _smooth(totals.sales)
    # a month without sales (ramp-up, gaps) still gets a target: a third of the rep's usual month
    active = employed & (smooth > 0)
    usual = np.array([np.median(row[ok]) if ok.any() else 0.0 for row, ok in zip(smooth, active, strict=True)])
    smooth = np.maximum(smooth, usual[:, None] / 3.0)
    rep_target = np.round(smooth / skill * rng.lognormal(0.0, 0.1, smooth.shape), -2)
    rep_new = np.round(_smooth(totals.new_customers) / skill)
    margin = 1.0 - totals.cost.sum(axis=1) / np.maximum(totals.costed_sales.sum(axis=1), 1.0)
    rep_margin = np.round(np.clip(margin + 0.02, -1, 1), 2)[:, None] * np.ones((1, len(months)))
    collection = np.round(rng.uniform(0.88, 0.97, rep_target.shape), 2)

    # team targets: members on the 15th of the month, plus a stretch; one team sets none of its own
    mid = m_first + 14
    member_team = np.stack([org.team_at(np.arange(org.n_reps), np.full(org.n_reps, d)) for d in mid], axis=1)
    team_rows: list[tuple[int, int, float, float, float, float]] = []
    no_target_team = 2 % org.n_teams
    for t in range(org.n_teams):
        if t == no_target_team:
            continue
        for j in range(len(months)):
            members = (member_team[:, j] == t) & employed[:, j]
            if not members.any() or org.team_created_day[t] >= m_next[j]:
                continue
            stretch = rng.uniform(1.0, 1.06)
            team_rows.append(
                (
                    t,
                    j,
                    round(float(rep_target[members, j].sum() * stretch), -2),
                    float(rep_new[members, j].sum()),
                    float(np.round(collection[members, j].mean(), 2)),
                    float(np.round(rep_margin[members, j].mean(), 2)),
                )
            )

    r, j = np.nonzero(employed)
    t_arr = np.array([x[0] for x in team_rows], dtype=np.int64)
    tj = np.array([x[1] for x in team_rows], dtype=np.int64)
    grain = np.concatenate([np.zeros(len(r), dtype=np.int64), np.ones(len(t_arr), dtype=np.int64)])
    month_idx = np.concatenate([j, tj])
    sales_t = np.concatenate([rep_target[r, j], [x[2] for x in team_rows]])
    new_t = np.concatenate([rep_new[r, j], [x[3] for x in team_rows]])
    coll_t = np.concatenate([collection[r, j], [x[4] for x in team_rows]])
    marg_t = np.concatenate([rep_margin[r, j], [x[5] for x in team_rows]])
    n = len(grain)
    # a few months without some targets
    new_t = np.where(rng.random(n) < 0.03, np.nan, new_t)
    coll_t = np.where(month_idx < 2, np.nan, coll_t)  # collection targets start in the third month
    marg_t = np.where(np.isin(month_idx, (13, 14)), np.nan, marg_t)
    entity_no = np.concatenate([r, t_arr])
    sales_t = np.where((grain == 0) & np.isin(month_idx, (5, 6)) & (entity_no == org.strong_rep), np.nan, sales_t)
    order = np.lexsort((month_idx, entity_no, grain))
    g, e = grain[order], entity_no[order]
    return {
        "target_grain": names.pick(TARGET_GRAINS, g),
        "entity_id": pc.if_else(pa.array(g == 0), rep_ids(e), team_ids(e)),
        "month": m_first[month_idx[order]],
        "target_sales_amount": sales_t[order],
        "target_new_customers": new_t[order],
        "target_collection_rate": coll_t[order],
        "target_gross_margin_rate": marg_t[order],
    }


def market_sizes(ctx: Context, totals: SalesTotals) -> dict:
    rng = ctx.cfg.rng("market_sizes")
    cfg = ctx.cfg
    first_year = int(year_of(cfg.start_day))
    years = np.arange(first_year, int(year_of(cfg.as_of_day)) + 1)
    m_lo, m_hi = int(month_of(cfg.start_day)), int(month_of(cfg.as_of_day))
    months_covered = np.array([min(m_hi, (y - 1970) * 12 + 11) - max(m_lo, (y - 1970) * 12) + 1 for y in years])
    annual = totals.market[:, :, : len(years)] * (12.0 / months_covered)[None, None, :]
    market = np.array([MARKET_TYPES.index(r[2]) for r in REGIONS])
    y_idx = np.arange(len(years))[None, :]
    share = np.select(
        [market[:, None] == MARKET_TYPES.index("emerging"), market[:, None] == MARKET_TYPES.index("declining")],
        [0.03 + 0.012 * y_idx, 0.09 - 0.006 * y_idx],
        0.10 + 0.0 * y_idx,
    )  # [region, year]
    size = annual / share[:, None, :] * rng.lognormal(0.0, 0.05, annual.shape)
    fallback = np.nanmean(np.where(size > 0, size, np.nan)) if (size > 0).any() else 1e7
    size = np.round(np.where(size > 0, size, 0.2 * fallback), -3)
    r, c, y = np.indices(size.shape).reshape(3, -1)
    return {
        "region_code": region_ids(r),
        "category": names.pick(CATEGORIES, c),
        "year": years[y],
        "market_size_amount": size[r, c, y],
    }
