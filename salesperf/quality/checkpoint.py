"""Run the GX suites as one checkpoint on a built warehouse and build the Data Docs.

Every batch is exported from DuckDB (the warehouse opened read-only, or the landing file) to a
Parquet snapshot (when its expectations allow, only the rows that could break one: see
``suites.candidate_condition``), and a GX pandas filesystem data source reads the snapshots: one validation
definition per batch, all in one checkpoint; then the Data Docs are built once into a folder. (GX's
SQL data source over DuckDB loses its results; DataFrames work: see shared platform facts.)
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from salesperf.quality import suites
from salesperf.quality.results import CheckResult

CHECKPOINT_NAME = "build_gate"
SITE_NAME = "build_gate"


def export_batches(
    warehouse: Path,
    landing_dir: Path,
    snapshot_dir: Path,
    base_currency: str,
    sample_rows: int = suites.DEFAULT_SAMPLE_ROWS,
    layers: tuple[str, ...] = suites.LAYERS,
) -> list[tuple[suites.Batch, str]]:
    """Write one Parquet file per batch into ``snapshot_dir``; the warehouse is opened read-only."""
    shutil.rmtree(snapshot_dir, ignore_errors=True)
    snapshot_dir.mkdir(parents=True)
    out = []
    warehouse_con = duckdb.connect(str(warehouse), read_only=True)
    landing_con = duckdb.connect()
    for con in (warehouse_con, landing_con):
        con.execute("set enable_progress_bar = false")
    try:
        for batch in suites.all_batches(warehouse_con, landing_dir, base_currency, sample_rows, layers):
            file_name = f"{batch.name}.parquet"
            con = warehouse_con if batch.source == "warehouse" else landing_con
            target = str(snapshot_dir / file_name).replace("'", "''")
            try:
                candidates = suites.candidate_condition(con, batch.sql, batch.specs, batch.duplicates)
                if candidates is not None:  # only the rows that could fail (see Batch.candidates)
                    written = con.execute(
                        f"copy (select * from ({batch.sql}) where {candidates}) to '{target}' (format parquet)"
                    ).fetchone()
                    if not written or not written[0]:  # one row rather than none: the row count stays >= 1
                        con.execute(f"copy (select * from ({batch.sql}) limit 1) to '{target}' (format parquet)")
                    batch.candidates = candidates
            except duckdb.Error:  # GX reads every row, as before
                candidates = None
            if candidates is None:
                con.execute(f"copy ({batch.sql}) to '{target}' (format parquet)")
            out.append((batch, file_name))
    finally:
        warehouse_con.close()
        landing_con.close()
    return out


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def run_checkpoint(
    warehouse: Path,
    landing_dir: Path,
    docs_dir: Path,
    work_dir: Path,
    base_currency: str,
    sample_rows: int = suites.DEFAULT_SAMPLE_ROWS,
    say: Callable[[str], None] = lambda _msg: None,
    layers: tuple[str, ...] = suites.LAYERS,
    suites_by_check: dict[str, str] | None = None,
) -> list[CheckResult]:
    """Validate every batch; build the Data Docs into ``docs_dir``; return one result per expectation.

    ``suites_by_check``, when given, receives the suite name of every check id (for links)."""
    started = time.monotonic()
    snapshot_dir = work_dir / "gx_snapshots"
    batches = export_batches(warehouse, landing_dir, snapshot_dir, base_currency, sample_rows, layers)
    say(f"exported {len(batches)} batches in {time.monotonic() - started:.0f} s; running the checkpoint")
    gx = _gx()
    from great_expectations.core.validation_definition import ValidationDefinition
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = context.data_sources.add_pandas_filesystem("build", base_directory=snapshot_dir)
    definitions = []
    by_suite: dict[str, suites.Batch] = {}
    for batch, file_name in batches:
        asset = source.add_parquet_asset(batch.name)
        batch_definition = asset.add_batch_definition_path(batch.name, path=file_name)
        meta = {"layer": batch.layer, "object": batch.object_name}
        if batch.candidates is not None:
            meta["rows"] = "only the rows that could break an expectation (selected in DuckDB; GX decides)"
        suite = gx.ExpectationSuite(name=batch.suite_name, meta=meta)
        for spec in batch.specs:
            expectation_class = getattr(gx.expectations, spec.expectation)
            suite.add_expectation(
                expectation_class(
                    **gx_kwargs(spec.kwargs),
                    description=spec.description,
                    severity=spec.severity,
                    meta={"check_id": spec.check_id},
                )
            )
        suite = context.suites.add(suite)
        definitions.append(
            context.validation_definitions.add(
                ValidationDefinition(name=batch.suite_name, data=batch_definition, suite=suite)
            )
        )
        by_suite[batch.suite_name] = batch
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=CHECKPOINT_NAME,
            validation_definitions=definitions,
            actions=[],
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": 5,
                "unexpected_index_column_names": ["row_key"],
            },
        )
    )
    outcome = checkpoint.run()
    # Once for all results (GX's UpdateDataDocsAction rebuilds the whole site once per validation).
    context.build_data_docs(site_names=[SITE_NAME])
    results = []
    for validation in outcome.run_results.values():
        batch = by_suite[validation.suite_name]
        for item in validation.results:
            results.append(_check_result(batch, item))
            if suites_by_check is not None:
                suites_by_check[results[-1].check_id] = batch.suite_name
    shutil.rmtree(snapshot_dir, ignore_errors=True)
    say(f"{len(results)} expectations in {time.monotonic() - started:.0f} s; data docs in {docs_dir / 'index.html'}")
    return results


def _check_result(batch: suites.Batch, item: Any) -> CheckResult:
    config = item.expectation_config
    raw_severity = getattr(config, "severity", None) or suites.CRITICAL
    severity = str(getattr(raw_severity, "value", raw_severity))
    spec_id = (config.meta or {}).get("check_id") or f"gx.{batch.suite_name}.{config.type}"
    result = item.result or {}
    failing = result.get("unexpected_count")
    if failing is None and config.type == "expect_column_distinct_values_to_contain_set" and not item.success:
        failing = result.get("missing_count")
    description = config.description or config.type
    if item.exception_info and item.exception_info.get("raised_exception"):
        status = "error"
        message = f"{description}: could not run: {item.exception_info.get('exception_message')}"
    elif item.success:
        status = "pass"
        message = description
    else:
        status = "fail" if severity == suites.CRITICAL else "warn"
        message = f"{description}: {_evidence(config.type, config.kwargs, result)}"
    return CheckResult(
        check_id=spec_id,
        check_name=config.type,
        check_type="gx_expectation",
        layer=batch.layer,
        object_name=batch.object_name,
        severity="error" if severity == suites.CRITICAL else "warn",
        status=status,
        failing_rows=int(failing) if failing is not None else None,
        message=message[:1000],
    )


def gx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """An expectation's arguments for GX: a :class:`~salesperf.quality.suites.RowEquals` row condition as
    GX's condition object (``Column(column) == value``); everything else as it is."""
    from great_expectations.expectations.row_conditions import Column

    return {
        key: Column(value.column) == value.value if isinstance(value, suites.RowEquals) else value
        for key, value in kwargs.items()
    }


