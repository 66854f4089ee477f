{#- One row per training completion up to the as-of date (trainings not completed by then are
    left out: their event is the completion). The completion is credited to the rep and to that
    rep's team on the completion date. An examined completion is one with a pass/fail result. -#}
with trainings as (

    select * from {{ ref('stg_hr__trainings') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        trainings.*,
        cast(trainings.completed_at as date) as completed_date
    from trainings

),

completed as (

    select dated.*
    from dated
    cross join as_of
    where dated.completed_date <= as_of.as_of_date

),

final as (

    select
        completed.training_id,
        completed.rep_id,
        team_on_completed_date.team_id,
        completed.course_id,
        completed.topic,
        completed.is_self_directed,
        completed.started_at,
        completed.completed_at,
        completed.completed_date,
        completed.hours,
        completed.exam_score,
        completed.passed as is_passed,
        completed.passed is not null as is_examined,
        coalesce(completed.topic in ('product', 'policy', 'competitor'), false) as is_knowledge_topic
    from completed
    {{ join_team_on_date('team_on_completed_date', 'completed.rep_id', 'completed.completed_date') }}

)

select * from final
