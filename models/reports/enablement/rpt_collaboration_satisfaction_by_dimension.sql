{#- internal_collaboration_satisfaction broken down by dimension and by respondent department, per
    grain (team rated, rep rated, company), entity and period. Long: one row per
    (grain, entity, period, respondent_department, dimension) where
      respondent_department  a department, or 'all' for every department together
      dimension              responsiveness, cooperation_quality, problem_resolution: the mean of
                             that dimension's answers (NULL answers left out); 'overall': the mean
                             of the responses' response_score, the indicator itself (the
                             'all' × 'overall' rows equal int_indicators__collaboration). -#}
{#- dimension -> the survey column that scores it -#}
{%- set score_columns = {
    'responsiveness': 'responsiveness',
    'cooperation_quality': 'cooperation_quality',
    'problem_resolution': 'problem_resolution',
    'overall': 'response_score',
} -%}

with surveys as (

    select * from {{ ref('fct_collaboration_surveys') }}

),

dimension_scores as (

    {%- for dimension, score_column in score_columns.items() %}
    select
        response_id,
        rated_team_id as team_id,
        rated_rep_id as rep_id,
        coalesce(respondent_department, 'unknown') as respondent_department,
        surveyed_date,
        '{{ dimension }}' as dimension,
        {{ score_column }} as score
    from surveys
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

{{ breakdown_rate_ctes(
    'dimension_scores', 'surveyed_date', 'dimension',
    numerator='sum(score)',
    denominator='count(score)',
    total_keys=['respondent_department'],
    value_name='mean_score',
    numerator_name='score_sum',
    denominator_name='scored_responses',
    denominator_type='bigint',
    counts={'responses': 'count(*)'},
) }}

select * from final
