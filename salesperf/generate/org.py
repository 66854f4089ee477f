"""The sales organisation: regions, teams, reps and their team history.

Teams sit in regions (the first team of a region is the parent of the region's other teams); a few
start-up teams are founded during the history and managed by a manager who moves there on the
founding day (a move in the middle of a month). Reps are hired before and during the history, some
leave, some move between teams. Three reps are special: a strong one, a weak one, and one whose
largest customer dominates the book.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salesperf.contract import LEVELS, MARKET_TYPES, ROLES, TEAM_STAGES
from salesperf.generate import names
from salesperf.generate.config import GenConfig, day_number
from salesperf.generate.timeutil import DAY, FAR_DAY, business_seconds, month_of, month_start

# code, name, market type, cities (for customer names)
REGIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("EC", "华东", "mature", ("上海", "杭州", "南京", "苏州", "宁波", "无锡")),
    ("SC", "华南", "mature", ("广州", "深圳", "东莞", "厦门", "佛山")),
    ("NC", "华北", "mature", ("北京", "天津", "石家庄", "济南", "青岛")),
    ("CC", "华中", "emerging", ("武汉", "长沙", "郑州", "南昌")),
    ("SW", "西南", "emerging", ("成都", "重庆", "昆明", "贵阳")),
    ("NW", "西北", "emerging", ("西安", "兰州", "银川", "乌鲁木齐")),
    ("NE", "东北", "declining", ("沈阳", "大连", "哈尔滨", "长春")),
)
REGION_WEIGHT = {"mature": 1.5, "emerging": 1.0, "declining": 0.6}

ROLE = {r: i for i, r in enumerate(ROLES)}
LEVEL = {v: i for i, v in enumerate(LEVELS)}
_B2B_ROLES = np.array([ROLE["direct"], ROLE["key_account"]])
_B2C_ROLES = np.array([ROLE["direct"], ROLE["ecommerce"]])
_KEY = 1 << 21  # > any day number: composite (entity, day) keys


@dataclass
class Org:
    region_market: np.ndarray  # index into MARKET_TYPES
    team_region: np.ndarray
    team_created_day: np.ndarray
    team_manager: np.ndarray
    team_parent: np.ndarray  # -1 = none
    team_stage: np.ndarray
    team_names: list[str]
    rep_hire: np.ndarray
    rep_term: np.ndarray  # first day no longer employed; FAR_DAY = still employed
    rep_role: np.ndarray
    rep_level: np.ndarray
    rep_skill: np.ndarray
    rep_weight: np.ndarray  # relative size of the customer book a rep is given
    rep_is_new_hire: np.ndarray
    assign_rep: np.ndarray
    assign_team: np.ndarray
    assign_from: np.ndarray
    assign_to: np.ndarray  # FAR_DAY = open
    strong_rep: int
    weak_rep: int
    whale_rep: int
    month0: int
    month_team: np.ndarray  # [rep, month - month0]: team for the whole month, -1 if not employed all month

    @property
    def n_reps(self) -> int:
        return len(self.rep_hire)

    @property
    def n_teams(self) -> int:
        return len(self.team_region)

    def employed(self, rep: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (self.rep_hire[rep] <= day) & (day < self.rep_term[rep])

    def team_at(self, rep: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Team of each rep on each day (valid_from <= day < valid_to), -1 if none."""
        rep = np.asarray(rep, dtype=np.int64)
        day = np.asarray(day, dtype=np.int64)
        keys = self.assign_rep * _KEY + self.assign_from
        pos = np.searchsorted(keys, rep * _KEY + day, side="right") - 1
        pos_c = np.clip(pos, 0, None)
        ok = (pos >= 0) & (self.assign_rep[pos_c] == rep) & (day < self.assign_to[pos_c])
        return np.where(ok, self.assign_team[pos_c], -1)

    def pick_reps(
        self,
        rng: np.random.Generator,
        region: np.ndarray,
        day: np.ndarray,
        b2b: np.ndarray,
        boost: np.ndarray | None = None,
    ) -> np.ndarray:
        """A rep for each (region, day, segment): employed the whole month, in a team of the region,
        in a role that serves the segment, drawn by book weight."""
        region = np.asarray(region, dtype=np.int64)
        day = np.asarray(day, dtype=np.int64)
        n = len(day)
        out = np.empty(n, dtype=np.int64)
        if n == 0:
            return out
        month = np.clip(month_of(day) - self.month0, 0, self.month_team.shape[1] - 1)
        n_regions = len(self.region_market)
        key = (month * n_regions + region) * 2 + np.asarray(b2b, dtype=np.int64)
        u = rng.random(n)
        weight = self.rep_weight if boost is None else self.rep_weight * boost
        managers = self.rep_level != LEVEL["rep"]
        serves = [np.isin(self.rep_role, _B2C_ROLES) | managers, np.isin(self.rep_role, _B2B_ROLES) | managers]
        team_region = np.append(self.team_region, -1)  # team -1 (not employed) has region -1
        for k, rows in groups(key):
            m, rest = divmod(int(k), n_regions * 2)
            r, s = divmod(rest, 2)
            team = self.month_team[:, m]
            in_region = team_region[team] == r
            ok = in_region & serves[s]
            if not ok.any():
                ok = in_region
            if not ok.any():
                ok = team >= 0
            cdf = np.cumsum(np.where(ok, weight, 0.0))
            out[rows] = np.searchsorted(cdf, u[rows] * cdf[-1], side="right")
        return np.minimum(out, self.n_reps - 1)


