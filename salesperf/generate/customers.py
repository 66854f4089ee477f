"""Customers: accounts, owner history, contacts, leads and referrals.

Each customer also carries the parameters of its buy-till-you-die purchase process (purchase
rate, dropout probability, spend level), which ``orders`` turns into orders block by block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from salesperf.contract import CURRENCIES, DECISION_ROLES, LEAD_STATUSES, SEGMENTS
from salesperf.generate import names
from salesperf.generate.config import GenConfig
from salesperf.generate.org import REGION_WEIGHT, REGIONS, Org, region_ids, rep_ids
from salesperf.generate.randutil import choose, choose_rows, expand, soft_deleted
from salesperf.generate.timeutil import DAY, FAR_DAY, HOUR, business_seconds, demand_factor

INDUSTRIES = ("制造业", "零售", "金融", "医疗", "教育", "物流", "互联网", "政府与公共事业", "房地产", "能源")
B2C_INDUSTRY = "个人消费者"
B2B_CHANNELS = ("trade_show", "partner", "cold_call", "website", "referral")
B2C_CHANNELS = ("ecommerce_platform", "website", "social_media", "referral")
LEAD_SOURCES = ("website", "trade_show", "referral", "cold_call", "partner", "online_ads")
_CHANNEL_TO_SOURCE = {
    "trade_show": 1,
    "partner": 4,
    "cold_call": 3,
    "website": 0,
    "referral": 2,
    "ecommerce_platform": 5,
    "social_media": 5,
}
_KEY = 1 << 21
WHALE_BOOK_SHARE = 0.55  # of the naive yearly spend of the rest of the book (most of which churns)

# buy-till-you-die parameters per segment (B2C, B2B): purchase rate (orders a year) ~ Gamma,
# dropout after each purchase ~ Beta, order value ~ Gamma(shape, rate nu) with nu ~ Gamma (Gamma-Gamma)
RATE_SHAPE, RATE_MEAN = (1.5, 1.6), (15.0, 7.0)
DROP_A, DROP_B = (1.3, 1.0), (13.0, 24.0)
SPEND_P, SPEND_Q, SPEND_GAMMA = (2.0, 3.0), (5.0, 4.0), (1_900.0, 22_000.0)


@dataclass
class Customers:
    created_day: np.ndarray
    created_sec: np.ndarray
    b2b: np.ndarray
    region: np.ndarray
    currency: np.ndarray  # index into CURRENCIES
    is_target: np.ndarray
    rate: np.ndarray  # purchases a year
    p_drop: np.ndarray
    spend_shape: np.ndarray
    spend_scale: np.ndarray  # order value ~ Gamma(spend_shape, spend_scale), CNY
    buys: np.ndarray
    reactivates: np.ndarray
    pay_risk: np.ndarray
    initial_owner: np.ndarray
    current_owner: np.ndarray
    seg_cust: np.ndarray
    seg_start: np.ndarray
    seg_owner: np.ndarray
    contact_first: np.ndarray
    contact_count: np.ndarray
    whale: int

    def __post_init__(self) -> None:
        self._seg_key = self.seg_cust * _KEY + self.seg_start  # sorted: owner intervals by customer, start

    @property
    def n(self) -> int:
        return len(self.created_day)

    def owner_at(self, cust: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner rep, first day of that ownership) of each customer on each day (>= its creation)."""
        cust = np.asarray(cust, dtype=np.int64)
        day = np.maximum(np.asarray(day, dtype=np.int64), self.created_day[cust])
        pos = np.searchsorted(self._seg_key, cust * _KEY + day, side="right") - 1
        return self.seg_owner[pos], self.seg_start[pos]


def customer_ids(cust: np.ndarray, width: int, null: np.ndarray | None = None) -> pa.Array:
    return names.ids("C", np.asarray(cust) + 1, width, null)


def id_width(n: int) -> int:
    return max(6, len(str(n)))


