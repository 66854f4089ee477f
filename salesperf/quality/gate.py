"""The data-quality gate of a build: after ``dbt build`` passed on the working copy, before publishing.

1. the GX checkpoint on the working copy (opened read-only) and the landing files; Data Docs;
2. freshness of every landing file (thresholds of the dbt sources YAML);
3. every dbt test of the build (``run_results.json``), every expectation and freshness check
   written into ``dq_results`` of the working copy (read-write, after GX closed it);
4. a summary: counts per status, rejected rows per table and rule, freshness, and one line per
   failed check. The build publishes only if no check of severity ``error`` failed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from salesperf.quality import dbt_checks, freshness
from salesperf.quality.report import write_summary
from salesperf.quality.results import CarriedResult, CheckResult, write_results

Printer = Callable[[str], None]


@dataclass
class GateOutcome:
    results: list[CheckResult] = field(default_factory=list)
    rejected: list[tuple[str, str, str, int]] = field(default_factory=list)  # table, rule, severity, rows
    docs_index: Path | None = None
    summary_page: Path | None = None

    @property
    def blocking(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocks_publishing]

    @property
    def passed(self) -> bool:
        return not self.blocking


def _missing_object(check_id: str, object_name: str, message: str) -> CheckResult:
    """A blocking result for an object the gate must check and the build did not make."""
    return CheckResult(
        check_id=check_id,
        check_name=f"{object_name}_exists",
        check_type="gx_expectation",
        layer="reports",
        object_name=object_name,
        severity="error",
        status="fail",
        failing_rows=None,
        message=message,
    )


def rejected_rows(warehouse: Path) -> list[tuple[str, str, str, int]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "select table_schema from information_schema.tables where table_name = 'dq_rejected_rows' limit 1"
        ).fetchone()
        if found is None:
            return []
        return [
            (table, rule, severity, int(rows))
            for table, rule, severity, rows in con.execute(
                f'select source_table, rule, severity, count(*) from "{found[0]}".dq_rejected_rows '
                "group by 1, 2, 3 order by 1, 2"
            ).fetchall()
        ]
    finally:
        con.close()


def run_gate(
    warehouse: Path,
    landing_dir: Path,
    target_dir: Path,
    docs_dir: Path,
    work_dir: Path,
    base_currency: str,
    say: Printer = print,
    carried: Iterable[CarriedResult] = (),
) -> GateOutcome:
    """Check the working copy ``warehouse``; record every result in its dq_results.

    ``carried``: results of the published build that this build did not check again (its dbt unit
    tests, on an incremental run of the same code: salesperf.build_record), recorded with their time."""
    from salesperf.quality.checkpoint import run_checkpoint

    checked_at = dt.datetime.now().replace(microsecond=0)
    outcome = GateOutcome()
    started = time.monotonic()
    suites_by_check: dict[str, str] = {}
    gx_results = run_checkpoint(
        warehouse,
        landing_dir,
        docs_dir,
        work_dir,
        base_currency,
        say=lambda msg: say(f"[gate] {msg}"),
        suites_by_check=suites_by_check,
    )
    outcome.docs_index = docs_dir / "index.html"
    if not any(r.layer == "reports" for r in gx_results):
        gx_results.append(
            _missing_object(
                "gx.reports.indicator_values.exists",
                "indicator_values",
                "indicator_values (or the indicator catalog) is missing from the build: nothing to publish",
            )
        )
    if not base_currency:
        gx_results.append(
            _missing_object(
                "gate.warehouse_settings.exists",
                "warehouse_settings",
                "main.warehouse_settings (the settings of the build: base currency, ...) is missing: "
                "build it with the other models (dbt build without --select)",
            )
        )
    gx_results = with_landing_rows(warehouse, base_currency, gx_results)
    manifest = dbt_checks.load_json(target_dir / "manifest.json") or {}
    fresh = freshness.freshness_checks(manifest, landing_dir, checked_at)
    carried = list(carried)
    checked = dbt_checks.test_results(target_dir, warehouse) + gx_results + fresh
    outcome.results = checked + [c.result for c in carried]
    outcome.rejected = rejected_rows(warehouse)
    written = write_results(warehouse, checked, checked_at, carried)
    if carried:
        say(
            f"[gate] {len(carried)} results of the published build kept, not checked again (its dbt unit tests:"
            f" the same code), checked at {min(c.checked_at for c in carried)}"
        )
    outcome.summary_page = write_summary(docs_dir, outcome.results, outcome.rejected, checked_at, suites_by_check)
    say(f"[gate] {written} check results written to dq_results in {time.monotonic() - started:.0f} s")
    return outcome


def with_landing_rows(warehouse: Path, base_currency: str, results: list[CheckResult]) -> list[CheckResult]:
    """Blocking failures of indicator_values (range, reconciliation) name the landing rows behind
    their failing rows (table and key), so the analyst knows what to fix in the source."""
    from salesperf.quality import lineage, suites

    if not any(r.blocks_publishing and r.check_id.startswith("gx.reports.") for r in results):
        return results
    out = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reconciliation = None
        for result in results:
            keys: list[str] = []
            if result.blocks_publishing and result.check_id.endswith(".value.at_least_valid_min"):
                keys = lineage.failing_range_rows(con, "min")
            elif result.blocks_publishing and result.check_id.endswith(".value.at_most_valid_max"):
                keys = lineage.failing_range_rows(con, "max")
            elif result.blocks_publishing and result.check_id.startswith("gx.reports.reconciliation."):
                if reconciliation is None:
                    reconciliation = suites._reconciliation_sql(suites.Catalog(con, base_currency))
                if reconciliation:
                    check = result.check_id.removeprefix("gx.reports.reconciliation.")
                    keys = [
                        _company_row(row[0])
                        for row in con.execute(
                            f'select row_key from ({reconciliation[0]}) where "check" = ? '
                            f"and (relative_difference > {suites.RECONCILE_TOLERANCE} or isnan(relative_difference)) "
                            "order by relative_difference desc limit 3",
                            [check],
                        ).fetchall()
                    ]
            lowest_first = not result.check_id.endswith(".value.at_most_valid_max")
            described = lineage.describe(con, keys, lowest_first=lowest_first) if keys else ""
            out.append(replace(result, message=f"{result.message} · {described}"[:2000]) if described else result)
    except duckdb.Error:
        return results
    finally:
        con.close()
    return out


def _company_row(row_key: str) -> str:
    """A grains-to-company difference (entity 'Σ') is traced through the company's row."""
    parts = row_key.split("|")
    if len(parts) == 5 and parts[2] == "Σ":
        parts[1] = parts[2] = "company"
    return "|".join(parts)


