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

{{ breakdown_rate_ctes(
    'checks', 'checked_date', 'process_area',
    numerator='sum(case when passed then 1 else 0 end)',
    denominator='count(passed)',
) }}

select * from final