def _created_days(cfg: GenConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    start, as_of = cfg.start_day, cfg.as_of_day
    n_pre = int(0.4 * n)
    pre = start - 1 - np.floor(6 * 365 * rng.beta(1.0, 1.8, n_pre)).astype(np.int64)
    grid = np.arange(start, as_of + 1)
    density = demand_factor(grid, False, start) * (1.0 + 0.3 * (grid - start) / 365.25)
    density /= density.max()
    out: list[np.ndarray] = []
    need = n - n_pre
    while need > 0:
        cand = rng.integers(0, len(grid), 2 * need + 16)
        keep = cand[rng.random(len(cand)) < density[cand]][:need]
        out.append(grid[keep])
        need -= len(keep)
    return np.sort(np.concatenate([pre] + out))


def _owner_segments(
    cfg: GenConfig,
    rng: np.random.Generator,
    org: Org,
    created: np.ndarray,
    region: np.ndarray,
    b2b: np.ndarray,
    owner0: np.ndarray,
    whale: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ownership intervals: the first owner, territory rebalancing (towards new hires), and a new
    owner whenever an owner leaves the company."""
    n = len(created)
    cust = np.arange(n)
    lo = np.maximum(created + 90, cfg.start_day)
    hi = cfg.as_of_day - 30
    moved = (rng.random(n) < 0.15) & (lo < hi) & (cust != whale)
    mc = cust[moved]
    d1 = lo[moved] + np.floor(rng.random(len(mc)) * (hi - lo[moved])).astype(np.int64)
    boost = np.where(org.rep_is_new_hire, 3.0, 1.0)
    new_owner = org.pick_reps(rng, region[mc], d1, b2b[mc], boost)
    keep = new_owner != owner0[mc]
    s_cust = np.concatenate([cust, mc[keep]])
    s_start = np.concatenate([created, d1[keep]])
    s_owner = np.concatenate([owner0, new_owner[keep]])
    for _ in range(20):
        order = np.lexsort((s_start, s_cust))
        s_cust, s_start, s_owner = s_cust[order], s_start[order], s_owner[order]
        same_next = np.concatenate([s_cust[1:] == s_cust[:-1], [False]])
        end = np.where(same_next, np.concatenate([s_start[1:], [FAR_DAY]]), FAR_DAY)
        leaves = org.rep_term[s_owner] < end
        if not leaves.any():
            break
        c, t = s_cust[leaves], org.rep_term[s_owner[leaves]]
        heir = org.pick_reps(rng, region[c], t, b2b[c])
        s_cust = np.concatenate([s_cust, c])
        s_start = np.concatenate([s_start, t])
        s_owner = np.concatenate([s_owner, heir])
    same_prev = np.concatenate([[False], (s_cust[1:] == s_cust[:-1]) & (s_owner[1:] == s_owner[:-1])])
    return s_cust[~same_prev], s_start[~same_prev], s_owner[~same_prev]


def build(cfg: GenConfig, org: Org) -> Customers:
    rng = cfg.rng("crm_accounts")
    n = cfg.scale.n_customers
    start = cfg.start_day
    created = _created_days(cfg, rng, n)
    created_sec = created * DAY + business_seconds(rng, n, 8.5, 18.0)
    b2b = rng.random(n) < 0.35
    years = (created - start) / 365.25
    market = [r[2] for r in REGIONS]
    trend = np.array([{"emerging": 0.3, "mature": 0.0, "declining": -0.12}[m] for m in market])
    region_w = np.array([REGION_WEIGHT[m] for m in market])[None, :] * np.clip(
        1 + trend[None, :] * years[:, None], 0.2, None
    )
    region = choose_rows(rng, region_w)
    currency = np.where(b2b, choose(rng, [0.82, 0.07, 0.05, 0.06], n), choose(rng, [0.96, 0.0, 0.0, 0.04], n))
    is_target = rng.random(n) < np.where(b2b, 0.25, 0.004)

    # the whale: an early B2B customer of the whale rep that buys big and never leaves
    eligible = np.flatnonzero((created >= org.rep_hire[org.whale_rep] + 30) & (created < start - 200))
    if not len(eligible):  # short pre-history: the first customer created once the rep is there
        eligible = np.flatnonzero(created >= org.rep_hire[org.whale_rep] + 30)
    whale = int(eligible[0])
    b2b[whale], is_target[whale], currency[whale] = True, True, 0
    whale_team = org.team_at(np.array([org.whale_rep]), created[whale : whale + 1])[0]
    region[whale] = org.team_region[whale_team]

    owner0 = org.pick_reps(rng, region, created, b2b)
    owner0[whale] = org.whale_rep
    skill = org.rep_skill[owner0]

    seg = b2b.astype(np.int64)
    shape = np.array(RATE_SHAPE)[seg]
    rate = rng.gamma(shape, np.array(RATE_MEAN)[seg] / shape) * cfg.scale.purchase_rate
    p_drop = np.clip(rng.beta(np.array(DROP_A)[seg], np.array(DROP_B)[seg]) * (2.0 - skill), 0.005, 0.95)
    nu = rng.gamma(np.array(SPEND_Q)[seg], 1.0 / np.array(SPEND_GAMMA)[seg])
    spend_shape = np.array(SPEND_P)[seg]
    spend_scale = skill**1.2 / nu
    buys = rng.random(n) < 0.96
    reactivates = rng.random(n) < np.where(b2b, 0.15, 0.08)
    pay_risk = rng.beta(1.0, 6.0, n) * (1.6 - 0.6 * skill)

    # the whale buys every month, never leaves, and spends about as much as the rest of its rep's book
    book = (owner0 == org.whale_rep) & (np.arange(n) != whale)
    book_annual = (rate * spend_shape * spend_scale)[book].sum()
    rate[whale], p_drop[whale], buys[whale], reactivates[whale] = 12.0, 0.0, True, False
    spend_shape[whale] = 4.0
    spend_scale[whale] = WHALE_BOOK_SHARE * book_annual / (rate[whale] * spend_shape[whale])
    pay_risk[whale] = 0.02

    s_cust, s_start, s_owner = _owner_segments(cfg, rng, org, created, region, b2b, owner0, whale)
    last = np.concatenate([s_cust[1:] != s_cust[:-1], [True]])
    current = s_owner[last]

    contact_count = np.where(b2b, 1 + rng.binomial(4, 0.55, n), (rng.random(n) < 0.25).astype(np.int64))
    contact_first = np.cumsum(contact_count) - contact_count
    return Customers(
        created_day=created,
        created_sec=created_sec,
        b2b=b2b,
        region=region,
        currency=currency,
        is_target=is_target,
        rate=rate,
        p_drop=p_drop,
        spend_shape=spend_shape,
        spend_scale=spend_scale,
        buys=buys,
        reactivates=reactivates,
        pay_risk=pay_risk,
        initial_owner=owner0,
        current_owner=current,
        seg_cust=s_cust,
        seg_start=s_start,
        seg_owner=s_owner,
        contact_first=contact_first,
        contact_count=contact_count,
        whale=whale,
    )


def tables(cfg: GenConfig, org: Org, cust: Customers, fx_rate_now: np.ndarray) -> dict[str, dict]:
    """crm_accounts, crm_account_owner_history, crm_contacts, crm_leads, crm_referrals."""
    rng = cfg.rng("crm_accounts_tables")
    n = cust.n
    w = id_width(n)
    b2b = cust.b2b
    start, as_of = cfg.start_day, cfg.as_of_day
    in_history = cust.created_day >= start

    # ---- leads that became customers, and referrals behind some of them
    channel_b2b = choose(rng, [0.25, 0.2, 0.15, 0.3, 0.1], n)
    channel_b2c = choose(rng, [0.55, 0.2, 0.13, 0.12], n)
    channel = np.where(b2b, np.array(B2B_CHANNELS)[channel_b2b], np.array(B2C_CHANNELS)[channel_b2c])
    referred = in_history & (channel == "referral")
    channel = np.where(~in_history & (channel == "referral"), "website", channel)
    converted = in_history & (referred | (rng.random(n) < np.where(b2b, 0.7, 0.35)))
    conv = np.flatnonzero(converted)
    conv_at = cust.created_sec[conv]
    lead_rep = cust.initial_owner[conv]
    lead_at = conv_at - rng.integers(2 * DAY, 45 * DAY, len(conv))
    lead_at = np.maximum(lead_at, org.rep_hire[lead_rep] * DAY + 9 * HOUR)
    lead_at = np.minimum(lead_at, conv_at - HOUR)
    lead_src = np.array([_CHANNEL_TO_SOURCE[c] for c in B2B_CHANNELS + B2C_CHANNELS])
    channel_idx = np.where(b2b, channel_b2b, len(B2B_CHANNELS) + channel_b2c)[conv]

    # leads that did not (yet) convert
    n_dq, n_open = int(0.9 * len(conv)) + 5, int(0.25 * len(conv)) + 5
    other_day = np.concatenate([rng.integers(start - 30, as_of - 5, n_dq), rng.integers(as_of - 75, as_of + 1, n_open)])
    other_region = choose(rng, [REGION_WEIGHT[r[2]] for r in REGIONS], len(other_day))
    other_b2b = rng.random(len(other_day)) < 0.5
    other_rep = org.pick_reps(rng, other_region, other_day, other_b2b)
    other_at = other_day * DAY + business_seconds(rng, len(other_day))
    other_src = choose(rng, [0.3, 0.2, 0.12, 0.15, 0.1, 0.13], len(other_day))

    lead_created = np.concatenate([lead_at, other_at])
    order = np.argsort(lead_created, kind="stable")
    n_leads = len(lead_created)
    lead_no = np.empty(n_leads, dtype=np.int64)
    lead_no[order] = np.arange(n_leads)  # lead number of each (unsorted) lead
    status = np.concatenate(
        [
            np.full(len(conv), LEAD_STATUSES.index("converted")),
            np.full(n_dq, LEAD_STATUSES.index("disqualified")),
            np.full(n_open, LEAD_STATUSES.index("open")),
        ]
    )
    conv_cust = np.concatenate([conv, np.full(n_dq + n_open, -1)])
    source = np.concatenate([lead_src[channel_idx], other_src])
    lead_tbl = {
        "lead_id": names.ids("LD", np.arange(n_leads) + 1, 8),
        "rep_id": rep_ids(np.concatenate([lead_rep, other_rep])[order]),
        "lead_source": names.pick(LEAD_SOURCES, source[order]),
        "created_at": lead_created[order],
        "status": names.pick(LEAD_STATUSES, status[order]),
        "converted_customer_id": customer_ids(np.clip(conv_cust[order], 0, None), w, conv_cust[order] < 0),
        "converted_at": np.concatenate([conv_at, np.full(n_dq + n_open, np.nan)])[order],
        "is_deleted": soft_deleted(rng, n_leads),
    }

    # ---- referrals: referred customers (lead + customer), referral leads only, referrals that led nowhere
    by_time = np.argsort(cust.created_sec, kind="stable")
    sorted_sec = cust.created_sec[by_time]

    def referrer_before(t: np.ndarray) -> np.ndarray:
        count = np.searchsorted(sorted_sec, t, side="left")
        idx = np.floor(rng.random(len(t)) * count).astype(np.int64)
        return np.where(count > 0, by_time[np.clip(idx, 0, None)], -1)

    ref_pos = np.flatnonzero(referred[conv])  # converted leads of referred customers
    ref_lead_only = len(conv) + np.flatnonzero(other_src == LEAD_SOURCES.index("referral"))
    r_lead = np.concatenate([ref_pos, ref_lead_only])
    r_cust = np.concatenate([conv[ref_pos], np.full(len(ref_lead_only), -1)])
    r_at = lead_created[r_lead] - rng.integers(0, 3 * DAY, len(r_lead))
    n_void = int(0.3 * len(r_lead)) + 3
    void_at = rng.integers(start, as_of + 1, n_void) * DAY + business_seconds(rng, n_void)
    r_lead = np.concatenate([r_lead, np.full(n_void, -1)])
    r_cust = np.concatenate([r_cust, np.full(n_void, -1)])
    r_at = np.concatenate([r_at, void_at])
    referrer = referrer_before(r_at)
    ok = referrer >= 0
    r_lead, r_cust, r_at, referrer = r_lead[ok], r_cust[ok], r_at[ok], referrer[ok]
    order_r = np.argsort(r_at, kind="stable")
    r_lead, r_cust, r_at, referrer = r_lead[order_r], r_cust[order_r], r_at[order_r], referrer[order_r]
    referred_by = np.full(n, -1)
    referred_by[r_cust[r_cust >= 0]] = referrer[r_cust >= 0]
    ref_tbl = {
        "referral_id": names.ids("RF", np.arange(len(r_at)) + 1, 7),
        "referrer_customer_id": customer_ids(referrer, w),
        "referred_lead_id": names.ids("LD", lead_no[np.clip(r_lead, 0, None)] + 1, 8, r_lead < 0),
        "referred_customer_id": customer_ids(np.clip(r_cust, 0, None), w, r_cust < 0),
        "referred_at": r_at,
        "is_deleted": soft_deleted(rng, len(r_at)),
    }

    # ---- contacts
    c_parent, c_pos = expand(cust.contact_count)
    n_contacts = len(c_parent)
    keys = rng.random((n, len(DECISION_ROLES)))
    keys[:, 0] -= 0.4  # decision makers tend to be the first contact
    perm = np.argsort(keys, axis=1)
    role = np.where(b2b[c_parent], perm[c_parent, np.minimum(c_pos, len(DECISION_ROLES) - 1)], 0)
    contact_names = names.person_names(rng, n_contacts)
    contact_email = names.join(
        names.ids("ct", np.arange(n_contacts) + 1, 8), "@", names.ids("c", c_parent + 1, w), ".example.cn"
    )
    contact_phone = names.phones(rng, n_contacts)
    contacts = {
        "contact_id": names.ids("CT", np.arange(n_contacts) + 1, 8),
        "customer_id": customer_ids(c_parent, w),
        "contact_name": contact_names,
        "email": contact_email,
        "phone": contact_phone,
        "decision_role": names.pick(DECISION_ROLES, role),
        "is_deleted": soft_deleted(rng, n_contacts),
    }

    # ---- accounts
    cities = [c for r in REGIONS for c in r[3]]
    offsets = np.cumsum([0] + [len(r[3]) for r in REGIONS])
    city = offsets[cust.region] + np.floor(rng.random(n) * (offsets[cust.region + 1] - offsets[cust.region])).astype(
        np.int64
    )
    company = names.company_names(rng, cities, city)
    person = names.person_names(rng, n)
    b2b_arr = pa.array(b2b)
    annual = cust.rate * cust.spend_shape * cust.spend_scale / fx_rate_now[cust.currency]
    # Realised yearly spend runs about 2.3x `annual` (minimum quantities, subscriptions):
    # these shares put the typical share of wallet between 0.2 and 0.8.
    wallet = annual / rng.uniform(0.08, 0.35, n)
    wallet = np.where(wallet >= 10_000, np.round(wallet, -2), np.round(wallet, 0))
    wallet = np.where(rng.random(n) < np.where(b2b, 0.3, 0.8), np.nan, wallet)
    has_contact = cust.contact_count > 0
    main_email = pc.if_else(
        pa.array(has_contact),
        pc.take(contact_email, pa.array(np.clip(cust.contact_first, 0, max(0, n_contacts - 1)))),
        names.join(names.ids("c", np.arange(n) + 1, w), "@mail.example.cn"),
    )
    deleted = soft_deleted(rng, n)
    deleted[cust.whale] = False
    accounts = {
        "customer_id": customer_ids(np.arange(n), w),
        "customer_name": pc.if_else(b2b_arr, company, person),
        "segment": names.pick(SEGMENTS, np.where(b2b, 0, 1)),
        "industry": pc.if_else(b2b_arr, names.pick(INDUSTRIES, rng.integers(0, len(INDUSTRIES), n)), B2C_INDUSTRY),
        "region_code": region_ids(cust.region),
        "owner_rep_id": rep_ids(cust.current_owner),
        "created_at": cust.created_sec,
        "acquisition_channel": channel,
        "is_target_account": cust.is_target,
        "est_annual_category_spend": wallet,
        "currency": names.pick(CURRENCIES, cust.currency),
        "contact_email": main_email,
        "contact_phone": names.phones(rng, n),
        "referred_by_customer_id": customer_ids(np.clip(referred_by, 0, None), w, referred_by < 0),
        "is_deleted": deleted,
    }
    seg_last = np.concatenate([cust.seg_cust[1:] != cust.seg_cust[:-1], [True]])
    valid_to = np.where(seg_last, np.nan, np.concatenate([cust.seg_start[1:], [0]]))
    owners = {
        "customer_id": customer_ids(cust.seg_cust, w),
        "owner_rep_id": rep_ids(cust.seg_owner),
        "valid_from": cust.seg_start,
        "valid_to": valid_to,
        "is_deleted": np.zeros(len(cust.seg_cust), dtype=bool),
    }
    return {
        "crm_accounts": accounts,
        "crm_account_owner_history": owners,
        "crm_contacts": contacts,
        "crm_leads": lead_tbl,
        "crm_referrals": ref_tbl,
    }
