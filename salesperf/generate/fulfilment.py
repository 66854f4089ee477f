"""Invoices, payments and deliveries of a block's confirmed orders.

Every confirmed order is invoiced (in its currency) a few days later with 30/60/90-day terms.
Payments follow the customer's payment risk: most are paid in full on time, some late, some in
instalments, some only partly, some never; the amount paid never exceeds the invoice. Every
confirmed order has a delivery obligation (large B2B orders sometimes two); some deliveries are
late, incomplete or still missing, and some need an installation that is done on time or late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.contract import CURRENCIES
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.customers import customer_ids
from salesperf.generate.orders import OrderBlock, ids_contracts, ids_orders
from salesperf.generate.randutil import choose, choose_rows, expand

ON_TIME, LATE, INSTALMENTS, PARTIAL, NEVER = range(5)
D_ON_TIME, D_LATE, D_PARTIAL, D_MISSING = range(4)


@dataclass
class Fulfilment:
    order_trouble: np.ndarray  # per block order: a delivery late or missing past its promised date
    install_cust: np.ndarray
    install_day: np.ndarray


def _invoices(ctx: Context, rng: np.random.Generator, ob: OrderBlock) -> dict[str, np.ndarray]:
    as_of = ctx.cfg.as_of_day
    conf = np.flatnonzero(ob.confirmed)
    day = ob.day[conf] + choose(rng, [0.5, 0.2, 0.1, 0.1, 0.05, 0.05], len(conf))
    ok = day <= as_of
    order, day = conf[ok], day[ok]
    b2b = ctx.cust.b2b[ob.cust[order]]
    terms = np.where(b2b, np.array([30, 60, 90])[choose(rng, [0.45, 0.4, 0.15], len(order))], 30)
    return {"order": order, "day": day, "due": day + terms, "terms": terms, "cents": ob.cents[order], "b2b": b2b}


def _payments(ctx: Context, rng: np.random.Generator, ob: OrderBlock, inv: dict[str, np.ndarray]):
    n = len(inv["order"])
    risk = ctx.cust.pay_risk[ob.cust[inv["order"]]] * np.where(inv["b2b"], 1.0, 0.5)
    probs = np.stack(
        [
            np.maximum(0.9 - 1.5 * risk, 0.2),
            0.06 + 0.6 * risk,
            0.03 + 0.3 * risk,
            0.01 + 0.3 * risk,
            0.005 + 0.3 * risk,
        ],
        axis=1,
    )
    kind = choose_rows(rng, probs)
    u = rng.random(n)
    count = np.select([kind <= LATE, kind == INSTALMENTS, kind == PARTIAL], [1, 2 + (u < 0.4), 1 + (u < 0.5)], 0)
    pi, _ = expand(count)
    terms = inv["terms"][pi]
    k = kind[pi]
    r = rng.random(len(pi))
    offset = np.select(
        [k == ON_TIME, k == LATE, k == INSTALMENTS],
        [np.where(inv["b2b"][pi], r * terms, r * 3), terms + 1 + r * 120, r * (terms + 60)],
        r * (terms + 90),
    ).astype(np.int64)
    day = inv["day"][pi] + offset
    order = np.lexsort((day, pi))
    pi, day, k = pi[order], day[order], k[order]
    share = rng.gamma(2.0, 1.0, len(pi))
    share /= np.bincount(pi, weights=share, minlength=n)[pi]
    target = np.where(kind == PARTIAL, rng.uniform(0.3, 0.85, n), 1.0)
    cents = np.floor(inv["cents"][pi] * target[pi] * share)
    last = np.concatenate([pi[1:] != pi[:-1], [True]]) if len(pi) else np.zeros(0, dtype=bool)
    others = np.bincount(pi, weights=np.where(last, 0.0, cents), minlength=n)
    cents = np.where(last & (k != PARTIAL), inv["cents"][pi] - others[pi], cents)
    keep = (day <= ctx.cfg.as_of_day) & (cents > 0)
    return pi[keep], day[keep], cents[keep]


def _deliveries(ctx: Context, rng: np.random.Generator, ob: OrderBlock) -> dict[str, np.ndarray]:
    as_of = ctx.cfg.as_of_day
    conf = np.flatnonzero(ob.confirmed)
    b2b = ctx.cust.b2b[ob.cust[conf]]
    equipment = b2b & ~ob.is_fee[conf]
    count = 1 + (equipment & (rng.random(len(conf)) < 0.1))
    di, pos = expand(count)
    order = conf[di]
    n = len(order)
    d_b2b = b2b[di]
    lead = np.where(d_b2b, rng.integers(5, 31, n), rng.integers(2, 6, n)) + pos * rng.integers(10, 41, n)
    promised = ob.day[order] + lead
    skill = ctx.org.rep_skill[ob.rep[order]]
    p_late = 0.13 * (1.6 - 0.6 * skill)
    outcome = choose_rows(rng, np.stack([np.full(n, 0.79), p_late, np.full(n, 0.04), np.full(n, 0.04)], axis=1))
    early = np.maximum(promised - rng.integers(0, 4, n), ob.day[order])
    delivered = np.select(
        [outcome == D_LATE, outcome == D_MISSING], [promised + rng.integers(1, 26, n), np.nan], early
    ).astype(np.float64)
    delivered[delivered > as_of] = np.nan
    in_full = ~np.isnan(delivered) & (outcome != D_PARTIAL)
    needs_install = equipment[di] & (pos == 0) & (rng.random(n) < 0.35)
    inst_promised = np.where(needs_install, promised + rng.integers(3, 15, n), np.nan)
    inst_outcome = choose(rng, [0.8, 0.15, 0.05], n)
    installed = np.select(
        [inst_outcome == 0, inst_outcome == 1],
        [inst_promised - rng.integers(0, 3, n), inst_promised + rng.integers(1, 21, n)],
        np.nan,
    )
    installed = np.maximum(installed, delivered)  # NaN if not delivered
    installed[installed > as_of] = np.nan
    trouble = (outcome == D_LATE) | ((outcome == D_MISSING) & (promised < as_of))
    return {
        "order": order,
        "promised": promised,
        "delivered": delivered,
        "in_full": in_full,
        "needs_install": needs_install,
        "inst_promised": inst_promised,
        "installed": installed,
        "trouble": trouble,
    }


def generate_block(
    ctx: Context, block: int, ob: OrderBlock, counters: dict[str, int]
) -> tuple[dict[str, dict], Fulfilment]:
    rng = ctx.cfg.rng("erp_fulfilment", block)
    w = ctx.cust_width
    inv = _invoices(ctx, rng, ob)
    n_inv = len(inv["order"])
    inv_no = counters["erp_invoices"] + 1 + np.arange(n_inv)
    counters["erp_invoices"] += n_inv
    pi, pay_day, pay_cents = _payments(ctx, rng, ob, inv)
    n_pay = len(pi)
    pay_no = counters["erp_payments"] + 1 + np.arange(n_pay)
    counters["erp_payments"] += n_pay
    dl = _deliveries(ctx, rng, ob)
    n_del = len(dl["order"])
    del_no = counters["erp_deliveries"] + 1 + np.arange(n_del)
    counters["erp_deliveries"] += n_del
    inv_cur = names.pick(CURRENCIES, ob.currency[inv["order"]])
    contract = ob.contract[dl["order"]]
    tables = {
        "erp_invoices": {
            "invoice_id": names.ids("I", inv_no, 9),
            "order_id": ids_orders(ob.order_no[inv["order"]]),
            "customer_id": customer_ids(ob.cust[inv["order"]], w),
            "invoice_date": inv["day"],
            "due_date": inv["due"],
            "amount": inv["cents"] / 100,
            "currency": inv_cur,
        },
        "erp_payments": {
            "payment_id": names.ids("PM", pay_no, 9),
            "invoice_id": names.ids("I", inv_no[pi], 9),
            "payment_date": pay_day,
            "amount": pay_cents / 100,
            "currency": names.pick(CURRENCIES, ob.currency[inv["order"][pi]]),
        },
        "erp_deliveries": {
            "delivery_id": names.ids("D", del_no, 9),
            "contract_id": ids_contracts(contract, contract == 0),
            "order_id": ids_orders(ob.order_no[dl["order"]]),
            "promised_date": dl["promised"],
            "delivered_date": dl["delivered"],
            "delivered_in_full": dl["in_full"],
            "requires_installation": dl["needs_install"],
            "install_promised_date": dl["inst_promised"],
            "installed_date": dl["installed"],
        },
    }
    trouble = np.zeros(len(ob.order_no), dtype=bool)
    trouble[dl["order"][dl["trouble"]]] = True
    done = ~np.isnan(dl["installed"])
    facts = Fulfilment(
        order_trouble=trouble,
        install_cust=ob.cust[dl["order"][done]],
        install_day=dl["installed"][done].astype(np.int64),
    )
    return tables, facts
