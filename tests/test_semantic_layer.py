"""The semantic layer (models/semantic, dbt MetricFlow) answers with the marts' numbers.

``mf validate-configs`` passes (also part of the lint step). On a copy of the demo build (mf opens
its file read-write), ``mf query`` computes every metric named after a catalog indicator at each
grain the catalog gives it (team, rep, customer, product, company) and each period type (month,
quarter, year, fiscal_year), and each value equals indicator_values' (1e-9); no metric has a
value where indicator_values has none (except a zero count). The targets and attainments
(COMPANIONS) equal their indicator_values columns. The cumulative metrics equal sums of the
monthly sales.
"""

from __future__ import annotations

import pandas as pd
import pytest
from semantic_checks import (
    COMPANIONS,
    METRICS,
    close,
    matrix_differences,
    matrix_queries,
    mf_project,
)

from salesperf import semantic


def test_every_catalog_indicator_is_a_tested_metric_or_explained():
    """A metric named after a catalog code is compared with indicator_values (METRICS); every other
    code is named in docs/semantic_layer.md with the reason it is not a metric."""
    import csv
    import re

    import yaml

    root = semantic.settings_mod.PROJECT_DIR
    with (root / "seeds" / "indicator_catalog.csv").open(encoding="utf-8") as handle:
        codes = {row["indicator_code"] for row in csv.DictReader(handle)}
    metrics = {m["name"] for m in yaml.safe_load((root / "models/semantic/_metrics.yml").read_text())["metrics"]}
    assert metrics & codes == set(METRICS)
    doc = (root / "docs" / "semantic_layer.md").read_text(encoding="utf-8")
    explained = doc.split("## Indicators MetricFlow cannot express", 1)[1]
    unexplained = {code for code in codes - set(METRICS) if not re.search(rf"\b{code}\b", explained)}
    assert not unexplained


def test_mf_validate_configs_passes():
    messages: list[str] = []
    assert semantic.validate(say=messages.append) == 0, "\n".join(messages)


@pytest.fixture(scope="module")
def mf_copy(demo_build, tmp_path_factory):
    """A scratch project and a copy of the demo build (never the published file) for mf."""
    return mf_project(demo_build, tmp_path_factory.mktemp("semantic"))


CUMULATIVE = ["sales_amount", "sales_amount_ytd", "sales_amount_trailing_12_months"]
SAVED_QUERIES = (
    "team_scorecard_monthly",
    "rep_scorecard_monthly",
    "company_trend_monthly",
    "product_sales_by_fiscal_year",
    "company_overview_monthly",
    "customer_view_monthly",
)


@pytest.fixture(scope="module")
def answers(demo_build, mf_copy, tmp_path_factory):
    """One batch of mf queries: the grain x period type matrix, then the cumulative metrics by month."""
    project, copy = mf_copy
    tmp_path = tmp_path_factory.mktemp("mf_answers")
    keys, queries = matrix_queries(demo_build, tmp_path)
    cumulative = {"metrics": CUMULATIVE, "group_by": ["metric_time__month"], "csv": str(tmp_path / "cumulative.csv")}
    saved = [{"saved_query": name, "csv": str(tmp_path / f"{name}.csv")} for name in SAVED_QUERIES]
    results = semantic.query_batch(project, [*queries, cumulative, *saved], copy)
    n = len(queries)
    return keys, results[:n], results[n], dict(zip(SAVED_QUERIES, results[n + 1 :], strict=True))


@pytest.mark.slow
def test_mf_query_equals_indicator_values_at_each_grain_and_period_type(demo_build, answers):
    keys, results, _, _ = answers
    assert all(results), "an mf query returned no rows"
    found = matrix_differences(demo_build, keys, results)
    assert not found.wrong, f"{len(found.wrong)} values differ, e.g. {found.wrong[:10]}"
    assert not found.extra, f"{len(found.extra)} mf values without an indicator value, e.g. {found.extra[:10]}"
    assert not found.missing, f"{len(found.missing)} indicator values mf did not return, e.g. {found.missing[:10]}"
    assert not found.unknown, f"mf values of ids without a dimension row, e.g. {found.unknown[:10]}"
    assert found.checked > 10_000


