{#- The input columns the indicator catalog names (seed indicator_inputs, column input_columns: entries
    `table.column` or `table.column=value[,value...]`, pipe-separated), distinct and sorted; [] at parse
    time and in unit tests. Split in Jinja, not in SQL (DuckDB and Spark split lists differently). -#}
{% macro indicator_input_columns() -%}
    {%- set entries = [] -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set query -%}
            select input_columns from {{ ref('indicator_inputs') }} where input_columns is not null
        {%- endset -%}
        {%- for row in run_query(query).rows -%}
            {%- for item in row[0].split('|') -%}
                {%- if item | trim and (item | trim) not in entries -%}
                    {%- do entries.append(item | trim) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(entries | sort) }}
{%- endmacro %}

{#- A select of one row: how many rows give the input column ``entry`` (see indicator_input_columns)
    a value, or one of the listed values. A table named fct_* / dim_* is that mart; any other
    `<system>_<entity>` is its staging view stg_<system>__<entity>. -#}
{% macro input_column_filled_rows(entry) -%}
    {%- set target, _, wanted = entry.partition('=') -%}
    {%- set table_name, _, column_name = target.partition('.') -%}
    {%- if table_name.startswith('fct_') or table_name.startswith('dim_') -%}
        {%- set relation = ref(table_name) -%}
    {%- else -%}
        {%- set source_system, _, entity = table_name.partition('_') -%}
        {%- set relation = ref('stg_' ~ source_system ~ '__' ~ entity) -%}
    {%- endif -%}
    {%- set condition = column_name ~ ' is not null' -%}
    {%- if wanted -%}
        {%- set values = "'" ~ wanted.lower().split(',') | join("', '") ~ "'" -%}
        {%- set condition = condition ~ ' and lower(cast(' ~ column_name ~ ' as string)) in (' ~ values ~ ')' -%}
    {%- endif -%}
    select '{{ entry }}' as input_column, count(*) filter (where {{ condition }}) as filled_rows from {{ relation }}
{%- endmacro %}
