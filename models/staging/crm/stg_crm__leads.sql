{#- The valid rows that are not soft-deleted of crm_leads (rules and casts: base_crm__leads). -#}
with base as (

    select * from {{ ref('base_crm__leads') }}

),

valid as (

    select
        lead_id,
        rep_id,
        lead_source,
        created_at,
        status,
        converted_customer_id,
        converted_at
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
