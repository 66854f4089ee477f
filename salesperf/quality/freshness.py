"""Source freshness of the landing files, with the thresholds of the dbt sources YAML.

The same check as ``dbt source freshness`` (``max(loaded_at_field)`` of each source, filtered,
against the clock, ``warn_after`` / ``error_after``), read from ``target/manifest.json`` so the
thresholds live in one place (scripts/scaffold_staging.py writes them), but computed on the landing
file whichever format it has (Parquet or CSV) and without a second dbt invocation. Stale data is
still correct data as of its date: freshness never blocks publishing (severity warn); the summary
and the dashboard say how old each extract is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from salesperf.quality.results import CheckResult

_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def landing_file(landing_dir: Path, table: str) -> Path | None:
    for ext in ("parquet", "csv"):
        path = landing_dir / f"{table}.{ext}"
        if path.exists() and path.stat().st_size > 0:
            return path
    return None


def landing_reader(path: Path) -> str:
    """The reader of one landing file. The build passes the preflight's all-text Parquet files
    (salesperf/landing.py), the ones dbt read; a raw CSV is read with the same fixed dialect."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".csv":
        return (
            f"read_csv('{quoted}', header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, "
            "strict_mode = true, sample_size = -1)"
        )
    return f"read_parquet('{quoted}')"


def _threshold_days(rule: dict[str, Any] | None) -> float | None:
    if not rule or rule.get("count") is None or rule.get("period") is None:
        return None
    return rule["count"] * _SECONDS[rule["period"]] / 86400


def freshness_checks(manifest: dict[str, Any], landing_dir: Path, now: dt.datetime) -> list[CheckResult]:
    """One check per source with a freshness config and a landing file (absent file: no data, no row)."""
    out = []
    con = duckdb.connect()
    try:
        for unique_id, source in sorted(manifest.get("sources", {}).items()):
            config = source.get("config") or {}
            freshness = source.get("freshness") or config.get("freshness") or {}
            loaded_at = source.get("loaded_at_field") or config.get("loaded_at_field")
            warn_days = _threshold_days(freshness.get("warn_after"))
            error_days = _threshold_days(freshness.get("error_after"))
            if not loaded_at or (warn_days is None and error_days is None):
                continue
            table = source["name"]
            path = landing_file(landing_dir, table)
            if path is None:
                continue
            where = f" where {freshness['filter']}" if freshness.get("filter") else ""
            try:
                latest = con.execute(f"select max({loaded_at}) from {landing_reader(path)}{where}").fetchone()[0]
            except duckdb.Error as error:
                out.append(_result(unique_id, table, "error", None, f"freshness query failed: {error}"))
                continue
            limits = f"warn after {warn_days:g} days, error after {error_days:g} days"
            if latest is None:
                out.append(_result(unique_id, table, "fail", None, f"no dated rows ({limits})"))
                continue
            latest_ts = latest if isinstance(latest, dt.datetime) else dt.datetime.combine(latest, dt.time())
            age = (now - latest_ts).total_seconds() / 86400
            status = "pass"
            if error_days is not None and age > error_days:
                status = "fail"
            elif warn_days is not None and age > warn_days:
                status = "warn"
            message = f"newest row {latest_ts:%Y-%m-%d}, {max(age, 0):.0f} days old ({limits})"
            out.append(_result(unique_id, table, status, None, message, age))
    finally:
        con.close()
    return out


def _result(
    unique_id: str, table: str, status: str, rows: int | None, message: str, age: float | None = None
) -> CheckResult:
    return CheckResult(
        check_id=f"freshness.{table}",
        check_name=f"source_freshness_{table}",
        check_type="freshness",
        layer="landing",
        object_name=table,
        severity="warn",
        status=status,
        failing_rows=rows,
        message=message,
    )
