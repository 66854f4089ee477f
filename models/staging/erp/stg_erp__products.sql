{#- The valid rows that are not soft-deleted of erp_products (rules and casts: base_erp__products). -#}
with base as (

    select * from {{ ref('base_erp__products') }}

),

valid as (

    select
        product_id,
        sku,
        product_name,
        category,
        product_line,
        launch_date,
        lifecycle_stage,
        is_strategic,
        replaces_product_id,
        list_price,
        unit_cost,
        currency
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
