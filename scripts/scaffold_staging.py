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
    # env_var, not var: a var whose value is itself Jinja (landing_dir) is not rendered again in
    # YAML, and dbt-duckdb's str.format of {name} would then mangle the braces (dbt source freshness).
    fmt = "{{ env_var('SALESPERF_LANDING_FORMAT', 'parquet') }}"
    reader = "{{ 'read_csv' if env_var('SALESPERF_LANDING_FORMAT', 'parquet') == 'csv' else 'read_parquet' }}"
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
        f"        external_location: \"{reader}('{{{{ env_var('SALESPERF_LANDING_DIR', 'data/landing') }}}}/{{name}}.{fmt}')\"",
        "    tables:",
    ]
    for t in tables:
        lines += [f"      - name: {t.name}", f"        description: {q(t.description + ' Grain: ' + t.grain + '.')}"]
        meta = [
            f"          required: {'true' if t.required else 'false'}",
            f"          primary_key: [{', '.join(t.key)}]",
        ]
        lines += ["        config:", "          meta:"]
        lines += ["  " + m for m in meta]
        if t.name in FRESHNESS:
            column, warn, error, why = FRESHNESS[t.name]
            loaded_at = freshness_expr(t, column)
            lines += [
                f"          # Freshness: {why}",
                f"          loaded_at_field: {q(loaded_at)}",
                "          freshness:",
                f"            warn_after: {{count: {warn}, period: day}}",
                f"            error_after: {{count: {error}, period: day}}",
            ]
            if t.name not in FUTURE_ALLOWED:
                # A far-future typo (2099) must not make a stale extract look fresh.
                lines.append(f"            filter: {q(loaded_at + ' <= cast(now() as timestamp)')}")
        elif t.name in NO_FRESHNESS:
            lines += [f"          # No freshness: {NO_FRESHNESS[t.name]}", "          freshness: null"]
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
            lines += [
                "            config:",
                "              meta: {" + ", ".join(f"{k}: {v}" for k, v in meta.items()) + "}",
            ]
    return "\n".join(lines) + "\n"


# Source freshness: (column, warn after days, error after days, why). `dbt source freshness` and
# the build's data-quality summary (salesperf.quality.freshness) both read these thresholds from
# the sources YAML. Master tables (regions, teams, reps, accounts, contacts, products) do not age
# and have none.
DAILY = "a daily operational extract: a long weekend is normal, a week without rows is not."
FRESHNESS: dict[str, tuple[str, int, int, str]] = {
    "erp_sales_orders": ("order_date", 3, 7, DAILY),
    "erp_invoices": ("invoice_date", 3, 7, DAILY),
    "erp_payments": ("payment_date", 3, 7, DAILY),
    "erp_customer_costs": ("cost_date", 3, 7, DAILY),
    "erp_expenses": ("expense_date", 3, 7, DAILY),
    "erp_deliveries": (
        "delivered_date",
        7,
        14,
        "actual deliveries (promised dates lie in the future); a week without one is unusual.",
    ),
    "erp_contracts": ("signed_at", 7, 30, "contracts are signed every few days."),
    "fx_rates": ("rate_date", 4, 10, "rates are published on business days."),
    "crm_activities": ("activity_at", 3, 7, DAILY),
    "crm_follow_up_tasks": ("triggered_at", 3, 7, DAILY),
    "crm_opportunities": ("created_at", 3, 7, DAILY),
    "crm_leads": ("created_at", 7, 21, "leads arrive every few days."),
    "crm_service_tickets": ("opened_at", 7, 21, "tickets arrive every few days."),
    "crm_surveys": ("surveyed_at", 7, 21, "survey responses arrive every few days."),
    "crm_referrals": ("referred_at", 14, 45, "referrals are sparse (weeks apart)."),
    "plan_sales_targets": (
        "month",
        35,
        95,
        "monthly plans: the current month's targets are late after 35 days, a quarter without plans is an error.",
    ),
    "market_sizes": ("year", 400, 800, "yearly market sizes: last year's figure is due within weeks of the new year."),
    "hr_skill_assessments": ("assessed_at", 60, 120, "assessment cycles run every few weeks."),
    "hr_trainings": ("started_at", 14, 45, "trainings start every week."),
    "hr_knowledge_contributions": ("contributed_at", 30, 90, "contributions are sparse (weeks apart)."),
    "hr_insight_reports": ("submitted_at", 30, 90, "insight reports are sparse (weeks apart)."),
    "hr_collaboration_surveys": ("surveyed_at", 120, 200, "the internal survey runs quarterly."),
    "hr_cross_dept_requests": ("requested_at", 14, 45, "requests arrive every week."),
    "hr_compliance_checks": ("checked_at", 14, 45, "audit checks run every week."),
}
# Tables whose freshness column may legitimately lie in the future (plans are set ahead).
FUTURE_ALLOWED = {"plan_sales_targets", "market_sizes"}
# Tables without a freshness check, each with the reason (stated as `freshness: null` in the YAML).
MASTER = "a master table: rows change rarely, so its newest date says nothing about the extract's age."
NO_FRESHNESS: dict[str, str] = {
    "crm_regions": MASTER,
    "crm_teams": MASTER,
    "crm_sales_reps": MASTER,
    "crm_accounts": MASTER,
    "crm_contacts": MASTER,
    "erp_products": MASTER,
    "crm_rep_team_assignments": "a validity history: a new interval starts only when a rep changes team (months apart).",
    "crm_account_owner_history": "a validity history: a new interval starts only when an owner changes (months apart).",
    "crm_opportunity_contacts": "a link table without a date; the freshness of crm_opportunities covers its extract.",
    "erp_sales_order_lines": "lines carry no date; the freshness of erp_sales_orders (same extract) covers them.",
}
# The column whose date after the as-of date makes a row a future-dated typo (rule future_date),
# when it is not the table's event_time: a delivery is promised ahead, but delivered in the past.
FUTURE_DATE_COLUMN = {"erp_deliveries": "delivered_date"}


