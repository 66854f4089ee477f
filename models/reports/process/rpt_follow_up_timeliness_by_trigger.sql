{#- follow_up_timeliness_rate broken down by the task's trigger_type (inquiry, complaint,
    quote_sent, pre_contract): per grain (team, rep, company), entity, period and trigger type,
    tasks due in the period completed by their due time / tasks due in the period. The same
    tasks and attribution as int_indicators__follow_up; the trigger types of an entity and
    period add up to its overall row. -#}
with tasks as (

    select
        team_id,
        rep_id,
        due_date,
        coalesce(trigger_type, 'unknown') as trigger_type,
        is_completed_on_time
    from {{ ref('fct_follow_up_tasks') }}

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'tasks', 'due_date',
        [
            'count(*) as tasks_due',
            'sum(case when is_completed_on_time then 1 else 0 end) as tasks_on_time',
        ],
        ['team', 'rep', 'company'],
        breakdown_keys=['trigger_type'],
    ) }}

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        trigger_type,
        {{ safe_divide('tasks_on_time', 'tasks_due') }} as value,
        cast(tasks_on_time as double) as numerator,
        cast(tasks_due as double) as denominator
    from rolled_up

)

select * from final
