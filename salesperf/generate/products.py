"""Product master and the month-by-month product mix of each segment.

Products sit in categories and product lines. Most were launched before the history; some are
launched during it (orders only from the month after launch), and several of those replace an
older product of the same line, which then declines. A product line of cloud subscriptions is
sold only through subscription contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.contract import LIFECYCLE_STAGES
from salesperf.generate import names
from salesperf.generate.config import GenConfig
from salesperf.generate.org import groups
from salesperf.generate.timeutil import month_of, month_start

# category, product line, base name, list price range (CNY), cost ratio range, B2B / B2C affinity
LINES: tuple[tuple[str, str, str, float, float, float, float, float, float], ...] = (
    ("办公设备", "打印机", "商用打印机", 1500, 12000, 0.55, 0.72, 1.0, 0.5),
    ("办公设备", "复印机", "数码复合机", 15000, 80000, 0.55, 0.70, 0.7, 0.0),
    ("办公设备", "投影仪", "智能投影仪", 3000, 20000, 0.50, 0.70, 0.8, 0.3),
    ("网络设备", "路由器", "企业路由器", 500, 8000, 0.50, 0.70, 1.0, 1.2),
    ("网络设备", "交换机", "千兆交换机", 2000, 40000, 0.50, 0.68, 1.2, 0.0),
    ("网络设备", "无线AP", "无线接入点", 800, 5000, 0.50, 0.70, 1.0, 0.3),
    ("安防设备", "摄像头", "网络摄像机", 300, 5000, 0.45, 0.70, 1.0, 1.2),
    ("安防设备", "门禁", "智能门禁系统", 2000, 20000, 0.50, 0.70, 0.8, 0.05),
    ("软件服务", "云平台", "企业云平台订阅", 600, 3000, 0.20, 0.35, 0.0, 0.0),
    ("软件服务", "运维服务", "运维服务包", 5000, 50000, 0.30, 0.50, 0.6, 0.0),
    ("耗材配件", "墨盒", "原装墨盒", 60, 500, 0.40, 0.65, 1.2, 2.5),
    ("耗材配件", "纸张", "办公用纸", 20, 200, 0.55, 0.75, 1.0, 2.0),
    ("耗材配件", "配件", "数据线配件", 30, 800, 0.35, 0.60, 0.8, 2.0),
)
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(line[0] for line in LINES))
SUBSCRIPTION_LINE = 8
STAGE = {s: i for i, s in enumerate(LIFECYCLE_STAGES)}
_MODEL_LETTERS = "XSPMKQ"


@dataclass
class Products:
    line: np.ndarray
    category: np.ndarray  # index into CATEGORIES
    launch_day: np.ndarray
    list_price: np.ndarray  # CNY
    unit_cost: np.ndarray  # CNY
    is_strategic: np.ndarray
    is_subscription: np.ndarray
    stage: np.ndarray
    replaces: np.ndarray  # -1 = none
    product_names: list[str]
    month0: int
    cdf: np.ndarray  # [segment (0 = B2C, 1 = B2B), month - month0, product]: cumulative mix

    @property
    def n(self) -> int:
        return len(self.line)

    def draw(self, rng: np.random.Generator, b2b: np.ndarray, days: np.ndarray) -> np.ndarray:
        """A regular (non-subscription) product for each order line, from the mix of its month."""
        m = np.clip(month_of(days) - self.month0, 0, self.cdf.shape[1] - 1)
        key = m * 2 + np.asarray(b2b, dtype=np.int64)
        u = rng.random(len(key))
        out = np.empty(len(key), dtype=np.int64)
        for k, rows in groups(key):
            mm, s = divmod(int(k), 2)
            out[rows] = np.searchsorted(self.cdf[s, mm], u[rows], side="right")
        return np.minimum(out, self.n - 1)

    def subscription_product(self, rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
        """A cloud subscription product launched before each day."""
        subs = np.flatnonzero(self.is_subscription)
        launched = self.launch_day[subs][None, :] < np.asarray(days)[:, None]
        choice = np.where(launched, rng.random((len(days), len(subs))), -1.0).argmax(axis=1)
        return subs[choice]


def build(cfg: GenConfig) -> Products:
    rng = cfg.rng("erp_products")
    start, as_of = cfg.start_day, cfg.as_of_day
    n = cfg.scale.n_products
    n_lines = len(LINES)
    line = np.concatenate([np.arange(n_lines), rng.integers(0, n_lines, n - n_lines)])
    n_new = max(6, round(0.22 * n))
    new = np.zeros(n, dtype=bool)
    new[rng.choice(np.flatnonzero(line != SUBSCRIPTION_LINE), n_new, replace=False)] = True
    launch = np.where(
        new, start + rng.integers(60, max(61, as_of - start - 300), n), start - rng.integers(200, 9 * 365, n)
    )
    newest = np.flatnonzero(new)[:2]
    launch[newest] = as_of - rng.integers(90, 300, len(newest))  # in introduction at as_of
    first_sub = np.flatnonzero(line == SUBSCRIPTION_LINE)[0]
    launch[first_sub] = min(launch[first_sub], start - 400)

    order = np.lexsort((np.arange(n), launch))  # ids follow launch order
    line, new, launch = line[order], new[order], launch[order]

    lo, hi, c_lo, c_hi = (np.array([x[i] for x in LINES])[line] for i in (3, 4, 5, 6))
    raw = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    price = np.where(raw >= 1000, np.round(raw, -1), np.round(raw, 0))
    cost = np.round(price * rng.uniform(c_lo, c_hi), 2)

    replaces = np.full(n, -1)
    taken: set[int] = set()
    for p in np.flatnonzero(new):
        if rng.random() < 0.65 or len(taken) < 2:
            older = [q for q in np.flatnonzero((line == line[p]) & (launch < start) & ~new) if q not in taken]
            if older:
                q = int(rng.choice(older))
                replaces[p] = q
                taken.add(q)
    age = as_of - launch
    stage = np.where(age < 365, STAGE["introduction"], np.where(age < 900, STAGE["growth"], STAGE["maturity"]))
    stage[list(taken)] = STAGE["decline"]
    old = np.flatnonzero((age > 2500) & (replaces < 0) & (stage == STAGE["maturity"]))
    if len(old):
        stage[rng.choice(old, max(1, len(old) // 10), replace=False)] = STAGE["decline"]

    strategic = np.zeros(n, dtype=bool)
    strategic[rng.choice(np.flatnonzero(new), 2, replace=False)] = True
    strategic[line == SUBSCRIPTION_LINE] = True
    strategic[rng.choice(np.flatnonzero(~new & (stage != STAGE["decline"])), max(2, n // 20), replace=False)] = True

    counter: dict[int, int] = {}
    product_names = []
    for p in range(n):
        k = counter[line[p]] = counter.get(line[p], 0) + 1
        letter = _MODEL_LETTERS[(line[p] + k) % len(_MODEL_LETTERS)]
        product_names.append(f"{LINES[line[p]][2]} {letter}{100 * k + 10 * (p % 9)}")

    # monthly mix
    month0 = int(month_of(start))
    months = np.arange(month0, int(month_of(as_of)) + 1)
    m_day = month_start(months).astype(np.float64)[:, None]
    base = rng.lognormal(0.0, 0.6, n) * np.where(new, 1.6, 1.0)
    w = np.where(launch[None, :] <= m_day, base[None, :], 0.0)
    w *= np.clip(0.3 + (m_day - launch[None, :]) / 240.0, 0.0, 1.0)  # ramp-up after launch
    for p in np.flatnonzero(replaces >= 0):
        q = replaces[p]
        w[:, q] *= np.where(m_day[:, 0] > launch[p], np.exp(-(m_day[:, 0] - launch[p]) / 200.0), 1.0)
    declining = (stage == STAGE["decline"]) & ~np.isin(np.arange(n), replaces)
    w[:, declining] *= np.clip(1.0 - (m_day - start) / 365.0 * 0.25, 0.2, 1.0)
    w[:, line == SUBSCRIPTION_LINE] = 0.0
    affinity = np.array([[x[8] for x in LINES], [x[7] for x in LINES]])[:, line]  # [segment, product]
    seg_w = w[None, :, :] * affinity[:, None, :]
    cdf = np.cumsum(seg_w, axis=2)
    cdf /= np.maximum(cdf[:, :, -1:], 1e-12)
    return Products(
        line=line,
        category=np.array([CATEGORIES.index(LINES[x][0]) for x in line]),
        launch_day=launch,
        list_price=price,
        unit_cost=cost,
        is_strategic=strategic,
        is_subscription=line == SUBSCRIPTION_LINE,
        stage=stage,
        replaces=replaces,
        product_names=product_names,
        month0=month0,
        cdf=cdf,
    )


def product_ids(p: np.ndarray, null: np.ndarray | None = None):
    return names.ids("P", np.asarray(p) + 1, 4, null)


def table(prod: Products) -> dict:
    n = prod.n
    sku = names.join(
        "SKU-",
        names.pick([f"{i + 1:02d}" for i in range(len(LINES))], prod.line),
        "-",
        names.ids("", np.arange(n) + 1, 4),
    )
    return {
        "product_id": product_ids(np.arange(n)),
        "sku": sku,
        "product_name": prod.product_names,
        "category": names.pick(CATEGORIES, prod.category),
        "product_line": names.pick([x[1] for x in LINES], prod.line),
        "launch_date": prod.launch_day,
        "lifecycle_stage": names.pick(LIFECYCLE_STAGES, prod.stage),
        "is_strategic": prod.is_strategic,
        "replaces_product_id": product_ids(np.clip(prod.replaces, 0, None), prod.replaces < 0),
        "list_price": prod.list_price,
        "unit_cost": prod.unit_cost,
        "currency": np.full(n, "CNY"),
    }
