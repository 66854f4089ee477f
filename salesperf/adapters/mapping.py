"""A source adapter's mapping: which export file feeds which landing table, column by column.

One YAML file per source system (``presets/*.yml``; a user copies one and edits it). Every error
names the mapping file and the line to edit. The format, in short::

    preset: salesforce
    sources:                      # source tables: the file names to look for in the export folder
      opportunity: [opportunity.csv, Opportunity.csv]
      task: {files: [task.csv, Task.csv], optional: true, encoding: auto}
    tables:                       # landing tables of the contract (salesperf/contract.py)
      crm_opportunities:
        from: opportunity         # one mapping, or a list of mappings (e.g. activities from task and event)
        key: id                   # the source row key printed in the import report (default: row number)
        where: [...]              # filters: rows that fail are counted as filtered, with the reason
        distinct: true            # derive one row per key (e.g. reps from an owner column)
        columns:
          opportunity_id: id                              # a source column
          rep_id: [owner_id, OwnerId]                     # the first of these the file has
          status: {column: stage_name, map: {Closed Won: won, Prospecting: open}}
          won_amount: {column: amount, scale: 1}
          currency: {value: $base_currency}              # a constant ($base_currency: the project's)
          order_id: {template: "SO-{id}"}                # a derived id
          valid_to: {next: created_date, group: account_id, order: created_date}  # the next row's value

See README "Bring your CRM" for the whole list of column options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from salesperf.adapters.yamlnodes import LDict, LList, MappingError, line_of, load
from salesperf.contract import REQUIRED_TABLES, TABLES_BY_NAME

PRESET_DIR = Path(__file__).resolve().parent / "presets"
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gb18030", "gbk", "latin-1")
ROW_NUMBER = "_row"  # pseudo source column: the row's number in the file (Excel row / CSV line)
TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")

TOP_KEYS = {"preset", "description", "sources", "tables", "encoding", "headers", "notes"}
SOURCE_KEYS = {"files", "optional", "encoding", "sheet", "headers"}
HEADER_STYLES = ("as_is", "snake_case")
MAPPING_KEYS = {"from", "rows", "key", "where", "distinct", "columns", "note"}
COLUMN_KEYS = {
    "column",
    "value",
    "template",
    "lookup",
    "next",
    "group",
    "order",
    "map",
    "others",
    "format",
    "scale",
    "null_if",
    "default",
    "required",
    "optional",
    "when",
    "note",
}
CONDITION_KEYS = {
    "column",
    "in",
    "not_in",
    "not_empty",
    "matches",
    "mapped",
    "exists",
    "not_exists",
    "first_of",
    "order",
    "reason",
}


@dataclass
class Source:
    name: str
    patterns: list[str]
    optional: bool
    encoding: str
    sheet: str | None
    line: int
    headers: str = "as_is"


@dataclass
class Column:
    target: str
    line: int
    columns: list[str] | None = None  # candidates: the first the file has
    value: object = None
    has_value: bool = False
    template: str | None = None
    lookup: dict | None = None  # {table, key, value, column}
    next: str | None = None  # the value of this column in the next row of the same group (a change log)
    group: str | None = None
    order: str | None = None
    map: dict[str, str] | None = None
    map_line: int = 0
    others: str = "reject"  # reject | keep
    formats: list[str] = field(default_factory=list)
    scale: float | None = None
    null_if: set[str] = field(default_factory=set)
    default: object = None
    required: bool = False
    optional: bool = False
    when: list = field(default_factory=list)  # conditions: else the value is empty

    def source_columns(self) -> list[str]:
        """Source columns this spec reads (for the header check)."""
        if self.columns:
            return []  # checked as candidates
        if self.template:
            return TEMPLATE_FIELD.findall(self.template)
        if self.lookup:
            return [self.lookup["column"]]
        if self.next:
            return [self.next, self.group, self.order]
        return []


@dataclass
class Condition:
    line: int
    column: list[str] | None = None
    values_in: set[str] | None = None
    values_not_in: set[str] | None = None
    not_empty: bool = False
    matches: re.Pattern | None = None  # a regular expression the value must contain (re.search)
    first_of: str | None = None  # passes for the first row (by `order`) of each value of this column
    order: str | None = None
    mapped: tuple[str, str] | None = None  # (table, column) of a landing mapping of the same source
    exists: dict | None = None  # {table, column, match, where: [Condition]}
    negate: bool = False  # not_exists: passes when no such row exists
    reason: str | None = None

    def describe(self) -> str:
        if self.reason:
            return self.reason
        if self.first_of:
            return f"not the first row of its {self.first_of} (by {self.order})"
        if self.exists:
            some = "a" if self.negate else "no"
            return f"{some} {self.exists['table']} row with {self.exists['column']} = this row's {self.exists['match']}"
        target = f"{self.mapped[0]}.{self.mapped[1]}" if self.mapped else "/".join(self.column or [])
        if self.values_in is not None:
            return f"{target} not in {sorted(self.values_in)}"
        if self.values_not_in is not None:
            return f"{target} in {sorted(self.values_not_in)}"
        if self.matches is not None:
            return f"{target} does not match {self.matches.pattern!r}"
        return f"{target} is empty"


@dataclass
class TableMapping:
    target: str
    line: int
    source: str | None  # None: literal rows
    rows: list[dict] | None
    key: list[str]
    where: list[Condition]
    distinct: bool
    columns: dict[str, Column]

    @property
    def label(self) -> str:
        return f"{self.source or 'preset rows'} -> {self.target}"


@dataclass
class Mapping:
    path: Path
    name: str
    description: str
    sources: dict[str, Source]
    tables: list[TableMapping]

    def error(self, line: int | None, message: str) -> MappingError:
        return MappingError(self.path, line, message)

    def mapping_for(self, target: str, source: str) -> TableMapping | None:
        for m in self.tables:
            if m.target == target and m.source == source:
                return m
        return None


def resolve(name_or_path: str) -> Path:
    """A preset name (``salesforce``) or the path of a mapping file."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in {".yml", ".yaml"} or candidate.exists():
        return candidate
    preset = PRESET_DIR / f"{name_or_path}.yml"
    if preset.exists():
        return preset
    names = ", ".join(sorted(p.stem for p in PRESET_DIR.glob("*.yml")))
    raise MappingError(preset, None, f"no preset {name_or_path!r}; the presets are: {names} (or give a .yml path)")


