"""Command line of the landing-data generator: ``python -m salesperf.generate``."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from salesperf.generate.config import DEFAULT_AS_OF, DEFAULT_SEED, DEFAULT_START, FORMATS, SCALES
from salesperf.generate.faults import FILE_SCENARIOS
from salesperf.generate.pipeline import generate


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from exc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m salesperf.generate",
        description="Write deterministic demo landing data (every table of the landing contract) as "
        "<out>/<table>.<format>. The same seed, scale, format and dates give byte-identical files.",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    p.add_argument(
        "--scale",
        choices=list(SCALES),
        default="small",
        help="small: ~50 reps, ~3,000 customers, ~100k order lines (demo, CI); medium: ~2M order lines; "
        "large: >= 20M order lines, 1M customers (default %(default)s)",
    )
    p.add_argument("--out", default="data/landing", help="output directory (default %(default)s)")
    p.add_argument("--format", choices=FORMATS, default="parquet", dest="fmt", help="file format (default %(default)s)")
    p.add_argument("--start", type=_date, default=DEFAULT_START, help="first day of history (default %(default)s)")
    p.add_argument(
        "--as-of",
        type=_date,
        default=DEFAULT_AS_OF,
        dest="as_of",
        help="last day of history; nothing happens after it (default %(default)s)",
    )
    p.add_argument(
        "--faults",
        nargs="?",
        const="rows",
        choices=("rows", "missing_column", "empty_file", *FILE_SCENARIOS),
        help="after the clean data, inject data-quality faults (docs/data_quality.md): 'rows' (the default) "
        "appends bad rows listed in <out>/_faults_manifest.csv; 'missing_column' and 'empty_file' make one "
        "file unreadable (the build stops); the file-level scenarios (gbk_undeclared, utf8_bom, both_formats, ...) "
        "rewrite one file as a messy export would, with the expected outcome in the manifest",
    )
    p.add_argument(
        "--append-day",
        action="store_true",
        help="generate nothing: append the next day of orders and order lines to the Parquet landing files "
        "already in --out (the day after the latest order date; the orders of a week earlier replayed with new "
        "ids; every existing row unchanged) -- the input of an incremental build (docs/incremental.md)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    t0 = time.perf_counter()
    if args.append_day:
        from salesperf.generate.append_day import append_day

        try:
            added = append_day(args.out)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(
            f"appended {added.day}: {added.orders:,} orders, {added.lines:,} order lines "
            f"(those of {added.template_day} with new ids) in {args.out} in {time.perf_counter() - t0:.1f} s"
        )
        return 0
    try:
        counts = generate(
            args.out,
            seed=args.seed,
            scale=args.scale,
            fmt=args.fmt,
            start=args.start,
            as_of=args.as_of,
            progress=lambda msg: print(msg, flush=True),
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from salesperf.generate import faults

    (Path(args.out) / faults.MANIFEST_NAME).unlink(missing_ok=True)  # the data was just rewritten clean
    if args.faults:
        if args.faults == "rows":
            faults.inject_faults(args.out, seed=args.seed, progress=lambda msg: print(msg, flush=True))
        elif args.faults in FILE_SCENARIOS:
            fault = faults.write_file_fault(args.out, args.faults)
            print(f"faults: {fault.description} (expected: {fault.expected_rule})", flush=True)
        else:
            fault = faults.write_unreadable(args.out, args.faults)
            print(f"faults: {fault.description} (the build must stop naming it)", flush=True)
    elapsed = time.perf_counter() - t0
    print(f"done: {len(counts)} tables, {sum(counts.values()):,} rows in {args.out} ({args.fmt}) in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
