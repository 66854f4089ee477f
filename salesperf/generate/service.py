"""Service tickets, follow-up tasks and satisfaction surveys of a block's customers.

Tickets follow orders (complaints mostly after late or missing deliveries) with a first-response
SLA that is met or breached; complaints and inquiries, quotes and contract preparation trigger
follow-up tasks with a due time; some orders are followed by an NPS/CSAT survey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.contract import TICKET_TYPES, TRIGGER_TYPES
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.customers import customer_ids
from salesperf.generate.opportunities import LOST, WON, Opps
from salesperf.generate.orders import OrderBlock
from salesperf.generate.org import rep_ids
from salesperf.generate.products import product_ids
from salesperf.generate.randutil import choose_rows, soft_deleted
from salesperf.generate.timeutil import DAY, HOUR, business_seconds, cap_at, ts_strings

COMPLAINT, SERVICE, INQUIRY = (TICKET_TYPES.index(t) for t in ("complaint", "service_request", "inquiry"))
SLA_HOURS = np.array([4.0, 8.0, 24.0])  # by ticket type
TASK_SLA_HOURS = np.array([24.0, 12.0, 72.0, 48.0])  # by trigger type: inquiry, complaint, quote_sent, pre_contract
UTC_SHARE = 0.15


@dataclass
class Tickets:
    cust: np.ndarray
    rep: np.ndarray
    kind: np.ndarray
    product: np.ndarray  # -1 = none
    opened: np.ndarray  # seconds
    first_response: np.ndarray  # seconds, NaN = none
    resolved: np.ndarray  # seconds, NaN = open
    sla_hours: np.ndarray


def _after_orders(
    ctx: Context, rng: np.random.Generator, ob: OrderBlock, p: np.ndarray, days: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Confirmed orders picked with probability ``p`` (per order), each followed by an event
    ``days`` (low, high exclusive) days later, kept up to the as-of day: (order index, day,
    customer, the customer's owner rep that day)."""
    i = np.flatnonzero(ob.confirmed & (rng.random(len(ob.cust)) < p))
    day = ob.day[i] + rng.integers(*days, len(i))
    i, day = i[day <= ctx.cfg.as_of_day], day[day <= ctx.cfg.as_of_day]
    cust = ob.cust[i]
    rep, _ = ctx.cust.owner_at(cust, day)
    return i, day, cust, rep


def _in_time_order(time: np.ndarray, /, **columns: np.ndarray) -> dict[str, np.ndarray]:
    """``columns`` sorted by ``time`` (ties in row order)."""
    order = np.lexsort((np.arange(len(time)), time))
    return {name: values[order] for name, values in columns.items()}


def _tickets(ctx: Context, rng: np.random.Generator, ob: OrderBlock, trouble: np.ndarray) -> Tickets:
    c, org = ctx.cust, ctx.org
    as_of = ctx.cfg.as_of_day
    as_of_end = (as_of + 1) * DAY - 1
    p = np.where(c.b2b[ob.cust], 0.12, 0.05) * ctx.cfg.scale.activity_rate * np.where(trouble, 3.0, 1.0)
    t, day, cust, rep = _after_orders(ctx, rng, ob, p, (1, 91))
    n = len(t)
    probs = np.where(trouble[t][:, None], [[0.6, 0.25, 0.15]], [[0.15, 0.45, 0.4]])
    kind = choose_rows(rng, probs)
    opened = (day * DAY + business_seconds(rng, n, 6.5, 22.5)).astype(np.float64)
    sla = SLA_HOURS[kind] * np.where(c.is_target[cust], 0.5, 1.0)
    skill = org.rep_skill[rep]
    unresolved = rng.random(n) < 0.07
    met = rng.random(n) < np.clip(0.82 + 0.2 * (skill - 1.0), 0.5, 0.97)
    first = opened + np.where(met, rng.uniform(0.05, 1.0, n), rng.uniform(1.05, 4.0, n)) * sla * HOUR
    first = np.where(unresolved & (rng.random(n) < 0.5), np.nan, np.floor(first))
    median_h = np.array([30.0, 48.0, 6.0])[kind] * (1.6 - 0.6 * skill)
    resolved = np.maximum(opened + rng.lognormal(np.log(median_h), 0.7) * HOUR, np.nan_to_num(first, nan=0.0) + 600)
    resolved = np.where(unresolved, np.nan, np.floor(resolved))
    product = np.where(rng.random(n) < 0.15, -1, ob.first_product[t])
    return Tickets(
        cust=cust,
        rep=rep,
        kind=kind,
        product=product,
        opened=opened,
        first_response=cap_at(first, as_of_end),
        resolved=cap_at(resolved, as_of_end),
        sla_hours=sla,
    )


