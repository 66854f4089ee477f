with source as (

    select * from {{ landing_source('crm', 'crm_accounts') }}

),

renamed as (

    select
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_text('customer_name') }} as customer_name,
        {{ stg_code('segment') }} as segment,
        {{ stg_text('industry') }} as industry,
        {{ stg_id('region_code') }} as region_code,
        {{ stg_id('owner_rep_id') }} as owner_rep_id,
        {{ stg_timestamp('created_at') }} as created_at,
        {{ stg_text('acquisition_channel') }} as acquisition_channel,
        {{ stg_bool('is_target_account') }} as is_target_account,
        {{ stg_money('est_annual_category_spend') }} as est_annual_category_spend,
        {{ stg_code('currency') }} as currency,
        {{ stg_text('contact_email') }} as contact_email,
        {{ stg_text('contact_phone') }} as contact_phone,
        {{ stg_id('referred_by_customer_id') }} as referred_by_customer_id
    from source
    where coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
