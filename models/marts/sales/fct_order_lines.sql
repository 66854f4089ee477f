{#- One row per counted order line: confirmed orders only (cancelled orders and soft-deleted
    orders and lines never count), up to the as-of date. Amounts in the base currency at the
    rate of the order date. The sale is credited to the order's rep and to that rep's team on
    the order date. A line of a return order (order_type 'return') carries a positive quantity
    and counts with the opposite sign (amount_sign -1): it reduces net sales, cost and gross
    profit on the return's order date, credited to the return's rep and that rep's team on that
    date, like a sale. Every net sales and cost figure is computed here, nowhere else.
    Incremental by order date on DuckDB (docs/incremental.md): a run recomputes the lines of the
    last var('incremental_lookback_days') days already built and every later day. -#}
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='event_window',
    event_date_column='order_date',
    on_schema_change='fail',
) }}

with lines as (

    select * from {{ ref('stg_erp__sales_order_lines') }}

),

products as (

    select * from {{ ref('stg_erp__products') }}

),

counted_orders as (

    select * from {{ ref('int_orders_counted') }}
    where {{ in_incremental_window('order_date') }}

),

joined as (

    select
        lines.order_line_id,
        lines.order_id,
        counted_orders.order_date,
        counted_orders.customer_id,
        counted_orders.rep_id,
        team_on_order_date.team_id,
        lines.product_id,
        counted_orders.channel,
        counted_orders.contract_id,
        counted_orders.order_type,
        case when counted_orders.order_type = 'return' then -1 else 1 end as amount_sign,
        counted_orders.currency,
        fx.rate_to_base as fx_rate,
        lines.quantity,
        lines.unit_price,
        {# An empty discount is no discount. #}
        coalesce(lines.discount_amount, 0) as discount_amount,
        lines.unit_cost,
        products.launch_date as product_launch_date
    from lines
    inner join counted_orders
        on lines.order_id = counted_orders.order_id
    left join products
        on lines.product_id = products.product_id
    {{ join_team_on_date('team_on_order_date', 'counted_orders.rep_id', 'counted_orders.order_date') }}
    {{ join_fx_on_date('fx', 'counted_orders.currency', 'counted_orders.order_date') }}

),

final as (

    select
        order_line_id,
        order_id,
        order_date,
        customer_id,
        rep_id,
        team_id,
        product_id,
        channel,
        contract_id,
        order_type,
        amount_sign,
        currency,
        fx_rate,
        quantity,
        unit_price,
        discount_amount,
        unit_cost,
        {# Converted amounts are doubles: rounding each line to a fixed scale would make sums drift. #}
        cast(amount_sign * (quantity * unit_price - discount_amount) * fx_rate as double) as net_sales,
        cast(amount_sign * quantity * unit_cost * fx_rate as double) as cost,
        cast(amount_sign * (quantity * unit_price - discount_amount - quantity * unit_cost) * fx_rate as double)
            as gross_profit,
        product_launch_date is not null
        and order_date >= product_launch_date
        and order_date < cast({{ dbt.dateadd('month', var('new_product_months'), 'product_launch_date') }} as date)
            as is_new_product_sale
    from joined

)

select * from final
