{#- The valid rows that are not soft-deleted of erp_sales_orders (rules and casts: base_erp__sales_orders). -#}
with base as (

    select * from {{ ref('base_erp__sales_orders') }}

),

valid as (

    select
        order_id,
        customer_id,
        rep_id,
        order_date,
        currency,
        channel,
        status,
        contract_id,
        order_type,
        original_order_id
    from base
    where dq_rule is null and not is_deleted
        and order_date <= (select as_of_date from {{ ref('base_erp__as_of_date') }})

)

select * from valid
