"""Opportunities of a block's customers and the contacts each one engaged.

Won opportunities are the sales cycles behind real orders (their won amount is the order amount,
the forecast is the rep's earlier guess). Lost ones are spread over the customer's life, more of
them for weaker reps; recent ones are still open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.contract import CURRENCIES, OPP_STAGES, OPP_STATUSES
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.customers import customer_ids
from salesperf.generate.orders import OrderBlock
from salesperf.generate.org import rep_ids
from salesperf.generate.products import product_ids
from salesperf.generate.randutil import expand, soft_deleted
from salesperf.generate.timeutil import DAY, FAR_DAY, HOUR, business_seconds

WON, LOST, OPEN = (OPP_STATUSES.index(s) for s in ("won", "lost", "open"))


@dataclass
class Opps:
    """Opportunities of a block, sorted by number (arrays in the same order as the table)."""

    no: np.ndarray
    cust: np.ndarray
    rep: np.ndarray
    status: np.ndarray
    created: np.ndarray  # seconds
    end: np.ndarray  # seconds: closed_at, or the last moment it could still be worked on
    cycle_target: np.ndarray  # days, NaN for B2C


def opportunity_ids(no: np.ndarray, null: np.ndarray | None = None):
    return names.ids("OP", no, 8, null)


def _target_cycle(amount_base: np.ndarray) -> np.ndarray:
    return np.select([amount_base < 10_000, amount_base < 50_000, amount_base < 200_000], [30, 60, 90], 180)


def generate_block(
    ctx: Context, block: int, lo: int, ob: OrderBlock, counters: dict[str, int]
) -> tuple[dict[str, dict], Opps]:
    cfg, c, org, prod, fx = ctx.cfg, ctx.cust, ctx.org, ctx.prod, ctx.fx
    rng = cfg.rng("crm_opportunities", block)
    start, as_of = cfg.start_day, cfg.as_of_day
    as_of_end = (as_of + 1) * DAY - 1
    b2b_o = c.b2b[ob.cust]

    # won: the sales cycle behind an order
    p_won = np.where(b2b_o, np.where(ob.is_fee, 0.5, 0.45), np.where(ob.amount_base > 5_000, 0.5, 0.0))
    p_won = np.where(ob.cust == c.whale, 0.15, p_won)
    w = np.flatnonzero(ob.confirmed & (rng.random(len(ob.cust)) < p_won))
    w_cust, w_rep, w_b2b = ob.cust[w], ob.rep[w], b2b_o[w]
    skill = org.rep_skill[w_rep]
    target = _target_cycle(ob.amount_base[w])
    cycle = np.round(target * rng.lognormal(0.0, 0.35, len(w)) * (1.3 - 0.3 * skill)).astype(np.int64)
    closed_day = np.maximum(ob.day[w] - rng.integers(0, 4, len(w)), c.created_day[w_cust])
    floor_day = np.maximum.reduce([c.created_day[w_cust], org.rep_hire[w_rep], prod.launch_day[ob.first_product[w]]])
    created_day = np.minimum(np.maximum(closed_day - cycle, floor_day), closed_day)
    w_created = np.maximum(created_day * DAY + business_seconds(rng, len(w)), c.created_sec[w_cust] + 600)
    w_closed = np.minimum(np.maximum(closed_day * DAY + business_seconds(rng, len(w)), w_created + HOUR), as_of_end)
    won_amount = ob.cents[w] / 100
    bias = 1.0 + 0.4 * (1.0 - org.rep_skill[w_rep])  # weaker reps forecast further off
    forecast = won_amount * rng.lognormal(0.0, 0.3 * bias, len(w))
    w_expected = created_day + np.round(target * rng.uniform(0.8, 1.2, len(w)))

    # lost and open: more lost deals for weaker reps
    b2b_won = np.flatnonzero(w_b2b)
    n_lost = rng.poisson(1.3 / skill[b2b_won] ** 2)
    parent, _ = expand(n_lost)
    l_cust = w_cust[b2b_won][parent]
    death = ob.death_day[l_cust - lo]
    lo_day = np.maximum(c.created_day[l_cust], start - 60)
    hi_day = np.minimum(as_of, np.where(death < FAR_DAY, death + 180, as_of))
    l_day = lo_day + np.floor(rng.random(len(parent)) * np.maximum(hi_day - lo_day, 1)).astype(np.int64)
    # plus open deals of living B2B customers
    block_cust = np.arange(lo, lo + len(ob.death_day))
    alive = c.b2b[block_cust] & (ob.death_day > as_of - 60) & (ob.first_day <= as_of - 30)
    o_cust = block_cust[alive & (rng.random(len(block_cust)) < 0.3)]
    o_day = np.maximum(as_of - rng.integers(0, 150, len(o_cust)), c.created_day[o_cust])
    x_cust = np.concatenate([l_cust, o_cust])
    x_day = np.concatenate([l_day, o_day])
    n_x = len(x_cust)
    x_rep, _ = c.owner_at(x_cust, x_day)
    x_product = prod.draw(rng, np.ones(n_x, dtype=bool), x_day)
    x_value_base = rng.gamma(c.spend_shape[x_cust], c.spend_scale[x_cust])
    x_target = _target_cycle(x_value_base)
    x_cycle = np.round(x_target * rng.lognormal(0.0, 0.4, n_x)).astype(np.int64)
    x_closed_day = x_day + x_cycle
    term = org.rep_term[x_rep]
    x_closed_day = np.where(x_closed_day >= term, np.maximum(term - 1 - rng.integers(0, 5, n_x), x_day), x_closed_day)
    x_created = np.maximum(x_day * DAY + business_seconds(rng, n_x), c.created_sec[x_cust] + 600)
    x_open = x_closed_day > as_of
    x_closed = np.where(
        x_open, np.nan, np.maximum(x_closed_day * DAY + business_seconds(rng, n_x), x_created + HOUR).astype(float)
    )
    x_closed = np.where(x_closed > as_of_end, np.nan, x_closed)
    x_open |= np.isnan(x_closed)
    x_cur = c.currency[x_cust]
    x_forecast = x_value_base / fx.rate(x_cur, np.minimum(x_day, as_of)) * rng.lognormal(0.0, 0.2, n_x)
    x_expected = x_day + np.round(x_target * rng.uniform(0.8, 1.2, n_x))

    # all opportunities of the block, numbered by creation time
    cust = np.concatenate([w_cust, x_cust])
    rep = np.concatenate([w_rep, x_rep])
    product = np.concatenate([ob.first_product[w], x_product])
    created = np.concatenate([w_created, x_created])
    closed = np.concatenate([w_closed.astype(float), x_closed])
    status = np.concatenate([np.full(len(w), WON), np.where(x_open, OPEN, LOST)])
    stage = np.where(status == OPEN, rng.integers(0, 4, len(cust)), OPP_STAGES.index("closed"))
    forecast = np.concatenate([forecast, x_forecast])
    forecast = np.where(forecast >= 1_000, np.round(forecast, -2), np.round(forecast, 0))
    won = np.concatenate([won_amount, np.full(n_x, np.nan)])
    currency = np.concatenate([ob.currency[w], x_cur])
    b2b = c.b2b[cust]
    cycle_target = np.where(b2b, np.concatenate([target, x_target]), np.nan)
    expected = np.concatenate([w_expected, x_expected])
    n = len(cust)
    order = np.lexsort((np.arange(n), created))
    no = counters["crm_opportunities"] + 1 + np.arange(n)
    counters["crm_opportunities"] += n
    cust, rep, product, created, closed, status = (a[order] for a in (cust, rep, product, created, closed, status))
    stage, forecast, won, currency = (a[order] for a in (stage, forecast, won, currency))
    cycle_target, expected, b2b = cycle_target[order], expected[order], b2b[order]
    end = np.where(np.isnan(closed), np.minimum(as_of_end, org.rep_term[rep] * DAY - 1), closed)

    # contacts engaged in B2B opportunities: 1..all of the account's contacts, each a distinct role
    n_contacts = np.where(b2b, c.contact_count[cust], 0)
    q = np.clip(0.45 + 0.2 * (status == WON) + 0.4 * (org.rep_skill[rep] - 1.0), 0.05, 0.95)
    k = np.where(n_contacts > 0, 1 + rng.binomial(np.maximum(n_contacts - 1, 0), q), 0)
    oi, pos = expand(k)
    engaged = created[oi] + np.floor(rng.random(len(oi)) * 0.8 * (end[oi] - created[oi]))
    tables = {
        "crm_opportunities": {
            "opportunity_id": opportunity_ids(no),
            "customer_id": customer_ids(cust, ctx.cust_width),
            "rep_id": rep_ids(rep),
            "product_id": product_ids(product),
            "created_at": created,
            "expected_close_date": expected,
            "closed_at": closed,
            "status": names.pick(OPP_STATUSES, status),
            "stage": names.pick(OPP_STAGES, stage),
            "forecast_amount": forecast,
            "won_amount": won,
            "currency": names.pick(CURRENCIES, currency),
            "target_cycle_days": cycle_target,
            "is_deleted": soft_deleted(rng, n),
        },
        "crm_opportunity_contacts": {
            "opportunity_id": opportunity_ids(no[oi]),
            "contact_id": names.ids("CT", c.contact_first[cust[oi]] + pos + 1, 8),
            "engaged_at": engaged,
            "is_deleted": soft_deleted(rng, len(oi)),
        },
    }
    return tables, Opps(no=no, cust=cust, rep=rep, status=status, created=created, end=end, cycle_target=cycle_target)
