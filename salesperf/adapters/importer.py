"""Import a CRM export into landing files of the contract, with a report that accounts for every row.

For every mapping (source table -> landing table) each source row ends in exactly one of:

- ``landed``: written to the landing file;
- ``filtered``: left out by a ``where`` condition of the mapping (e.g. only won opportunities
  become orders), with the condition as the reason;
- ``merged``: a ``distinct`` mapping already landed a row with the same key (reps derived from an
  owner column: one rep, many rows);
- ``rejected``: a value could not be mapped — a value no ``map`` covers (``unmapped_value``), an
  empty required value, an unparseable date or number — with the reason and the source row key.

so per mapping ``rows read = landed + filtered + merged + rejected``, and per landing table the
landing rows are the sum of what its mappings landed. **An unmapped value never stops the import
and is never guessed**: its row is rejected, listed in ``import_rejects.csv``, and the value is
listed once with its count and a suggested mapping line in ``import_unmapped.csv`` and in the
printed report. ``--strict`` makes the command exit non-zero when anything was unmapped or
rejected. The import stops only when it cannot run at all: a mapping error (file and line), a
missing source file or column, an unreadable file.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from salesperf.adapters.mapping import ROW_NUMBER, TEMPLATE_FIELD, Column, Condition, Mapping, TableMapping
from salesperf.adapters.readers import SourceData, SourceError, as_text, read_source
from salesperf.contract import TABLES, TABLES_BY_NAME

TRUE_WORDS = {"true", "t", "1", "yes", "y", "是", "真", "对", "√"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "否", "假", "错", "×"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%m/%d/%Y")
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
)
MONEY_NOISE = ("¥", "￥", "$", "€", "元", "RMB", "CNY", "USD", ",", "，", " ", "\u00a0")
REPORT_FILES = ("import_summary.csv", "import_rejects.csv", "import_unmapped.csv", "import_report.json")


class ImportFailed(Exception):
    """The import could not run (missing source file or column, unreadable file)."""


class Reject(Exception):
    def __init__(self, reason: str, detail: str):
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}")


class Unmapped(Reject):
    def __init__(self, column: Column, value: str, table: str, mapping: TableMapping):
        self.column, self.value, self.table, self.mapping = column, value, table, mapping
        super().__init__("unmapped_value", f"{table}.{column.target}: no mapping for {value!r}")


@dataclass
class Outcome:
    mapping: TableMapping
    read: int = 0
    landed: int = 0
    filtered: int = 0
    merged: int = 0
    rejected: int = 0
    source_file: str = ""

    def as_row(self) -> dict:
        return {
            "source_table": self.mapping.source or "(preset rows)",
            "source_file": self.source_file,
            "target_table": self.mapping.target,
            "rows_read": self.read,
            "rows_landed": self.landed,
            "rows_filtered": self.filtered,
            "rows_merged": self.merged,
            "rows_rejected": self.rejected,
        }


@dataclass
class UnmappedValue:
    table: str
    column: str
    source_column: str
    value: str
    count: int
    mapping_line: int
    allowed: tuple[str, ...]

    def suggestion(self) -> str:
        target = "|".join(self.allowed) if self.allowed else "<landing value>"
        return f"{json.dumps(self.value, ensure_ascii=False)}: <{target}>"


@dataclass
class ImportResult:
    mapping: Mapping
    source_dir: Path
    out_dir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    unmapped: list[UnmappedValue] = field(default_factory=list)
    landing_rows: dict[str, int] = field(default_factory=dict)
    sources: dict[str, SourceData] = field(default_factory=dict)
    missing_sources: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(o.rejected for o in self.outcomes)

    def source_accounting(self) -> list[dict]:
        """Per source table and mapping: rows read = landed + filtered + merged + rejected."""
        return [o.as_row() for o in self.outcomes]


def _fmt_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


class Converter:
    """Turns one source row into one landing row, or raises Reject."""

    def __init__(self, mapping: Mapping, sources: dict[str, SourceData], base_currency: str):
        self.mapping = mapping
        self.sources = sources
        self.base_currency = base_currency
        self.resolved: dict[tuple[str, int], str | None] = {}  # (source, id(column)) -> source column used
        self._lookup_index: dict[tuple[str, str], dict[str, dict]] = {}
        self._exists_cache: dict[tuple, set[str]] = {}
        self._sequences: dict[tuple, tuple[dict[int, dict | None], set[int]]] = {}
        self.unmapped_counts: Counter = Counter()
        self.unmapped_meta: dict[tuple, UnmappedValue] = {}

    # -- source columns -------------------------------------------------------------------
    def source_column(self, source: str, col: Column) -> str | None:
        key = (source, id(col))
        if key not in self.resolved:
            header = self.sources[source].header
            found = next((c for c in col.columns or [] if c in header or c == ROW_NUMBER), None)
            self.resolved[key] = found
        return self.resolved[key]

    def check_columns(self, m: TableMapping) -> None:
        """Every source column the mapping names must be in the file (unless optional)."""
        if m.source is None or m.source not in self.sources:
            return
        data = self.sources[m.source]
        header = set(data.header) | {ROW_NUMBER}

        def fail(line: int, what: str) -> None:
            raise ImportFailed(
                f"{self.mapping.path}:{line}: {what} not in {data.path.name} (its header has: {', '.join(data.header)})"
            )

        for col in m.columns.values():
            if col.columns and self.source_column(m.source, col) is None and not col.optional:
                fail(col.line, f"{m.target}.{col.target}: source column {' / '.join(col.columns)}")
            for name in col.source_columns():
                if name not in header and not col.optional:
                    fail(col.line, f"{m.target}.{col.target}: source column {name!r}")
            if col.lookup:
                other = self.sources.get(col.lookup["table"])
                if other is not None:
                    for name in (col.lookup["key"], col.lookup["value"]):
                        if name not in other.header:
                            raise ImportFailed(
                                f"{self.mapping.path}:{col.line}: lookup column {name!r} not in {other.path.name}"
                            )
        for name in m.key:
            if name not in header:
                fail(m.line, f"{m.target}: key column {name!r}")
        for cond in m.where:
            for name in [*(cond.column or []), *([cond.first_of, cond.order] if cond.first_of else [])]:
                if name not in header:
                    fail(cond.line, f"{m.target}: condition column {name!r}")

    # -- values ---------------------------------------------------------------------------
    def raw(self, source: str | None, row: dict, col: Column, m: TableMapping | None = None):
        if col.has_value:
            value = col.value
            if value == "$base_currency":
                return self.base_currency
            return value
        if col.template:
            return TEMPLATE_FIELD.sub(lambda mt: as_text(row.get(mt.group(1))), col.template)
        if col.lookup:
            lk = col.lookup
            index = self._index(lk["table"], lk["key"])
            hit = index.get(as_text(row.get(lk["column"])))
            return None if hit is None else hit.get(lk["value"])
        if col.next:
            following = self.sequence(m, col.group, col.order)[0].get(id(row))
            return None if following is None else following.get(col.next)
        name = self.source_column(source, col) if source else None
        return None if name is None else row.get(name)

    def _index(self, table: str, key: str) -> dict[str, dict]:
        if (table, key) not in self._lookup_index:
            data = self.sources.get(table)
            index: dict[str, dict] = {}
            for r in data.rows if data else []:
                index.setdefault(as_text(r.get(key)), r)
            self._lookup_index[(table, key)] = index
        return self._lookup_index[(table, key)]

    def value(self, m: TableMapping, row: dict, col: Column) -> str:
        table = TABLES_BY_NAME[m.target]
        contract_col = table.column(col.target)
        if col.when and not all(self.passes(m.source, row, c) for c in col.when):
            return ""
        raw = self.raw(m.source, row, col, m)
        if isinstance(raw, (dt.datetime, dt.date)) and not col.map:
            text = ""
            native = raw
        else:
            text = as_text(raw)
            native = None
            if text in col.null_if:
                text = ""
            if col.map is not None and text:
                folded = {k.casefold(): v for k, v in col.map.items()}
                if text in col.map:
                    text = col.map[text]
                elif text.casefold() in folded:
                    text = folded[text.casefold()]
                elif col.others != "keep":
                    raise Unmapped(col, text, m.target, m)
            elif col.map is not None and "" in col.map:
                text = col.map[""]
        if native is None and not text and col.default is not None:
            text = self.base_currency if col.default == "$base_currency" else as_text(col.default)
        if native is None and not text:
            if col.required or not contract_col.nullable or contract_col.name in table.key:
                raise Reject("missing_value", f"{m.target}.{col.target} is empty")
            return ""
        return self.convert(m.target, col, contract_col, native if native is not None else text)

    def register(self, unmapped: Unmapped) -> None:
        """Count a value no map covers, once per rejected row of the mapping it belongs to."""
        m, col, text = unmapped.mapping, unmapped.column, unmapped.value
        contract_col = TABLES_BY_NAME[m.target].column(col.target)
        source_col = self.source_column(m.source, col) if (m.source and col.columns) else (col.template or "")
        key = (m.target, col.target, text)
        self.unmapped_counts[key] += 1
        if key not in self.unmapped_meta:
            allowed = tuple(contract_col.enum or ()) or (("true", "false") if contract_col.type == "bool" else ())
            self.unmapped_meta[key] = UnmappedValue(
                m.target, col.target, source_col or "", text, 0, col.map_line or col.line, allowed
            )

    def convert(self, table: str, col: Column, contract_col, value) -> str:
        kind = contract_col.type
        label = f"{table}.{col.target}"
        if kind == "date":
            return self._date(value, col, label).isoformat()
        if kind == "timestamp":
            stamp = self._timestamp(value, col, label)
            if stamp.tzinfo is not None:
                return stamp.isoformat(timespec="seconds")
            return stamp.isoformat(sep=" ", timespec="seconds")
        if kind == "bool":
            low = str(value).strip().lower()
            if low in TRUE_WORDS:
                return "true"
            if low in FALSE_WORDS:
                return "false"
            raise Reject("unparseable_boolean", f"{label}: {value!r} is not a yes/no value (add a map)")
        if kind in {"money", "number", "int"}:
            number = self._number(value, col, label)
            if kind == "int":
                if number != number.to_integral_value():
                    raise Reject("unparseable_number", f"{label}: {value!r} is not a whole number")
                return str(int(number))
            return _fmt_decimal(number)
        if kind == "enum":
            text = str(value)
            if text not in (contract_col.enum or ()):
                allowed = ", ".join(contract_col.enum or ())
                raise Reject("unmapped_value", f"{label}: {text!r} is not one of {allowed} (add a map)")
            return text
        return str(value)

    def _date(self, value, col: Column, label: str) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for fmt in col.formats or ():
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        if not col.formats:
            try:
                return dt.datetime.fromisoformat(text).date()
            except ValueError:
                pass
            for fmt in DATE_FORMATS + TIMESTAMP_FORMATS:
                try:
                    return dt.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
        raise Reject("unparseable_date", f"{label}: {text!r} is not a date{self._formats_hint(col)}")

    def _timestamp(self, value, col: Column, label: str) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        text = str(value).strip()
        for fmt in col.formats or ():
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
        if not col.formats:
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                pass
            for fmt in TIMESTAMP_FORMATS + DATE_FORMATS:
                try:
                    return dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
        raise Reject("unparseable_timestamp", f"{label}: {text!r} is not a date/time{self._formats_hint(col)}")

    @staticmethod
    def _formats_hint(col: Column) -> str:
        return f" in the format(s) {', '.join(col.formats)}" if col.formats else " (give 'format:' in the mapping)"

    @staticmethod
    def _number(value, col: Column, label: str) -> Decimal:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = str(value).strip()
            scale = Decimal(1)
            if text.endswith("万"):
                text, scale = text[:-1], Decimal(10000)
            for noise in MONEY_NOISE:
                text = text.replace(noise, "")
            try:
                number = Decimal(text) * scale
            except InvalidOperation:
                raise Reject("unparseable_number", f"{label}: {value!r} is not a number") from None
            if not number.is_finite():
                raise Reject("unparseable_number", f"{label}: {value!r} is not a number")
        if col.scale is not None:
            number *= Decimal(repr(col.scale))
        return number

    # -- conditions -----------------------------------------------------------------------
    def passes(self, source: str, row: dict, cond: Condition, m: TableMapping | None = None) -> bool:
        if cond.first_of:
            return id(row) in self.sequence(m, cond.first_of, cond.order)[1]
        if cond.exists:
            found = as_text(row.get(cond.exists["match"])) in self._exists_set(cond)
            return found != cond.negate
        if cond.mapped:
            target_mapping = self.mapping.mapping_for(cond.mapped[0], source)
            col = target_mapping.columns.get(cond.mapped[1])
            value = self.value(target_mapping, row, col) if col else ""
        else:
            name = next((c for c in cond.column or [] if c in self.sources[source].header), None)
            value = as_text(row.get(name)) if name else ""
        if cond.not_empty:
            return bool(value)
        if cond.matches is not None:
            return cond.matches.search(value) is not None
        if cond.values_in is not None:
            return value in cond.values_in or value.lower() in {v.lower() for v in cond.values_in}
        return not (value in cond.values_not_in or value.lower() in {v.lower() for v in cond.values_not_in})

    def sequence(self, m: TableMapping, group: str, order: str) -> tuple[dict[int, dict | None], set[int]]:
        """A change log read as runs: the rows of the mapping's source that pass its where (apart
        from first_of), grouped by ``group`` and ordered by ``order`` (a date/time, else text; then
        the row number). Gives, per row, the next row of its group (None for the last), and the
        first row of each group."""
        key = (id(m), group, order)
        if key not in self._sequences:
            groups: dict[str, list[dict]] = defaultdict(list)
            for r in self.sources[m.source].rows:
                try:
                    ok = all(self.passes(m.source, r, c, m) for c in m.where if not c.first_of)
                except Reject:
                    ok = False  # the row is rejected under its own mapping
                if ok:
                    groups[as_text(r.get(group))].append(r)
            following: dict[int, dict | None] = {}
            first: set[int] = set()
            for rows in groups.values():
                rows.sort(key=lambda r: (self._order_key(r.get(order)), r.get(ROW_NUMBER) or 0))
                first.add(id(rows[0]))
                for here, there in zip(rows, [*rows[1:], None], strict=True):
                    following[id(here)] = there
            self._sequences[key] = (following, first)
        return self._sequences[key]

    def _order_key(self, value) -> tuple:
        """Order of a change log: as date/time (any format the importer reads, instants for
        stamps with an offset), else as text after every date."""
        try:
            stamp = self._timestamp(value, Column(target="order", line=0), "order")
        except Reject:
            return (1, dt.datetime.min, as_text(value))
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
        return (0, stamp, "")

    def _exists_set(self, cond: Condition) -> set[str]:
        key = id(cond)
        if key not in self._exists_cache:
            table = cond.exists["table"]
            data = self.sources.get(table)
            values = set()
            for r in data.rows if data else []:
                try:
                    ok = all(self.passes(table, r, inner) for inner in cond.exists["where"])
                except Reject:
                    ok = False  # the parent row is itself rejected (reported under its own mapping)
                if ok:
                    values.add(as_text(r.get(cond.exists["column"])))
            self._exists_cache[key] = values
        return self._exists_cache[key]


def find_source_file(directory: Path, patterns: list[str]) -> Path | None:
    files = sorted(p for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
    for pattern in patterns:
        hits = [p for p in files if fnmatch.fnmatchcase(p.name, pattern)]
        if not hits:  # case-insensitive second try (Windows-made exports)
            hits = [p for p in files if fnmatch.fnmatch(p.name.lower(), pattern.lower())]
        if hits:
            return hits[0]
    return None


def _row_key(m: TableMapping, row: dict) -> str:
    if m.key == [ROW_NUMBER]:
        return f"row {row.get(ROW_NUMBER)}"
    return "|".join(as_text(row.get(k)) for k in m.key) + f" (row {row.get(ROW_NUMBER)})"


def run_import(
    mapping: Mapping, source_dir: Path, out_dir: Path, base_currency: str = "CNY", encoding: str | None = None
) -> ImportResult:
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    if not source_dir.is_dir():
        raise ImportFailed(f"{source_dir}: no such folder (give the folder of the CRM export)")
    result = ImportResult(mapping, source_dir, out_dir)
    used = {m.source for m in mapping.tables if m.source}
    for cond_table in _condition_tables(mapping):
        used.add(cond_table)
    for name, src in mapping.sources.items():
        if name not in used:
            continue
        path = find_source_file(source_dir, src.patterns)
        if path is None:
            if src.optional:
                result.missing_sources.append(name)
                continue
            raise ImportFailed(
                f"{source_dir}: no file for source table {name!r} (looked for {', '.join(src.patterns)}; "
                f"mapping {mapping.path}:{src.line})"
            )
        try:
            result.sources[name] = read_source(name, path, encoding or src.encoding, src.sheet, src.headers)
        except SourceError as error:
            raise ImportFailed(str(error)) from None
    conv = Converter(mapping, result.sources, base_currency)
    for m in mapping.tables:
        conv.check_columns(m)

    landing: dict[str, list[dict]] = defaultdict(list)
    distinct_seen: dict[str, dict[tuple, tuple[dict, str]]] = defaultdict(dict)
    for m in mapping.tables:
        outcome = Outcome(m)
        result.outcomes.append(outcome)
        table = TABLES_BY_NAME[m.target]
        if m.rows is not None:
            for literal in m.rows:
                row = {c: "" for c in table.column_names}
                row.update({k: base_currency if v == "$base_currency" else as_text(v) for k, v in literal.items()})
                landing[m.target].append(row)
                outcome.read += 1
                outcome.landed += 1
            continue
        data = result.sources.get(m.source)
        if data is None:
            continue  # an optional source that is not in the export: nothing to read
        outcome.source_file = data.path.name
        for src_row in data.rows:
            outcome.read += 1
            key_text = _row_key(m, src_row)
            try:
                failed = next((c for c in m.where if not conv.passes(m.source, src_row, c, m)), None)
            except Reject as rej:
                outcome.rejected += 1
                result.rejects.append(_reject(m, data, key_text, "rejected", rej.reason, rej.detail))
                continue
            if failed is not None:
                outcome.filtered += 1
                result.rejects.append(_reject(m, data, key_text, "filtered", "filtered", failed.describe()))
                continue
            try:
                out = {c: "" for c in table.column_names}
                for name, col in m.columns.items():
                    out[name] = conv.value(m, src_row, col)
            except Reject as rej:
                outcome.rejected += 1
                result.rejects.append(_reject(m, data, key_text, "rejected", rej.reason, rej.detail))
                if isinstance(rej, Unmapped) and rej.mapping is m:
                    conv.register(rej)
                continue
            if m.distinct:
                key = tuple(out[k] for k in table.key)
                seen = distinct_seen[m.target].get(key)
                if seen is not None:
                    outcome.merged += 1
                    first, first_key = seen
                    diff = [c for c in m.columns if out[c] and out[c] != first[c]]
                    detail = f"same {'/'.join(table.key)} as {first_key}"
                    if diff:
                        detail += (
                            f"; differs in {', '.join(diff)}: kept the first ({', '.join(first[c] for c in diff)})"
                        )
                    result.rejects.append(_reject(m, data, key_text, "merged", "merged_duplicate", detail))
                    continue
                distinct_seen[m.target][key] = (out, f"{data.path.name} {key_text}")
            landing[m.target].append(out)
            outcome.landed += 1
    for key, count in conv.unmapped_counts.items():
        meta = conv.unmapped_meta[key]
        meta.count = count
        result.unmapped.append(meta)
    result.unmapped.sort(key=lambda u: (u.table, u.column, -u.count, u.value))
    _write(result, landing)
    return result


def _condition_tables(mapping: Mapping) -> set[str]:
    out = set()
    for m in mapping.tables:
        stack = list(m.where)
        while stack:
            cond = stack.pop()
            if cond.exists:
                out.add(cond.exists["table"])
                stack.extend(cond.exists["where"])
        for col in m.columns.values():
            if col.lookup:
                out.add(col.lookup["table"])
    return out


def _reject(m: TableMapping, data: SourceData, key: str, kind: str, reason: str, detail: str) -> dict:
    return {
        "source_table": m.source,
        "source_file": data.path.name,
        "source_row_key": key,
        "target_table": m.target,
        "outcome": kind,
        "reason": reason,
        "detail": detail,
    }


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _write(result: ImportResult, landing: dict[str, list[dict]]) -> None:
    out = result.out_dir
    out.mkdir(parents=True, exist_ok=True)
    # The landing folder is the import's: landing files of earlier imports (or demo data) would
    # otherwise be read beside the new ones.
    for table in TABLES:
        for suffix in (".csv", ".parquet"):
            stale = out / f"{table.name}{suffix}"
            if stale.exists():
                stale.unlink()
                result.removed_files.append(stale.name)
    for name in REPORT_FILES:
        (out / name).unlink(missing_ok=True)
    targets = []
    for m in result.mapping.tables:
        if m.target not in targets and (m.rows is not None or m.source in result.sources):
            targets.append(m.target)
    for m in result.mapping.tables:  # required tables are written even when their source was absent
        if TABLES_BY_NAME[m.target].required and m.target not in targets:
            targets.append(m.target)
    for target in targets:
        table = TABLES_BY_NAME[target]
        rows = landing.get(target, [])
        _write_csv(out / f"{target}.csv", table.column_names, rows)
        result.landing_rows[target] = len(rows)
    summary = result.source_accounting()
    _write_csv(out / "import_summary.csv", list(summary[0].keys()) if summary else ["source_table"], summary)
    _write_csv(
        out / "import_rejects.csv",
        ["source_table", "source_file", "source_row_key", "target_table", "outcome", "reason", "detail"],
        result.rejects,
    )
    unmapped_rows = [
        {
            "target_table": u.table,
            "target_column": u.column,
            "source_column": u.source_column,
            "value": u.value,
            "rows": u.count,
            "mapping_line": u.mapping_line,
            "suggested_mapping_line": u.suggestion(),
        }
        for u in result.unmapped
    ]
    _write_csv(
        out / "import_unmapped.csv",
        ["target_table", "target_column", "source_column", "value", "rows", "mapping_line", "suggested_mapping_line"],
        unmapped_rows,
    )
    report = {
        "mapping": str(result.mapping.path),
        "preset": result.mapping.name,
        "source_dir": str(result.source_dir),
        "landing_dir": str(out),
        "source_files": {
            n: {"file": d.path.name, "encoding": d.encoding, "rows": len(d.rows), "blank_rows_skipped": d.blank_rows}
            for n, d in result.sources.items()
        },
        "missing_optional_sources": result.missing_sources,
        "accounting": summary,
        "landing_rows": result.landing_rows,
        "rejects_by_reason": dict(Counter(f"{r['target_table']}: {r['reason']}" for r in result.rejects)),
        "unmapped_values": unmapped_rows,
    }
    (out / "import_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def report_lines(result: ImportResult) -> list[str]:
    lines = [f"[import] {result.mapping.name}: {result.source_dir} -> {result.out_dir}"]
    for name, data in result.sources.items():
        blank = f", {data.blank_rows} blank row(s) skipped" if data.blank_rows else ""
        lines.append(f"[import]   read {data.path.name} ({data.encoding}): {len(data.rows)} rows as {name}{blank}")
    for name in result.missing_sources:
        lines.append(f"[import]   no file for optional source {name!r}: its landing tables are not written")
    lines.append("[import] rows per mapping (read = landed + filtered + merged + rejected):")
    for o in result.outcomes:
        lines.append(
            f"[import]   {o.mapping.label:<45} read {o.read:>6}  landed {o.landed:>6}  filtered {o.filtered:>5}"
            f"  merged {o.merged:>5}  rejected {o.rejected:>5}"
        )
    reasons = Counter((r["target_table"], r["reason"]) for r in result.rejects if r["outcome"] == "rejected")
    if reasons:
        lines.append("[import] rejected rows by reason (each row with its source key in import_rejects.csv):")
        for (table, reason), count in sorted(reasons.items()):
            lines.append(f"[import]   {table}: {reason}: {count}")
    if result.unmapped:
        lines.append(
            f"[import] values no mapping covers ({len(result.unmapped)}); their rows were rejected, not guessed."
        )
        lines.append(f"[import] add a line under the column's 'map:' in {result.mapping.path}:")
        for u in result.unmapped:
            lines.append(
                f"[import]   {u.table}.{u.column} (source {u.source_column or '?'}, map at line {u.mapping_line}): "
                f"{u.value!r} x{u.count}  ->  {u.suggestion()}"
            )
    else:
        lines.append("[import] every value was covered by the mapping")
    if result.removed_files:
        lines.append(
            f"[import] replaced {len(result.removed_files)} landing file(s) already in {result.out_dir} "
            f"(an earlier import or demo data): {', '.join(result.removed_files)}"
        )
    written = ", ".join(f"{t} {n}" for t, n in result.landing_rows.items())
    lines.append(f"[import] landing files: {written}")
    lines.append(f"[import] report: {result.out_dir / 'import_report.json'} (and import_*.csv)")
    return lines
