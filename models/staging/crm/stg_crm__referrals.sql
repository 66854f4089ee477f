with source as (

    select * from {{ landing_source('crm', 'crm_referrals') }}

),

renamed as (

    select
        {{ stg_id('referral_id') }} as referral_id,
        {{ stg_id('referrer_customer_id') }} as referrer_customer_id,
        {{ stg_id('referred_lead_id') }} as referred_lead_id,
        {{ stg_id('referred_customer_id') }} as referred_customer_id,
        {{ stg_timestamp('referred_at') }} as referred_at
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
