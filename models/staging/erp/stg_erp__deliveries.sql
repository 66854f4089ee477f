with source as (

    select * from {{ landing_source('erp', 'erp_deliveries') }}

),

renamed as (

    select
        {{ stg_id('delivery_id') }} as delivery_id,
        {{ stg_id('contract_id') }} as contract_id,
        {{ stg_id('order_id') }} as order_id,
        {{ stg_date('promised_date') }} as promised_date,
        {{ stg_date('delivered_date') }} as delivered_date,
        {{ stg_bool('delivered_in_full') }} as delivered_in_full,
        {{ stg_bool('requires_installation') }} as requires_installation,
        {{ stg_date('install_promised_date') }} as install_promised_date,
        {{ stg_date('installed_date') }} as installed_date
    from source

)

select * from renamed
