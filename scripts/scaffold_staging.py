"""Write the dbt sources YAML, staging models and staging YAML from salesperf.contract.

A one-time scaffold (rerun after a contract change, then review the diff): the files it writes
are ordinary, hand-editable dbt files. tests/test_contract_sync.py checks they still match the
contract.

    python scripts/scaffold_staging.py
"""

from __future__ import annotations

from pathlib import Path

from salesperf.contract import TABLES, TABLES_BY_NAME, Table

ROOT = Path(__file__).resolve().parents[1]
STAGING = ROOT / "models" / "staging"

SOURCE_DESCRIPTIONS = {
    "crm": "CRM extracts: teams, reps, accounts, pipeline, activities, service and surveys.",
    "erp": "ERP extracts: products, orders, invoices, payments, contracts, deliveries, costs, fx.",
    "plan": "Sales-operations planning: monthly targets and market sizes.",
    "hr": "HR and enablement: skills, trainings, knowledge sharing, collaboration, compliance.",
}
CAST = {
    "id": "stg_id",
    "text": "stg_text",
    "enum": "stg_enum",
    "date": "stg_date",
    "timestamp": "stg_timestamp",
    "bool": "stg_bool",
    "int": "stg_int",
    "money": "stg_money",
    "number": "stg_number",
}
DATA_TYPE = {
    "id": "varchar",
    "text": "varchar",
    "enum": "varchar",
    "date": "date",
    "timestamp": "timestamp",
    "bool": "boolean",
    "int": "bigint",
    "money": "decimal(18,4)",
    "number": "double",
}
RENAMES = {("plan_sales_targets", "month"): "target_month", ("market_sizes", "year"): "market_year"}
# Upper-cased codes rather than lower-cased enums.
UPPER_CODES = {"segment", "currency"}


def model_name(table: Table) -> str:
    entity = table.name.removeprefix(f"{table.source}_")
    return f"stg_{table.source}__{entity}"


def staged_name(table: Table, column: str) -> str:
    return RENAMES.get((table.name, column), column)


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sources_yaml(source: str, tables: list[Table]) -> str:
    fmt = "{{ var('landing_format') }}"
    reader = "{{ 'read_csv' if var('landing_format') == 'csv' else 'read_parquet' }}"
    lines = [
        "version: 2",
        "",
        "sources:",
        f"  - name: {source}",
        f"    description: {q(SOURCE_DESCRIPTIONS[source])}",
        "    config:",
        "      meta:",
        "        # dbt-duckdb external source: `source()` reads the landing file directly.",
        "        # Staging reads through the landing_source macro, which also accepts the other format.",
        f"        external_location: \"{reader}('{{{{ var('landing_dir') }}}}/{{name}}.{fmt}')\"",
        "    tables:",
    ]
    for t in tables:
        lines += [f"      - name: {t.name}", f"        description: {q(t.description + ' Grain: ' + t.grain + '.')}"]
        meta = [f"          required: {'true' if t.required else 'false'}", f"          primary_key: [{', '.join(t.key)}]"]
        lines += ["        config:", "          meta:"]
        lines += ["  " + m for m in meta]
        if t.event_time:
            lines += [
                f"          loaded_at_field: \"cast({t.event_time} as timestamp)\"",
                "          freshness:",
                "            warn_after: {count: 2, period: day}",
                "            error_after: {count: 7, period: day}",
            ]
        lines.append("        columns:")
        for c in t.columns:
            desc = c.description
            if c.enum:
                desc += " One of: " + ", ".join(c.enum) + "."
            if not c.nullable:
                desc += " Never empty."
            lines += [f"          - name: {c.name}", f"            description: {q(desc)}"]
            meta = {"contract_type": c.type}
            if c.optional:
                meta["optional"] = "true"
            if c.pii:
                meta["pii"] = "true"
            lines += ["            config:", "              meta: {" + ", ".join(f"{k}: {v}" for k, v in meta.items()) + "}"]
    return "\n".join(lines) + "\n"


# Master tables whose soft-deleted rows are still referenced by counted events (the orders of a
# soft-deleted account still count): staged once more, deleted rows only, so dims keep them.
DELETED_COMPANIONS = ("crm_regions", "crm_teams", "crm_sales_reps", "crm_accounts")


