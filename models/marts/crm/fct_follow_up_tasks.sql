{#- One row per follow-up task that has fallen due (due date on or before the as-of date): the
    population of follow_up_timeliness_rate. A task is on time when it was completed at or
    before its due time; a completion after the as-of date is not known yet. The task belongs
    to its rep and to that rep's team on the due date. -#}
with tasks as (

    select * from {{ ref('stg_crm__follow_up_tasks') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        tasks.task_id,
        tasks.rep_id,
        tasks.customer_id,
        tasks.trigger_type,
        tasks.triggered_at,
        tasks.due_at,
        cast(tasks.due_at as date) as due_date,
        case
            when cast(tasks.completed_at as date) <= as_of.as_of_date then tasks.completed_at
        end as completed_at
    from tasks
    cross join as_of
    where cast(tasks.due_at as date) <= as_of.as_of_date

),

final as (

    select
        dated.task_id,
        dated.rep_id,
        team_on_due_date.team_id,
        dated.customer_id,
        dated.trigger_type,
        dated.triggered_at,
        dated.due_at,
        dated.due_date,
        dated.completed_at,
        cast(dated.completed_at as date) as completed_date,
        dated.completed_at is not null as is_completed,
        coalesce(dated.completed_at <= dated.due_at, false) as is_completed_on_time
    from dated
    {{ join_team_on_date('team_on_due_date', 'dated.rep_id', 'dated.due_date') }}

)

select * from final
