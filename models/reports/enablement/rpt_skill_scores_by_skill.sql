{#- skill_score by skill: the weighted mean score of each skill's assessments per grain, entity
    and period, with the same weighting as the overall skill_score (int_indicators__capability):
    Σ weighted_score / Σ weights of the scores present. Grains team, rep and company (those of
    var report_grains); a rep with no team on the assessment date is under team 'unassigned'. -#}
{%- set keyed = ['team', 'rep'] | select('in', var('report_grains')) | list -%}

with assessments as (

    select * from {{ ref('fct_skill_assessments') }}

),

periodized as (

    select
        period_types.period_type,
        {{ period_start('period_types.period_type', 'assessments.assessed_date') }} as period_start,
        assessments.team_id,
        assessments.rep_id,
        coalesce(assessments.skill, 'unknown') as skill,
        assessments.score,
        assessments.assessor_weight,
        assessments.weighted_score
    from assessments
    cross join {{ period_types() }} as period_types

),

rolled_up as (

    select
        periodized.period_type,
        periodized.period_start,
        case
            {%- for grain in keyed %}
            when grouping(periodized.{{ grain }}_id) = 0 then '{{ grain }}'
            {%- endfor %}
            else 'company'
        end as grain,
        case
            {%- for grain in keyed %}
            when grouping(periodized.{{ grain }}_id) = 0 then coalesce(periodized.{{ grain }}_id, 'unassigned')
            {%- endfor %}
            else 'company'
        end as entity_id,
        periodized.skill,
        count(*) as assessment_count,
        count(periodized.weighted_score) as weighted_score_count,
        sum(periodized.weighted_score) as weighted_score_sum,
        sum(case when periodized.weighted_score is not null then periodized.assessor_weight end) as weight_sum
    from periodized
    group by grouping sets (
        {%- for grain in keyed %}
        (periodized.period_type, periodized.period_start, periodized.{{ grain }}_id, periodized.skill){% if not loop.last or 'company' in var('report_grains') %},{% endif %}
        {%- endfor %}
        {%- if 'company' in var('report_grains') %}
        (periodized.period_type, periodized.period_start, periodized.skill)
        {%- endif %}
    )

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        skill,
        cast({{ safe_divide('weighted_score_sum', 'weight_sum') }} as double) as skill_score,
        cast(weighted_score_sum as double) as weighted_score_sum,
        cast(weight_sum as double) as weight_sum,
        cast(assessment_count as bigint) as assessment_count,
        cast(weighted_score_count as bigint) as weighted_score_count
    from rolled_up

)

select * from final
