"""Check results as data: one ``CheckResult`` per dbt test, GX expectation and freshness check.

``write_results`` puts them into the ``dq_results`` table of a warehouse (the dbt model
``models/marts/data_quality/dq_results.sql`` creates it empty, with its contract; this step fills
it after dbt has released the file). ``blocks_publishing`` is the rule of the gate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import duckdb

from salesperf.settings import schema_of

CHECK_TYPES = ("dbt_test", "dbt_unit_test", "gx_expectation", "freshness")
STATUSES = ("pass", "warn", "fail", "error", "skipped")
SEVERITIES = ("error", "warn")


@dataclass(frozen=True)
class CheckResult:
    """One check of one build.

    severity: what a failure does. ``error``: it blocks publishing (the figure would be wrong);
    ``warn``: it is reported and the build publishes (a manager can live with it).
    status: ``pass``; ``warn`` (failed, warn severity); ``fail`` (failed, error severity);
    ``error`` (the check could not run); ``skipped`` (not run: something upstream failed).
    """

    check_id: str
    check_name: str
    check_type: str
    layer: str
    object_name: str
    severity: str
    status: str
    failing_rows: int | None
    message: str

    @property
    def blocks_publishing(self) -> bool:
        return self.severity == "error" and self.status in ("fail", "error")

    @property
    def failed(self) -> bool:
        return self.status in ("warn", "fail", "error")

    def one_line(self) -> str:
        rows = f" ({self.failing_rows:,} rows)" if self.failing_rows else ""
        return f"{self.status.upper():<5} {self.layer:<12} {self.object_name}: {self.message or self.check_name}{rows}"


COLUMNS = [f.name for f in fields(CheckResult)]


@dataclass(frozen=True)
class CarriedResult:
    """A result of an earlier build kept in this one's dq_results, with the time it was checked."""

    result: CheckResult
    checked_at: dt.datetime


def read_results(warehouse: Path, check_type: str) -> list[CarriedResult]:
    """The rows of ``check_type`` in ``warehouse``'s dq_results (none if it has no dq_results)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        schema = schema_of(con, "dq_results")
        if schema is None:
            return []
        rows = con.execute(
            f'select {", ".join(COLUMNS)}, checked_at from "{schema}".dq_results where check_type = ?'
            " order by check_id",
            [check_type],
        ).fetchall()
    finally:
        con.close()
    return [CarriedResult(CheckResult(*row[:-1]), row[-1]) for row in rows]


def write_results(
    warehouse: Path,
    results: Iterable[CheckResult],
    checked_at: dt.datetime,
    carried: Iterable[CarriedResult] = (),
) -> int:
    """Replace the rows of dq_results in ``warehouse`` (read-write; no other process may hold it):
    ``results`` checked at ``checked_at``, and the ``carried`` results of an earlier build with their time."""
    rows = [[*asdict(r).values(), checked_at] for r in results]
    rows += [[*asdict(c.result).values(), c.checked_at] for c in carried]
    con = duckdb.connect(str(warehouse))
    try:
        relation = _dq_results_relation(con)
        con.execute("begin transaction")
        con.execute(f"delete from {relation}")
        if rows:
            con.executemany(
                f"insert into {relation} ({', '.join(COLUMNS)}, checked_at) values "
                f"({', '.join('?' for _ in COLUMNS)}, ?)",
                rows,
            )
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()
    return len(rows)


def _dq_results_relation(con: duckdb.DuckDBPyConnection) -> str:
    schema = schema_of(con, "dq_results")
    if schema is None:  # built without the dbt model (e.g. a partial selection): create it here
        con.execute(
            "create table main.dq_results (check_id varchar primary key, check_name varchar not null, "
            "check_type varchar not null, layer varchar not null, object_name varchar, severity varchar not null, "
            "status varchar not null, failing_rows bigint, message varchar, checked_at timestamp not null)"
        )
        return "main.dq_results"
    return f'"{schema}"."dq_results"'
