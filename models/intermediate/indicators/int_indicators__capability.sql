{#- Capability (能力发展类) from the HR enablement facts: skill_score, skill_growth,
    training_pass_rate, self_learning_hours, knowledge_test_score, insight_report_quality.
    Every event goes to its rep and to the rep's team on the event's date (carried by the facts).
    Rows are sparse, one per (entity, period) with input for the indicator:
      skill_score             assessments; Σ weighted_score / Σ weights of the scores present
                              (NULL when no score has a weight)
      skill_growth            skill_score − the entity's latest earlier skill_score of the same
                              period type (the previous assessed period, not necessarily adjacent)
      training_pass_rate      completions; passed / examined (NULL when none was examined)
      self_learning_hours     self-directed completions; Σ hours (a NULL hours is not 0)
      knowledge_test_score    completions on product, policy, competitor with an exam_score
      insight_report_quality  competitor_analysis reports; mean quality_score (NULL when none
                              is scored) -#}
{%- set grains = ['team', 'rep', 'company'] -%}

with assessments as (

    select * from {{ ref('fct_skill_assessments') }}

),

trainings as (

    select * from {{ ref('fct_trainings') }}

),

insight_reports as (

    select * from {{ ref('fct_insight_reports') }}

),

self_directed_trainings as (

    select * from trainings
    where is_self_directed

),

knowledge_tests as (

    select * from trainings
    where is_knowledge_topic
        and exam_score is not null

),

competitor_reports as (

    select * from insight_reports
    where is_competitor_analysis

),

assessments_rolled_up as (

    {{ rollup_by_grain_and_period(
        'assessments', 'assessed_date',
        [
            'sum(weighted_score) as weighted_score_sum',
            'sum(case when weighted_score is not null then assessor_weight end) as weight_sum',
        ],
        grains,
    ) }}

),

skill_scores as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        weighted_score_sum,
        weight_sum,
        {{ safe_divide('weighted_score_sum', 'weight_sum') }} as skill_score
    from assessments_rolled_up

),

skill_score_history as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        skill_score,
        lag(skill_score) over (
            partition by grain, entity_id, period_type
            order by period_start
        ) as previous_skill_score
    from skill_scores
    where skill_score is not null

),

trainings_rolled_up as (

    {{ rollup_by_grain_and_period(
        'trainings', 'completed_date',
        [
            'sum(case when is_passed then 1 else 0 end) as passed_completions',
            'sum(case when is_examined then 1 else 0 end) as examined_completions',
        ],
        grains,
    ) }}

),

self_learning_rolled_up as (

    {{ rollup_by_grain_and_period(
        'self_directed_trainings', 'completed_date',
        ['sum(hours) as self_learning_hours'],
        grains,
    ) }}

),

knowledge_tests_rolled_up as (

    {{ rollup_by_grain_and_period(
        'knowledge_tests', 'completed_date',
        [
            'sum(exam_score) as exam_score_sum',
            'count(exam_score) as exam_count',
        ],
        grains,
    ) }}

),

competitor_reports_rolled_up as (

    {{ rollup_by_grain_and_period(
        'competitor_reports', 'submitted_date',
        [
            'sum(quality_score) as quality_score_sum',
            'count(quality_score) as scored_reports',
        ],
        grains,
    ) }}

),

indicators as (

    {{ indicator_rows('skill_scores', 'skill_score', 'skill_score', 'weighted_score_sum', 'weight_sum') }}
    union all
    {{ indicator_rows('skill_score_history', 'skill_growth',
        'skill_score - previous_skill_score', 'skill_score - previous_skill_score',
        where='previous_skill_score is not null') }}
    union all
    {{ indicator_rows('trainings_rolled_up', 'training_pass_rate',
        safe_divide('passed_completions', 'examined_completions'), 'passed_completions', 'examined_completions') }}
    union all
    {{ indicator_rows('self_learning_rolled_up', 'self_learning_hours', 'self_learning_hours', 'self_learning_hours') }}
    union all
    {{ indicator_rows('knowledge_tests_rolled_up', 'knowledge_test_score',
        safe_divide('exam_score_sum', 'exam_count'), 'exam_score_sum', 'exam_count') }}
    union all
    {{ indicator_rows('competitor_reports_rolled_up', 'insight_report_quality',
        safe_divide('quality_score_sum', 'scored_reports'), 'quality_score_sum', 'scored_reports') }}

)

select * from indicators
