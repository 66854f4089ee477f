{#- The valid rows that are not soft-deleted of hr_skill_assessments (rules and casts: base_hr__skill_assessments). -#}
with base as (

    select * from {{ ref('base_hr__skill_assessments') }}

),

valid as (

    select
        assessment_id,
        rep_id,
        assessed_at,
        skill,
        assessor_type,
        score
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