@pytest.mark.slow
def test_companion_metrics_equal_their_indicator_values_column(demo_build, answers):
    """sales_target by team, rep and in all equals the target of sales_target_attainment in
    indicator_values (its denominator), gross_margin_rate_target and gross_margin_rate_attainment
    the target_value and attainment of gross_margin_rate, in every reporting period; where
    indicator_values has no target, mf has none either (a margin target without sales has no
    gross_margin_rate row: not compared), except on the row of the empty rep: the part of the team
    targets set on no rep (the target facts' adjustment rows), which is no entity's target."""
    keys, results, _, _ = answers
    checked = 0
    for name, companion in COMPANIONS.items():
        expected = demo_build.query(
            "select grain, entity_id, period_type, cast(period_start as varchar) as period_start, "
            f"{companion.column} as value from main.indicator_values where indicator_code = '{companion.indicator}' "
            f"and grain in ('company', {', '.join(repr(g) for g in sorted(companion.grains))})"
        )
        want = {
            (r.grain, r.entity_id, r.period_type, r.period_start): None if pd.isna(r.value) else r.value
            for r in expected.itertuples()
        }
        periods = {(t, s) for (_, _, t, s) in want}
        seen, wrong, extra = set(), [], []
        for (period_type, grain, metrics), rows in zip(keys, results, strict=True):
            if name not in metrics:
                continue
            for row in rows:
                start = row[f"metric_time__{period_type}"][:10]
                if (period_type, start) not in periods:
                    continue
                if grain != "company" and not row[grain]:
                    continue  # the empty team or rep: adjustments, not a target (see docstring)
                entity = "company" if grain == "company" else row[grain]
                key = (grain, entity, period_type, start)
                got = float(row[name]) if row[name] not in ("", None) else None
                if key in want:
                    seen.add(key)
                    checked += 1
                    if (got is None) != (want[key] is None) or (got is not None and not close(got, want[key])):
                        wrong.append((name, key, got, want[key]))
                elif got is not None and companion.every_value_published:
                    extra.append((name, key, got))
        assert not wrong, f"{len(wrong)} values differ, e.g. {wrong[:10]}"
        assert not extra, f"{len(extra)} mf values without an indicator value, e.g. {extra[:10]}"
        assert set(want) == seen, f"{name}: not returned by mf: {sorted(set(want) - seen)[:10]}"
        assert sum(v is not None for v in want.values()) > 1_000, name
    assert checked > 3_000


@pytest.mark.slow
def test_cumulative_metrics_equal_sums_of_the_order_lines(demo_build, answers):
    """sales_amount_ytd: the calendar year's months up to this one; sales_amount_trailing_12_months:
    MetricFlow's window, the order dates d with month end - 12 months < d <= month end (so Feb 2025
    holds 29 Feb 2024: a window of days, not of calendar months)."""
    rows = sorted(answers[2], key=lambda r: r["metric_time__month"])
    months = [(r["metric_time__month"][:7], float(r["sales_amount"] or 0)) for r in rows]
    assert len(months) > 24
    trailing = dict(
        demo_build.query(
            "select strftime(m.month_end, '%Y-%m') as month, coalesce(sum(o.net_sales), 0) as sales "
            "from (select distinct last_day(date_day) as month_end from main.dim_dates) as m "
            "left join main.fct_order_lines as o "
            "on o.order_date > m.month_end - interval 12 month and o.order_date <= m.month_end group by 1"
        ).itertuples(index=False)
    )
    for row in rows:
        month = row["metric_time__month"][:7]
        ytd = sum(v for m, v in months if m[:4] == month[:4] and m <= month)
        assert close(float(row["sales_amount_ytd"]), ytd), month
        assert close(float(row["sales_amount_trailing_12_months"]), trailing[month]), month


@pytest.mark.slow
def test_saved_queries_answer_like_the_metrics(answers):
    """Each saved query returns the rows of the same metrics queried by grain and period type."""
    keys, results, cumulative, saved = answers
    matrix = {(period_type, grain): rows for (period_type, grain, _), rows in zip(keys, results, strict=True)}
    views = {
        "team_scorecard_monthly": (matrix["month", "team"], ["metric_time__month", "team"]),
        "rep_scorecard_monthly": (matrix["month", "rep"], ["metric_time__month", "rep"]),
        "company_trend_monthly": (cumulative, ["metric_time__month"]),
        "product_sales_by_fiscal_year": (matrix["fiscal_year", "product"], ["metric_time__fiscal_year", "product"]),
        "company_overview_monthly": (matrix["month", "company"], ["metric_time__month"]),
        "customer_view_monthly": (matrix["month", "customer"], ["metric_time__month", "customer"]),
    }
    for name, (reference, key_columns) in views.items():
        rows = saved[name]
        assert rows, name
        by_key = {tuple(r[c] for c in key_columns): r for r in reference}
        compared = 0
        for row in rows:
            other = by_key.get(tuple(row[c] for c in key_columns))
            for metric in set(row) & set(other or {}) - set(key_columns):
                if row[metric] or other[metric]:
                    assert close(float(row[metric] or 0), float(other[metric] or 0)), (name, metric, row)
                    compared += 1
        assert compared > len(rows), name
