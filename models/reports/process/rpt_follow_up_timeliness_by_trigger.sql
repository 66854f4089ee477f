{#- follow_up_timeliness_rate broken down by the task's trigger_type (inquiry, complaint,
    quote_sent, pre_contract): per grain (team, rep, company), entity, period and trigger type,
    tasks due in the period completed by their due time / tasks due in the period. The same
    tasks and attribution as int_indicators__follow_up; the trigger types of an entity and
    period add up to its overall row. -#}
{%- set grains = ['team', 'rep', 'company'] | select('in', var('report_grains')) | list -%}
{%- set keyed = grains | reject('equalto', 'company') | list -%}
with tasks as (

    select * from {{ ref('fct_follow_up_tasks') }}

),

periodized as (

    select
        period_types.period_type,
        {{ period_start('period_types.period_type', 'tasks.due_date') }} as period_start,
        tasks.team_id,
        tasks.rep_id,
        coalesce(tasks.trigger_type, 'unknown') as trigger_type,
        tasks.is_completed_on_time
    from tasks
    cross join {{ period_types() }} as period_types

),

rolled_up as (

    select
        periodized.period_type,
        periodized.period_start,
        case
            {%- for grain in keyed %}
            when grouping(periodized.{{ grain }}_id) = 0 then '{{ grain }}'
            {%- endfor %}
            else 'company'
        end as grain,
        case
            {%- for grain in keyed %}
            when grouping(periodized.{{ grain }}_id) = 0 then coalesce(periodized.{{ grain }}_id, 'unassigned')
            {%- endfor %}
            else 'company'
        end as entity_id,
        periodized.trigger_type,
        count(*) as tasks_due,
        sum(case when periodized.is_completed_on_time then 1 else 0 end) as tasks_on_time
    from periodized
    group by grouping sets (
        {%- for grain in keyed %}
        (periodized.period_type, periodized.period_start, periodized.trigger_type, periodized.{{ grain }}_id){% if not loop.last or 'company' in grains %},{% endif %}
        {%- endfor %}
        {%- if 'company' in grains %}
        (periodized.period_type, periodized.period_start, periodized.trigger_type)
        {%- endif %}
    )

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
