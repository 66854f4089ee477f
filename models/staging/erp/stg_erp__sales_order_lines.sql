{#- The valid rows that are not soft-deleted of erp_sales_order_lines (rules and casts: base_erp__sales_order_lines). -#}
with base as (

    select * from {{ ref('base_erp__sales_order_lines') }}

),

valid as (

    select
        order_line_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        unit_cost
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
