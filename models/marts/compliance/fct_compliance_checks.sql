{#- One row per compliance audit check up to the as-of date, credited to the checked rep and to
    that rep's team on the checked date. -#}
with checks as (

    select * from {{ ref('stg_hr__compliance_checks') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        checks.*,
        cast(checks.checked_at as date) as checked_date
    from checks

),

joined as (

    select
        dated.check_id,
        dated.rep_id,
        team_on_checked_date.team_id,
        dated.checked_at,
        dated.checked_date,
        dated.process_area,
        dated.passed,
        dated.score,
        dated.is_veto
    from dated
    cross join as_of
    {{ join_team_on_date('team_on_checked_date', 'dated.rep_id', 'dated.checked_date') }}
    where dated.checked_date <= as_of.as_of_date

),

final as (

    select
        check_id,
        rep_id,
        team_id,
        checked_at,
        checked_date,
        process_area,
        passed,
        score,
        is_veto,
        {# A failed high-risk check vetoes the period; unknown when passed is empty. #}
        case
            when passed is null then null
            else coalesce(is_veto, false) and not passed
        end as is_veto_failure
    from joined

)

select * from final
