{#-
    Casts used by staging: landing columns arrive as text (see landing_source) and are typed
    here. `try_cast` turns an unparseable value into NULL; the data-quality layer compares the
    typed value with the raw text to find such values, so nothing is lost silently.
-#}

{% macro stg_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro stg_id(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- Closed lists: trimmed and lower-cased (segment and currency codes are upper-cased instead). -#}
{% macro stg_enum(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{% macro stg_code(column) -%}
    nullif(upper(trim({{ column }})), '')
{%- endmacro %}

{% macro stg_date(column) -%}
    try_cast(nullif(trim({{ column }}), '') as date)
{%- endmacro %}

{#- ISO 8601 timestamps: with an offset (or Z) they are converted to the company time zone;
    without one they already are in it. The result is a naive local timestamp. -#}
{% macro stg_timestamp(column) -%}
    case
        when regexp_matches(trim({{ column }}), '([+-][0-9]{2}(:?[0-9]{2})?|Z)$')
            then timezone('{{ var("company_timezone") }}', try_cast(trim({{ column }}) as timestamptz))
        else try_cast(nullif(trim({{ column }}), '') as timestamp)
    end
{%- endmacro %}

{% macro stg_bool(column) -%}
    case lower(trim({{ column }}))
        when 'true' then true when 't' then true when '1' then true when 'yes' then true when 'y' then true
        when 'false' then false when 'f' then false when '0' then false when 'no' then false when 'n' then false
    end
{%- endmacro %}

{% macro stg_int(column) -%}
    try_cast(try_cast(nullif(trim({{ column }}), '') as double) as bigint)
{%- endmacro %}

{% macro stg_money(column) -%}
    try_cast(nullif(trim({{ column }}), '') as decimal(18, 4))
{%- endmacro %}

{% macro stg_number(column) -%}
    try_cast(nullif(trim({{ column }}), '') as double)
{%- endmacro %}
