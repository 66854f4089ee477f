"""Landing preflight: read every landing file once, with fixed rules, into all-text Parquet.

``python3.11 tasks.py build`` runs this before dbt. For every table of the landing contract it

- finds ``<table>.csv`` or ``<table>.parquet`` in the landing folder (both present: stop, naming
  both; a required table without a file: stop, naming it; an optional one: "no data");
- reads a CSV file in its declared encoding (``SALESPERF_LANDING_ENCODING_<TABLE>``, else
  ``SALESPERF_LANDING_ENCODING``, else UTF-8; a UTF-8 byte-order mark is always honoured) and
  transcodes it in Python, streaming, so GB18030/GBK exports work; with one fixed dialect, never
  guessed: comma separator, double quotes (``""`` inside a quoted value), a header row;
- reads a Parquet file with every column as text (integer ids become text ids; ids and integers
  stored as floats, ``123.0``, become ``123``; time-zone-aware timestamps are written in UTC, ``+00``);
- matches the header to the contract case-insensitively, trimmed, byte-order mark removed;
- writes ``<out>/<table>.parquet``: the contract's columns in contract order, lower-case names,
  every value text (empty CSV values are NULL), and ``<out>/_landing.json`` with the source file,
  format, encoding and row count of each table.

Every problem of every file is collected before stopping, each as one line naming the file (and the
line for CSV), so one run lists every broken file. dbt (``macros/landing_source.sql``, var
``landing_prepared_dir`` = env ``SALESPERF_LANDING_PREPARED``) and the data-quality gate read the
prepared files only: one reader.

    python -m salesperf.landing [OUT]   # prepare by hand (default warehouse/.build/landing), then
                                        # SALESPERF_LANDING_PREPARED=OUT dbt build
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from salesperf.contract import TABLES, Table

ENCODING_ENV = "SALESPERF_LANDING_ENCODING"
PREPARED_ENV = "SALESPERF_LANDING_PREPARED"
MANIFEST_NAME = "_landing.json"
DEFAULT_ENCODING = "utf-8"
UTF8_BOM = codecs.BOM_UTF8
BATCH_ROWS = 65_536
MAX_LINES_PER_FILE = 5  # problems listed per file; the rest are counted
SUGGESTED_ENCODINGS = ("gb18030", "utf-8", "big5", "cp1252")

csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class Problem:
    """One reason a landing file cannot be read: what the user must fix, where."""

    table: str
    file: str
    message: str
    line: int | None = None
    missing: bool = False  # a required table has no file (exit 2 rather than 1)

    def __str__(self) -> str:
        return self.message


@dataclass
class PreparedTable:
    table: str
    source: str | None  # the landing file read (None: no file, "no data")
    format: str | None
    encoding: str | None
    rows: int
    path: str | None  # the prepared all-text Parquet file


@dataclass
class Preflight:
    out_dir: Path
    tables: dict[str, PreparedTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def only_missing(self) -> bool:
        return bool(self.problems) and all(p.missing for p in self.problems)

    def rows(self) -> dict[str, int]:
        return {name: t.rows for name, t in self.tables.items() if t.source is not None}


class _FileProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------


def encoding_env(table: str) -> str:
    return f"{ENCODING_ENV}_{table.upper()}"


def declared_encoding(table: str, environ: dict[str, str] | None = None) -> tuple[str, str]:
    """(encoding, where it was declared) of one table's CSV file."""
    env = os.environ if environ is None else environ
    for name in (encoding_env(table), ENCODING_ENV):
        value = (env.get(name) or "").strip()
        if value:
            return value, f"declared by {name}"
    return DEFAULT_ENCODING, "the default encoding"


