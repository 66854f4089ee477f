{#- The valid rows that are not soft-deleted of hr_trainings (rules and casts: base_hr__trainings). -#}
with base as (

    select * from {{ ref('base_hr__trainings') }}

),

valid as (

    select
        training_id,
        rep_id,
        course_id,
        topic,
        is_self_directed,
        started_at,
        completed_at,
        hours,
        exam_score,
        passed
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
