"""The Great Expectations suites of the build gate, as plain data (no GX import here).

Three layers, one batch (a DataFrame exported from DuckDB) per object checked:

- ``landing``: the shape of every landing file: the contract's columns, rows in the required tables,
  keys mostly present (a broken extract, not a few bad rows: those are quarantined).
- ``staging``: what quarantine guarantees on the staged rows: keys unique and present, closed lists,
  ranges, known currencies; and landing = staged + soft-deleted + rejected rows for every table.
- ``reports``: the published ``indicator_values``: no duplicate keys, every value within its
  catalog range (valid_min / valid_max), every catalog (indicator, grain) pair present for every
  period type, and sums that reconcile (grains to the company, months to quarters and years, the
  report to the order-line fact).

Severity (GX's own ``severity``): ``critical`` = the figure would be wrong: the build is not
published; ``warning`` = reported in dq_results and the data docs, the build publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from salesperf.contract import TABLES, Table
from salesperf.quality.freshness import landing_file, landing_reader

CRITICAL = "critical"
WARNING = "warning"
LAYERS = ("landing", "staging", "reports")
PERIOD_TYPES = ("month", "quarter", "year", "fiscal_year")
GRAINS = ("team", "rep", "customer", "product", "company")
# Relative difference two sums may show and still reconcile (double rounding).
RECONCILE_TOLERANCE = 1e-9
# Staging and landing frames larger than this are validated on a deterministic sample (the dbt
# tests check every row; GX documents the shape). indicator_values is always read whole.
DEFAULT_SAMPLE_ROWS = 2_000_000
# The figure the whole product reports first: its reconciliations are critical. The other
# additive indicators (catalog period_aggregation 'sum') are reconciled at warning severity.
HEADLINE_INDICATOR = "sales_amount"
# Grains at which an additive indicator is an allocation, not a sum of events: the reconciliations
# skip them. customer_net_profit at product grain shares each customer's costs among products by
# their part of the customer's gross profit in the period (nothing is allocated when that profit is
# not positive), so products do not add up to the company and months do not add up to quarters.
ALLOCATED_GRAINS: dict[str, tuple[str, ...]] = {"customer_net_profit": ("product",)}
CURRENCY_TABLES = {
    "erp_sales_orders",
    "erp_invoices",
    "erp_payments",
    "erp_contracts",
    "erp_customer_costs",
    "erp_expenses",
    "crm_opportunities",
}


@dataclass(frozen=True)
class RowEquals:
    """A row condition of a Spec (kwarg ``row_condition``): only the rows whose ``column`` equals ``value``.
    The checkpoint turns it into GX's condition object (``Column(column) == value``); GX 1.9 deprecated the
    string conditions of the pandas parser and GX 2.0 removes them. Kept free of GX here: this module is
    imported without it."""

    column: str
    value: Any


@dataclass(frozen=True)
class Spec:
    """One expectation: a GX class name and its arguments, with our id, severity and wording."""

    check_id: str
    expectation: str
    kwargs: dict[str, Any]
    description: str
    severity: str = CRITICAL


@dataclass
class Batch:
    """One DataFrame to validate: where it comes from (SQL on the warehouse or a landing file).

    Its first column is ``row_key`` (the row's key as text): GX names failing rows by it.
    """

    name: str
    layer: str
    object_name: str
    sql: str
    source: str  # "warehouse" | "landing"
    specs: list[Spec] = field(default_factory=list)
    # A SQL condition over the batch's columns that holds for every row that could break one of its
    # expectations (a superset: GX decides), or None. GX then receives only those rows, in the
    # batch's order (one row when none: the row count stays >= 1). Only for batches whose
    # expectations all have mostly = 1: their verdicts, counts and examples depend on failing rows only.
    candidates: str | None = None
    # column -> SQL of a superset of its duplicated values, faster than grouping the batch's text
    duplicates: dict[str, str] = field(default_factory=dict)

    @property
    def suite_name(self) -> str:
        return f"{self.layer}.{self.name}"


def staging_model(table: Table) -> str:
    return f"stg_{table.source}__{table.name.removeprefix(table.source + '_')}"


RENAMES = {("plan_sales_targets", "month"): "target_month", ("market_sizes", "year"): "market_year"}


def staged(table: Table, column: str) -> str:
    return RENAMES.get((table.name, column), column)


def row_key_sql(columns: Iterable[str]) -> str:
    """The key of a row as text, like dq_rejected_rows.row_key: columns joined with '|', ∅ = empty."""
    return " || '|' || ".join(f"coalesce(trim(cast(\"{c}\" as varchar)), '∅')" for c in columns)


def _fmt(value: float) -> str:
    return f"{value:g}"


class Catalog:
    """What the checks need from the warehouse before the batches are built."""

    def __init__(self, con: duckdb.DuckDBPyConnection, base_currency: str) -> None:
        self.con = con
        self.relations = {
            name: f'"{schema}"."{name}"'
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
                " order by table_schema = 'main' desc, table_schema desc"
            ).fetchall()
        }
        self.base_currency = base_currency

    def relation(self, name: str) -> str | None:
        return self.relations.get(name)

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()


# ---------------------------------------------------------------------------------------------
# landing
# ---------------------------------------------------------------------------------------------


def prepared_sources(landing_dir: Path) -> dict[str, str]:
    """Table -> landing file, when ``landing_dir`` holds the preflight's prepared files."""
    from salesperf.landing import read_manifest

    return {name: t["source"] for name, t in read_manifest(landing_dir).items() if t.get("source")}


def landing_batches(con: duckdb.DuckDBPyConnection, landing_dir: Path, sample_rows: int) -> list[Batch]:
    """The shape of each landing file: its header and row count, with the key columns' values only
    (the other columns are kept as empty columns: their names count, their contents are checked
    by the base models, and personal data never leaves the file)."""
    batches = []
    sources = prepared_sources(landing_dir)
    for table in TABLES:
        path = landing_file(landing_dir, table.name)
        if path is None:
            continue
        if table.name in sources:  # a prepared file: name the landing file it was read from
            path = path.with_name(Path(sources[table.name]).name)
            reader = landing_reader(landing_dir / f"{table.name}.parquet")
        else:
            reader = landing_reader(path)
        required_columns = [c.name for c in table.columns if not c.optional]
        present = [row[0] for row in con.execute(f"describe select * from {reader}").fetchall()]
        keys = {k.lower() for k in table.key}
        projections = [
            f'cast("{c}" as varchar) as "{c}"' if c.lower() in keys else f'cast(null as varchar) as "{c}"'
            for c in present
        ]
        sql = f"select {row_key_sql(table.key)} as row_key, {', '.join(projections)} from {reader} limit {sample_rows}"
        specs = [
            Spec(
                f"gx.landing.{table.name}.columns",
                "ExpectTableColumnsToMatchSet",
                {"column_set": required_columns, "exact_match": False},
                f"{path.name} has every column of the landing contract",
            ),
            Spec(
                f"gx.landing.{table.name}.rows",
                "ExpectTableRowCountToBeBetween",
                {"min_value": 1},
                f"{path.name} has rows" + ("" if table.required else " (optional table: empty = no data)"),
                CRITICAL if table.required else WARNING,
            ),
        ]
        for key in table.key:
            specs.append(
                Spec(
                    f"gx.landing.{table.name}.{key}.mostly_present",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": key, "mostly": 0.99},
                    f"{key} is filled in at least 99% of rows (rows without it are quarantined; "
                    "more suggests a broken extract)",
                    WARNING,
                )
            )
        batches.append(Batch(table.name, "landing", path.name, sql, "landing", specs))
    return batches


# ---------------------------------------------------------------------------------------------
# staging
# ---------------------------------------------------------------------------------------------


def staging_batches(catalog: Catalog, sample_rows: int) -> list[Batch]:
    currencies = {catalog.base_currency}
    fx = catalog.relation("stg_erp__fx_rates")
    if fx:
        currencies |= {row[0] for row in catalog.rows(f"select distinct currency from {fx} where currency is not null")}
    batches = []
    for table in TABLES:
        model = staging_model(table)
        relation = catalog.relation(model)
        if relation is None:
            continue
        keys = [staged(table, k) for k in table.key]
        columns = list(
            dict.fromkeys(
                keys
                + [staged(table, c.name) for c in table.columns if c.enum or c.min is not None or c.max is not None]
                + (["currency"] if table.name in CURRENCY_TABLES else [])
            )
        )
        sql = f"select {row_key_sql(keys)} as row_key, {', '.join(columns)} from {relation} limit {sample_rows}"
        specs: list[Spec] = []
        prefix = f"gx.staging.{model}"
        if len(keys) == 1:
            specs.append(
                Spec(
                    f"{prefix}.{keys[0]}.unique",
                    "ExpectColumnValuesToBeUnique",
                    {"column": keys[0]},
                    f"{keys[0]} is unique (duplicates are quarantined)",
                )
            )
        else:
            specs.append(
                Spec(
                    f"{prefix}.key.unique",
                    "ExpectCompoundColumnsToBeUnique",
                    {"column_list": keys},
                    f"({', '.join(keys)}) is unique (duplicates are quarantined)",
                )
            )
        for key in keys:
            specs.append(
                Spec(
                    f"{prefix}.{key}.not_null",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": key},
                    f"{key} is never empty (null keys are quarantined)",
                )
            )
        for column in table.columns:
            name = staged(table, column.name)
            if column.enum:
                values = list(column.enum) if name in ("segment", "currency") else [v.lower() for v in column.enum]
                specs.append(
                    Spec(
                        f"{prefix}.{name}.in_set",
                        "ExpectColumnValuesToBeInSet",
                        {"column": name, "value_set": values},
                        f"{name} is one of {', '.join(values)}",
                    )
                )
            if column.min is not None or column.max is not None:
                bounds = {k: v for k, v in (("min_value", column.min), ("max_value", column.max)) if v is not None}
                low = _fmt(column.min) if column.min is not None else "-∞"
                high = _fmt(column.max) if column.max is not None else "∞"
                specs.append(
                    Spec(
                        f"{prefix}.{name}.range",
                        "ExpectColumnValuesToBeBetween",
                        {"column": name, **bounds},
                        f"{name} within [{low}, {high}]",
                    )
                )
        if table.name in CURRENCY_TABLES:
            specs.append(
                Spec(
                    f"{prefix}.currency.known",
                    "ExpectColumnValuesToBeInSet",
                    {"column": "currency", "value_set": sorted(currencies)},
                    "currency is the base currency or has fx rates",
                )
            )
        batches.append(Batch(model, "staging", model, sql, "warehouse", specs))
    accounting = catalog.relation("dq_row_accounting")
    if accounting:
        batches.append(
            Batch(
                "dq_row_accounting",
                "staging",
                "dq_row_accounting",
                f"select source_table as row_key, source_table, landing_rows, staged_rows, soft_deleted_rows, "
                f"rejected_rows, unaccounted_rows "
                f"from {accounting}",
                "warehouse",
                [
                    Spec(
                        "gx.staging.dq_row_accounting.nothing_lost",
                        "ExpectColumnValuesToBeBetween",
                        {"column": "unaccounted_rows", "min_value": 0, "max_value": 0},
                        "every landing row is staged, soft-deleted or rejected (landing = staged + deleted + rejected)",
                    )
                ],
            )
        )
    return batches


# ---------------------------------------------------------------------------------------------
# reports: indicator_values
# ---------------------------------------------------------------------------------------------


def expected_pairs(catalog_rows: Iterable[tuple]) -> dict[str, set[str]]:
    """indicator_code -> {'grain|period_type'} the catalog promises (grains column + company total)."""
    out: dict[str, set[str]] = {}
    for code, grains, has_company_total in catalog_rows:
        marked = [g for g in str(grains or "").split("|") if g]
        if has_company_total:
            marked.append("company")
        out[code] = {f"{g}|{p}" for g in dict.fromkeys(marked) for p in PERIOD_TYPES}
    return out


def report_batches(catalog: Catalog) -> list[Batch]:
    values = catalog.relation("indicator_values")
    indicator_catalog = catalog.relation("indicator_catalog")
    if values is None or indicator_catalog is None:
        return []
    batches = []
    key = (
        "values.indicator_code || '|' || values.grain || '|' || values.entity_id || '|' || values.period_type"
        " || '|' || cast(values.period_start as varchar)"
    )
    tuple_ = "values.indicator_code, values.grain, values.entity_id, values.period_type, values.period_start"
    # A bound widened by a relative 1e-9: 100.00000000000003 is rounding, not a broken figure.
    slack = "1e-9 * greatest(1, abs({0}))"
    specs = [
        Spec(
            "gx.reports.indicator_values.rows",
            "ExpectTableRowCountToBeBetween",
            {"min_value": 1},
            "indicator_values has rows",
        ),
        Spec(
            "gx.reports.indicator_values.key.unique",
            "ExpectColumnValuesToBeUnique",
            {"column": "row_key"},
            "(indicator_code, grain, entity_id, period_type, period_start) is unique",
        ),
        Spec(
            "gx.reports.indicator_values.grain.in_set",
            "ExpectColumnValuesToBeInSet",
            {"column": "grain", "value_set": list(GRAINS)},
            f"grain is one of {', '.join(GRAINS)}",
        ),
        Spec(
            "gx.reports.indicator_values.period_type.in_set",
            "ExpectColumnValuesToBeInSet",
            {"column": "period_type", "value_set": list(PERIOD_TYPES)},
            f"period_type is one of {', '.join(PERIOD_TYPES)}",
        ),
        Spec(
            "gx.reports.indicator_values.value.at_least_valid_min",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "value",
                "column_B": "valid_min",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "every value is at least the valid_min of its indicator (seed indicator_catalog)",
        ),
        Spec(
            "gx.reports.indicator_values.value.at_most_valid_max",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "valid_max",
                "column_B": "value",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "every value is at most the valid_max of its indicator (seed indicator_catalog)",
        ),
        Spec(
            "gx.reports.indicator_values.value.finite",
            "ExpectColumnValuesToBeInSet",
            {"column": "value_is_finite", "value_set": [1]},
            "no value is NaN or infinite (a range check lets NaN through: it fails every comparison)",
        ),
    ]
    batches.append(
        Batch(
            "indicator_values",
            "reports",
            "indicator_values",
            f"select {key} as row_key, values.grain, values.period_type, values.value, "
            "case when values.value is null or isfinite(values.value) then 1 else 0 end as value_is_finite, "
            f"indicator_catalog.valid_min - {slack.format('indicator_catalog.valid_min')} as valid_min, "
            f"indicator_catalog.valid_max + {slack.format('indicator_catalog.valid_max')} as valid_max "
            f"from {values} as values "
            f"left join {indicator_catalog} as indicator_catalog "
            f"on values.indicator_code = indicator_catalog.indicator_code",
            "warehouse",
            specs,
            # Equal row keys come from equal key columns, or from a '|' inside one of them.
            duplicates={
                "row_key": f"select {key} from {values} as values where "
                + " or ".join(
                    f"contains(values.{c}, '|')" for c in ("indicator_code", "grain", "entity_id", "period_type")
                )
                + f" or hash({tuple_}) in "
                + f"(select hash({tuple_}) from {values} as values group by 1 having count(*) > 1)"
            },
        )
    )

    # every catalog pair the data can give, for every period type
    pair_specs = _pair_specs(catalog, indicator_catalog, values)
    batches.append(
        Batch(
            "indicator_values_pairs",
            "reports",
            "indicator_values",
            f"select distinct indicator_code || '|' || grain || '|' || period_type as row_key, "
            f"indicator_code || '|' || grain || '|' || period_type as pair from {values} "
            f"where value is not null",
            "warehouse",
            pair_specs,
        )
    )

    reconciliation = _reconciliation_sql(catalog)
    if reconciliation:
        sql, checks = reconciliation
        specs = [
            Spec(
                f"gx.reports.reconciliation.{check}",
                "ExpectColumnValuesToBeBetween",
                {
                    "column": "relative_difference",
                    "min_value": 0,
                    "max_value": RECONCILE_TOLERANCE,
                    "row_condition": RowEquals("check", check),
                },
                description,
                severity,
            )
            for check, description, severity in checks
        ]
        batches.append(Batch("reconciliation", "reports", "indicator_values", sql, "warehouse", specs))
    finite = _finite_marts_batch(catalog)
    if finite:
        batches.append(finite)
    return batches


def _pair_specs(catalog: Catalog, indicator_catalog: str, values: str) -> list[Spec]:
    """Every (indicator, grain, period type) the data can give has values (critical); the pairs it
    cannot give (no rows in an input table, a history too short for a comparison: model
    indicator_coverage) are listed at warning severity with the reason."""
    coverage = catalog.relation("indicator_coverage")
    if coverage is None:  # built without the coverage model: the catalog's promise, relaxed by empty tables
        return _pair_specs_without_coverage(catalog, indicator_catalog, values)
    expected = sorted(
        row[0]
        for row in catalog.rows(
            f"select indicator_code || '|' || grain || '|' || period_type from {coverage} where is_expected"
        )
    )
    reasons = catalog.rows(
        f"select not_expected_reason, count(*) from {coverage} where not is_expected group by 1 order by 2 desc, 1"
    )
    specs = [
        Spec(
            "gx.reports.indicator_values.catalog_pairs",
            "ExpectColumnDistinctValuesToContainSet",
            {"column": "pair", "value_set": expected},
            "every (indicator, grain) the catalog marks has values for every period type the data can give "
            "(indicator_coverage.is_expected)",
        )
    ]
    if reasons:
        absent = sorted(
            row[0]
            for row in catalog.rows(
                f"select indicator_code || '|' || grain || '|' || period_type from {coverage} where not is_expected"
            )
        )
        specs.append(
            Spec(
                "gx.reports.indicator_values.catalog_pairs_all",
                "ExpectColumnDistinctValuesToContainSet",
                {"column": "pair", "value_set": expected + absent},
                "pairs the data cannot give are absent, as expected (main.indicator_coverage): "
                + "; ".join(f"{count} × {reason}" for reason, count in reasons[:6]),
                WARNING,
            )
        )
    return specs


def _pair_specs_without_coverage(catalog: Catalog, indicator_catalog: str, values: str) -> list[Spec]:
    promised = expected_pairs(
        catalog.rows(f"select indicator_code, grains, has_company_total from {indicator_catalog}")
    )
    published_codes = {
        row[0] for row in catalog.rows(f"select distinct indicator_code from {values} where value is not null")
    }
    empty_tables = _empty_landing_tables(catalog)
    critical_codes = set(promised) if not empty_tables else published_codes & set(promised)
    critical = sorted(f"{code}|{pair}" for code in critical_codes for pair in promised[code])
    every = sorted(f"{code}|{pair}" for code, pairs in promised.items() for pair in pairs)
    pair_specs = [
        Spec(
            "gx.reports.indicator_values.catalog_pairs",
            "ExpectColumnDistinctValuesToContainSet",
            {"column": "pair", "value_set": critical},
            "every (indicator, grain) the catalog marks has values for every period type"
            + (" (indicators with some values; see the next check for the others)" if empty_tables else ""),
        )
    ]
    if empty_tables:
        pair_specs.append(
            Spec(
                "gx.reports.indicator_values.catalog_pairs_all",
                "ExpectColumnDistinctValuesToContainSet",
                {"column": "pair", "value_set": every},
                "every catalog indicator has values; absent ones are expected while these landing tables are empty: "
                + ", ".join(empty_tables),
                WARNING,
            )
        )
    return pair_specs


def _finite_marts_batch(catalog: Catalog) -> Batch | None:
    """One row per floating-point column of the published marts (schema main): how many of its
    values are NaN or infinite. Every count must be 0: no published figure is ever NaN or ±inf."""
    columns = catalog.rows(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'main' and data_type in ('DOUBLE', 'FLOAT', 'REAL') "
        "order by table_name, column_name"
    )
    if not columns:
        return None
    parts = [
        f"select '{table}.{column}' as row_key, "
        f'count(*) filter (where not isfinite("{column}")) as non_finite_values '
        f'from "main"."{table}"'
        for table, column in columns
    ]
    return Batch(
        "finite_values",
        "reports",
        "main",
        "\nunion all\n".join(parts),
        "warehouse",
        [
            Spec(
                "gx.reports.finite_values.no_nan_or_inf",
                "ExpectColumnValuesToBeBetween",
                {"column": "non_finite_values", "min_value": 0, "max_value": 0},
                "no floating-point column of a published mart holds NaN or an infinite value "
                "(failing rows name table.column)",
            )
        ],
    )


def _empty_landing_tables(catalog: Catalog) -> list[str]:
    accounting = catalog.relation("dq_row_accounting")
    if accounting is None:
        return []
    return [row[0] for row in catalog.rows(f"select source_table from {accounting} where landing_rows = 0 order by 1")]


def _reconciliation_sql(catalog: Catalog) -> tuple[str, list[tuple[str, str, str]]] | None:
    """Rows (check, indicator_code, grain, period_type, period_start, expected, actual, relative_difference)."""
    values = catalog.relation("indicator_values")
    indicator_catalog = catalog.relation("indicator_catalog")
    dates = catalog.relation("dim_dates")
    lines = catalog.relation("fct_order_lines")
    if not (values and indicator_catalog and dates):
        return None
    additive = [
        row[0]
        for row in catalog.rows(
            f"select indicator_code from {indicator_catalog} where period_aggregation = 'sum' order by 1"
        )
    ]
    if not additive:
        return None
    codes = ", ".join(f"'{c}'" for c in additive)

    def compared(alias: str = "") -> str:
        allocated = " or ".join(
            f"({alias}indicator_code = '{code}' and {alias}grain in ({', '.join(repr(g) for g in grains)}))"
            for code, grains in ALLOCATED_GRAINS.items()
        )
        return f"not ({allocated})" if allocated else "true"

    # A sum with an unknown term is not compared: a period's value sums its known events, which the
    # entity or month values reproduce only when none of them is unknown (a customer-month whose only
    # sale has no cost is unknown, while its quarter sums the known costs). The headline indicator has
    # one kind of event and stays compared everywhere.
    checks: list[tuple[str, str, str]] = []
    for code in additive:
        severity = CRITICAL if code == HEADLINE_INDICATOR else WARNING
        checks.append(
            (
                f"grains_to_company.{code}",
                f"{code}: Σ over the entities of each grain = the company value, per period",
                severity,
            )
        )
        checks.append(
            (
                f"months_to_periods.{code}",
                f"{code}: Σ of the months = the quarter, year and fiscal-year value, per entity",
                severity,
            )
        )
    parts = [
        f"""
        select
            'grains_to_company.' || grains.indicator_code as "check",
            grains.indicator_code, grains.grain, 'Σ' as entity_id, grains.period_type, grains.period_start,
            company.value as expected, grains.total as actual
        from (
            select indicator_code, grain, period_type, period_start, sum(value) as total
            from {values}
            where indicator_code in ({codes}) and grain <> 'company' and {compared()}
            group by 1, 2, 3, 4
            having count(value) = count(*) or indicator_code = '{HEADLINE_INDICATOR}'
        ) as grains
        left join {values} as company
            on company.indicator_code = grains.indicator_code
            and company.grain = 'company'
            and company.entity_id = 'company'
            and company.period_type = grains.period_type
            and company.period_start = grains.period_start
        where exists (
            select 1 from {values} as any_company
            where any_company.indicator_code = grains.indicator_code and any_company.grain = 'company'
        )""",
        f"""
        select
            'months_to_periods.' || months.indicator_code as "check",
            months.indicator_code, months.grain, months.entity_id, periods.period_type, periods.period_start,
            periods.value as expected, sum(months.value) as actual
        from {values} as months
        inner join (select distinct month_start, quarter_start, year_start, fiscal_year_start from {dates}) as calendar
            on months.period_start = calendar.month_start
        inner join {values} as periods
            on periods.indicator_code = months.indicator_code
            and periods.grain = months.grain
            and periods.entity_id = months.entity_id
            and periods.period_start = case periods.period_type
                when 'quarter' then calendar.quarter_start
                when 'year' then calendar.year_start
                when 'fiscal_year' then calendar.fiscal_year_start
            end
        where months.period_type = 'month'
            and months.indicator_code in ({codes})
            and {compared("months.")}
            and periods.period_type in ('quarter', 'year', 'fiscal_year')
        group by 1, 2, 3, 4, 5, 6, 7
        having count(months.value) = count(*) or months.indicator_code = '{HEADLINE_INDICATOR}'""",
    ]
    if lines and HEADLINE_INDICATOR in additive:
        checks.append(
            (
                f"report_to_fact.{HEADLINE_INDICATOR}",
                f"{HEADLINE_INDICATOR} of the company per month = Σ net_sales of fct_order_lines ordered that month",
                CRITICAL,
            )
        )
        parts.append(f"""
        select
            'report_to_fact.{HEADLINE_INDICATOR}' as "check",
            '{HEADLINE_INDICATOR}' as indicator_code, 'company' as grain, 'company' as entity_id,
            'month' as period_type,
            facts.month_start as period_start, facts.net_sales as expected, report.value as actual
        from (
            select calendar.month_start, sum(order_lines.net_sales) as net_sales
            from {lines} as order_lines
            inner join {dates} as calendar on calendar.date_day = order_lines.order_date
            group by 1
        ) as facts
        left join {values} as report
            on report.indicator_code = '{HEADLINE_INDICATOR}'
            and report.grain = 'company'
            and report.period_type = 'month'
            and report.period_start = facts.month_start""")
    union = "\n        union all\n".join(parts)
    sql = f"""
    with compared as ({union}
    )
    select
        "check",
        indicator_code || '|' || grain || '|' || entity_id || '|' || period_type || '|'
            || cast(period_start as varchar) as row_key,
        expected, actual,
        case
            when expected is null and actual is null then 0
            when expected is null or actual is null then 1
            -- NaN fails every comparison and GX skips it as missing: a NaN or infinite sum never
            -- reconciles.
            when not isfinite(expected) or not isfinite(actual) then 1
            else abs(expected - actual) / greatest(abs(expected), abs(actual), 1e-9)
        end as relative_difference
    from compared
    """
    return sql, checks


def all_batches(
    warehouse_con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    base_currency: str,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    layers: Iterable[str] = LAYERS,
) -> list[Batch]:
    catalog = Catalog(warehouse_con, base_currency)
    landing_con = duckdb.connect()
    builders: dict[str, Callable[[], list[Batch]]] = {
        "landing": lambda: landing_batches(landing_con, landing_dir, sample_rows),
        "staging": lambda: staging_batches(catalog, sample_rows),
        "reports": lambda: report_batches(catalog),
    }
    batches: list[Batch] = []
    try:
        for layer in layers:
            batches += builders[layer]()
    finally:
        landing_con.close()
    return batches


# ---------------------------------------------------------------------------------------------
# candidate rows: what GX needs to see of a large batch
# ---------------------------------------------------------------------------------------------

# Types whose values pandas compares exactly as DuckDB does (IEEE doubles; integers read as int64 or
# float64): a value is a candidate when the comparison fails. Other numeric types (DECIMAL read as
# Python Decimal, HUGEINT, UBIGINT) compare strictly, so every boundary value is a candidate too.
_IEEE_TYPES = ("DOUBLE", "FLOAT", "REAL", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT")
_EXACT_TYPES = ("BIGINT", "HUGEINT", "UBIGINT", "UHUGEINT")
_FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"cast('{value!r}' as double)"
    return "'" + str(value).replace("'", "''") + "'"


def _bound(value: Any) -> str:
    return str(int(value)) if _integral(value) and not isinstance(value, bool) else _literal(value)


def _integral(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 2**53)


def _bound_check(column: str, column_type: str, low: Any, high: Any, or_equal: bool = True) -> str | None:
    """A condition true for every value GX could find outside [low, high] (NaN included).

    A DECIMAL (a Python Decimal in pandas) compares exactly with an integral bound in both; with
    another bound the comparison is strict, so values equal to it as doubles are candidates too."""
    numeric = column_type in _IEEE_TYPES or column_type in _EXACT_TYPES or column_type.startswith("DECIMAL")
    if not numeric:
        return None
    exact = column_type in _IEEE_TYPES or all(_integral(b) for b in (low, high) if b is not None)
    ge, le = (">=", "<=") if exact and or_equal else (">", "<")
    inside = ([f"{column} {ge} {_bound(low)}"] if low is not None else []) + (
        [f"{column} {le} {_bound(high)}"] if high is not None else []
    )
    nan = f" or isnan({column})" if column_type in _FLOAT_TYPES else ""
    return f"(not ({' and '.join(inside) or 'true'}){nan})"


def candidate_condition(
    con: duckdb.DuckDBPyConnection, sql: str, specs: Iterable[Spec], duplicates: dict[str, str] | None = None
) -> str | None:
    """A SQL condition over the columns of ``sql`` true for every row that could break one of
    ``specs`` (a superset: GX still decides), or None when GX must see every row (an expectation
    with ``mostly`` < 1, or one on all values of a column). GX reports the same verdict, failing
    count and examples on these rows as on the whole batch: a map expectation with mostly = 1 fails
    exactly on its unexpected rows, and every unexpected row is a candidate."""
    types = {name: str(kind).upper() for name, kind, *_ in con.execute(f"describe {sql}").fetchall()}
    parts: list[str] = []
    for spec in specs:
        kwargs = spec.kwargs
        if kwargs.get("mostly", 1) != 1 or kwargs.get("ignore_row_if") not in (None, "either_value_is_missing"):
            return None
        kind = spec.expectation
        column = kwargs.get("column")
        quoted = f'"{column}"' if column else ""
        column_type = types.get(column or "", "")
        if kind == "ExpectTableColumnsToMatchSet":
            continue
        if kind == "ExpectTableRowCountToBeBetween":
            if kwargs.get("max_value") is not None or (kwargs.get("min_value") or 0) > 1:
                return None
            continue  # the export keeps one row of a non-empty batch
        if kind == "ExpectColumnValuesToBeUnique" and column in (duplicates or {}):
            parts.append(f"{quoted} in ({(duplicates or {})[column]})")
        elif kind == "ExpectColumnValuesToBeUnique":
            parts.append(f"{quoted} in (select {quoted} from ({sql}) group by 1 having count(*) > 1)")
        elif kind == "ExpectCompoundColumnsToBeUnique":
            # row_key is built from the key columns: equal keys give equal row keys (a superset).
            if "row_key" not in types:
                return None
            parts.append('"row_key" in (select "row_key" from (' + sql + ") group by 1 having count(*) > 1)")
        elif kind == "ExpectColumnValuesToNotBeNull":
            parts.append(f"{quoted} is null" + (f" or isnan({quoted})" if column_type in _FLOAT_TYPES else ""))
        elif kind == "ExpectColumnValuesToBeInSet":
            values = list(kwargs["value_set"])
            strings = column_type == "VARCHAR" and all(isinstance(v, str) for v in values)
            integers = column_type in _IEEE_TYPES + _EXACT_TYPES and all(
                isinstance(v, int) and not isinstance(v, bool) for v in values
            )
            if strings or integers:
                parts.append(f"{quoted} not in ({', '.join(_literal(v) for v in values)})")
            else:
                parts.append(f"{quoted} is not null")
        elif kind == "ExpectColumnValuesToBeBetween":
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            if kwargs.get("strict_min") or kwargs.get("strict_max"):
                return None
            check = _bound_check(quoted, column_type, low, high)
            parts.append(check or f"{quoted} is not null")
        elif kind == "ExpectColumnPairValuesAToBeGreaterThanB":
            a, b = f'"{kwargs["column_A"]}"', f'"{kwargs["column_B"]}"'
            type_a, type_b = types.get(kwargs["column_A"], ""), types.get(kwargs["column_B"], "")
            if not (type_a in _IEEE_TYPES and type_b in _IEEE_TYPES):
                parts.append("true")
                continue
            op = ">=" if kwargs.get("or_equal") else ">"
            floats = type_a in _FLOAT_TYPES or type_b in _FLOAT_TYPES
            nan = f" or isnan({a}) or isnan({b})" if floats else ""
            parts.append(f"not ({a} {op} {b}){nan}")
        else:
            return None
    return " or ".join(f"({p})" for p in parts) if parts else "false"
