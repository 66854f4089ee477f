"""Sales orders, order lines and contracts of one block of customers.

Regular orders come from the purchase process; their value follows the customer's spend level
(Gamma-Gamma) and is split over lines of products from the segment's monthly mix. Some B2B
customers hold yearly subscription contracts that renew or lapse (each contract year is billed by
a subscription order), and large B2B orders are signed as one-off contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.contract import CHANNELS, CONTRACT_STATUSES, CONTRACT_TYPES, CURRENCIES, ORDER_STATUSES
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.customers import customer_ids
from salesperf.generate.org import ROLE, rep_ids
from salesperf.generate.products import product_ids
from salesperf.generate.purchases import purchase_days
from salesperf.generate.randutil import choose, expand, soft_deleted
from salesperf.generate.timeutil import DAY, business_seconds

ONE_OFF_MIN_BASE = 100_000.0  # B2B orders from this net amount (CNY) are often signed as one-off contracts
_KEY = 1 << 21


@dataclass
class OrderBlock:
    """Orders of a block (sorted by order number) and their lines, in the order currency."""

    order_no: np.ndarray  # global, 1-based
    cust: np.ndarray
    day: np.ndarray
    rep: np.ndarray
    currency: np.ndarray
    confirmed: np.ndarray
    contract: np.ndarray  # global contract number, 0 = none
    is_fee: np.ndarray  # subscription billing order
    cents: np.ndarray  # net order amount in cents of the order currency
    amount_base: np.ndarray  # net order amount in CNY
    first_product: np.ndarray
    line_order: np.ndarray  # index into the block's orders
    line_product: np.ndarray
    line_qty: np.ndarray
    line_net_base: np.ndarray  # net line amount in CNY
    line_cost_base: np.ndarray  # line cost in CNY, NaN without unit cost
    first_day: np.ndarray  # per block customer: first purchase day
    death_day: np.ndarray  # per block customer: dropout day, FAR_DAY = alive


def ids_orders(no: np.ndarray):
    return names.ids("O", no, 9)


def ids_contracts(no: np.ndarray, null: np.ndarray | None = None):
    return names.ids("K", no, 8, null)


def _order_reps(ctx: Context, rng: np.random.Generator, cust: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The owner on the order date; about 5 % are credited to the owner's team manager instead."""
    owner, _ = ctx.cust.owner_at(cust, day)
    team = ctx.org.team_at(owner, day)
    manager = ctx.org.team_manager[np.clip(team, 0, None)]
    to_manager = (rng.random(len(day)) < 0.05) & (team >= 0) & (cust != ctx.cust.whale)
    return np.where(to_manager, manager, owner)


def _lines(ctx: Context, rng: np.random.Generator, cust: np.ndarray, day: np.ndarray) -> dict[str, np.ndarray]:
    """Regular order lines: the order value split over products of the month's mix."""
    c, prod = ctx.cust, ctx.prod
    b2b = c.b2b[cust]
    value = rng.gamma(c.spend_shape[cust], c.spend_scale[cust])
    n_lines = np.minimum(1 + rng.poisson(np.where(b2b, 4.5, 0.8)), 14)
    order, _ = expand(n_lines)
    lday = day[order]
    product = prod.draw(rng, b2b[order], lday)
    share = rng.gamma(1.0, 1.0, len(order))
    share /= np.bincount(order, weights=share)[order]
    price_base = prod.list_price[product] * np.where(b2b[order], rng.uniform(0.85, 1.0, len(order)), 1.0)
    qty = np.maximum(1.0, np.round(share * value[order] / price_base))
    return {"order": order, "product": product, "qty": qty, "price_base": price_base}


