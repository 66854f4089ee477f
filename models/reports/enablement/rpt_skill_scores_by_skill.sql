{#- skill_score by skill: the weighted mean score of each skill's assessments per grain, entity
    and period, with the same weighting as the overall skill_score (int_indicators__capability):
    Σ weighted_score / Σ weights of the scores present. Grains team, rep and company (those of
    var report_grains); a rep with no team on the assessment date is under team 'unassigned'. -#}

with assessments as (

    select * from {{ ref('fct_skill_assessments') }}

),

skill_assessments as (

    select
        team_id,
        rep_id,
        assessed_date,
        coalesce(skill, 'unknown') as skill,
        assessor_weight,
        weighted_score
    from assessments

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'skill_assessments', 'assessed_date',
        [
            'count(*) as assessment_count',
            'count(weighted_score) as weighted_score_count',
            'sum(weighted_score) as weighted_score_sum',
            'sum(case when weighted_score is not null then assessor_weight end) as weight_sum',
        ],
        ['team', 'rep', 'company'],
        breakdown_keys=['skill'],
    ) }}

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
