{#- SQL that DuckDB and Spark spell differently, one macro per construct (adapter.dispatch):
    default__ is the DuckDB spelling, spark__ the Spark SQL one (docs/spark.md). -#}

{#- Every column of `relation` (a CTE or table alias) but `columns` (names, without the alias). -#}
{% macro star_except(relation, columns) -%}
    {{ adapter.dispatch('star_except')(relation, columns) }}
{%- endmacro %}

{% macro default__star_except(relation, columns) -%}
    {{ relation }}.* exclude ({% for column in columns %}{{ relation }}.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{% macro spark__star_except(relation, columns) -%}
    {{ relation }}.* except ({% for column in columns %}{{ relation }}.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- A date or timestamp as text, with a strftime format (%Y, %m, %d, %H, %M, %S only). -#}
{% macro format_date(expr, strftime_format) -%}
    {{ adapter.dispatch('format_date')(expr, strftime_format) }}
{%- endmacro %}

{% macro default__format_date(expr, strftime_format) -%}
    strftime({{ expr }}, '{{ strftime_format }}')
{%- endmacro %}

{% macro spark__format_date(expr, strftime_format) -%}
    {%- set java = strftime_format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd')
        | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -%}
    date_format({{ expr }}, '{{ java }}')
{%- endmacro %}

{#- The continuous (linearly interpolated) percentile `fraction` of `value` in a group. -#}
{% macro percentile_cont(value, fraction) -%}
    {{ adapter.dispatch('percentile_cont')(value, fraction) }}
{%- endmacro %}

{% macro default__percentile_cont(value, fraction) -%}
    quantile_cont({{ value }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(value, fraction) -%}
    percentile({{ value }}, {{ fraction }})
{%- endmacro %}

{#- The texts of a group joined by `separator`, in the order of `order_by` (an ORDER BY list). -#}
{% macro string_agg_ordered(expr, separator, order_by) -%}
    {{ adapter.dispatch('string_agg_ordered')(expr, separator, order_by) }}
{%- endmacro %}

{% macro default__string_agg_ordered(expr, separator, order_by) -%}
    string_agg(
        {{ expr }}, {{ separator }}
        order by {{ order_by }}
    )
{%- endmacro %}

{% macro spark__string_agg_ordered(expr, separator, order_by) -%}
    listagg({{ expr }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{#- ISO day of the week: Monday = 1 ... Sunday = 7. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ adapter.dispatch('iso_day_of_week')(date_expr) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    extract(isodow from {{ date_expr }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    cast(extract(dayofweek_iso from {{ date_expr }}) as bigint)
{%- endmacro %}

{#- dbt-spark's datediff is an int; DuckDB's date_diff a bigint: the same type on both engines (the
    marts' contracts are DuckDB's types, and a Spark build publishes through a DuckDB file). -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}

{#- dbt-spark 1.11's own spark__dateadd multiplies the interval without parentheses (`plan_year - 1 * 12`
    for dateadd('year', 'plan_year - 1', ...)) and goes through unix seconds; this one (root project
    macros take precedence for dbt's dispatch) adds whole units with timestampadd, which clamps to the
    month's last day as DuckDB's date + interval does. The result is a timestamp, as on DuckDB. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast(({{ interval }}) as int), {{ from_date_or_timestamp }})
{%- endmacro %}