def _text_list(value, path: Path, what: str) -> list[str]:
    if isinstance(value, str):
        return [str(value)]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    raise MappingError(path, line_of(value), f"{what} must be a name or a list of names")


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_keys(d: LDict, allowed: set[str], path: Path, what: str) -> None:
    for key in d:
        if key not in allowed:
            raise MappingError(
                path,
                d.key_lines.get(key, d.line),
                f"unknown option {key!r} in {what} (allowed: {', '.join(sorted(allowed))})",
            )


def _parse_sources(raw, path: Path, default_encoding: str, default_headers: str) -> dict[str, Source]:
    if not isinstance(raw, LDict) or not raw:
        raise MappingError(path, line_of(raw, 1), "'sources' must map each source table to its file names")
    out = {}
    for name, spec in raw.items():
        line = raw.key_lines[name]
        if isinstance(spec, LDict):
            _check_keys(spec, SOURCE_KEYS, path, f"source {name!r}")
            if "files" not in spec:
                raise MappingError(path, line, f"source {name!r} needs 'files'")
            patterns = _text_list(spec["files"], path, f"source {name!r} files")
            encoding = str(spec.get("encoding", default_encoding))
            optional = bool(spec.get("optional", False))
            sheet = str(spec["sheet"]) if spec.get("sheet") is not None else None
            headers = str(spec.get("headers", default_headers))
        else:
            patterns = _text_list(spec, path, f"source {name!r}")
            encoding, optional, sheet, headers = default_encoding, False, None, default_headers
        if headers not in HEADER_STYLES:
            raise MappingError(path, line, f"source {name!r}: headers is one of {', '.join(HEADER_STYLES)}")
        if encoding not in ENCODINGS:
            raise MappingError(
                path, line, f"source {name!r}: unknown encoding {encoding!r} (use one of {', '.join(ENCODINGS)})"
            )
        out[str(name)] = Source(str(name), patterns, optional, encoding, sheet, line, headers)
    return out


