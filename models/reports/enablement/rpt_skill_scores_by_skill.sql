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

{{ breakdown_rate_ctes(
    'skill_assessments', 'assessed_date', 'skill',
    numerator='sum(weighted_score)',
    denominator='sum(case when weighted_score is not null then assessor_weight end)',
    value_name='skill_score',
    numerator_name='weighted_score_sum',
    denominator_name='weight_sum',
    counts={'assessment_count': 'count(*)', 'weighted_score_count': 'count(weighted_score)'},
) }}

select * from final
