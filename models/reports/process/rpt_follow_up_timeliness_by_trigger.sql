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

{{ breakdown_rate_ctes(
    'tasks', 'due_date', 'trigger_type',
    numerator='sum(case when is_completed_on_time then 1 else 0 end)',
    denominator='count(*)',
) }}

select * from final