def _parse_column(target_table: str, name: str, spec, line: int, path: Path) -> Column:
    table = TABLES_BY_NAME[target_table]
    col = Column(target=name, line=line)
    if isinstance(spec, (str, LList, list)):
        col.columns = _text_list(spec, path, f"{target_table}.{name}")
        return col
    if not isinstance(spec, LDict):
        # a bare scalar that YAML read as a number/bool: a constant is written {value: ...}
        raise MappingError(path, line, f"{target_table}.{name}: give a source column name, a list of names, or options")
    _check_keys(spec, COLUMN_KEYS, path, f"{target_table}.{name}")
    sources = [k for k in ("column", "value", "template", "lookup", "next") if k in spec]
    if len(sources) != 1:
        raise MappingError(
            path, line, f"{target_table}.{name}: give exactly one of column, value, template, lookup, next"
        )
    if "next" in spec:
        if "group" not in spec or "order" not in spec:
            raise MappingError(
                path,
                line,
                f"{target_table}.{name}: next needs group and order: the value of the column in the next row "
                "of the same group, e.g. {next: created_date, group: account_id, order: created_date}",
            )
        col.next, col.group, col.order = (str(spec[k]) for k in ("next", "group", "order"))
    else:
        for k in ("group", "order"):
            if k in spec:
                raise MappingError(path, spec.key_lines[k], f"{target_table}.{name}: {k} goes with next only")
    if "column" in spec:
        col.columns = _text_list(spec["column"], path, f"{target_table}.{name} column")
    if "value" in spec:
        col.value, col.has_value = spec["value"], True
    if "template" in spec:
        col.template = str(spec["template"])
        if not TEMPLATE_FIELD.findall(col.template):
            raise MappingError(
                path, line, f"{target_table}.{name}: a template names source columns in braces, e.g. 'SO-{{id}}'"
            )
    if "lookup" in spec:
        lk = spec["lookup"]
        if not isinstance(lk, LDict) or not {"table", "key", "value", "column"} <= set(lk):
            raise MappingError(
                path, line_of(lk, line), f"{target_table}.{name}: lookup needs table, key, value and column"
            )
        col.lookup = {k: str(lk[k]) for k in ("table", "key", "value", "column")}
    if "map" in spec:
        m = spec["map"]
        if not isinstance(m, LDict):
            raise MappingError(
                path, line_of(m, line), f"{target_table}.{name}: map must be 'source value: landing value' lines"
            )
        col.map = {_scalar_text(k): _scalar_text(v) for k, v in m.items()}
        col.map_line = m.line
        contract_col = table.column(name)
        allowed = set(contract_col.enum or ()) | ({"true", "false"} if contract_col.type == "bool" else set())
        if allowed:
            for k, v in m.items():
                if _scalar_text(v) and _scalar_text(v) not in allowed:
                    raise MappingError(
                        path, m.key_lines[k], f"{target_table}.{name}: {v!r} is not one of {', '.join(sorted(allowed))}"
                    )
    if "others" in spec:
        col.others = str(spec["others"])
        if col.others not in {"reject", "keep"}:
            raise MappingError(path, line, f"{target_table}.{name}: others is 'reject' (default) or 'keep'")
        if col.others == "keep" and table.column(name).enum:
            raise MappingError(path, line, f"{target_table}.{name} is a closed list: unmapped values cannot be kept")
    if "format" in spec:
        col.formats = _text_list(spec["format"], path, f"{target_table}.{name} format")
    if "scale" in spec:
        col.scale = float(spec["scale"])
    if "null_if" in spec:
        col.null_if = {
            _scalar_text(v) for v in (spec["null_if"] if isinstance(spec["null_if"], list) else [spec["null_if"]])
        }
    if "default" in spec:
        col.default = spec["default"]
    col.required = bool(spec.get("required", False))
    col.optional = bool(spec.get("optional", False))
    if "when" in spec:
        col.when = _parse_conditions(spec["when"], path, f"{target_table}.{name} when")
    return col