def groups(key: np.ndarray):
    """(value, row indices) for each distinct value of ``key``, in ascending order of value."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    cuts = np.flatnonzero(np.diff(sorted_key)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(key)]])
    for a, b in zip(starts, ends, strict=True):
        yield sorted_key[a], order[a:b]


def _uniform_day(rng: np.random.Generator, lo: float, hi: float) -> int:
    return int(lo + rng.integers(0, max(1, int(hi - lo))))


def build(cfg: GenConfig) -> Org:
    rng = cfg.rng("org")
    sc = cfg.scale
    start, as_of = cfg.start_day, cfg.as_of_day
    n_regions = len(REGIONS)
    n_new_teams = max(2, sc.n_teams // 8)
    n_est = sc.n_teams - n_new_teams
    if n_est < n_regions:
        raise ValueError(f"scale {sc.name}: at least {n_regions + 2} teams needed")
    n_teams = sc.n_teams
    team_region = np.concatenate([np.arange(n_est) % n_regions, np.arange(n_new_teams) % n_regions])
    is_new_team = np.arange(n_teams) >= n_est
    team_parent = np.where(np.arange(n_teams) < n_regions, -1, team_region)  # team r heads region r
    market = np.array([MARKET_TYPES.index(r[2]) for r in REGIONS])

    d2014 = day_number(cfg.start.replace(year=cfg.start.year - 9))
    team_created = np.where(
        np.arange(n_teams) < n_regions,
        d2014 + rng.integers(0, 365, n_teams),
        d2014 + 365 + rng.integers(0, 730, n_teams),
    )
    new_created = start + rng.integers(280, 640, n_teams)
    new_created = np.where((new_created - month_start(month_of(new_created))) == 0, new_created + 9, new_created)
    team_created = np.where(is_new_team, new_created, team_created)

    stage = np.where(rng.random(n_teams) < 0.4, TEAM_STAGES.index("growth"), TEAM_STAGES.index("mature"))
    heads = np.arange(n_teams) < n_regions
    stage = np.where(
        heads & (market[team_region] == MARKET_TYPES.index("emerging")),
        TEAM_STAGES.index("growth"),
        np.where(heads, TEAM_STAGES.index("mature"), stage),
    )
    stage = np.where(is_new_team, TEAM_STAGES.index("startup"), stage)

    per_region: dict[int, int] = {}
    team_names = []
    for t in range(n_teams):
        r = int(team_region[t])
        per_region[r] = per_region.get(r, 0) + 1
        team_names.append(f"{REGIONS[r][1]}{names.cn_number(per_region[r])}组")

    # ---- reps: directors, then one manager per team, then sales reps
    n_dir = max(1, n_teams // 12)
    n_reg = sc.n_reps - n_teams - n_dir
    if n_reg < 10:
        raise ValueError(f"scale {sc.name}: too few reps")
    n_reps = sc.n_reps
    hire = np.zeros(n_reps, dtype=np.int64)
    term = np.full(n_reps, FAR_DAY, dtype=np.int64)
    role = np.zeros(n_reps, dtype=np.int64)
    level = np.full(n_reps, LEVEL["rep"], dtype=np.int64)
    skill = np.ones(n_reps)
    weight = np.ones(n_reps)
    new_hire = np.zeros(n_reps, dtype=bool)
    moves: list[list[tuple[int, int]]] = [[] for _ in range(n_reps)]  # (from day, team)

    for k in range(n_dir):
        t = k % n_regions
        hire[k] = team_created[t] + rng.integers(0, 90)
        role[k], level[k], skill[k], weight[k] = ROLE["key_account"], LEVEL["director"], 1.1, 0.2
        moves[k].append((int(hire[k]), t))
    managers = np.arange(n_dir, n_dir + n_teams)
    for t, rep in enumerate(managers):
        level[rep] = LEVEL["regional_manager"]
        role[rep] = ROLE["key_account"] if rng.random() < 0.3 else ROLE["direct"]
        skill[rep] = rng.uniform(0.95, 1.15)
        weight[rep] = 0.5
        if is_new_team[t]:
            hire[rep] = _uniform_day(rng, d2014 + 730, start - 90)
            moves[rep] += [(int(hire[rep]), int(team_region[t])), (int(team_created[t]), t)]
        else:
            hire[rep] = team_created[t] + rng.integers(0, 30)
            moves[rep].append((int(hire[rep]), t))

    regular = np.arange(n_dir + n_teams, n_reps)
    n_hires = max(3, round(0.16 * n_reg))
    est_weight = np.array([REGION_WEIGHT[REGIONS[r][2]] for r in team_region[:n_est]])
    for i, rep in enumerate(regular):
        u = rng.random()
        role[rep] = ROLE["direct"] if u < 0.55 else ROLE["key_account"] if u < 0.75 else ROLE["ecommerce"]
        skill[rep] = float(np.clip(rng.lognormal(0.0, 0.15), 0.7, 1.3))
        if i >= n_reg - n_hires:
            new_hire[rep] = True
            hire[rep] = _uniform_day(rng, start + 45, as_of - 120)
            open_teams = np.flatnonzero(team_created <= hire[rep])
            w = np.where(is_new_team[open_teams], 4.0, 1.0)
            team = int(rng.choice(open_teams, p=w / w.sum()))
        else:
            hire[rep] = _uniform_day(rng, d2014 + 730, start - 45)
            w = np.where(team_created[:n_est] <= hire[rep], est_weight, 0.0)
            team = int(rng.choice(n_est, p=w / w.sum()))
        moves[rep].append((int(hire[rep]), team))

    veterans = regular[~new_hire[regular]]
    strong, weak, whale = (int(x) for x in rng.choice(veterans, 3, replace=False))
    role[[strong, weak]] = ROLE["direct"]
    role[whale] = ROLE["direct"]
    skill[strong], skill[weak] = 1.35, 0.6
    weight[regular] = skill[regular]
    weight[strong], weight[weak], weight[whale] = 2.0, 0.8, 1.0
    special = {strong, weak, whale}

    for rep in regular:
        if int(rep) in special:
            continue
        if rng.random() < 0.12 and max(hire[rep] + 200, start + 120) < as_of - 20:
            term[rep] = _uniform_day(rng, max(hire[rep] + 200, start + 120), as_of - 20)
        lo, hi = max(hire[rep], start) + 60, min(term[rep], as_of) - 60
        if rng.random() < 0.15 and lo < hi:
            n_moves = 2 if rng.random() < 0.25 and hi - lo > 200 else 1
            bounds = np.linspace(lo, hi, n_moves + 1)
            for j in range(n_moves):
                d = _uniform_day(rng, bounds[j], bounds[j + 1])
                if rng.random() < 0.5:  # half of the moves happen on the first of a month
                    d = int(month_start(month_of(d) + 1))
                    if d >= hi:
                        continue
                current = moves[rep][-1][1]
                options = np.flatnonzero((team_created <= d) & (np.arange(n_teams) != current))
                w = np.where(is_new_team[options], 3.0, 1.0)
                moves[rep].append((d, int(rng.choice(options, p=w / w.sum()))))

    # ---- assignment intervals
    a_rep, a_team, a_from, a_to = [], [], [], []
    for rep in range(n_reps):
        steps = sorted(moves[rep])
        for j, (d, t) in enumerate(steps):
            a_rep.append(rep)
            a_team.append(t)
            a_from.append(d)
            a_to.append(steps[j + 1][0] if j + 1 < len(steps) else term[rep])
    assign_rep, assign_team = np.array(a_rep), np.array(a_team)
    assign_from, assign_to = np.array(a_from, dtype=np.int64), np.array(a_to, dtype=np.int64)

    month0 = int(month_of(hire.min()))
    n_months = int(month_of(as_of)) - month0 + 1
    m_first = month_start(np.arange(month0, month0 + n_months))
    m_next = month_start(np.arange(month0 + 1, month0 + n_months + 1))
    month_team = np.full((n_reps, n_months), -1, dtype=np.int32)
    for rep, team, lo, hi in zip(assign_rep, assign_team, assign_from, assign_to, strict=True):
        month_team[rep, (m_first >= lo) & (m_next <= hi)] = team

    team_manager = managers.copy()
    return Org(
        region_market=market,
        team_region=team_region,
        team_created_day=team_created,
        team_manager=team_manager,
        team_parent=team_parent,
        team_stage=stage,
        team_names=team_names,
        rep_hire=hire,
        rep_term=term,
        rep_role=role,
        rep_level=level,
        rep_skill=skill,
        rep_weight=weight,
        rep_is_new_hire=new_hire,
        assign_rep=assign_rep,
        assign_team=assign_team,
        assign_from=assign_from,
        assign_to=assign_to,
        strong_rep=strong,
        weak_rep=weak,
        whale_rep=whale,
        month0=month0,
        month_team=month_team,
    )


def rep_ids(rep: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return names.ids("R", np.asarray(rep) + 1, 4, null)


def team_ids(team: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return names.ids("T", np.asarray(team) + 1, 3, null)


def region_ids(region: np.ndarray) -> pa.Array:
    return names.pick([r[0] for r in REGIONS], region)


def tables(cfg: GenConfig, org: Org) -> dict[str, dict]:
    rng = cfg.rng("org_tables")
    n_reps, n_teams = org.n_reps, org.n_teams
    rep_no = np.arange(n_reps)
    last_day = np.minimum(org.rep_term - 1, cfg.as_of_day)
    current_team = org.team_at(rep_no, last_day)
    rep_names = names.person_names(rng, n_reps)
    return {
        "crm_regions": {
            "region_code": [r[0] for r in REGIONS],
            "region_name": [r[1] for r in REGIONS],
            "market_type": [r[2] for r in REGIONS],
            "is_deleted": np.zeros(len(REGIONS), dtype=bool),
        },
        "crm_teams": {
            "team_id": team_ids(np.arange(n_teams)),
            "team_name": org.team_names,
            "region_code": region_ids(org.team_region),
            "team_stage": names.pick(TEAM_STAGES, org.team_stage),
            "manager_rep_id": rep_ids(org.team_manager),
            "parent_team_id": team_ids(np.clip(org.team_parent, 0, None), org.team_parent < 0),
            "created_at": org.team_created_day * DAY + business_seconds(rng, n_teams),
            "is_deleted": np.zeros(n_teams, dtype=bool),
        },
        "crm_sales_reps": {
            "rep_id": rep_ids(rep_no),
            "rep_name": rep_names,
            "email": names.join(names.ids("rep", rep_no + 1, 4), "@salesperf-demo.cn"),
            "role": names.pick(ROLES, org.rep_role),
            "level": names.pick(LEVELS, org.rep_level),
            "hire_date": org.rep_hire,
            "termination_date": np.where(org.rep_term >= FAR_DAY, np.nan, org.rep_term),
            "team_id": team_ids(np.clip(current_team, 0, None), current_team < 0),
            "is_deleted": np.zeros(n_reps, dtype=bool),
        },
        "crm_rep_team_assignments": {
            "rep_id": rep_ids(org.assign_rep),
            "team_id": team_ids(org.assign_team),
            "valid_from": org.assign_from,
            "valid_to": np.where(org.assign_to >= FAR_DAY, np.nan, org.assign_to),
            "is_deleted": np.zeros(len(org.assign_rep), dtype=bool),
        },
    }
