{#- Incremental strategy 'replace_dates' (fct_customer_clv_predictions, docs/incremental.md): an
    incremental run's model returns the rows of the dates it computed again (new dates, and dates
    whose input changed: salesperf.clv.reuse); the strategy deletes the table's rows of those dates
    and of every date no longer in the model config's dates_model (a former as-of date that is not a
    month end), then inserts the new rows. The rows of every other date stay as they are: a daily run
    does not copy millions of unchanged prediction rows into a new table. -#}
{% macro get_incremental_replace_dates_sql(arg_dict) -%}
    {%- set column = config.get('date_column') -%}
    {%- set dates_model = config.get('dates_model') -%}
    {%- set dates_column = config.get('dates_model_column') -%}
    {%- if not (column and dates_model and dates_column) -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_dates' needs the configs date_column, dates_model and dates_model_column") }}
    {%- endif -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ column }} in (select {{ column }} from {{ arg_dict['temp_relation'] }})
        or {{ column }} not in (select {{ dates_column }} from {{ ref(dates_model) }})
        or {{ column }} is null;
    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }} from {{ arg_dict['temp_relation'] }};
    {#- dbt-duckdb 1.11 makes a Python model's "temporary" relation a table of the model's schema and
        leaves it there (it drops only relations it did not create as temporary): drop it here -#}
    drop table if exists {{ arg_dict['temp_relation'] }}
{%- endmacro %}
