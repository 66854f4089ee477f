{#- The valid rows that are not soft-deleted of crm_activities (rules and casts: base_crm__activities). -#}
with base as (

    select * from {{ ref('base_crm__activities') }}

),

valid as (

    select
        activity_id,
        rep_id,
        customer_id,
        opportunity_id,
        activity_type,
        activity_at,
        key_action,
        duration_minutes
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