def _tasks(ctx: Context, rng: np.random.Generator, tk: Tickets, opps: Opps) -> dict[str, np.ndarray]:
    org = ctx.org
    as_of_end = (ctx.cfg.as_of_day + 1) * DAY - 1
    from_ticket = np.flatnonzero(tk.kind != SERVICE)
    t_trigger = np.where(
        tk.kind[from_ticket] == COMPLAINT, TRIGGER_TYPES.index("complaint"), TRIGGER_TYPES.index("inquiry")
    )
    t_at = tk.opened[from_ticket] + rng.integers(60, 1800, len(from_ticket))
    closed_b2b = ~np.isnan(opps.cycle_target) & np.isin(opps.status, (WON, LOST))
    quote = np.flatnonzero(closed_b2b & (rng.random(len(opps.no)) < 0.8))
    q_at = opps.created[quote] + np.floor(0.6 * (opps.end[quote] - opps.created[quote]))
    pre = np.flatnonzero(closed_b2b & (opps.status == WON))
    p_at = np.maximum(opps.end[pre] - rng.integers(1, 8, len(pre)) * DAY, opps.created[pre])
    rep = np.concatenate([tk.rep[from_ticket], opps.rep[quote], opps.rep[pre]])
    cust = np.concatenate([tk.cust[from_ticket], opps.cust[quote], opps.cust[pre]])
    trigger = np.concatenate(
        [
            t_trigger,
            np.full(len(quote), TRIGGER_TYPES.index("quote_sent")),
            np.full(len(pre), TRIGGER_TYPES.index("pre_contract")),
        ]
    )
    at = np.concatenate([t_at, q_at, p_at]).astype(np.float64)
    due = at + TASK_SLA_HOURS[trigger] * HOUR
    term = org.rep_term[rep].astype(np.float64) * DAY
    keep = (at <= as_of_end) & (due < term)
    rep, cust, trigger, at, due, term = rep[keep], cust[keep], trigger[keep], at[keep], due[keep], term[keep]
    n = len(at)
    skill = org.rep_skill[rep]
    p_on = np.clip(0.6 + 0.45 * (skill - 1.0), 0.25, 0.95)
    u = rng.random(n)
    sla = due - at
    done = np.where(
        u < p_on,
        at + rng.uniform(0.1, 1.0, n) * sla,
        np.where(u < p_on + 0.8 * (1 - p_on), due + rng.uniform(0.5, 72.0, n) * HOUR, np.nan),
    )
    done = np.floor(done)
    done = np.where(done >= term, np.nan, cap_at(done, as_of_end))
    return _in_time_order(at, rep=rep, cust=cust, trigger=trigger, at=at, due=due, done=done)


def _surveys(ctx: Context, rng: np.random.Generator, ob: OrderBlock, trouble: np.ndarray) -> dict[str, np.ndarray]:
    c, org = ctx.cust, ctx.org
    s, day, cust, rep = _after_orders(ctx, rng, ob, np.where(c.b2b[ob.cust], 0.1, 0.04), (10, 41))
    n = len(s)
    skill = org.rep_skill[rep]
    bad = trouble[s]
    nps = np.clip(np.round(rng.normal(8.0 + 3.0 * (skill - 1.0) - 2.5 * bad, 1.8)), 0, 10)
    eco = np.clip(np.round(rng.normal(3.6, 0.9, n)), 1, 5)
    rel = np.clip(np.round(rng.normal(3.8 + 1.5 * (skill - 1.0) - 0.8 * bad, 0.8)), 1, 5)
    sec = day * DAY + business_seconds(rng, n, 8.0, 22.0)
    return _in_time_order(sec, cust=cust, rep=rep, at=sec, nps=nps, eco=eco, rel=rel)


def generate_block(
    ctx: Context, block: int, ob: OrderBlock, trouble: np.ndarray, opps: Opps, counters: dict[str, int]
) -> tuple[dict[str, dict], Tickets]:
    rng = ctx.cfg.rng("crm_service", block)
    w = ctx.cust_width
    tk = _tickets(ctx, rng, ob, trouble)
    order = np.lexsort((np.arange(len(tk.opened)), tk.opened))
    tk = Tickets(*(getattr(tk, f)[order] for f in Tickets.__dataclass_fields__))
    n_t = len(tk.opened)
    t_no = counters["crm_service_tickets"] + 1 + np.arange(n_t)
    counters["crm_service_tickets"] += n_t
    utc = rng.random(n_t) < UTC_SHARE
    ts = _tasks(ctx, rng, tk, opps)
    n_k = len(ts["at"])
    k_no = counters["crm_follow_up_tasks"] + 1 + np.arange(n_k)
    counters["crm_follow_up_tasks"] += n_k
    sv = _surveys(ctx, rng, ob, trouble)
    n_s = len(sv["at"])
    s_no = counters["crm_surveys"] + 1 + np.arange(n_s)
    counters["crm_surveys"] += n_s
    tables = {
        "crm_service_tickets": {
            "ticket_id": names.ids("TI", t_no, 9),
            "customer_id": customer_ids(tk.cust, w),
            "product_id": product_ids(np.clip(tk.product, 0, None), tk.product < 0),
            "rep_id": rep_ids(tk.rep),
            "ticket_type": names.pick(TICKET_TYPES, tk.kind),
            "opened_at": ts_strings(tk.opened, utc),
            "first_response_at": ts_strings(tk.first_response, utc),
            "resolved_at": ts_strings(tk.resolved, utc),
            "sla_first_response_hours": tk.sla_hours,
            "is_deleted": soft_deleted(rng, n_t),
        },
        "crm_follow_up_tasks": {
            "task_id": names.ids("TK", k_no, 9),
            "rep_id": rep_ids(ts["rep"]),
            "customer_id": customer_ids(ts["cust"], w),
            "trigger_type": names.pick(TRIGGER_TYPES, ts["trigger"]),
            "triggered_at": ts["at"],
            "due_at": ts["due"],
            "completed_at": ts["done"],
            "is_deleted": soft_deleted(rng, n_k),
        },
        "crm_surveys": {
            "survey_id": names.ids("SV", s_no, 8),
            "customer_id": customer_ids(sv["cust"], w),
            "rep_id": rep_ids(sv["rep"]),
            "surveyed_at": sv["at"],
            "nps_score": sv["nps"],
            "csat_economic": sv["eco"],
            "csat_relationship": sv["rel"],
            "is_deleted": soft_deleted(rng, n_s),
        },
    }
    return tables, tk
