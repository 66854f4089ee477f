{#- Incremental models by event date (docs/incremental.md). An incremental run recomputes the
    rows whose event date is on or after incremental_window_start(): the latest event date already
    in the table minus var('incremental_lookback_days'). The model selects only those rows when
    is_incremental(); the 'event_window' strategy deletes the table's rows of that window (and any
    row without an event date) and inserts the model's rows, so a row corrected or deleted in the
    landing within the window is corrected or deleted here too. Older corrections need a full
    refresh (`tasks.py build` without --incremental, or dbt's --full-refresh). -#}

{% macro incremental_window_start(event_date_column, relation=none) -%}
    {%- set relation = relation if relation is not none else this -%}
    {%- if not execute -%}
        {{- return("cast('1900-01-01' as date)") -}}
    {%- endif -%}
    {%- set result = run_query("select cast(max(" ~ event_date_column ~ ") as varchar) from " ~ relation) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{- return("cast('1900-01-01' as date)") -}}
    {%- endif -%}
    {{- return("cast('" ~ latest ~ "' as date) - " ~ (var('incremental_lookback_days') | int)) -}}
{%- endmacro %}


{% macro in_incremental_window(event_date_column) -%}
    {#- The filter of an incremental run: true for every row on a full build (and in a unit test,
        which has no relation: `this` is none there). -#}
    {%- if this is not none and is_incremental() -%}
        ({{ event_date_column }} >= {{ incremental_window_start(event_date_column) }} or {{ event_date_column }} is null)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro get_incremental_event_window_sql(arg_dict) -%}
    {%- set column = config.get('event_date_column') -%}
    {%- if not column -%}
        {{ exceptions.raise_compiler_error("incremental_strategy 'event_window' needs the config event_date_column") }}
    {%- endif -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ column }} >= {{ incremental_window_start(column, target) }} or {{ column }} is null;
    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
