{#- The valid rows that are not soft-deleted of crm_contacts (rules and casts: base_crm__contacts). -#}
with base as (

    select * from {{ ref('base_crm__contacts') }}

),

valid as (

    select
        contact_id,
        customer_id,
        contact_name,
        email,
        phone,
        decision_role
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
