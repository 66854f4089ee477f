{#- "Today" for every model: var as_of_date, or else the latest order date in the landing data.
    Nothing reads the clock, so two builds of the same data give identical tables. -#}
with orders as (

    select * from {{ ref('stg_erp__sales_orders') }}

),

final as (

    select
        {% if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else -%}
        max(orders.order_date) as as_of_date
        {%- endif %},
        min(orders.order_date) as history_start_date
    from orders

)

select * from final
