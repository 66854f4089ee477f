{#- process_compliance_rate broken down by process_area: checks passed / checks with a result,
    per grain (team, rep, company), entity, period and process area. Checks are credited like
    in int_indicators__compliance (the checked rep and that rep's team on the checked date);
    summed over the process areas, numerator and denominator give that model's rate. -#}
with checks as (

    select
        team_id,
        rep_id,
        checked_date,
        coalesce(process_area, 'unknown') as process_area,
        passed
    from {{ ref('fct_compliance_checks') }}

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'checks', 'checked_date',
        [
            'sum(case when passed then 1 else 0 end) as checks_passed',
            'count(passed) as checks_judged',
        ],
        ['team', 'rep', 'company'],
        breakdown_keys=['process_area'],
    ) }}

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
