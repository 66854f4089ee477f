"""What the semantic-layer tests share: the metrics compared with indicator_values, the batch of
``mf query`` commands over a grain x period type matrix, and the comparison of its answers with a
build's indicator_values (tests/test_semantic_layer.py on the demo, tests/test_company_matrix.py on
the companies the generator does not produce)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any, NamedTuple

from salesperf import semantic

# metric (named after its catalog indicator) -> the semantic model's entities it can be grouped by
METRICS = {
    "sales_amount": {"team", "rep", "customer", "product"},
    "gross_margin_rate": {"team", "rep", "customer", "product"},
    "new_product_sales_share": {"team", "rep", "customer", "product"},
    "opportunity_win_rate": {"team", "rep", "customer", "product"},
    "visit_count": {"team", "rep", "customer"},
    "effective_visit_rate": {"team", "rep", "customer"},
    "nps": {"team", "rep", "customer"},
    "csat_economic": {"team", "rep", "customer"},
    "csat_relationship": {"team", "rep", "customer"},
    "referral_count": {"team", "rep", "customer"},
    "first_response_rate": {"team", "rep", "customer", "product"},
    "knowledge_sharing_contributions": {"team", "rep"},
    "project_cycle_attainment": {"team", "rep", "customer", "product"},
    "decision_chain_coverage": {"team", "rep", "customer", "product"},
    "demand_forecast_accuracy": {"team", "rep", "customer", "product"},
    "avg_collection_days": {"team", "rep", "customer"},
    "follow_up_timeliness_rate": {"team", "rep", "customer"},
    "contract_fulfillment_rate": {"team", "rep", "customer"},  # product: GRAIN_METRICS
    "installation_timeliness_rate": {"team", "rep", "customer"},
    "process_compliance_rate": {"team", "rep"},
    "compliance_veto": {"team", "rep"},
    "expense_compliance_rate": {"team", "rep"},
    "skill_score": {"team", "rep"},
    "training_pass_rate": {"team", "rep"},
    "self_learning_hours": {"team", "rep"},
    "knowledge_test_score": {"team", "rep"},
    "insight_report_quality": {"team", "rep"},
    "internal_collaboration_satisfaction": {"team", "rep"},
    "cross_dept_on_time_rate": {"team", "rep"},
    "feedback_adoption_rate": {"team", "rep"},
    "complaint_resolution_hours": {"team", "rep", "customer", "product"},
    "sales_target_attainment": {"team", "rep"},  # sales_amount / sales_target (fct_sales_targets)
    "renewal_rate": {"team", "rep", "customer"},  # team: the rep's team on the end date (end_date_team_id)
    "customer_net_profit": {"team", "rep", "customer"},  # fct_customer_profit_events; product: not a sum
}


class Companion(NamedTuple):
    """A metric queried beside a catalog metric that equals another column of its indicator_values rows."""

    indicator: str  # the catalog metric (indicator code)
    column: str  # the indicator_values column it equals
    grains: set[str]  # the grains it is queried at (besides company)
    every_value_published: bool  # indicator_values has a row wherever the metric has a value


COMPANIONS = {
    "sales_target": Companion("sales_target_attainment", "denominator", {"team", "rep"}, True),
    # a margin target without sales has no gross_margin_rate row (the catalog publishes no target there)
    "gross_margin_rate_target": Companion("gross_margin_rate", "target_value", {"team", "rep"}, False),
    "gross_margin_rate_attainment": Companion("gross_margin_rate", "attainment", {"team", "rep"}, False),
}
# a catalog indicator's metric at the grains its own metric does not serve: metric -> (indicator, grains)
GRAIN_METRICS = {"contract_fulfillment_rate_by_product": ("contract_fulfillment_rate", {"product"})}
PERIOD_TYPES = ("month", "quarter", "year", "fiscal_year")
GRAINS = ("team", "rep", "customer", "product", "company")


def catalog_grains(build: Any) -> dict[str, set[str]]:
    rows = build.query(
        "select indicator_code, grains, has_company_total from reference.indicator_catalog where indicator_code in "
        f"({', '.join(repr(m) for m in METRICS)})"
    )
    return {
        r.indicator_code: set(r.grains.split("|")) | ({"company"} if r.has_company_total else set())
        for r in rows.itertuples()
    }


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def mf_project(build: Any, tmp: Path) -> tuple[Path, Path]:
    """A scratch project parsed against a copy of ``build``'s warehouse (never the file itself:
    mf opens it read-write): (project, copy)."""
    project = semantic.scratch_project(tmp / "project")
    copy = tmp / "copy" / Path(build.warehouse).name
    copy.parent.mkdir(parents=True)
    shutil.copyfile(build.warehouse, copy)
    parsed = semantic.parse(project, copy)
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    return project, copy


def matrix_queries(build: Any, tmp: Path) -> tuple[list[tuple[str, str, list[str]]], list[dict]]:
    """The mf queries of every metric at each grain the catalog gives it and each period type:
    (keys (period type, grain, metrics), queries)."""
    grains_of = catalog_grains(build)
    assert set(grains_of) == set(METRICS)
    queries, keys = [], []
    for period_type in PERIOD_TYPES:
        for grain in GRAINS:
            metrics = [m for m in METRICS if grain in grains_of[m] and (grain == "company" or grain in METRICS[m])]
            metrics += [
                name
                for name, companion in COMPANIONS.items()
                if companion.indicator in metrics and (grain == "company" or grain in companion.grains)
            ]
            metrics += [g for g, (m, grains) in GRAIN_METRICS.items() if grain in grains and grain in grains_of[m]]
            group_by = [f"metric_time__{period_type}"] + ([] if grain == "company" else [grain])
            csv = tmp / f"{period_type}_{grain}.csv"
            queries.append({"metrics": metrics, "group_by": group_by, "csv": str(csv)})
            keys.append((period_type, grain, metrics))
    return keys, queries


class Differences(NamedTuple):
    checked: int
    wrong: list  # (key, mf's value, indicator_values')
    extra: list  # (key, mf's value) without an indicator value
    missing: list  # keys of indicator values mf did not return
    unknown: list  # (key, mf's value) of an id its dimension does not have (see matrix_differences)


DIMENSIONS = {
    "team": ("dim_teams", "team_id"),
    "rep": ("dim_sales_reps", "rep_id"),
    "customer": ("dim_customers", "customer_id"),
    "product": ("dim_products", "product_id"),
}


def matrix_differences(build: Any, keys: list, results: list[list[dict]]) -> Differences:
    """mf's answers to :func:`matrix_queries` against ``build``'s indicator_values (1e-9): the
    values compared, those that differ, mf values without an indicator value (other than a zero
    count) and indicator values mf did not return, in the periods indicator_values reports.

    mf groups by the ids of the facts; indicator_values has figures for the ids of the dimensions
    only (an opportunity on a product missing from erp_products counts for its rep, team and the
    company, and the build names it in a warning). mf's rows of such ids are ``unknown``, not
    ``extra`` (docs/semantic_layer.md)."""
    grains_of = catalog_grains(build)
    expected = build.query(
        "select indicator_code, grain, entity_id, period_type, cast(period_start as varchar) as period_start, value "
        f"from main.indicator_values where indicator_code in ({', '.join(repr(m) for m in METRICS)})"
    )
    want = {
        (r.indicator_code, r.grain, r.entity_id, r.period_type, r.period_start): r.value
        for r in expected.itertuples()
        if r.value is not None and not math.isnan(r.value)
    }
    periods = {(t, s) for (_, _, _, t, s) in want}  # the reporting periods
    known = {
        grain: set(build.query(f"select {column} as entity_id from main.{table}")["entity_id"])
        for grain, (table, column) in DIMENSIONS.items()
    }
    checked, wrong, extra, unknown = 0, [], [], []
    seen = set()
    for (period_type, grain, metrics), rows in zip(keys, results, strict=True):
        for row in rows:
            start = row[f"metric_time__{period_type}"][:10]
            entity = "company" if grain == "company" else (row[grain] or "unassigned")
            if (period_type, start) not in periods:
                continue  # outside the reporting periods (dim_periods)
            for metric in metrics:
                if metric in COMPANIONS:
                    continue  # test_companion_metrics_equal_their_indicator_values_column
                text = row[metric]
                key = (GRAIN_METRICS.get(metric, (metric,))[0], grain, entity, period_type, start)
                got = float(text) if text not in ("", None) else None
                if key in want:
                    seen.add(key)
                    checked += 1
                    if got is None or not close(got, want[key]):
                        wrong.append((key, got, want[key]))
                elif got not in (None, 0.0):
                    if grain in known and entity != "unassigned" and entity not in known[grain]:
                        unknown.append((key, got))
                    else:
                        extra.append((key, got))
    served = {code: {"company", *grains} for code, grains in METRICS.items()}
    for code, grains in GRAIN_METRICS.values():
        served[code] |= grains
    missing = [k for k in want if k not in seen and k[1] in served[k[0]] and k[1] in grains_of[k[0]]]
    return Differences(checked, wrong, extra, missing, unknown)
