{#- The valid rows that are not soft-deleted of hr_collaboration_surveys (rules and casts: base_hr__collaboration_surveys). -#}
with base as (

    select * from {{ ref('base_hr__collaboration_surveys') }}

),

valid as (

    select
        response_id,
        rated_team_id,
        rated_rep_id,
        respondent_department,
        surveyed_at,
        responsiveness,
        cooperation_quality,
        problem_resolution
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