def _subscriptions(
    ctx: Context, rng: np.random.Generator, cust: np.ndarray, first: np.ndarray, death: np.ndarray
) -> dict[str, np.ndarray]:
    """Yearly subscription contracts: renewed while the customer is alive, sometimes terminated."""
    cfg = ctx.cfg
    as_of = cfg.as_of_day
    c = ctx.cust
    take = c.b2b[cust] & (first <= as_of - 30) & ((rng.random(len(cust)) < 0.3) | (cust == c.whale))
    cur = cust[take]
    cur_death = death[take]
    start = np.maximum(first[take] + rng.integers(0, 90, len(cur)), cfg.start_day)
    prev = np.full(len(cur), -1)
    seats = np.round(rng.lognormal(np.log(30), 0.8, len(cur))) + 3
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("cust", "start", "end", "signed", "prev", "status", "seats")}
    count = 0
    while len(cur):
        ok = start <= as_of
        cur, cur_death, start, prev, seats = cur[ok], cur_death[ok], start[ok], prev[ok], seats[ok]
        n = len(cur)
        if n == 0:
            break
        end = start + 364
        early = rng.random(n) < 0.05
        stop = start + rng.integers(60, 300, n)
        terminated = early & (stop <= as_of)
        end = np.where(terminated, stop, end)
        status = np.where(
            terminated,
            CONTRACT_STATUSES.index("terminated"),
            np.where(end < as_of, CONTRACT_STATUSES.index("expired"), CONTRACT_STATUSES.index("active")),
        )
        first_signed = start - rng.integers(3, 20, n)
        renewal_signed = (start - 1) - rng.integers(5, 30, n)
        signed = np.where(prev < 0, np.maximum(first_signed, c.created_day[cur] + 1), renewal_signed)
        for k, v in (
            ("cust", cur),
            ("start", start),
            ("end", end),
            ("signed", signed),
            ("prev", prev),
            ("status", status),
            ("seats", seats),
        ):
            out[k].append(v)
        alive = cur_death > end
        renew = ~terminated & (rng.random(n) < np.where(alive, 0.88, 0.12))
        prev = count + np.arange(n)
        count += n
        cur, cur_death, prev = cur[renew], cur_death[renew], prev[renew]
        start = end[renew] + 1
        seats = np.maximum(1, np.round(seats[renew] * rng.uniform(0.9, 1.3, len(cur))))
    if not out["cust"]:
        return {k: np.zeros(0, dtype=np.int64) for k in out}
    return {k: np.concatenate(v) for k, v in out.items()}


def _price(
    ctx: Context,
    rng: np.random.Generator,
    day: np.ndarray,
    cur: np.ndarray,
    b2b: np.ndarray,
    is_fee: np.ndarray,
    product: np.ndarray,
    qty: np.ndarray,
    price_base: np.ndarray,
) -> dict[str, np.ndarray]:
    """Line prices in the order currency (rate of the order date), discounts and cost at the time of sale."""
    n = len(day)
    rate = ctx.fx.rate(cur, day)
    unit_price = np.maximum(np.round(price_base / rate, 2), 0.01)
    gross_cents = np.round(qty * unit_price * 100)
    festival = np.isin(day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12, (5, 10))
    disc_p = np.where(b2b, 0.35, np.where(festival, 0.5, 0.2))  # June (618) and November (Double 11)
    disc_rate = np.where(b2b, rng.uniform(0.02, 0.12, n), rng.uniform(0.05, 0.2, n))
    has_disc = (rng.random(n) < disc_p) & ~is_fee
    disc_cents = np.where(has_disc, np.floor(gross_cents * disc_rate), 0.0)
    years = (day - ctx.cfg.start_day) / 365.25
    cost_base = ctx.prod.unit_cost[product] * (1 + 0.03 * years + rng.normal(0, 0.02, n))
    unit_cost = np.round(cost_base / rate, 2)
    unit_cost = np.where(rng.random(n) < 0.01, np.nan, unit_cost)  # a few lines without cost
    return {
        "rate": rate,
        "unit_price": unit_price,
        "disc_cents": disc_cents,
        "unit_cost": unit_cost,
        "net_cents": gross_cents - disc_cents,
    }


def _one_offs(
    ctx: Context, rng: np.random.Generator, cust: np.ndarray, day: np.ndarray, rep: np.ndarray, candidate: np.ndarray
) -> dict[str, np.ndarray]:
    """One-off contracts signed shortly before large B2B orders (by someone employed and owning by then)."""
    c, org = ctx.cust, ctx.org
    oo = np.flatnonzero(candidate & (rng.random(len(cust)) < 0.6))
    _, seg_start = c.owner_at(cust[oo], day[oo])
    signed = np.maximum.reduce(
        [day[oo] - rng.integers(1, 15, len(oo)), c.created_day[cust[oo]] + 1, seg_start, org.rep_hire[rep[oo]]]
    )
    end = day[oo] + 90
    status = np.where(end < ctx.cfg.as_of_day, CONTRACT_STATUSES.index("expired"), CONTRACT_STATUSES.index("active"))
    return {"order": oo, "signed": np.minimum(signed, day[oo]), "start": day[oo], "end": end, "status": status}