def _check_encoding(path: Path, table: str, encoding: str, where: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise _FileProblems(
            [
                Problem(
                    table,
                    str(path),
                    f"Landing file {path}: unknown encoding {encoding!r} ({where}); "
                    f"use a name such as utf-8, gb18030, gbk, big5, latin-1.",
                )
            ]
        ) from None


def _how_to_declare(table: str, suggestion: str) -> str:
    return (
        f"Declare the file's encoding (that line reads as {suggestion}): set {encoding_env(table)}={suggestion} "
        "(this table only) or "
        f"{ENCODING_ENV}={suggestion} (every CSV file), then build again (docs/data_quality.md, Landing files)."
    )


def _suggest(raw_line: bytes, tried: str) -> str:
    for candidate in SUGGESTED_ENCODINGS:
        if codecs.lookup(candidate).name == tried:
            continue
        try:
            raw_line.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "gb18030"


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


class _Lines:
    """Decoded text lines of a binary file, with the number of the physical line last read."""

    def __init__(self, raw: io.BufferedReader, encoding: str) -> None:
        self.raw = raw
        self.encoding = encoding
        self.number = 0
        self.error: tuple[int, bytes, bytes] | None = None  # line, bad bytes, whole line

    def __iter__(self) -> Iterator[str]:
        if self.encoding.startswith(("utf-16", "utf-32")):  # newlines are not single bytes: decode as a stream
            text = io.TextIOWrapper(self.raw, encoding=self.encoding, errors="strict", newline="")
            try:
                for line in text:
                    self.number += 1
                    yield line
            except UnicodeDecodeError as error:
                self.error = (self.number + 1, error.object[error.start : error.end], b"")
            return
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        for chunk in self.raw:  # split at b"\n": never inside a multi-byte character of these encodings
            self.number += 1
            try:
                yield decoder.decode(chunk)
            except UnicodeDecodeError as error:
                self.error = (self.number, chunk[error.start : error.end], chunk)
                return
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            self.error = (self.number, error.object[error.start : error.end], b"")
            return
        if tail:
            yield tail


def _normalize(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _match_header(path: Path, table: Table, header: list[str], line: int | None) -> dict[str, int]:
    """Contract column -> position in the file; problems for duplicates and missing columns."""
    positions: dict[str, int] = {}
    duplicates = []
    for i, name in enumerate(header):
        key = _normalize(name)
        if key in positions and key in table.column_names:
            duplicates.append(name.strip())
        positions.setdefault(key, i)
    problems = []
    if duplicates:
        problems.append(
            Problem(
                table.name,
                str(path),
                f"Landing file {path}: column(s) {', '.join(duplicates)} appear more than "
                "once in its header (names are compared case-insensitively).",
                line,
            )
        )
    missing = [c.name for c in table.columns if not c.optional and c.name not in positions]
    if missing:
        problems.append(
            Problem(
                table.name,
                str(path),
                f"Landing file {path} lacks column(s) {', '.join(missing)} that the landing "
                f"contract requires; its header has: {', '.join(h.strip() for h in header)}",
                line,
            )
        )
    if problems:
        raise _FileProblems(problems)
    return {c.name: positions[c.name] for c in table.columns if c.name in positions}


class _ParquetOut:
    """All-text Parquet writer of one prepared table, in batches."""

    def __init__(self, path: Path, table: Table) -> None:
        self.path = path
        self.names = table.column_names
        self.schema = pa.schema([pa.field(n, pa.string()) for n in self.names])
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.columns: list[list[str | None]] = [[] for _ in self.names]
        self.rows = 0

    def add(self, values: list[str | None]) -> None:
        for column, value in zip(self.columns, values, strict=True):
            column.append(value)
        if len(self.columns[0]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.columns and self.columns[0]:
            batch = pa.table([pa.array(c, type=pa.string()) for c in self.columns], schema=self.schema)
            self.writer.write_table(batch)
            self.rows += batch.num_rows
            self.columns = [[] for _ in self.names]

    def close(self) -> int:
        self.flush()
        self.writer.close()
        return self.rows


def _prepare_csv(path: Path, table: Table, out: Path, environ: dict[str, str] | None) -> tuple[int, str]:
    declared, where = declared_encoding(table.name, environ)
    encoding = _check_encoding(path, table.name, declared, where)
    problems: list[Problem] = []
    extra_lines = 0
    writer: _ParquetOut | None = None
    with path.open("rb") as raw:
        if raw.read(3) == UTF8_BOM:  # a byte-order mark says UTF-8 whatever was declared
            encoding = "utf-8"
        else:
            raw.seek(0)
        lines = _Lines(raw, encoding)
        reader = csv.reader(lines, delimiter=",", quotechar='"', doublequote=True, strict=True)
        header: list[str] | None = None
        wanted: list[int | None] = []
        width = 0
        started_at = 1
        try:
            for record in reader:
                line = started_at
                started_at = lines.number + 1
                if not record:
                    continue  # a blank line is not a row
                if header is None:
                    header = record
                    width = len(header)
                    positions = _match_header(path, table, header, line)
                    wanted = [positions.get(name) for name in table.column_names]
                    writer = _ParquetOut(out, table)
                    continue
                if len(record) != width:
                    if len(problems) < MAX_LINES_PER_FILE:
                        problems.append(
                            Problem(
                                table.name,
                                str(path),
                                f"Landing file {path} line {line}: {len(record)} fields "
                                f"where the header has {width}. A value containing a comma must be in double "
                                'quotes ("1,234.50"), or written without the thousands separator (1234.50).',
                                line,
                            )
                        )
                    else:
                        extra_lines += 1
                    continue
                if not problems:
                    writer.add([None if i is None or record[i] == "" else record[i] for i in wanted])
        except csv.Error as error:
            if lines.error is None:  # (a decoding error ends the text early: reported below)
                problems.append(
                    Problem(
                        table.name,
                        str(path),
                        f"Landing file {path} line {started_at}: not valid CSV ({error}). "
                        'Values are separated by commas and quoted with double quotes ("" inside a quoted value).',
                        started_at,
                    )
                )
        finally:
            if writer is not None:
                writer.close()
        if lines.error is not None:
            number, bad, whole = lines.error
            suggestion = _suggest(whole or bad, encoding)
            problems.append(
                Problem(
                    table.name,
                    str(path),
                    f"Landing file {path} line {number}: bytes {bad.hex(' ')} are not valid "
                    f"{declared} ({where}). {_how_to_declare(table.name, suggestion)}",
                    number,
                )
            )
        if header is None and not problems:
            problems.append(Problem(table.name, str(path), f"Landing file {path} has no header row."))
    if extra_lines:
        problems.append(
            Problem(
                table.name,
                str(path),
                f"Landing file {path}: {extra_lines} more line(s) with the wrong number of fields.",
            )
        )
    if problems:
        out.unlink(missing_ok=True)
        raise _FileProblems(problems)
    return writer.rows, encoding


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------

_FLOATS = ("FLOAT", "DOUBLE", "REAL")


def _as_text(quoted: str, duck_type: str, contract_type: str) -> str:
    """One Parquet column as text. Ids and integers stored as floats (pandas writes an integer
    column with gaps as float64) lose their ``.0``: 123.0 -> '123'. Other values as DuckDB writes them."""
    if duck_type.upper() in _FLOATS and contract_type in ("id", "int"):
        return (
            f"case when isfinite({quoted}) and {quoted} = trunc({quoted}) and abs({quoted}) < 1e15 "
            f"then cast(cast({quoted} as bigint) as varchar) else cast({quoted} as varchar) end"
        )
    return f"cast({quoted} as varchar)"


def _prepare_parquet(path: Path, table: Table, out: Path) -> int:
    literal = str(path).replace("'", "''")
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        try:
            described = con.execute(f"describe select * from read_parquet('{literal}')").fetchall()
        except duckdb.Error as error:
            message = str(error).splitlines()[0]
            raise _FileProblems(
                [Problem(table.name, str(path), f"Landing file {path} cannot be read as Parquet: {message}")]
            ) from None
        header = [row[0] for row in described]
        types = {row[0]: str(row[1]) for row in described}
        positions = _match_header(path, table, header, None)
        projections = []
        for name in table.column_names:
            if name in positions:
                original = header[positions[name]]
                quoted = '"' + original.replace('"', '""') + '"'
                projections.append(f'{_as_text(quoted, types[original], table.column(name).type)} as "{name}"')
            else:
                projections.append(f'cast(null as varchar) as "{name}"')
        target = str(out).replace("'", "''")
        try:
            con.execute(
                f"copy (select {', '.join(projections)} from read_parquet('{literal}')) "
                f"to '{target}' (format parquet, compression zstd)"
            )
        except duckdb.Error as error:
            message = str(error).splitlines()[0]
            raise _FileProblems(
                [Problem(table.name, str(path), f"Landing file {path} cannot be read as Parquet: {message}")]
            ) from None
        return pq.ParquetFile(out).metadata.num_rows
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# the preflight
# ---------------------------------------------------------------------------------------------


def landing_files(landing_dir: Path, table: str) -> list[Path]:
    return [p for p in (landing_dir / f"{table}.csv", landing_dir / f"{table}.parquet") if p.is_file()]


def prepare(
    landing_dir: Path,
    out_dir: Path,
    say: Callable[[str], None] = lambda _msg: None,
    environ: dict[str, str] | None = None,
) -> Preflight:
    """Check and read every landing file into ``out_dir`` (emptied first); every problem is collected."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    result = Preflight(out_dir)
    for table in TABLES:
        files = landing_files(landing_dir, table.name)
        if len(files) > 1:
            result.problems.append(
                Problem(
                    table.name,
                    str(files[0]),
                    f"Landing files {files[0]} and {files[1]} are both present for "
                    f"table {table.name}: keep one of them (the build reads exactly one file per table).",
                )
            )
            continue
        if not files:
            if table.required:
                result.problems.append(
                    Problem(
                        table.name,
                        str(landing_dir / table.name),
                        f"Landing file missing: "
                        f"{landing_dir / table.name}.parquet or .csv (required table {table.name})",
                        missing=True,
                    )
                )
            else:
                say(f"landing: {table.name} has no file in {landing_dir}: treated as empty (no data)")
                result.tables[table.name] = PreparedTable(table.name, None, None, None, 0, None)
            continue
        path = files[0]
        if path.stat().st_size == 0:
            result.problems.append(
                Problem(
                    table.name,
                    str(path),
                    f"Landing file is empty (0 bytes): {path}. Export it again, with at least its header row.",
                )
            )
            continue
        out = out_dir / f"{table.name}.parquet"
        try:
            if path.suffix == ".csv":
                rows, encoding = _prepare_csv(path, table, out, environ)
            else:
                rows, encoding = _prepare_parquet(path, table, out), None
        except _FileProblems as error:
            out.unlink(missing_ok=True)
            result.problems.extend(error.problems)
            continue
        except OSError as error:
            out.unlink(missing_ok=True)
            result.problems.append(Problem(table.name, str(path), f"Landing file {path} cannot be read: {error}"))
            continue
        fmt = path.suffix.lstrip(".")
        result.tables[table.name] = PreparedTable(table.name, str(path), fmt, encoding, rows, str(out))
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(
            {"landing_dir": str(landing_dir), "tables": {n: asdict(t) for n, t in result.tables.items()}}, indent=1
        ),
        encoding="utf-8",
    )
    return result


def read_manifest(prepared_dir: Path) -> dict[str, dict]:
    """The ``_landing.json`` of a prepared folder: table -> source, format, encoding, rows, path."""
    path = prepared_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("tables", {})


def report(result: Preflight) -> list[str]:
    """The lines printed when the preflight stops: every problem, then what to do."""
    lines = [f"[landing] {p.message}" for p in result.problems]
    files = sorted({p.file for p in result.problems if not p.missing})
    if files:
        lines.append(f"[landing] {len(files)} landing file(s) cannot be read; nothing was built.")
    if any(p.missing for p in result.problems):
        lines.append(
            "[landing] Set SALESPERF_LANDING_DIR to the folder of your extracts, or run "
            "`python3.11 tasks.py generate` for the demo data."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    from salesperf import settings as settings_mod

    argv = sys.argv[1:] if argv is None else argv
    settings = settings_mod.load()
    out = Path(argv[0]).resolve() if argv else settings.build_warehouse.parent / "landing"
    result = prepare(settings.landing_dir, out, say=print)
    if not result.ok:
        for line in report(result):
            print(line, file=sys.stderr)
        return 2 if result.only_missing else 1
    print(f"[landing] {sum(result.rows().values()):,} rows of {len(result.rows())} tables prepared in {out}")
    print(f"export {PREPARED_ENV}={out}   # then: dbt build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