def _parse_conditions(raw, path: Path, what: str, allow_sequence: bool = False) -> list[Condition]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, LDict):
            raise MappingError(path, line_of(item, line_of(raw)), f"{what}: each condition is a set of options")
        _check_keys(item, CONDITION_KEYS, path, f"{what} condition")
        cond = Condition(line=item.line, reason=str(item["reason"]) if "reason" in item else None)
        if "column" in item:
            cond.column = _text_list(item["column"], path, f"{what} column")
        if "mapped" in item:
            ref = str(item["mapped"])
            if ref.count(".") != 1:
                raise MappingError(path, item.key_lines["mapped"], f"{what}: mapped is 'landing_table.column'")
            t, c = ref.split(".")
            if t not in TABLES_BY_NAME or c not in TABLES_BY_NAME[t].column_names:
                raise MappingError(path, item.key_lines["mapped"], f"{what}: unknown target column {ref!r}")
            cond.mapped = (t, c)
        if "in" in item:
            cond.values_in = {_scalar_text(v) for v in (item["in"] if isinstance(item["in"], list) else [item["in"]])}
        if "not_in" in item:
            vals = item["not_in"] if isinstance(item["not_in"], list) else [item["not_in"]]
            cond.values_not_in = {_scalar_text(v) for v in vals}
        cond.not_empty = bool(item.get("not_empty", False))
        if "matches" in item:
            try:
                cond.matches = re.compile(str(item["matches"]))
            except re.error as error:
                raise MappingError(
                    path, item.key_lines["matches"], f"{what}: matches is not a regular expression ({error})"
                ) from None
        if "first_of" in item:
            if "order" not in item:
                raise MappingError(
                    path, item.line, f"{what}: first_of needs order, e.g. {{first_of: account_id, order: created_date}}"
                )
            if not allow_sequence:
                raise MappingError(path, item.line, f"{what}: first_of is a condition of a mapping's where only")
            cond.first_of, cond.order = str(item["first_of"]), str(item["order"])
        elif "order" in item:
            raise MappingError(path, item.key_lines["order"], f"{what}: order goes with first_of only")
        if "exists" in item and "not_exists" in item:
            raise MappingError(path, item.line, f"{what}: give exists or not_exists, not both")
        if "exists" in item or "not_exists" in item:
            cond.negate = "not_exists" in item
            ex = item["not_exists" if cond.negate else "exists"]
            if not isinstance(ex, LDict) or not {"table", "column", "match"} <= set(ex):
                raise MappingError(path, line_of(ex, item.line), f"{what}: (not_)exists needs table, column and match")
            cond.exists = {k: str(ex[k]) for k in ("table", "column", "match")}
            cond.exists["where"] = _parse_conditions(ex.get("where"), path, f"{what} exists")
        kinds = sum(
            x is not None for x in (cond.values_in, cond.values_not_in, cond.exists, cond.matches, cond.first_of)
        ) + int(cond.not_empty)
        needs_column = cond.exists is None and cond.first_of is None
        if (
            kinds != 1
            or (needs_column and not (cond.column or cond.mapped))
            or (not needs_column and (cond.column or cond.mapped))
        ):
            raise MappingError(
                path,
                item.line,
                f"{what}: a condition is column/mapped with one of in, not_in, not_empty, matches; "
                "or exists / not_exists; or first_of with order",
            )
        out.append(cond)
    return out


def _parse_mapping(target: str, raw, line: int, path: Path, sources: dict[str, Source]) -> TableMapping:
    table = TABLES_BY_NAME[target]
    if not isinstance(raw, LDict):
        raise MappingError(path, line, f"{target}: a mapping has from/columns (or rows)")
    _check_keys(raw, MAPPING_KEYS, path, f"mapping of {target}")
    rows = None
    source = None
    if "rows" in raw:
        if "from" in raw:
            raise MappingError(path, raw.line, f"{target}: give either from (a source table) or rows (fixed rows)")
        if not isinstance(raw["rows"], list) or not all(isinstance(r, LDict) for r in raw["rows"]):
            raise MappingError(
                path, line_of(raw["rows"], raw.line), f"{target}: rows is a list of 'column: value' sets"
            )
        rows = raw["rows"]
        for r in rows:
            for k in r:
                if k not in table.column_names:
                    raise MappingError(path, r.key_lines[k], f"unknown target column {target}.{k}")
    else:
        if "from" not in raw:
            raise MappingError(path, raw.line, f"{target}: the mapping needs 'from' (a source table) or 'rows'")
        source = str(raw["from"])
        if source not in sources:
            raise MappingError(
                path,
                raw.key_lines["from"],
                f"{target}: unknown source table {source!r} (declared: {', '.join(sources)})",
            )
    columns: dict[str, Column] = {}
    raw_cols = raw.get("columns", LDict())
    if rows is None:
        if not isinstance(raw_cols, LDict) or not raw_cols:
            raise MappingError(path, raw.line, f"{target}: 'columns' must map landing columns to source columns")
        for name, spec in raw_cols.items():
            cline = raw_cols.key_lines[name]
            if name not in table.column_names:
                raise MappingError(
                    path,
                    cline,
                    f"unknown target column {target}.{name} (the contract has: {', '.join(table.column_names)})",
                )
            columns[str(name)] = _parse_column(target, str(name), spec, cline, path)
        mapped = set(columns)
    else:
        mapped = set().union(*(set(r) for r in rows)) if rows else set()
    missing = [c.name for c in table.columns if (not c.nullable or c.name in table.key) and c.name not in mapped]
    if missing:
        raise MappingError(path, raw.line, f"{target}: missing required column(s) {', '.join(missing)}")
    key = _text_list(raw["key"], path, f"{target} key") if "key" in raw else [ROW_NUMBER]
    return TableMapping(
        target=target,
        line=raw.line,
        source=source,
        rows=rows,
        key=key,
        where=_parse_conditions(raw.get("where"), path, f"{target} where", allow_sequence=True),
        distinct=bool(raw.get("distinct", False)),
        columns=columns,
    )


