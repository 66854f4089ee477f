{#- One row per knowledge-sharing contribution (case study, pitfall guide, talk) up to the as-of
    date, credited to the contributing rep and to that rep's team on the contribution date. -#}
with contributions as (

    select * from {{ ref('stg_hr__knowledge_contributions') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        contributions.*,
        cast(contributions.contributed_at as date) as contributed_date
    from contributions

),

counted as (

    select dated.*
    from dated
    cross join as_of
    where dated.contributed_date <= as_of.as_of_date

),

final as (

    select
        counted.contribution_id,
        counted.rep_id,
        team_on_contributed_date.team_id,
        counted.contributed_at,
        counted.contributed_date,
        counted.contribution_type,
        {# No acceptance recorded is not an acceptance. #}
        coalesce(counted.accepted, false) as is_accepted,
        counted.citation_count,
        counted.instructor_hours
    from counted
    {{ join_team_on_date('team_on_contributed_date', 'counted.rep_id', 'counted.contributed_date') }}

)

select * from final