def freshness_expr(t: Table, column: str) -> str:
    """The loaded_at_field of a table: its freshness column as a timestamp, whatever the file type."""
    if t.column(column).type == "int":  # a year
        return f"cast(make_date(try_cast({column} as integer), 1, 1) as timestamp)"
    return f"try_cast({column} as timestamp)"


# Master tables whose soft-deleted rows are still referenced by counted events (the orders of a
# soft-deleted account still count): staged once more, deleted rows only, so dims keep them.
DELETED_COMPANIONS = ("crm_regions", "crm_teams", "crm_sales_reps", "crm_accounts")


# References whose absence or rejection makes a row unusable: quarantined, not just tested.
QUARANTINE_REFERENCES = {
    ("erp_sales_orders", "customer_id"),
    ("erp_sales_orders", "rep_id"),
    ("erp_sales_order_lines", "order_id"),
    ("erp_sales_order_lines", "product_id"),
    ("erp_invoices", "order_id"),
    ("erp_payments", "invoice_id"),
    ("erp_deliveries", "order_id"),
    # A return's original order (same table): it must exist and be usable; a return dated
    # before its original order is impossible_date.
    ("erp_sales_orders", "original_order_id"),
}
# Money tables whose currency must have a rate (or be the base currency).
CURRENCY_CHECKED = {
    "erp_sales_orders",
    "erp_invoices",
    "erp_payments",
    "erp_contracts",
    "erp_customer_costs",
    "erp_expenses",
    "crm_opportunities",
}
CLEAR_PII = {"customer_name", "rep_name"}
NUMBER_TYPES = {"int", "money", "number"}
# Rules across the columns of one row: (condition on the landing row, rule).
ROW_CHECKS: dict[str, list[tuple[str, str]]] = {
    "erp_sales_order_lines": [
        # A discount larger than the line's gross amount would make net sales negative
        # (half a cent of tolerance for rounding).
        (
            "coalesce({{ stg_number('source.discount_amount') }}, 0)"
            " > {{ stg_number('source.quantity') }} * {{ stg_number('source.unit_price') }} + 0.005",
            "out_of_range",
        ),
    ],
}
UNPARSEABLE = {
    "date": "unparseable_date",
    "timestamp": "unparseable_timestamp",
    "bool": "unparseable_boolean",
    "int": "unparseable_number",
    "money": "unparseable_number",
    "number": "unparseable_number",
}


def base_name(t: Table) -> str:
    return "base_" + model_name(t).removeprefix("stg_")


