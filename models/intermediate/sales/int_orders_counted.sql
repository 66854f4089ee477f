{#- The orders that count as sales: confirmed orders up to the as-of date (cancelled orders never
    count; stg_erp__sales_orders has already dropped soft-deleted and quarantined orders). Every
    fact that follows an order (order lines, invoices, deliveries) reads its orders here, so the
    rule of which orders count is written once. -#}
with orders as (

    select * from {{ ref('stg_erp__sales_orders') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

counted_orders as (

    select
        orders.order_id,
        orders.customer_id,
        orders.rep_id,
        orders.order_date,
        orders.currency,
        orders.channel,
        orders.status,
        orders.contract_id,
        orders.order_type,
        orders.original_order_id
    from orders
    cross join as_of
    where orders.status = 'confirmed'
        and orders.order_date <= as_of.as_of_date

)

select * from counted_orders
