{#- One row per internal collaboration survey response up to the as-of date. Other departments
    rate a sales team (rated_team_id) and optionally one of its reps (rated_rep_id): the response
    belongs to the team and rep rated, not to a team looked up from the rep. response_score is the
    response's mean of the dimensions it answered (NULL dimensions left out; NULL when it
    answered none), so every response weighs the same in internal_collaboration_satisfaction. -#}
with surveys as (

    select * from {{ ref('stg_hr__collaboration_surveys') }}

),

counted as (

    {{ dated_up_to_as_of('surveys', 'surveyed_at', 'surveyed_date') }}

),

final as (

    select
        response_id,
        rated_team_id,
        rated_rep_id,
        respondent_department,
        surveyed_at,
        surveyed_date,
        responsiveness,
        cooperation_quality,
        problem_resolution,
        case when responsiveness is not null then 1 else 0 end
        + case when cooperation_quality is not null then 1 else 0 end
        + case when problem_resolution is not null then 1 else 0 end as answered_dimensions,
        {{ safe_divide(
            'coalesce(responsiveness, 0) + coalesce(cooperation_quality, 0) + coalesce(problem_resolution, 0)',
            'case when responsiveness is not null then 1 else 0 end
            + case when cooperation_quality is not null then 1 else 0 end
            + case when problem_resolution is not null then 1 else 0 end'
        ) }} as response_score
    from counted

)

select * from final
