{#- The "no data" rule of the indicators, in one place: per indicator of seed indicator_inputs
    that cannot be computed from this company's extracts, the first input that has no rows - an
    input table with no staged rows (input_tables, counted by dq_row_accounting: empty_table), an
    input column no row fills (input_columns, `table.column` or `table.column=value[,value…]`:
    empty_column). No row for an indicator whose inputs all have rows.
    indicator_coverage reads it (the pair is not expected: "no data") and so does every mart
    that carries an indicator's events for the semantic layer (fct_customer_profit_events: no
    rows then), so a BI tool never sums what indicator_values does not publish. -#}
-- depends_on: {{ ref('stg_erp__sales_order_lines') }}
-- depends_on: {{ ref('stg_erp__products') }}
-- depends_on: {{ ref('stg_crm__accounts') }}
-- depends_on: {{ ref('stg_crm__opportunities') }}
-- depends_on: {{ ref('stg_crm__activities') }}
-- depends_on: {{ ref('fct_customer_acquisitions') }}
with inputs as (

    select * from {{ ref('indicator_inputs') }}

),

accounting as (

    select * from {{ ref('dq_row_accounting') }}

),

{# How many rows give each input column a value (macros/indicator_inputs.sql). #}
{% set input_columns = indicator_input_columns() %}
filled_columns as (

    {%- for entry in input_columns %}
    {{ input_column_filled_rows(entry) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not input_columns %}
    select
        cast(null as string) as input_column,
        0 as filled_rows
    where 1 = 0
    {%- endif %}

),

{%- set empty_inputs = [
    ('missing_columns', "replace(inputs.input_columns, ' ', '')", 'filled_columns', 'input_column', 'filled_rows',
        'empty_column'),
    ('missing_inputs', 'inputs.input_tables', 'accounting', 'source_table', 'staged_rows', 'empty_table'),
] %}
{%- for cte, input_list, counts, item, row_count, empty_name in empty_inputs %}
{{ cte }} as (

    select
        inputs.indicator_code,
        min({{ counts }}.{{ item }}) as {{ empty_name }}
    from inputs
    inner join {{ counts }}
        on {{ in_pipe_list(input_list, counts ~ '.' ~ item) }}
    where {{ counts }}.{{ row_count }} = 0
    group by 1

),
{%- endfor %}

final as (

    select
        inputs.indicator_code,
        missing_inputs.empty_table,
        missing_columns.empty_column
    from inputs
    left join missing_inputs
        on inputs.indicator_code = missing_inputs.indicator_code
    left join missing_columns
        on inputs.indicator_code = missing_columns.indicator_code
    where missing_inputs.indicator_code is not null
        or missing_columns.indicator_code is not null

)

select * from final