def load_mapping(name_or_path: str | Path) -> Mapping:
    path = resolve(str(name_or_path))
    doc = load(path)
    if not isinstance(doc, LDict):
        raise MappingError(path, 1, "a mapping file is a set of options (preset, sources, tables)")
    _check_keys(doc, TOP_KEYS, path, "the mapping file")
    for needed in ("sources", "tables"):
        if needed not in doc:
            raise MappingError(path, 1, f"the mapping file needs '{needed}'")
    encoding = str(doc.get("encoding", "auto"))
    if encoding not in ENCODINGS:
        raise MappingError(
            path, doc.key_lines["encoding"], f"unknown encoding {encoding!r} (use one of {', '.join(ENCODINGS)})"
        )
    headers = str(doc.get("headers", "as_is"))
    if headers not in HEADER_STYLES:
        raise MappingError(path, doc.key_lines["headers"], f"headers is one of {', '.join(HEADER_STYLES)}")
    sources = _parse_sources(doc["sources"], path, encoding, headers)
    raw_tables = doc["tables"]
    if not isinstance(raw_tables, LDict):
        raise MappingError(path, line_of(raw_tables, 1), "'tables' maps landing tables to their mappings")
    tables: list[TableMapping] = []
    for target, raw in raw_tables.items():
        line = raw_tables.key_lines[target]
        if target not in TABLES_BY_NAME:
            raise MappingError(path, line, f"unknown target table {target!r} (see salesperf/contract.py)")
        for item in raw if isinstance(raw, list) else [raw]:
            tables.append(_parse_mapping(str(target), item, line_of(item, line), path, sources))
    missing = [t for t in REQUIRED_TABLES if t not in {m.target for m in tables}]
    if missing:
        raise MappingError(path, doc.key_lines["tables"], f"missing required table(s): {', '.join(missing)}")
    mapping = Mapping(path, str(doc.get("preset", path.stem)), str(doc.get("description", "")), sources, tables)
    _check_references(mapping)
    return mapping


def _check_references(mapping: Mapping) -> None:
    """Lookups, exists and mapped conditions must point at declared tables and mappings."""
    for m in mapping.tables:
        for col in m.columns.values():
            if col.lookup and col.lookup["table"] not in mapping.sources:
                raise mapping.error(
                    col.line, f"{m.target}.{col.target}: lookup table {col.lookup['table']!r} is not a source"
                )
        conds = list(m.where)
        while conds:
            cond = conds.pop()
            if cond.exists:
                if cond.exists["table"] not in mapping.sources:
                    raise mapping.error(cond.line, f"{m.target}: exists table {cond.exists['table']!r} is not a source")
                for inner in cond.exists["where"]:
                    if inner.mapped and not mapping.mapping_for(inner.mapped[0], cond.exists["table"]):
                        raise mapping.error(
                            inner.line, f"{m.target}: no mapping of {cond.exists['table']} into {inner.mapped[0]}"
                        )
                conds.extend(c for c in cond.exists["where"] if c.exists)
            if cond.mapped and m.source and not mapping.mapping_for(cond.mapped[0], m.source):
                raise mapping.error(cond.line, f"{m.target}: no mapping of {m.source} into {cond.mapped[0]}")
