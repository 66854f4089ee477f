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
    personal data (hashed_columns) as its hash. -#}
{% macro dq_raw_row(columns, hashed_columns=[]) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {% if column in hashed_columns %}{{ pii_hash('source.' ~ adapter.quote(column)) }}{% else %}source.{{ adapter.quote(column) }}{% endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as varchar)
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
