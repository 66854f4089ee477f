with source as (

    select * from {{ landing_source('erp', 'erp_products') }}

),

renamed as (

    select
        {{ stg_id('product_id') }} as product_id,
        {{ stg_text('sku') }} as sku,
        {{ stg_text('product_name') }} as product_name,
        {{ stg_text('category') }} as category,
        {{ stg_text('product_line') }} as product_line,
        {{ stg_date('launch_date') }} as launch_date,
        {{ stg_enum('lifecycle_stage') }} as lifecycle_stage,
        {{ stg_bool('is_strategic') }} as is_strategic,
        {{ stg_id('replaces_product_id') }} as replaces_product_id,
        {{ stg_money('list_price') }} as list_price,
        {{ stg_money('unit_cost') }} as unit_cost,
        {{ stg_code('currency') }} as currency
    from source

)

select * from renamed
