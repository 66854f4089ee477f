"""Prove a refactor changed no figure: snapshot the tables of a built warehouse to Parquet, then compare two snapshots.

    python scripts/compare_builds.py snapshot WAREHOUSE.duckdb OUT_DIR [--schema main --schema intermediate]
    python scripts/compare_builds.py compare BEFORE_DIR AFTER_DIR [--ignore main.dq_results ...]

`snapshot` writes <schema>.<table>.parquet for every base table of the schemas (views are skipped: the
tables they feed are compared). `compare` checks, per table present in both snapshots, that the columns
(names, order, types) and the rows (as a multiset: EXCEPT ALL both ways) are exactly equal, and lists the
tables only one snapshot has. Exit 0 when every common table is equal, 1 otherwise.
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


def compare(before: Path, after: Path, ignore: set[str]) -> int:
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
            failed += 1
            print(f"DIFF  {name}: {only_before} rows only before, {only_after} rows only after (of {rows})")
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
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        return snapshot(args.warehouse, args.out_dir, args.schema or ["main", "intermediate"])
    return compare(args.before, args.after, set(args.ignore))


if __name__ == "__main__":
    sys.exit(main())