def cast_expr(t: Table, c, prefix: str = "") -> str:
    macro = "stg_code" if c.name in UPPER_CODES else CAST[c.type]
    expr = f"{{{{ {macro}('{prefix}{c.name}') }}}}"
    if c.default is not None:
        # An empty cell stands for the column's default (order_type: empty = sale).
        expr = f"coalesce({expr}, '{c.default}')"
    return expr


def number_expr(c, prefix: str = "") -> str:
    """The value as a finite double, for the rules of every number type (int, money, number):
    a value is checked against its bounds before it is cast to its storage type, so 1e300 in a
    money column is out_of_range, not unparseable."""
    return f"{{{{ stg_number('{prefix}{c.name}') }}}}"


def present(c, prefix: str = "source.") -> str:
    """The cell holds something other than whitespace."""
    return f"{{{{ stg_trim('{prefix}{c if isinstance(c, str) else c.name}') }}}} is not null"


def empty(c, prefix: str = "source.") -> str:
    return f"{{{{ stg_trim('{prefix}{c if isinstance(c, str) else c.name}') }}}} is null"


def base_sql(t: Table) -> str:
    """Every landing row, typed, with the first data-quality rule it breaks (NULL = valid)."""
    cols = [c for c in t.columns if c.name != "is_deleted"]
    # Personal data (emails, phones, contact names) never lands in the warehouse in clear:
    # hashed here, in staging and in the raw rows kept for rejected rows. Customer names stay
    # (a B2B name is a company's; dims mask B2C names).
    hashed = [c.name for c in cols if c.pii and c.name not in CLEAR_PII]
    typed = [
        f"        {{{{ pii_hash('source.{c.name}') }}}} as {staged_name(t, c.name)}"
        if c.name in hashed
        else f"        {cast_expr(t, c, 'source.')} as {staged_name(t, c.name)}"
        for c in cols
    ]
    if t.soft_delete:
        typed.append("        coalesce({{ stg_bool('source.is_deleted') }}, false) as is_deleted")
    else:
        typed.append("        false as is_deleted")
    typed.append(f"        {{{{ dq_row_key([{', '.join(repr('source.' + k) for k in t.key)}]) }}}} as dq_row_key")
    typed.append(f"        {{{{ dq_raw_row({[c.name for c in t.columns]!r}, {hashed!r}) }}}} as dq_raw_row")
    rules, joins, ctes = [], [], []
    # Empty text breaks null_key / missing_required_value; a value that is there but does not parse
    # (2024-02-30 in a required date) is reported as unparseable, the more precise reason.
    for k in t.key:
        rules.append(f"            when {empty(k)} then 'null_key'")
    for c in cols:
        if not c.nullable and c.name not in t.key:
            rules.append(f"            when {empty(c)} then 'missing_required_value'")
    for c in cols:
        if c.type in NUMBER_TYPES:
            # Not in the number grammar, or not finite (NaN, inf, 1e400).
            rules.append(
                f"            when {present(c)} and {number_expr(c, 'source.')} is null then 'unparseable_number'"
            )
            if c.type == "int":
                rules.append(
                    f"            when {number_expr(c, 'source.')} <> trunc({number_expr(c, 'source.')})"
                    " then 'unparseable_number'"
                )
        elif c.type in UNPARSEABLE:
            rules.append(
                f"            when {present(c)} and {cast_expr(t, c, 'source.')} is null then '{UNPARSEABLE[c.type]}'"
            )
    if t.soft_delete:
        # `deleted`, `maybe` in is_deleted: neither live nor deleted; an empty cell is "not deleted".
        rules.append(
            "            when {{ stg_trim('source.is_deleted') }} is not null"
            " and {{ stg_bool('source.is_deleted') }} is null then 'unparseable_boolean'"
        )
    for c in cols:
        if c.enum:
            values = (
                ", ".join("'" + v.lower() + "'" for v in c.enum)
                if c.name not in UPPER_CODES
                else ", ".join("'" + v + "'" for v in c.enum)
            )
            rules.append(f"            when {cast_expr(t, c, 'source.')} not in ({values}) then 'unknown_value'")
    for c in cols:
        value = number_expr(c, "source.") if c.type in NUMBER_TYPES else cast_expr(t, c, "source.")
        bounds = []
        if c.min is not None:
            bounds.append(f"{value} < {c.min:g}")
        if c.max is not None:
            bounds.append(f"{value} > {c.max:g}")
        if bounds:
            rules.append(f"            when {' or '.join(bounds)} then 'out_of_range'")
    for condition, rule in ROW_CHECKS.get(t.name, ()):
        rules.append(f"            when {condition} then '{rule}'")
    if t.name in CURRENCY_CHECKED:
        ctes.append(
            "known_currencies as (\n\n    select distinct currency from {{ ref('base_erp__fx_rates') }}\n"
            "    where currency is not null and dq_rule is null\n    union\n"
            "    select '{{ var(\"base_currency\") }}' as currency\n\n)"
        )
        joins.append(
            "    left join known_currencies\n        on {{ stg_code('source.currency') }} = known_currencies.currency"
        )
        rules.append(
            "            when {{ stg_code('source.currency') }} is not null and known_currencies.currency is null then 'unknown_currency'"
        )
    for c in cols:
        if (t.name, c.name) in QUARANTINE_REFERENCES and not c.references.startswith(t.name + "."):
            rt, rc = c.references.split(".")
            target = TABLES_BY_NAME[rt]
            alias = f"known_{c.name.removesuffix('_id')}s"
            extra = ""
            if rt == "erp_sales_orders":
                # A future-dated order is quarantined in staging: its rows are unusable too.
                extra = "\n        and parent.order_date <= (select as_of_date from {{ ref('int_as_of_date') }})"
            ctes.append(
                f"{alias} as (\n\n    select\n        parent.{staged_name(target, rc)} as key_value,\n"
                f"        max(case when parent.dq_rule is null{extra} then 1 else 0 end) as is_usable\n"
                f"    from {{{{ ref('{base_name(target)}') }}}} as parent\n    where parent.{staged_name(target, rc)} is not null\n"
                f"    group by 1\n\n)"
            )
            joins.append(f"    left join {alias}\n        on {cast_expr(t, c, 'source.')} = {alias}.key_value")
            rules.append(f"            when {alias}.key_value is null then 'unknown_reference'")
            rules.append(f"            when {alias}.is_usable = 0 then 'reference_rejected'")
    if t.name == "erp_deliveries":
        ctes.append(
            "order_dates as (\n\n    select order_id, min(order_date) as order_date\n"
            "    from {{ ref('base_erp__sales_orders') }}\n    group by 1\n\n)"
        )
        joins.append("    left join order_dates\n        on {{ stg_id('source.order_id') }} = order_dates.order_id")
        rules.append(
            "            when {{ stg_date('source.delivered_date') }} < order_dates.order_date then 'impossible_date'"
        )
    if t.name == "erp_payments":
        # A payment dated before its invoice (a source quirk) would give negative collection days.
        ctes.append(
            "invoice_dates as (\n\n    select invoice_id, min(invoice_date) as invoice_date\n"
            "    from {{ ref('base_erp__invoices') }}\n    where dq_rule is null\n    group by 1\n\n)"
        )
        joins.append(
            "    left join invoice_dates\n        on {{ stg_id('source.invoice_id') }} = invoice_dates.invoice_id"
        )
        rules.append(
            "            when {{ stg_date('source.payment_date') }} < invoice_dates.invoice_date then 'payment_before_invoice'"
        )
    if t.event_time and t.name != "erp_sales_orders":
        ev = t.column(FUTURE_DATE_COLUMN.get(t.name, t.event_time))
        joins.append("    cross join {{ ref('int_as_of_date') }} as as_of")
        rules.append(
            f"            when cast({cast_expr(t, ev, 'source.')} as date) > as_of.as_of_date then 'future_date'"
        )
    typed.append("        case\n" + "\n".join(rules) + "\n        end as row_rule")
    key_cols = ", ".join(staged_name(t, k) for k in t.key)
    ctes_sql = "".join(c + ",\n\n" for c in ctes)
    checked_from = "typed"
    extra_cte = ""
    if t.name == "erp_payments":
        extra_cte = (
            "invoices as (\n\n    select invoice_id, min(amount) as invoice_amount\n"
            "    from {{ ref('base_erp__invoices') }}\n    where dq_rule is null\n    group by 1\n\n),\n\n"
            "with_running_total as (\n\n    select\n        typed.*,\n"
            "        sum(case when typed.row_rule is null then typed.amount else 0 end) over (\n"
            "            partition by typed.invoice_id order by typed.payment_date, typed.payment_id\n"
            "            rows between unbounded preceding and current row\n        ) as paid_to_date,\n"
            "        invoices.invoice_amount\n    from typed\n    left join invoices\n"
            "        on typed.invoice_id = invoices.invoice_id\n\n),\n\n"
            "payment_checked as (\n\n    select\n        with_running_total.* exclude (paid_to_date, invoice_amount, row_rule),\n"
            "        case\n            when row_rule is not null then row_rule\n"
            "            when paid_to_date > invoice_amount + 0.005 then 'payment_exceeds_invoice'\n"
            "        end as row_rule\n    from with_running_total\n\n),\n\n"
        )
        checked_from = "payment_checked"
    self_refs = [c for c in cols if (t.name, c.name) in QUARANTINE_REFERENCES and c.references.startswith(t.name + ".")]
    for c in self_refs:
        # A reference to a row of the same table (a return's original order): checked once every
        # row has its own rules, against the rows of this model.
        rc = c.references.split(".")[1]
        date_col = t.event_time
        extra_cte += (
            f"self_references as (\n\n    select\n        {rc} as key_value,\n"
            f"        min({date_col}) as {date_col},\n"
            "        max(case when row_rule is null then 1 else 0 end) as is_usable\n"
            f"    from {checked_from}\n    where {rc} is not null\n    group by 1\n\n),\n\n"
            f"{c.name}_checked as (\n\n    select\n        {checked_from}.* exclude (row_rule),\n"
            f"        case\n            when {checked_from}.row_rule is not null then {checked_from}.row_rule\n"
            f"            when {checked_from}.{c.name} is not null and self_references.key_value is null then 'unknown_reference'\n"
            "            when self_references.is_usable = 0 then 'reference_rejected'\n"
            f"            when {checked_from}.{date_col} < self_references.{date_col} then 'impossible_date'\n"
            f"        end as row_rule\n    from {checked_from}\n    left join self_references\n"
            f"        on {checked_from}.{c.name} = self_references.key_value\n\n),\n\n"
        )
        checked_from = f"{c.name}_checked"
    header = (
        f"{{#- Every landing row of {t.name}, typed, with the first data-quality rule it breaks\n"
        f"    (dq_rule NULL = valid). {model_name(t)} keeps the valid rows; dq_rejected_rows the others.\n"
        f"    Generated by scripts/scaffold_staging.py from salesperf/contract.py. -#}}\n"
    )
    return (
        header
        + f"with source as (\n\n    select * from {{{{ landing_source('{t.source}', '{t.name}') }}}}\n\n),\n\n"
        + ctes_sql
        + "typed as (\n\n    select\n"
        + ",\n".join(typed)
        + "\n    from source\n"
        + "\n".join(joins)
        + ("\n" if joins else "")
        + "\n),\n\n"
        + extra_cte
        + f"key_counts as (\n\n    select\n        {key_cols},\n        count(distinct dq_raw_row) as key_variants\n"
        f"    from {checked_from}\n    where row_rule is null\n    group by {', '.join(str(i + 1) for i in range(len(t.key)))}\n\n),\n\n"
        f"ranked as (\n\n    select\n        {checked_from}.*,\n        row_number() over (\n"
        f"            partition by {', '.join(checked_from + '.' + staged_name(t, k) for k in t.key)}, {checked_from}.row_rule is null\n"
        f"            order by {checked_from}.dq_raw_row\n        ) as key_rank\n    from {checked_from}\n\n),\n\n"
        "final as (\n\n    select\n        "
        + ",\n        ".join(f"ranked.{staged_name(t, c.name)}" for c in cols)
        + ",\n        ranked.is_deleted,\n        ranked.dq_row_key,\n        ranked.dq_raw_row,\n"
        "        case\n            when ranked.row_rule is not null then ranked.row_rule\n"
        "            when key_counts.key_variants > 1 then 'duplicate_conflicting'\n"
        "            when ranked.key_rank > 1 then 'duplicate_exact'\n        end as dq_rule\n"
        "    from ranked\n    left join key_counts\n        on "
        + "\n        and ".join(f"ranked.{staged_name(t, k)} = key_counts.{staged_name(t, k)}" for k in t.key)
        + "\n\n)\n\nselect * from final\n"
    )