def summary_lines(outcome: GateOutcome) -> list[str]:
    """The data-quality summary printed at the end of the main command."""
    lines = ["[dq] data-quality summary"]
    checks = [r for r in outcome.results if r.check_type != "freshness"]
    by_type = Counter(r.check_type for r in checks)
    statuses = Counter(r.status for r in checks)
    order = ("pass", "warn", "fail", "error", "skipped")
    lines.append(
        "[dq]   checks: "
        + " · ".join(f"{statuses.get(s, 0)} {s}" for s in order)
        + "  ("
        + ", ".join(f"{n} {t}" for t, n in sorted(by_type.items()))
        + ")"
    )
    total_rejected = sum(r[3] for r in outcome.rejected)
    lines.append(f"[dq]   rejected rows (main.dq_rejected_rows): {total_rejected:,}")
    for table, rule, severity, rows in outcome.rejected:
        lines.append(f"[dq]     {table:<28} {rule:<26} {severity:<5} {rows:>9,}")
    fresh = [r for r in outcome.results if r.check_type == "freshness"]
    if fresh:
        counts = Counter(r.status for r in fresh)
        lines.append(
            "[dq]   freshness (newest landing row vs now; never blocks publishing): "
            + ", ".join(
                f"{counts.get(s, 0)} {label}"
                for s, label in (("pass", "fresh"), ("warn", "late"), ("fail", "stale"), ("error", "unreadable"))
            )
        )
        for r in fresh:
            if r.status != "pass":
                label = {"warn": "late", "fail": "stale"}.get(r.status, r.status)
                lines.append(f"[dq]     {label:<6} {r.object_name:<28} {r.message}")
    warnings = [r for r in outcome.results if r.failed and not r.blocks_publishing and r.check_type != "freshness"]
    if warnings:
        lines.append(f"[dq]   warnings (published anyway): {len(warnings)}")
        lines += [f"[dq]     {r.one_line()}" for r in warnings[:20]]
        if len(warnings) > 20:
            lines.append(f"[dq]     ... {len(warnings) - 20} more in dq_results")
    if outcome.blocking:
        lines.append(f"[dq]   failed checks of severity error: {len(outcome.blocking)}")
    if outcome.summary_page:
        lines.append(f"[dq]   every check on one page (offline): {outcome.summary_page}")
    if outcome.docs_index:
        lines.append(f"[dq]   GX data docs: {outcome.docs_index}")
    return lines
