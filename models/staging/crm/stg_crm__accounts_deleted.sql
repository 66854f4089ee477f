{#- The soft-deleted rows of crm_accounts (rules and casts: base_crm__accounts). -#}
with base as (

    select * from {{ ref('base_crm__accounts') }}

),

valid as (

    select
        customer_id,
        customer_name,
        segment,
        industry,
        region_code,
        owner_rep_id,
        created_at,
        acquisition_channel,
        is_target_account,
        est_annual_category_spend,
        currency,
        contact_email,
        contact_phone,
        referred_by_customer_id
    from base
    where dq_rule is null and is_deleted

)

select * from valid
