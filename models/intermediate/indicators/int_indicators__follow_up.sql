{#- Follow-up timeliness: follow_up_timeliness_rate = tasks due (due_at) in the period that
    were completed at or before their due time / tasks due in the period. To the task's rep and
    the rep's team on the due date. The breakdown by trigger_type is
    rpt_follow_up_timeliness_by_trigger. -#}
with tasks as (

    select * from {{ ref('fct_follow_up_tasks') }}

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'tasks', 'due_date',
        [
            'count(*) as tasks_due',
            'sum(case when is_completed_on_time then 1 else 0 end) as tasks_on_time',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('rolled_up', 'follow_up_timeliness_rate',
        safe_divide('tasks_on_time', 'tasks_due'), 'tasks_on_time', 'tasks_due') }}

)

select * from indicators
