{#- process_compliance_rate broken down by process_area: checks passed / checks with a result,
    per grain (team, rep, company), entity, period and process area. Checks are credited like
    in int_indicators__compliance (the checked rep and that rep's team on the checked date);
    summed over the process areas, numerator and denominator give that model's rate. -#}
{%- set grains = ['team', 'rep', 'company'] | select('in', var('report_grains')) | list %}
{%- set keyed = grains | reject('equalto', 'company') | list %}
with checks as (

    select * from {{ ref('fct_compliance_checks') }}

),

periodized as (

    select
        period_types.period_type,
        {{ period_start('period_types.period_type', 'checks.checked_date') }} as period_start,
        checks.team_id,
        checks.rep_id,
        checks.process_area,
        checks.passed
    from checks
    cross join {{ period_types() }} as period_types

),

rolled_up as (

    select
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
        periodized.period_type,
        periodized.period_start,
        coalesce(periodized.process_area, 'unknown') as process_area,
        sum(case when periodized.passed then 1 else 0 end) as checks_passed,
        count(periodized.passed) as checks_judged
    from periodized
    group by grouping sets (
        {%- for grain in keyed %}
        (periodized.period_type, periodized.period_start, periodized.process_area, periodized.{{ grain }}_id){% if not loop.last or 'company' in grains %},{% endif %}
        {%- endfor %}
        {%- if 'company' in grains %}
        (periodized.period_type, periodized.period_start, periodized.process_area)
        {%- endif %}
    )

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        process_area,
        {{ safe_divide('checks_passed', 'checks_judged') }} as value,
        cast(checks_passed as double) as numerator,
        cast(checks_judged as double) as denominator
    from rolled_up

)

select * from final
