{#- internal_collaboration_satisfaction broken down by dimension and by respondent department, per
    grain (team rated, rep rated, company), entity and period. Long: one row per
    (grain, entity, period, respondent_department, dimension) where
      respondent_department  a department, or 'all' for every department together
      dimension              responsiveness, cooperation_quality, problem_resolution: the mean of
                             that dimension's answers (NULL answers left out); 'overall': the mean
                             of the responses' response_score, the indicator itself (the
                             'all' × 'overall' rows equal int_indicators__collaboration). -#}
{%- set keyed = ['team', 'rep'] | select('in', var('report_grains')) | list -%}
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

periodized as (

    select
        period_types.period_type,
        {{ period_start('period_types.period_type', 'dimension_scores.surveyed_date') }} as period_start,
        dimension_scores.*
    from dimension_scores
    cross join {{ period_types() }} as period_types

),

{% set common = 'periodized.period_type, periodized.period_start' -%}
{%- set grouping_sets = [] -%}
{%- for grain in keyed -%}
{%- set key = 'periodized.' ~ grain ~ '_id' -%}
{%- do grouping_sets.append('(' ~ common ~ ', ' ~ key ~ ', periodized.dimension)') -%}
{%- do grouping_sets.append('(' ~ common ~ ', ' ~ key ~ ', periodized.respondent_department, periodized.dimension)') -%}
{%- endfor -%}
{%- if 'company' in var('report_grains') -%}
{%- do grouping_sets.append('(' ~ common ~ ', periodized.dimension)') -%}
{%- do grouping_sets.append('(' ~ common ~ ', periodized.respondent_department, periodized.dimension)') -%}
{%- endif %}

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
        case
            when grouping(periodized.respondent_department) = 0 then periodized.respondent_department
            else 'all'
        end as respondent_department,
        periodized.dimension,
        count(*) as responses,
        count(periodized.score) as scored_responses,
        sum(periodized.score) as score_sum
    from periodized
    {#- noqa on this line only: sqlfluff 4.4's duckdb dialect does not parse GROUPING SETS (PRS), and
        then reads `grouping` as a column (RF03, AM06); DuckDB runs it (macros/indicator_rollup.sql). #}
    group by grouping sets ( -- noqa: PRS, RF03, AM06
        {{ grouping_sets | join(',\n        ') }}
    )

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        respondent_department,
        dimension,
        cast({{ safe_divide('score_sum', 'scored_responses') }} as double) as mean_score,
        cast(score_sum as double) as score_sum,
        cast(scored_responses as bigint) as scored_responses,
        cast(responses as bigint) as responses
    from rolled_up

)

select * from final
