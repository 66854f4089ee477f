{#- One row per skill assessment score up to the as-of date. The score is credited to the rep
    assessed and to that rep's team on the assessment date. Each score carries the weight of its
    assessor type (var skill_assessor_weights); skill_score = Σ weighted_score / Σ assessor_weight
    over the scores present, so the weights apply to the assessor types present in a period. A
    score without a value, or of an assessor type without a weight, has no weighted_score and
    does not enter the weights. -#}
{%- set assessor_weights = var('skill_assessor_weights', {
    'simulation': 0.3, 'manager': 0.3, 'customer': 0.2, 'peer': 0.1, 'self': 0.1,
}) -%}

with assessments as (

    select * from {{ ref('stg_hr__skill_assessments') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        assessments.*,
        cast(assessments.assessed_at as date) as assessed_date
    from assessments

),

counted as (

    select dated.*
    from dated
    cross join as_of
    where dated.assessed_date <= as_of.as_of_date

),

weighted as (

    select
        counted.assessment_id,
        counted.rep_id,
        team_on_assessed_date.team_id,
        counted.assessed_at,
        counted.assessed_date,
        counted.skill,
        counted.assessor_type,
        counted.score,
        cast(case counted.assessor_type
            {%- for assessor_type, weight in assessor_weights.items() %}
            when '{{ assessor_type }}' then {{ weight }}
            {%- endfor %}
        end as double) as assessor_weight
    from counted
    {{ join_team_on_date('team_on_assessed_date', 'counted.rep_id', 'counted.assessed_date') }}

),

final as (

    select
        assessment_id,
        rep_id,
        team_id,
        assessed_at,
        assessed_date,
        skill,
        assessor_type,
        score,
        assessor_weight,
        cast(score * assessor_weight as double) as weighted_score
    from weighted

)

select * from final
