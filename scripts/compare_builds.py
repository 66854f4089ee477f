"""Prove a refactor changed no figure: snapshot the tables of a built warehouse to Parquet, then compare two snapshots.

    python scripts/compare_builds.py snapshot WAREHOUSE.duckdb OUT_DIR [--schema main --schema intermediate]
    python scripts/compare_builds.py compare BEFORE_DIR AFTER_DIR [--ignore main.dq_results ...]

`snapshot` writes <schema>.<table>.parquet for every base table of the schemas (views are skipped: the
tables they feed are compared). `compare` checks, per table present in both snapshots, that the columns
(names, order, types) and the rows (as a multiset: EXCEPT ALL both ways) are exactly equal, and lists the
tables only one snapshot has. DuckDB sums doubles in parallel, in no fixed order, so two builds of the
same commit can differ in the last bits of a double: a table that is not exactly equal is compared again
with its rows paired on every non-floating column (which must match exactly) and each floating column
equal within --rel-tol (relative) or --abs-tol (absolute); it is reported "close" with the largest
difference. Exit 0 when every common table is equal or close, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def snapshot(warehouse: Path, out_dir: Path, schemas: list[str]) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_schema in (select unnest(?::varchar[]))"
            " order by 1, 2",
            [schemas],
        ).fetchall()
        for schema, table in tables:
            target = out_dir / f"{schema}.{table}.parquet"
            con.execute(f'copy (select * from "{schema}"."{table}") to \'{target}\' (format parquet)')
        print(f"{len(tables)} tables of {warehouse} written to {out_dir}")
    finally:
        con.close()
    return 0


def _columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"describe select * from '{path}'").fetchall()]


FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def _close(
    con: duckdb.DuckDBPyConnection,
    old: Path,
    new: Path,
    columns: list[tuple[str, str]],
    rel_tol: float,
    abs_tol: float,
) -> tuple[bool, str]:
    """Pair the rows on every non-floating column (row_number breaks ties by the floats) and compare
    the floating columns within the tolerance."""
    keys = [f'"{name}"' for name, kind in columns if kind not in FLOAT_TYPES]
    floats = [f'"{name}"' for name, kind in columns if kind in FLOAT_TYPES]
    if not floats:
        return False, "no floating column to explain the difference"
    key_list = ", ".join(keys)
    for a, b in ((old, new), (new, old)):
        if keys:
            extra = con.execute(
                f"select count(*) from (select {key_list} from '{a}' except all select {key_list} from '{b}')"
            )
            if extra.fetchone()[0]:
                return False, "the non-floating columns differ"
    order = ", ".join(floats)
    partition = f"partition by {key_list}" if keys else ""
    numbered = "select *, row_number() over ({} order by {}) as pair_rank from '{}'"
    on = " and ".join(
        [f"old_rows.{k} is not distinct from new_rows.{k}" for k in keys] + ["old_rows.pair_rank = new_rows.pair_rank"]
    )
    checks, worst = [], []
    for f in floats:
        diff = f"abs(old_rows.{f} - new_rows.{f})"
        scale = f"greatest(abs(old_rows.{f}), abs(new_rows.{f}))"
        checks.append(
            f"sum(case when (old_rows.{f} is null) <> (new_rows.{f} is null)"
            f" or not ({diff} <= {abs_tol} or {diff} <= {rel_tol} * {scale}) then 1 else 0 end)"
        )
        worst.append(f"max({diff})")
        worst.append(f"max(case when {scale} > 0 then {diff} / {scale} end)")
    row = con.execute(
        f"select count(*), {', '.join(checks)}, {', '.join(worst)}"
        f" from ({numbered.format(partition, order, old)}) as old_rows"
        f" inner join ({numbered.format(partition, order, new)}) as new_rows on {on}"
    ).fetchone()
    paired, bad = row[0], row[1 : 1 + len(floats)]
    stats = row[1 + len(floats) :]
    total = con.execute(f"select count(*) from '{old}'").fetchone()[0]
    differing = [(f.strip(chr(34)), stats[2 * i] or 0, stats[2 * i + 1] or 0) for i, f in enumerate(floats)]
    differing = sorted((d for d in differing if d[1]), key=lambda d: -d[1])
    detail = ", ".join(f"{name} max abs {a:.3g} rel {r:.3g}" for name, a, r in differing[:4])
    if len(differing) > 4:
        detail += f", ... {len(differing) - 4} more columns"
    if paired != total or any(bad):
        return False, f"{sum(bad)} values outside the tolerance, {total - paired} rows unpaired; {detail}"
    return True, detail


def compare(before: Path, after: Path, ignore: set[str], rel_tol: float = 1e-9, abs_tol: float = 1e-6) -> int:
    before_tables = {p.name.removesuffix(".parquet") for p in before.glob("*.parquet")} - ignore
    after_tables = {p.name.removesuffix(".parquet") for p in after.glob("*.parquet")} - ignore
    con = duckdb.connect()
    failed = 0
    for name in sorted(before_tables & after_tables):
        old, new = before / f"{name}.parquet", after / f"{name}.parquet"
        old_columns, new_columns = _columns(con, old), _columns(con, new)
        if old_columns != new_columns:
            failed += 1
            print(f"DIFF  {name}: columns differ\n      before {old_columns}\n      after  {new_columns}")
            continue
        rows = con.execute(f"select count(*) from '{old}'").fetchone()[0]
        only_before = con.execute(f"select count(*) from (from '{old}' except all from '{new}')").fetchone()[0]
        only_after = con.execute(f"select count(*) from (from '{new}' except all from '{old}')").fetchone()[0]
        if only_before or only_after:
            close, detail = _close(con, old, new, old_columns, rel_tol, abs_tol)
            if close:
                print(f"close {name}: {rows} rows, {only_before} differ only in the last bits of doubles ({detail})")
            else:
                failed += 1
                print(
                    f"DIFF  {name}: {only_before} rows only before, {only_after} rows only after (of {rows}): {detail}"
                )
        else:
            print(f"same  {name}: {rows} rows, {len(old_columns)} columns")
    for name in sorted(before_tables - after_tables):
        print(f"gone  {name} (only in {before})")
    for name in sorted(after_tables - before_tables):
        print(f"new   {name} (only in {after})")
    print(f"{len(before_tables & after_tables)} tables compared, {failed} differ")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="write every table of a warehouse to Parquet")
    snap.add_argument("warehouse", type=Path)
    snap.add_argument("out_dir", type=Path)
    snap.add_argument("--schema", action="append", help="schema to snapshot (default: main and intermediate)")
    comp = sub.add_parser("compare", help="compare two snapshots exactly")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path)
    comp.add_argument("--ignore", action="append", default=[], help="schema.table to leave out (repeatable)")
    comp.add_argument("--rel-tol", type=float, default=1e-9, help="relative tolerance of doubles (default 1e-9)")
    comp.add_argument("--abs-tol", type=float, default=1e-6, help="absolute tolerance of doubles (default 1e-6)")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        return snapshot(args.warehouse, args.out_dir, args.schema or ["main", "intermediate"])
    return compare(args.before, args.after, set(args.ignore), args.rel_tol, args.abs_tol)


if __name__ == "__main__":
    sys.exit(main())
