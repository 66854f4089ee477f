{#- The valid rows that are not soft-deleted of crm_opportunity_contacts (rules and casts: base_crm__opportunity_contacts). -#}
with base as (

    select * from {{ ref('base_crm__opportunity_contacts') }}

),

valid as (

    select
        opportunity_id,
        contact_id,
        engaged_at
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
