{#- A bridge of deliveries and products: one row per delivery and distinct product of its order
    (fct_order_lines). A delivery covers its whole order, so at product grain
    contract_fulfillment_rate counts it once for each product of its order; the semantic layer's
    contract_fulfillment_rate_by_product reads this fact. -#}
with deliveries as (

    select * from {{ ref('fct_deliveries') }}

),

order_products as (

    select distinct
        order_id,
        product_id
    from {{ ref('fct_order_lines') }}

),

final as (

    select
        deliveries.delivery_id,
        order_products.product_id,
        deliveries.order_id,
        deliveries.promised_date,
        deliveries.is_on_time_in_full
    from deliveries
    inner join order_products
        on deliveries.order_id = order_products.order_id

)

select * from final
