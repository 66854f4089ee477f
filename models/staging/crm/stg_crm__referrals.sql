{#- The valid rows that are not soft-deleted of crm_referrals (rules and casts: base_crm__referrals). -#}
with base as (

    select * from {{ ref('base_crm__referrals') }}

),

valid as (

    select
        referral_id,
        referrer_customer_id,
        referred_lead_id,
        referred_customer_id,
        referred_at
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
