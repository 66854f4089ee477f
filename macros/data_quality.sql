{#- Data-quality helpers used by the base models (models/staging/<source>/base/). -#}

{#- The row's key as one text value: key columns joined with '|'. -#}
{% macro dq_row_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(trim(" ~ column ~ "), '∅')") -%}
    {%- endfor -%}
    {{ parts | join(" || '|' || ") }}
{%- endmacro %}

{#- The landing row as the extract had it: a JSON object of the raw text of every column;
    personal data (hashed_columns) as its hash. Reads the columns of `relation` (a CTE of a base
    model): `<column>__raw`, the raw text, and for personal data `<column>`, its hash (pii_hash). -#}
{% macro dq_raw_row(columns, hashed_columns, relation) -%}
    {{ adapter.dispatch('dq_raw_row')(columns, hashed_columns, relation) }}
{%- endmacro %}

{% macro default__dq_raw_row(columns, hashed_columns, relation) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ _dq_raw_value(column, hashed_columns, relation) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{#- Spark: to_json of a struct gives the same compact object (keys in order, NULL kept as null). -#}
{% macro spark__dq_raw_row(columns, hashed_columns, relation) -%}
    to_json(named_struct(
        {%- for column in columns %}
        '{{ column }}', {{ _dq_raw_value(column, hashed_columns, relation) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- The fingerprint of the landing row: md5 (128 bits, as a number) of the raw values that
    dq_raw_row holds, each as `<length>:<text>` and NULL as `~`, so that two rows have the same
    fingerprint exactly when they have the same raw row (up to an md5 collision, 2^-128). The base
    models find duplicates with it: cheaper than comparing or sorting the JSON text of every row. -#}
{% macro dq_fingerprint(columns, hashed_columns, relation) -%}
    {{ adapter.dispatch('dq_fingerprint')(columns, hashed_columns, relation) }}
{%- endmacro %}

{#- Spark has no 128-bit integer: the md5 as its hex text (compared only for equality within a key). -#}
{% macro spark__dq_fingerprint(columns, hashed_columns, relation) -%}
    md5(concat(
        {%- for column in columns %}
        {%- set value = _dq_raw_value(column, hashed_columns, relation) %}
        coalesce(cast(length({{ value }}) as string) || ':' || {{ value }}, '~'){% if not loop.last %},{% endif %}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro default__dq_fingerprint(columns, hashed_columns, relation) -%}
    md5_number(concat(
        {%- for column in columns %}
        {%- set value = _dq_raw_value(column, hashed_columns, relation) %}
        coalesce(cast(strlen({{ value }}) as varchar) || ':' || {{ value }}, '~'){% if not loop.last %},{% endif %}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro _dq_raw_value(column, hashed_columns, relation) -%}
    {{ relation }}.{{ adapter.quote(column if column in hashed_columns else column ~ '__raw') }}
{%- endmacro %}

{#- Personal data as a stable hash (md5 of the trimmed, lower-cased text): joinable, not readable. -#}
{% macro pii_hash(column) -%}
    case when {{ stg_trim(column) }} is not null then {{ dbt.hash('lower(' ~ stg_trim(column) ~ ')') }} end
{%- endmacro %}

{#- Severity of a quarantine rule: 'warn' when dropping the row changes no figure (an exact
    duplicate), 'error' when the row's figures are lost (the row was unusable). -#}
{% macro dq_rule_severity(rule_column) -%}
    case when {{ rule_column }} = 'duplicate_exact' then 'warn' else 'error' end
{%- endmacro %}
