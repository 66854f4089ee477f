"""Parquet exports of the public marts, published with the warehouse.

For tools that cannot open a DuckDB file, every table of the public schema ``main`` (the marts and
reports) and of ``reference`` (the indicator catalog) is written as Parquet into ``exports/`` beside
the published warehouse, with ``manifest.json``: per table its rows, columns, files and a SHA-256
checksum, and the build id (the dbt invocation id of the build).

Layout::

    exports/manifest.json
    exports/main/dim_teams.parquet                                   one file per small table
    exports/main/indicator_values/period_type=month/period_year=2024/data_0.parquet

Tables with ``period_type`` and ``period_start`` columns (``indicator_values`` and the wide
``rpt_*_indicators``; not the ``dim_*`` calendars) are partitioned Hive-style by period type and the
year of ``period_start``. Each file keeps every column of the table (``period_type`` included) and
adds ``period_year``; read them with ``read_parquet('exports/main/indicator_values/**/*.parquet')``
(pandas/pyarrow: ``pyarrow.dataset`` with ``partitioning="hive"``).

Atomic like the warehouse: ``stage`` writes the complete folder as ``exports.new`` from the working
copy after the gate passed; ``publish`` swaps it in with one rename right after the warehouse file
was replaced. A build that fails (dbt, the gate, or the export itself) leaves the previous exports
as they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from salesperf import operation

MANIFEST = "manifest.json"
SCHEMAS = ("main", "reference")
PARTITION_COLUMNS = ("period_type", "period_year")


def export_dir(warehouse: Path) -> Path:
    """The published exports: ``exports/`` beside the published warehouse file."""
    return warehouse.parent / "exports"


def build_id(target: Path) -> str:
    """The dbt invocation id of the build (``run_results.json`` in the dbt target folder), else ''."""
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(results.get("metadata", {}).get("invocation_id") or "")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    marks = ", ".join("?" for _ in SCHEMAS)
    return con.execute(
        f"select table_schema, table_name from information_schema.tables where table_schema in ({marks}) "
        "and table_type = 'BASE TABLE' order by 1, 2",
        list(SCHEMAS),
    ).fetchall()


def partitioned(table: str, columns: list[str]) -> bool:
    """Partition the period tables by period type and year (not the calendars ``dim_*``)."""
    return not table.startswith("dim_") and "period_type" in columns and "period_start" in columns


def quote_identifier(name: str) -> str:
    """A DuckDB identifier in double quotes (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write(warehouse: Path, out: Path, build: str) -> dict:
    """Write every public table of ``warehouse`` (opened read-only) into the new folder ``out``
    and its manifest; returns the manifest."""
    out.mkdir(parents=True)
    entries = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for schema, table in _tables(con):
            described = con.execute(f"describe {quote_identifier(schema)}.{quote_identifier(table)}").fetchall()
            columns = [{"name": row[0], "type": row[1]} for row in described]
            names = [c["name"] for c in columns]
            source = f"{quote_identifier(schema)}.{quote_identifier(table)}"
            if partitioned(table, names):
                folder = out / schema / table
                con.execute(
                    f"copy (select *, year(period_start) as period_year from {source}) to {_sql_path(folder)} "
                    "(format parquet, partition_by (period_type, period_year), write_partition_columns true)"
                )
                files = sorted(folder.rglob("*.parquet"))
                partition_by = list(PARTITION_COLUMNS)
            else:
                path = out / schema / f"{table}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                con.execute(f"copy (select * from {source}) to {_sql_path(path)} (format parquet)")
                files = [path]
                partition_by = []
            file_entries = []
            for path in files:
                rows = con.execute(f"select count(*) from read_parquet({_sql_path(path)})").fetchone()[0]
                file_entries.append({"path": path.relative_to(out).as_posix(), "rows": rows, "sha256": _sha256(path)})
            table_sum = hashlib.sha256("".join(f["sha256"] for f in file_entries).encode()).hexdigest()
            entries.append(
                {
                    "table": f"{schema}.{table}",
                    "rows": con.execute(f"select count(*) from {source}").fetchone()[0],
                    "columns": columns,
                    "partition_by": partition_by,
                    "files": file_entries,
                    "sha256": table_sum,
                }
            )
    finally:
        con.close()
    manifest = {
        "build_id": build,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "format": "parquet",
        "checksum": "sha256 of each file; a table's sha256 is the sha256 of its files' hex digests in order",
        "tables": entries,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def verify(folder: Path) -> list[str]:
    """Problems of a published exports folder against its manifest (empty: every file listed is
    there with its checksum and row count, and no other Parquet file is)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{folder / MANIFEST}: {error}"]
    problems, listed = [], set()
    con = duckdb.connect()
    try:
        for entry in manifest["tables"]:
            for file in entry["files"]:
                path = folder / file["path"]
                listed.add(path)
                if not path.exists():
                    problems.append(f"{entry['table']}: {file['path']} is missing")
                    continue
                if _sha256(path) != file["sha256"]:
                    problems.append(f"{entry['table']}: {file['path']} checksum differs")
                rows = con.execute(f"select count(*) from read_parquet({_sql_path(path)})").fetchone()[0]
                if rows != file["rows"]:
                    problems.append(f"{entry['table']}: {file['path']} has {rows} rows, manifest {file['rows']}")
            if sum(f["rows"] for f in entry["files"]) != entry["rows"]:
                problems.append(f"{entry['table']}: file rows do not add up to {entry['rows']}")
    finally:
        con.close()
    problems += [
        f"{p.relative_to(folder)} is not in the manifest" for p in folder.rglob("*.parquet") if p not in listed
    ]
    return problems


def stage(work: Path, live: Path, build: str) -> Path:
    """Write the exports of the working copy ``work`` into ``<live>.new`` (nothing published yet)."""
    operation.recover(live)
    new = operation.staging(live)
    try:
        write(work, new, build)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return new


def publish(new: Path, live: Path) -> None:
    """Swap the staged exports in (one rename where the system can; see operation.swap_in)."""
    operation.swap_in(new, live)


# ---------------------------------------------------------------------------------------------
# dbt docs, published with the build when asked (it costs a dbt invocation: ~35 s on the demo)
# ---------------------------------------------------------------------------------------------

DOCS_ENV = "SALESPERF_DBT_DOCS"
DOCS_FILE = "dbt_docs.html"


def docs_wanted() -> bool:
    """``SALESPERF_DBT_DOCS=1``: also publish ``dbt docs generate --static`` with each build."""
    return os.environ.get(DOCS_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def generate_docs(
    cmd_env: dict[str, str], dbt: Path, project: Path, target: Path, fds: tuple[int, ...], cwd: Path | None = None
) -> Path:
    """``dbt docs generate --static`` against the working copy (``cmd_env`` points dbt at it, from ``cwd``,
    by default the project): the one self-contained HTML file, staged as ``dbt_docs.html.new`` in the target
    folder."""
    cmd = [str(dbt), "docs", "generate", "--static", "--project-dir", str(project)]
    proc = subprocess.run(cmd, env=cmd_env, cwd=cwd or project, pass_fds=fds, capture_output=True, text=True)
    page = target / "static_index.html"
    if proc.returncode != 0 or not page.exists():
        raise RuntimeError(f"dbt docs generate failed (exit {proc.returncode}): {proc.stdout[-2000:]}{proc.stderr}")
    staged = target / (DOCS_FILE + ".new")
    shutil.copyfile(page, staged)
    return staged


def publish_docs(staged: Path, warehouse: Path) -> Path:
    """Move the staged page beside the warehouse as ``dbt_docs.html`` (one rename when on the same
    file system, else a copy then a rename)."""
    live = warehouse.parent / DOCS_FILE
    tmp = live.with_name(DOCS_FILE + ".new")
    if staged != tmp:
        shutil.copyfile(staged, tmp)
        staged.unlink(missing_ok=True)
    os.replace(tmp, live)
    return live


# ---------------------------------------------------------------------------------------------
# the publish step of `tasks.py build` (salesperf/run.py)
# ---------------------------------------------------------------------------------------------

EXIT_EXPORT_FAILED = 6


def publish_build(
    work: Path,
    warehouse: Path,
    target: Path,
    *,
    dbt: Path,
    project: Path,
    env: dict[str, str],
    fds: tuple[int, ...] = (),
    cwd: Path | None = None,
) -> int:
    """Publish a working copy that passed the gate: stage the Parquet exports (and the dbt docs
    when SALESPERF_DBT_DOCS is set; dbt runs in ``cwd``, by default the project), then replace the
    warehouse file and swap the exports in.
    0 when published; EXIT_EXPORT_FAILED, with nothing published, when an export could not be written."""
    live = export_dir(warehouse)
    staged_docs = None
    try:
        if docs_wanted():
            print(f"[docs] dbt docs generate --static ({DOCS_ENV} is set)", flush=True)
            staged_docs = generate_docs(env, dbt, project, target, fds, cwd)
        print(f"[exports] writing Parquet exports of the public marts -> {live}", flush=True)
        staged = stage(work, live, build_id(target))
    except Exception as error:  # an export that cannot be written stops the publish: nothing half-published
        if staged_docs is not None:
            staged_docs.unlink(missing_ok=True)
        print(f"[exports] could not write the exports: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"[build] not published; the published warehouse {warehouse} is unchanged.", file=sys.stderr)
        return EXIT_EXPORT_FAILED
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, warehouse)
    publish(staged, live)
    if staged_docs is not None:
        print(f"[docs] published {publish_docs(staged_docs, warehouse)}", flush=True)
    return 0
