with source as (

    select * from {{ landing_source('erp', 'erp_sales_order_lines') }}

),

renamed as (

    select
        {{ stg_id('order_line_id') }} as order_line_id,
        {{ stg_id('order_id') }} as order_id,
        {{ stg_id('product_id') }} as product_id,
        {{ stg_number('quantity') }} as quantity,
        {{ stg_money('unit_price') }} as unit_price,
        {{ stg_money('discount_amount') }} as discount_amount,
        {{ stg_money('unit_cost') }} as unit_cost
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
