with source as (

    select * from {{ landing_source('erp', 'erp_sales_orders') }}

),

renamed as (

    select
        {{ stg_id('order_id') }} as order_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_date('order_date') }} as order_date,
        {{ stg_code('currency') }} as currency,
        {{ stg_enum('channel') }} as channel,
        {{ stg_enum('status') }} as status,
        {{ stg_id('contract_id') }} as contract_id
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