def _evidence(expectation: str, kwargs: dict[str, Any], result: dict[str, Any]) -> str:
    """What was found, in a few words: examples of bad values, or the observed value."""
    if result.get("unexpected_count"):
        indexed = result.get("partial_unexpected_index_list") or []
        if indexed and isinstance(indexed[0], dict):
            examples = "; ".join(_row_example(row) for row in indexed[:3])
        else:
            examples = ", ".join(_plain(v) for v in (result.get("partial_unexpected_list") or [])[:3])
        return f"{result['unexpected_count']:,} rows break it, e.g. {examples}"
    observed = result.get("observed_value")
    if expectation == "expect_column_distinct_values_to_contain_set":
        missing = sorted(result.get("partial_missing_list") or set(kwargs.get("value_set") or []) - set(observed or []))
        count = result.get("missing_count") or len(missing)
        shown = ", ".join(missing[:5]) + (f" (+{count - 5} more)" if count > 5 else "")
        return f"{count} missing: {shown}"
    if expectation == "expect_table_columns_to_match_set" and observed is not None:
        missing = sorted(set(kwargs.get("column_set") or []) - set(observed))
        return f"missing columns: {', '.join(missing)}"
    return f"observed {observed}"


def _plain(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _row_example(row: dict[str, Any]) -> str:
    """``key: column=value, ...`` of one failing row (the key column first)."""
    items = list(row.items())
    keys = [v for k, v in items if k in ("row_key",) or k.endswith("_id")]
    rest = [f"{k}={_plain(v)}" for k, v in items if not (k == "row_key" or k.endswith("_id"))]
    head = str(keys[0]) if keys else ""
    return f"{head} {' '.join(rest)}".strip()