def _call_offs(
    rng: np.random.Generator,
    sub: dict[str, np.ndarray],
    sub_no: np.ndarray,
    cust: np.ndarray,
    day: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """Contract number (0 = none) for regular orders placed while a subscription runs (half of them)."""
    out = np.zeros(len(cust), dtype=np.int64)
    if len(sub["cust"]) == 0:
        return out
    key = sub["cust"] * _KEY + sub["start"]
    order = np.argsort(key, kind="stable")
    pos = np.clip(np.searchsorted(key[order], cust * _KEY + day, side="right") - 1, 0, None)
    hit = order[pos]
    under = (
        (sub["cust"][hit] == cust)
        & (sub["start"][hit] <= day)
        & (day <= sub["end"][hit])
        & eligible
        & (rng.random(len(cust)) < 0.5)
    )
    return np.where(under, sub_no[hit], out)


def _rank(*keys: np.ndarray) -> np.ndarray:
    """Position of each row when sorted by keys (last key first, like np.lexsort), ties by row."""
    n = len(keys[0])
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), *keys))] = np.arange(n)
    return rank


def generate_block(
    ctx: Context, block: int, lo: int, hi: int, counters: dict[str, int]
) -> tuple[dict[str, dict], OrderBlock]:
    cfg, c, prod, org = ctx.cfg, ctx.cust, ctx.prod, ctx.org
    rng = cfg.rng("erp_sales_orders", block)
    block_cust = np.arange(lo, hi)
    p_cust, p_day, first, death = purchase_days(ctx, rng, block_cust)
    hist = p_day >= cfg.start_day
    r_cust, r_day = p_cust[hist], p_day[hist]
    n_reg = len(r_cust)
    r_rep = _order_reps(ctx, rng, r_cust, r_day)
    reg = _lines(ctx, rng, r_cust, r_day)

    # subscription contracts and the orders billing each contract year
    sub = _subscriptions(ctx, rng, block_cust, first, death)
    n_sub = len(sub["cust"])
    f_rep = _order_reps(ctx, rng, sub["cust"], sub["start"])
    f_product = prod.subscription_product(rng, sub["start"])

    # all orders of the block: regular ones, then subscription billing
    o_cust = np.concatenate([r_cust, sub["cust"]])
    o_day = np.concatenate([r_day, sub["start"]])
    o_rep = np.concatenate([r_rep, f_rep])
    o_cur = c.currency[o_cust]
    n_orders = len(o_cust)
    is_fee = np.arange(n_orders) >= n_reg
    b2b = c.b2b[o_cust]
    l_order = np.concatenate([reg["order"], n_reg + np.arange(n_sub)])
    l_product = np.concatenate([reg["product"], f_product])
    l_qty = np.concatenate([reg["qty"], sub["seats"].astype(np.float64)])
    l_price_base = np.concatenate([reg["price_base"], prod.list_price[f_product] * rng.uniform(0.85, 1.0, n_sub)])
    n_lines = len(l_order)
    lp = _price(ctx, rng, o_day[l_order], o_cur[l_order], b2b[l_order], is_fee[l_order], l_product, l_qty, l_price_base)
    o_cents = np.bincount(l_order, weights=lp["net_cents"], minlength=n_orders)
    o_base = np.bincount(l_order, weights=lp["net_cents"] / 100 * lp["rate"], minlength=n_orders)
    status = np.where(
        (rng.random(n_orders) < 0.03) & ~is_fee, ORDER_STATUSES.index("cancelled"), ORDER_STATUSES.index("confirmed")
    )
    confirmed = status == ORDER_STATUSES.index("confirmed")
    ecom = org.rep_role[o_rep] == ROLE["ecommerce"]
    b2c_channel = np.where(ecom, choose(rng, [0.04, 0.92, 0.04], n_orders), choose(rng, [0.13, 0.75, 0.12], n_orders))
    channel = np.where(b2b, choose(rng, [0.7, 0.05, 0.25], n_orders), b2c_channel)
    channel = np.where(is_fee, CHANNELS.index("direct"), channel)

    # contracts of the block (subscriptions, then one-offs), numbered by signing time
    oo = _one_offs(ctx, rng, o_cust, o_day, o_rep, confirmed & b2b & ~is_fee & (o_base >= ONE_OFF_MIN_BASE))
    n_oo = len(oo["order"])
    k_order = np.concatenate([n_reg + np.arange(n_sub), oo["order"]])  # the order billing the contract
    k_cust = o_cust[k_order]
    k_signed = np.concatenate([sub["signed"], oo["signed"]])
    n_k = len(k_order)
    k_sec = k_signed * DAY + business_seconds(rng, n_k)
    k_rank = _rank(k_sec)
    k_no = counters["erp_contracts"] + 1 + k_rank
    counters["erp_contracts"] += n_k
    o_contract = _call_offs(rng, sub, k_no[:n_sub], o_cust, o_day, ~is_fee & b2b)
    o_contract[k_order] = k_no
    k_rep, _ = c.owner_at(k_cust, k_signed)
    k_rep = np.where(org.employed(k_rep, k_signed), k_rep, o_rep[k_order])
    k_prev = np.concatenate([sub["prev"], np.full(n_oo, -1)])
    prev_no = np.where(k_prev >= 0, k_no[np.clip(k_prev, 0, None)], 0)
    k_type = np.concatenate(
        [np.full(n_sub, CONTRACT_TYPES.index("subscription")), np.full(n_oo, CONTRACT_TYPES.index("one_off"))]
    )

    # orders numbered by date, lines by order
    o_rank = _rank(o_cust, o_day)
    o_no = counters["erp_sales_orders"] + 1 + o_rank
    counters["erp_sales_orders"] += n_orders
    by_l = np.lexsort((np.arange(n_lines), o_rank[l_order]))
    l_no = counters["erp_sales_order_lines"] + 1 + np.arange(n_lines)
    counters["erp_sales_order_lines"] += n_lines
    by_o = np.argsort(o_rank)
    by_k = np.argsort(k_rank)
    w = ctx.cust_width
    tables = {
        "erp_sales_orders": {
            "order_id": ids_orders(o_no[by_o]),
            "customer_id": customer_ids(o_cust[by_o], w),
            "rep_id": rep_ids(o_rep[by_o]),
            "order_date": o_day[by_o],
            "currency": names.pick(CURRENCIES, o_cur[by_o]),
            "channel": names.pick(CHANNELS, channel[by_o]),
            "status": names.pick(ORDER_STATUSES, status[by_o]),
            "contract_id": ids_contracts(o_contract[by_o], o_contract[by_o] == 0),
            # The demo has no returns (landing contract: order_type, original_order_id).
            "order_type": np.full(n_orders, "sale", dtype=object),
            "original_order_id": np.full(n_orders, None, dtype=object),
            "is_deleted": soft_deleted(rng, n_orders),
        },
        "erp_sales_order_lines": {
            "order_line_id": names.ids("L", l_no, 10),
            "order_id": ids_orders(o_no[l_order[by_l]]),
            "product_id": product_ids(l_product[by_l]),
            "quantity": l_qty[by_l],
            "unit_price": lp["unit_price"][by_l],
            "discount_amount": lp["disc_cents"][by_l] / 100,
            "unit_cost": lp["unit_cost"][by_l],
            "is_deleted": soft_deleted(rng, n_lines),
        },
        "erp_contracts": {
            "contract_id": ids_contracts(k_no[by_k]),
            "customer_id": customer_ids(k_cust[by_k], w),
            "rep_id": rep_ids(k_rep[by_k]),
            "contract_type": names.pick(CONTRACT_TYPES, k_type[by_k]),
            "signed_at": k_sec[by_k],
            "start_date": np.concatenate([sub["start"], oo["start"]])[by_k],
            "end_date": np.concatenate([sub["end"], oo["end"]])[by_k],
            "contract_value": o_cents[k_order][by_k] / 100,
            "currency": names.pick(CURRENCIES, o_cur[k_order][by_k]),
            "renewed_from_contract_id": ids_contracts(prev_no[by_k], prev_no[by_k] == 0),
            "status": names.pick(CONTRACT_STATUSES, np.concatenate([sub["status"], oo["status"]])[by_k]),
        },
    }
    # the main product of each order: its largest line
    big = np.lexsort((-lp["net_cents"], l_order))
    first_line = big[np.concatenate([[True], l_order[big][1:] != l_order[big][:-1]])] if n_lines else big
    first_product = np.zeros(n_orders, dtype=np.int64)
    first_product[l_order[first_line]] = l_product[first_line]
    block_orders = OrderBlock(
        order_no=o_no[by_o],
        cust=o_cust[by_o],
        day=o_day[by_o],
        rep=o_rep[by_o],
        currency=o_cur[by_o],
        confirmed=confirmed[by_o],
        contract=o_contract[by_o],
        is_fee=is_fee[by_o],
        cents=o_cents[by_o],
        amount_base=o_base[by_o],
        first_product=first_product[by_o],
        line_order=o_rank[l_order[by_l]],
        line_product=l_product[by_l],
        line_qty=l_qty[by_l],
        line_net_base=(lp["net_cents"] / 100 * lp["rate"])[by_l],
        line_cost_base=(l_qty * lp["unit_cost"] * lp["rate"])[by_l],
        first_day=first,
        death_day=death,
    )
    return tables, block_orders
