{#-
    Reporting periods. Every indicator exists per calendar month, quarter and year and per fiscal
    year (whose first month is var fiscal_year_start_month). Written with dbt's cross-database
    macros so the same models run on DuckDB and Spark.
-#}

{#- The four period types as a relation: cross join it to put an event into each of its periods. -#}
{#- var report_period_types chooses which (default: all four). -#}
{% macro period_types() -%}
    (
        {%- for period_type in var('report_period_types') %}
        {% if not loop.first %}union all {% endif %}select '{{ period_type }}' as period_type
        {%- endfor %}
    )
{%- endmacro %}

{#- First day of the fiscal year containing date_expr. -#}
{% macro fiscal_year_start(date_expr) -%}
    {%- set shift = var('fiscal_year_start_month') | int - 1 -%}
    {%- if shift == 0 -%}
        cast({{ dbt.date_trunc('year', date_expr) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('month', shift, dbt.date_trunc('year', dbt.dateadd('month', -shift, date_expr))) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- First day of the period of type period_type_expr (a column or a quoted literal) containing date_expr. -#}
{% macro period_start(period_type_expr, date_expr) -%}
    case {{ period_type_expr }}
        when 'month' then cast({{ dbt.date_trunc('month', date_expr) }} as date)
        when 'quarter' then cast({{ dbt.date_trunc('quarter', date_expr) }} as date)
        when 'year' then cast({{ dbt.date_trunc('year', date_expr) }} as date)
        when 'fiscal_year' then {{ fiscal_year_start(date_expr) }}
    end
{%- endmacro %}

{#- Length of a period type in months. -#}
{% macro period_months(period_type_expr) -%}
    case {{ period_type_expr }} when 'month' then 1 when 'quarter' then 3 else 12 end
{%- endmacro %}

{#- Last day of the period that starts on period_start_expr. -#}
{% macro period_end(period_type_expr, period_start_expr) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', period_months(period_type_expr), period_start_expr)) }} as date)
{%- endmacro %}

{#- Start of the previous period of the same type (month over month, quarter over quarter, ...). -#}
{% macro previous_period_start(period_type_expr, period_start_expr) -%}
    cast({{ dbt.dateadd('month', '-1 * (' ~ period_months(period_type_expr) ~ ')', period_start_expr) }} as date)
{%- endmacro %}

{#- Start of the same period one year earlier. -#}
{% macro same_period_last_year_start(period_start_expr) -%}
    cast({{ dbt.dateadd('month', -12, period_start_expr) }} as date)
{%- endmacro %}
