"""Costs, expenses and the HR / sales-operations tables.

Customer costs: an acquisition cost near each customer's creation, service costs of resolved
service requests, maintenance after installations. Rep-level tables (skills, trainings, knowledge
sharing, insight reports, collaboration surveys, cross-department requests, compliance checks,
expense claims) are drawn per rep over the time the rep is employed during the history.
"""

from __future__ import annotations

import numpy as np

from salesperf.contract import (
    ASSESSOR_TYPES,
    CONTRIBUTION_TYPES,
    COST_TYPES,
    DEPARTMENTS,
    EXPENSE_CATEGORIES,
    PROCESS_AREAS,
    REPORT_TYPES,
    REQUEST_TYPES,
    SKILLS,
    TRAINING_TOPICS,
)
from salesperf.generate import names
from salesperf.generate.context import Context
from salesperf.generate.customers import customer_ids
from salesperf.generate.fulfilment import Fulfilment
from salesperf.generate.org import rep_ids, team_ids
from salesperf.generate.randutil import choose, expand
from salesperf.generate.service import SERVICE, Tickets
from salesperf.generate.timeutil import DAY, FAR_DAY, HOUR, business_seconds, cap_at, month_of, month_start

# ---------------------------------------------------------------- customer costs (per block)


def customer_costs_block(
    ctx: Context,
    block: int,
    lo: int,
    hi: int,
    death: np.ndarray,
    ful: Fulfilment,
    tk: Tickets,
    counters: dict[str, int],
) -> dict[str, dict]:
    c, org = ctx.cust, ctx.org
    rng = ctx.cfg.rng("erp_customer_costs", block)
    as_of = ctx.cfg.as_of_day
    cust = np.arange(lo, hi)
    n = len(cust)
    a_day = np.minimum(c.created_day[cust] + rng.integers(0, 15, n), as_of)
    a_rep = c.initial_owner[cust]
    a_day = np.where(a_day < org.rep_term[a_rep], a_day, c.created_day[cust])
    a_rep = np.where(rng.random(n) < 0.05, -1, a_rep)
    a_amt = np.where(c.b2b[cust], rng.uniform(2_000, 30_000, n), rng.uniform(30, 400, n))

    s = np.flatnonzero((tk.kind == SERVICE) & ~np.isnan(tk.resolved))
    s_day = (tk.resolved[s] // DAY).astype(np.int64)
    s_rep = np.where(org.employed(tk.rep[s], s_day) & (rng.random(len(s)) < 0.7), tk.rep[s], -1)
    s_amt = rng.uniform(200, 3_000, len(s))

    until = np.minimum(as_of, np.where(death < FAR_DAY, death + 365, as_of))[ful.install_cust - lo]
    k = np.maximum((until - ful.install_day) // 180, 0)
    mi, pos = expand(k)
    m_day = ful.install_day[mi] + 180 * (pos + 1)
    m_cust = ful.install_cust[mi]
    m_amt = rng.uniform(500, 5_000, len(mi))

    cust_all = np.concatenate([cust, tk.cust[s], m_cust])
    rep = np.concatenate([a_rep, s_rep, np.full(len(mi), -1)])
    day = np.concatenate([a_day, s_day, m_day])
    kind = np.concatenate([np.full(n, 0), np.full(len(s), 1), np.full(len(mi), 2)])
    amount = np.concatenate([a_amt, s_amt, m_amt])
    order = np.lexsort((np.arange(len(day)), day))
    no = counters["erp_customer_costs"] + 1 + np.arange(len(day))
    counters["erp_customer_costs"] += len(day)
    rep = rep[order]
    return {
        "erp_customer_costs": {
            "cost_id": names.ids("CC", no, 9),
            "customer_id": customer_ids(cust_all[order], ctx.cust_width),
            "rep_id": rep_ids(np.clip(rep, 0, None), rep < 0),
            "cost_date": day[order],
            "cost_type": names.pick(COST_TYPES, kind[order]),
            "amount": amount[order],
            "currency": np.full(len(day), "CNY"),
        }
    }


# ---------------------------------------------------------------- rep-level tables


def _window(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each rep's employment within the history."""
    org = ctx.org
    return (np.maximum(org.rep_hire, ctx.cfg.start_day), np.minimum(org.rep_term - 1, ctx.cfg.as_of_day))


def _events(ctx: Context, rng: np.random.Generator, per_year: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """(rep, timestamp) of a Poisson number of events per rep, spread over its employment, in office hours."""
    first, last = _window(ctx)
    years = np.maximum(last - first + 1, 0) / 365.25
    count = rng.poisson(np.broadcast_to(per_year, years.shape) * years)
    rep, _ = expand(count)
    day = first[rep] + np.floor(rng.random(len(rep)) * (last[rep] - first[rep] + 1)).astype(np.int64)
    sec = day * DAY + business_seconds(rng, len(rep))
    order = np.lexsort((rep, sec))
    return rep[order], sec[order]


def _quarters(ctx: Context) -> np.ndarray:
    m0, m1 = int(month_of(ctx.cfg.start_day)), int(month_of(ctx.cfg.as_of_day))
    return month_start(np.arange(m0 - m0 % 3, m1 + 1, 3))


def skill_assessments(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_skill_assessments")
    first, last = _window(ctx)
    quarters = _quarters(ctx)
    day = quarters[None, :] + rng.integers(20, 70, (org.n_reps, len(quarters)))
    ok = (day >= first[:, None]) & (day <= last[:, None])
    rep, qi = np.nonzero(ok)
    ev_day = day[rep, qi]
    ev_sec = ev_day * DAY + business_seconds(rng, len(rep))
    n_ev = len(rep)
    include = rng.random((n_ev, len(ASSESSOR_TYPES))) < np.array([1.0, 1.0, 0.6, 0.4, 0.7])
    ev, a = np.nonzero(include)
    ev = np.repeat(ev, len(SKILLS))
    a = np.repeat(a, len(SKILLS))
    s = np.tile(np.arange(len(SKILLS)), len(ev) // len(SKILLS))
    improving = rng.random(org.n_reps) < np.where(org.rep_is_new_hire, 0.8, 0.35)
    slope = np.where(improving, rng.uniform(1.5, 3.0, org.n_reps), rng.normal(0.0, 0.3, org.n_reps))
    base = 52 + 30 * (org.rep_skill - 0.6) / 0.75
    q_since = qi[ev] - np.searchsorted(quarters, first[rep[ev]])  # quarters since the rep's first assessment
    skill_offset = rng.normal(0, 4, (org.n_reps, len(SKILLS)))
    bias = np.array([0.0, 0.0, 2.0, -2.0, 6.0])
    r = rep[ev]
    score = base[r] + slope[r] * np.maximum(q_since, 0) + skill_offset[r, s] + bias[a] + rng.normal(0, 5, len(ev))
    return {
        "assessment_id": names.ids("SA", np.arange(len(ev)) + 1, 8),
        "rep_id": rep_ids(r),
        "assessed_at": ev_sec[ev],
        "skill": names.pick(SKILLS, s),
        "assessor_type": names.pick(ASSESSOR_TYPES, a),
        "score": np.round(np.clip(score, 0, 100), 1),
    }


def trainings(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_trainings")
    as_of_end = (ctx.cfg.as_of_day + 1) * DAY - 1
    rep, started = _events(ctx, rng, 8.0)
    n = len(rep)
    course = rng.integers(0, 40, n)
    topic = course % len(TRAINING_TOPICS)
    self_directed = rng.random(n) < 0.35
    completed = started + rng.integers(1, 31, n) * DAY + rng.integers(-4, 4, n) * HOUR
    completed = np.where(rng.random(n) < np.where(self_directed, 0.75, 0.88), completed, np.nan)
    completed = np.where(completed >= org.rep_term[rep] * DAY, np.nan, cap_at(completed, as_of_end))
    hours = np.round(np.where(self_directed, rng.uniform(0.5, 12, n), rng.uniform(1, 8, n)), 1)
    exam_p = np.where(topic < 3, 0.8, 0.3)  # product, policy, competitor are examined more often
    examined = ~np.isnan(completed) & (rng.random(n) < exam_p)
    score = np.clip(np.round(rng.normal(75 + 12 * (org.rep_skill[rep] - 1.0), 12)), 0, 100)
    return {
        "training_id": names.ids("TR", np.arange(n) + 1, 8),
        "rep_id": rep_ids(rep),
        "course_id": names.ids("CRS", course + 1, 3),
        "topic": names.pick(TRAINING_TOPICS, topic),
        "is_self_directed": self_directed,
        "started_at": started,
        "completed_at": completed,
        "hours": hours,
        "exam_score": np.where(examined, score, np.nan),
        "passed": np.where(examined, (score >= 60).astype(np.float64), np.nan),
    }


def knowledge_contributions(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_knowledge_contributions")
    rep, at = _events(ctx, rng, rng.gamma(2.0, 1.0, org.n_reps))
    n = len(rep)
    kind = choose(rng, [0.5, 0.3, 0.2], n)
    accepted = rng.random(n) < np.clip(0.6 + 0.3 * (org.rep_skill[rep] - 1.0), 0.2, 0.95)
    citations = np.where(accepted, rng.poisson(5.0 * org.rep_skill[rep]), rng.poisson(0.3, n))
    talk = kind == CONTRIBUTION_TYPES.index("talk")
    return {
        "contribution_id": names.ids("KC", np.arange(n) + 1, 7),
        "rep_id": rep_ids(rep),
        "contributed_at": at,
        "contribution_type": names.pick(CONTRIBUTION_TYPES, kind),
        "accepted": accepted,
        "citation_count": citations,
        "instructor_hours": np.where(talk & accepted, np.round(rng.uniform(1, 4, n), 1), 0.0),
    }


def insight_reports(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_insight_reports")
    rep, at = _events(ctx, rng, 3.0)
    n = len(rep)
    return {
        "report_id": names.ids("IR", np.arange(n) + 1, 7),
        "rep_id": rep_ids(rep),
        "submitted_at": at,
        "report_type": names.pick(REPORT_TYPES, choose(rng, [0.4, 0.35, 0.25], n)),
        "quality_score": np.round(np.clip(rng.normal(68 + 15 * (org.rep_skill[rep] - 1.0), 12), 0, 100), 1),
    }


def collaboration_surveys(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_collaboration_surveys")
    quality = rng.normal(3.7, 0.35, org.n_teams) + 0.8 * (org.rep_skill[org.team_manager] - 1.0)
    reps = np.arange(org.n_reps)
    parts: list[dict[str, np.ndarray]] = []
    for q in _quarters(ctx):
        day = min(int(q) + int(rng.integers(30, 80)), ctx.cfg.as_of_day)
        teams = np.flatnonzero(org.team_created_day <= day)
        count = rng.integers(3, 11, len(teams))
        ti, _ = expand(count)
        team = teams[ti]
        member_team = org.team_at(reps, np.full(org.n_reps, day))
        by_team = np.argsort(member_team, kind="stable")
        first = np.searchsorted(member_team[by_team], team, side="left")
        size = np.searchsorted(member_team[by_team], team, side="right") - first
        pick = by_team[np.clip(first + np.floor(rng.random(len(team)) * size).astype(np.int64), 0, org.n_reps - 1)]
        rated = np.where((size > 0) & (rng.random(len(team)) < 0.4), pick, -1)
        parts.append({"team": team, "rated": rated, "sec": day * DAY + business_seconds(rng, len(team))})
    team = np.concatenate([p["team"] for p in parts])
    rated = np.concatenate([p["rated"] for p in parts])
    sec = np.concatenate([p["sec"] for p in parts])
    n = len(team)

    def rating() -> np.ndarray:
        return np.clip(np.round(rng.normal(quality[team], 0.8)), 1, 5)

    return {
        "response_id": names.ids("CS", np.arange(n) + 1, 8),
        "rated_team_id": team_ids(team),
        "rated_rep_id": rep_ids(np.clip(rated, 0, None), rated < 0),
        "respondent_department": names.pick(DEPARTMENTS, choose(rng, [0.25, 0.25, 0.15, 0.2, 0.15], n)),
        "surveyed_at": sec,
        "responsiveness": rating(),
        "cooperation_quality": rating(),
        "problem_resolution": rating(),
    }


def cross_dept_requests(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_cross_dept_requests")
    as_of_end = (ctx.cfg.as_of_day + 1) * DAY - 1
    rep, at = _events(ctx, rng, 6.0)
    due = at + rng.integers(3, 15, len(rep)) * DAY
    keep = due < org.rep_term[rep] * DAY
    rep, at, due = rep[keep], at[keep], due[keep]
    n = len(rep)
    team = org.team_at(rep, at // DAY)
    kind = choose(rng, [0.45, 0.35, 0.2], n)
    p_on = np.clip(0.65 + 0.3 * (org.rep_skill[rep] - 1.0), 0.3, 0.95)
    u = rng.random(n)
    done = np.where(
        u < p_on,
        at + np.floor(rng.random(n) * (due - at)),
        np.where(u < p_on + 0.6 * (1 - p_on), due + rng.integers(1, 20, n) * DAY, np.nan),
    )
    done = np.where(done >= org.rep_term[rep] * DAY, np.nan, cap_at(done, as_of_end))
    intel = kind == REQUEST_TYPES.index("market_intel")
    decision = np.where(intel, choose(rng, [0.3, 0.2, 0.5], n), choose(rng, [0.55, 0.3, 0.15], n))
    adopted = np.where(np.isnan(done) | (decision == 2), np.nan, (decision == 0).astype(np.float64))
    return {
        "request_id": names.ids("RQ", np.arange(n) + 1, 7),
        "rep_id": rep_ids(rep),
        "team_id": team_ids(np.clip(team, 0, None), team < 0),
        "requesting_department": names.pick(DEPARTMENTS, choose(rng, [0.25, 0.2, 0.15, 0.25, 0.15], n)),
        "request_type": names.pick(REQUEST_TYPES, kind),
        "requested_at": at,
        "due_at": due,
        "completed_at": done,
        "adopted": adopted,
    }


def compliance_checks(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("hr_compliance_checks")
    rep, at = _events(ctx, rng, 7.0)
    n = len(rep)
    p_pass = np.where(rep == org.weak_rep, 0.75, np.clip(0.93 + 0.1 * (org.rep_skill[rep] - 1.0), 0.8, 0.98))
    passed = rng.random(n) < p_pass
    score = np.where(passed, rng.normal(88, 5, n), rng.normal(55, 10, n))
    return {
        "check_id": names.ids("CK", np.arange(n) + 1, 7),
        "rep_id": rep_ids(rep),
        "checked_at": at,
        "process_area": names.pick(PROCESS_AREAS, choose(rng, [0.3, 0.25, 0.3, 0.15], n)),
        "passed": passed,
        "score": np.round(np.clip(score, 0, 100), 1),
        "is_veto": ~passed & (rng.random(n) < 0.12),
    }


def expenses(ctx: Context) -> dict:
    org = ctx.org
    rng = ctx.cfg.rng("erp_expenses")
    rep, at = _events(ctx, rng, 36.0)
    n = len(rep)
    cat = choose(rng, [0.5, 0.3, 0.2], n)
    median = np.array([1_200.0, 800.0, 4_000.0])[cat]
    amount = np.round(median * rng.lognormal(0.0, 0.6, n), 2)
    careless = rng.random(org.n_reps) < 0.15
    compliant = rng.random(n) < np.where(careless[rep], 0.8, 0.95)
    approved = rng.random(n) < np.where(compliant, 0.97, 0.35)
    return {
        "expense_id": names.ids("E", np.arange(n) + 1, 8),
        "rep_id": rep_ids(rep),
        "expense_date": at // DAY,
        "category": names.pick(EXPENSE_CATEGORIES, cat),
        "amount": amount,
        "currency": np.full(n, "CNY"),
        "approved": approved,
        "policy_compliant": compliant,
    }


REP_TABLES = {
    "hr_skill_assessments": skill_assessments,
    "hr_trainings": trainings,
    "hr_knowledge_contributions": knowledge_contributions,
    "hr_insight_reports": insight_reports,
    "hr_collaboration_surveys": collaboration_surveys,
    "hr_cross_dept_requests": cross_dept_requests,
    "hr_compliance_checks": compliance_checks,
    "erp_expenses": expenses,
}
