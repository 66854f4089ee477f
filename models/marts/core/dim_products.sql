with products as (

    select * from {{ ref('stg_erp__products') }}

),

replacements as (

    select
        replaces_product_id as product_id,
        min(product_id) as replaced_by_product_id
    from products
    where replaces_product_id is not null
    group by 1

),

final as (

    select
        products.product_id,
        products.sku,
        products.product_name,
        products.category,
        products.product_line,
        products.launch_date,
        products.lifecycle_stage,
        coalesce(products.is_strategic, false) as is_strategic,
        products.replaces_product_id,
        replacements.replaced_by_product_id,
        products.list_price,
        products.unit_cost,
        products.currency
    from products
    left join replacements
        on products.product_id = replacements.product_id

)

select * from final
