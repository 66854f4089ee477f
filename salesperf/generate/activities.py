"""Visits, calls and emails of a block's customers.

Two sources: the steps of each opportunity (key actions in the order of a sales cycle) and the
account care of the owner rep (target accounts often, other B2B accounts sometimes, consumers
rarely; strong reps more). About 15 % of rows carry their timestamp in UTC with an offset.
"""

from __future__ import annotations

import numpy as np

from salesperf.contract import ACTIVITY_TYPES, KEY_ACTIONS
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.customers import customer_ids
from salesperf.generate.opportunities import Opps, opportunity_ids
from salesperf.generate.org import rep_ids
from salesperf.generate.randutil import choose, expand, soft_deleted
from salesperf.generate.timeutil import DAY, FAR_DAY, business_seconds, to_weekday, ts_strings

ONSITE, ONLINE, CALL, EMAIL = range(4)
NONE_ACTION = KEY_ACTIONS.index("none")
UTC_SHARE = 0.15


def _time_of_day(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Office hours; emails (and some calls) also early in the morning or late in the evening."""
    n = len(kind)
    office = business_seconds(rng, n, 8.5, 18.5)
    off_hours = np.where(rng.random(n) < 0.5, business_seconds(rng, n, 6.0, 8.5), business_seconds(rng, n, 20.0, 23.5))
    p_off = np.select([kind == EMAIL, kind == CALL], [0.35, 0.08], 0.0)
    return np.where(rng.random(n) < p_off, off_hours, office)


def generate_block(
    ctx: Context, block: int, lo: int, death: np.ndarray, opps: Opps, counters: dict[str, int]
) -> dict[str, dict]:
    cfg, c, org = ctx.cfg, ctx.cust, ctx.org
    rng = cfg.rng("crm_activities", block)
    start, as_of = cfg.start_day, cfg.as_of_day
    rate_scale = cfg.scale.activity_rate

    # steps of opportunities
    m = 1 + rng.poisson(2.0 * rate_scale, len(opps.no))
    oi, _ = expand(m)
    span = np.maximum(opps.end[oi] - opps.created[oi], 0)
    progress = rng.random(len(oi))
    s_sec = opps.created[oi] + np.floor(progress * span)
    s_kind = choose(rng, [0.35, 0.25, 0.25, 0.15], len(oi))
    s_action = np.minimum((progress * 4).astype(np.int64), 3)
    s_action = np.where(rng.random(len(oi)) < np.where(s_kind == EMAIL, 0.7, 0.15), NONE_ACTION, s_action)

    # account care by the owner rep
    cust = np.arange(lo, lo + len(death))
    first = np.maximum(c.created_day[cust], start)
    last = np.minimum(as_of, np.where(death < FAR_DAY, death + 120, as_of))
    months = np.maximum(last - first, 0) / 30.4
    per_month = np.where(c.b2b[cust], np.where(c.is_target[cust], 1.1, 0.3), 0.04)
    count = rng.poisson(per_month * months * org.rep_skill[c.initial_owner[cust]] * rate_scale)
    ci, _ = expand(count)
    a_cust = cust[ci]
    a_kind = np.where(
        c.b2b[a_cust], choose(rng, [0.35, 0.2, 0.3, 0.15], len(ci)), choose(rng, [0.0, 0.1, 0.5, 0.4], len(ci))
    )
    a_day = first[ci] + np.floor(rng.random(len(ci)) * (last[ci] - first[ci] + 1)).astype(np.int64)
    a_day = np.where(a_kind == EMAIL, a_day, np.maximum(to_weekday(a_day), c.created_day[a_cust]))
    a_rep, _ = c.owner_at(a_cust, a_day)
    skill = org.rep_skill[a_rep]
    p_key = np.select([a_kind <= ONLINE, a_kind == CALL], [0.45 * skill, 0.2], 0.05)
    a_action = np.where(rng.random(len(ci)) < p_key, rng.integers(0, 4, len(ci)), NONE_ACTION)
    a_sec = np.maximum(a_day * DAY + _time_of_day(rng, a_kind), c.created_sec[a_cust] + 60)

    # together, numbered by time
    rep = np.concatenate([opps.rep[oi], a_rep])
    cust_all = np.concatenate([opps.cust[oi], a_cust])
    opp = np.concatenate([opps.no[oi], np.zeros(len(ci), dtype=np.int64)])
    kind = np.concatenate([s_kind, a_kind])
    action = np.concatenate([s_action, a_action])
    sec = np.concatenate([s_sec, a_sec]).astype(np.int64)
    sec = np.minimum(sec, (as_of + 1) * DAY - 1)
    n = len(sec)
    order = np.lexsort((np.arange(n), sec))
    rep, cust_all, opp, kind, action, sec = (a[order] for a in (rep, cust_all, opp, kind, action, sec))
    no = counters["crm_activities"] + 1 + np.arange(n)
    counters["crm_activities"] += n
    duration = np.select(
        [kind == ONSITE, kind == ONLINE, kind == CALL],
        [rng.integers(30, 181, n), rng.integers(15, 91, n), rng.integers(2, 46, n)],
        rng.integers(1, 16, n),
    )
    return {
        "crm_activities": {
            "activity_id": names.ids("A", no, 10),
            "rep_id": rep_ids(rep),
            "customer_id": customer_ids(cust_all, ctx.cust_width),
            "opportunity_id": opportunity_ids(opp, opp == 0),
            "activity_type": names.pick(ACTIVITY_TYPES, kind),
            "activity_at": ts_strings(sec, rng.random(n) < UTC_SHARE),
            "key_action": names.pick(KEY_ACTIONS, action),
            "duration_minutes": duration,
            "is_deleted": soft_deleted(rng, n),
        }
    }
