{#- The valid rows that are not soft-deleted of crm_follow_up_tasks (rules and casts: base_crm__follow_up_tasks). -#}
with base as (

    select * from {{ ref('base_crm__follow_up_tasks') }}

),

valid as (

    select
        task_id,
        rep_id,
        customer_id,
        trigger_type,
        triggered_at,
        due_at,
        completed_at
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