def staging_sql(t: Table, deleted: bool = False) -> str:
    cols = ",\n".join(f"        {staged_name(t, c.name)}" for c in t.columns if c.name != "is_deleted")
    where = "dq_rule is null and is_deleted" if deleted else "dq_rule is null and not is_deleted"
    future = ""
    if t.name == "erp_sales_orders" and not deleted:
        future = "\n        and order_date <= (select as_of_date from {{ ref('int_as_of_date') }})"
    kind = "soft-deleted rows" if deleted else "valid rows that are not soft-deleted"
    return (
        f"{{#- The {kind} of {t.name} (rules and casts: {base_name(t)}). -#}}\n"
        f"with base as (\n\n    select * from {{{{ ref('{base_name(t)}') }}}}\n\n),\n\n"
        f"valid as (\n\n    select\n{cols}\n    from base\n    where {where}{future}\n\n)\n\n"
        f"select * from valid\n"
    )


def orphan_description(t: Table, c, target: Table) -> str:
    return (
        f"warn: a {c.name} that is not in {target.name} leaves the {t.grain} in every figure that "
        f"does not need the {target.grain}; only its breakdown by {target.grain} is missing."
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
                tests += [
                    "          - accepted_values:",
                    "              arguments:",
                    f"                values: [{values}]",
                ]
            if c.references:
                rt, rc = c.references.split(".")
                target = TABLES_BY_NAME[rt]
                if target.soft_delete:
                    # A reference to a soft-deleted row is no orphan: check against every landing row.
                    block = [
                        "          - references_landing_row:",
                        "              arguments:",
                        f"                source_name: {target.source}",
                        f"                table_name: {target.name}",
                        f"                field: {rc}",
                    ]
                else:
                    block = [
                        "          - relationships:",
                        "              arguments:",
                        f"                to: ref('{model_name(target)}')",
                        f"                field: {staged_name(target, rc)}",
                    ]
                if (t.name, c.name) not in QUARANTINE_REFERENCES:
                    # Severity: an orphan here leaves the row in every figure that does not need
                    # the referenced entity; only its breakdown by that entity is missing. A
                    # manager can live with it: warn. Orphans that would corrupt a figure are
                    # quarantined (QUARANTINE_REFERENCES): their tests stay errors.
                    block[1:1] = [f"              description: {q(orphan_description(t, c, target))}"]
                    block += ["              config:", "                severity: warn"]
                tests += block
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


def landing_tables_macro() -> str:
    rows = ",\n".join(
        f"        {{'table': '{t.name}', 'base': '{base_name(t)}', 'staging': '{model_name(t)}', "
        f"'soft_delete': {str(t.soft_delete).lower()}}}"
        for t in TABLES
    )
    return (
        "{#- Every landing table with its base and staging model. Generated by\n"
        "    scripts/scaffold_staging.py from salesperf/contract.py. -#}\n"
        "{% macro landing_tables() %}\n    {{ return([\n" + rows + "\n    ]) }}\n{% endmacro %}\n"
    )


def main() -> None:
    (ROOT / "macros" / "landing_tables.sql").write_text(landing_tables_macro(), encoding="utf-8")
    for source in SOURCE_DESCRIPTIONS:
        tables = [t for t in TABLES if t.source == source]
        folder = STAGING / source
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"_{source}__sources.yml").write_text(sources_yaml(source, tables), encoding="utf-8")
        (folder / f"_{source}__models.yml").write_text(models_yaml(tables), encoding="utf-8")
        (folder / "base").mkdir(exist_ok=True)
        for t in tables:
            (folder / "base" / f"{base_name(t)}.sql").write_text(base_sql(t), encoding="utf-8")
            (folder / f"{model_name(t)}.sql").write_text(staging_sql(t), encoding="utf-8")
            if t.name in DELETED_COMPANIONS:
                (folder / f"{model_name(t)}_deleted.sql").write_text(staging_sql(t, deleted=True), encoding="utf-8")
        print(f"{source}: {len(tables)} tables")


if __name__ == "__main__":
    main()