def staging_sql(t: Table, deleted: bool = False) -> str:
    cols = []
    for c in t.columns:
        if c.name == "is_deleted":
            continue
        macro = CAST[c.type]
        if c.name in UPPER_CODES:
            macro = "stg_code"
        cols.append(f"        {{{{ {macro}('{c.name}') }}}} as {staged_name(t, c.name)}")
    body = ",\n".join(cols)
    where = "\n    where not coalesce({{ stg_bool('is_deleted') }}, false)" if t.soft_delete else ""
    if deleted:
        where = "\n    where coalesce({{ stg_bool('is_deleted') }}, false)"
    return (
        f"with source as (\n\n    select * from {{{{ landing_source('{t.source}', '{t.name}') }}}}\n\n),\n\n"
        f"renamed as (\n\n    select\n{body}\n    from source{where}\n\n)\n\n"
        f"select * from renamed\n"
    )


def models_yaml(tables: list[Table]) -> str:
    lines = ["version: 2", "", "models:"]
    for t in tables:
        desc = f"{t.description} One row per {t.grain}, typed and trimmed"
        desc += "; soft-deleted rows removed." if t.soft_delete else "."
        lines += [f"  - name: {model_name(t)}", f"    description: {q(desc)}"]
        if len(t.key) > 1:
            lines += [
                "    data_tests:",
                "      - unique_combination_of_columns:",
                "          arguments:",
                f"            combination_of_columns: [{', '.join(staged_name(t, k) for k in t.key)}]",
            ]
        lines.append("    columns:")
        for c in t.columns:
            if c.name == "is_deleted":
                continue
            name = staged_name(t, c.name)
            lines += [
                f"      - name: {name}",
                f"        description: {q(c.description)}",
                f"        data_type: {DATA_TYPE[c.type]}",
            ]
            tests = []
            if len(t.key) == 1 and c.name == t.key[0]:
                tests += ["          - unique", "          - not_null"]
            elif not c.nullable:
                tests += ["          - not_null"]
            if c.enum:
                values = ", ".join(q(v) for v in c.enum)
                tests += ["          - accepted_values:", "              arguments:", f"                values: [{values}]"]
            if c.references:
                rt, rc = c.references.split(".")
                target = TABLES_BY_NAME[rt]
                tests += [
                    "          - relationships:",
                    "              arguments:",
                    f"                to: ref('{model_name(target)}')",
                    f"                field: {staged_name(target, rc)}",
                ]
                if target.soft_delete:
                    # A reference to a soft-deleted row is no orphan: check against every landing row.
                    tests[-5:] = [
                        "          - references_landing_row:",
                        "              arguments:",
                        f"                source_name: {target.source}",
                        f"                table_name: {target.name}",
                        f"                field: {rc}",
                    ]
            if tests:
                lines.append("        data_tests:")
                lines += tests
    for t in tables:
        if t.name in DELETED_COMPANIONS:
            lines += [
                f"  - name: {model_name(t)}_deleted",
                f"    description: {q('The soft-deleted rows of ' + t.name + ', staged like ' + model_name(t) + '. Counted events may still reference them; dims keep them with is_deleted.')}",
                "    columns:",
                f"      - name: {staged_name(t, t.key[0])}",
                "        data_tests: [unique, not_null]",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    for source in SOURCE_DESCRIPTIONS:
        tables = [t for t in TABLES if t.source == source]
        folder = STAGING / source
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"_{source}__sources.yml").write_text(sources_yaml(source, tables), encoding="utf-8")
        (folder / f"_{source}__models.yml").write_text(models_yaml(tables), encoding="utf-8")
        for t in tables:
            (folder / f"{model_name(t)}.sql").write_text(staging_sql(t), encoding="utf-8")
            if t.name in DELETED_COMPANIONS:
                (folder / f"{model_name(t)}_deleted.sql").write_text(staging_sql(t, deleted=True), encoding="utf-8")
        print(f"{source}: {len(tables)} tables")


if __name__ == "__main__":
    main()
