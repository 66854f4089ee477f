with source as (

    select * from {{ landing_source('crm', 'crm_opportunities') }}

),

renamed as (

    select
        {{ stg_id('opportunity_id') }} as opportunity_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_id('product_id') }} as product_id,
        {{ stg_timestamp('created_at') }} as created_at,
        {{ stg_date('expected_close_date') }} as expected_close_date,
        {{ stg_timestamp('closed_at') }} as closed_at,
        {{ stg_enum('status') }} as status,
        {{ stg_text('stage') }} as stage,
        {{ stg_money('forecast_amount') }} as forecast_amount,
        {{ stg_money('won_amount') }} as won_amount,
        {{ stg_code('currency') }} as currency,
        {{ stg_int('target_cycle_days') }} as target_cycle_days
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
