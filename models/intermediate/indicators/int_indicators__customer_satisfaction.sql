{#- Customer satisfaction: nps, csat_economic and csat_relationship from fct_surveys.

    A survey response belongs to its rep and that rep's team on the survey date (fct_surveys) and
    is put in the reporting periods of dim_periods of its surveyed_date. A response without a
    score is left out of the figure it has no score for. -#}
{%- set keyed_grains = ['team', 'rep', 'customer', 'company'] -%}

with surveys as (

    select * from {{ ref('fct_surveys') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

{# ---------- nps, csat_economic, csat_relationship ---------- #}

surveys_periodized as (

    {{ in_reporting_periods('surveys', 'surveyed_date') }}

),

surveys_rolled_up as (

    {{ rollup_by_grain_and_period(
        'surveys_periodized', none,
        [
            'count(nps_score) as scored_responses',
            'sum(case when is_promoter then 1 else 0 end) as promoters',
            'sum(case when is_detractor then 1 else 0 end) as detractors',
            'sum(csat_economic) as csat_economic_sum',
            'count(csat_economic) as csat_economic_responses',
            'sum(csat_relationship) as csat_relationship_sum',
            'count(csat_relationship) as csat_relationship_responses',
        ],
        keyed_grains,
    ) }}

),

indicators as (

    {{ indicator_rows('surveys_rolled_up', 'nps',
        safe_divide('promoters - detractors', 'scored_responses') ~ ' * 100',
        'promoters - detractors', 'scored_responses', where='scored_responses > 0') }}
    union all
    {{ indicator_rows('surveys_rolled_up', 'csat_economic',
        safe_divide('csat_economic_sum', 'csat_economic_responses'),
        'csat_economic_sum', 'csat_economic_responses', where='csat_economic_responses > 0') }}
    union all
    {{ indicator_rows('surveys_rolled_up', 'csat_relationship',
        safe_divide('csat_relationship_sum', 'csat_relationship_responses'),
        'csat_relationship_sum', 'csat_relationship_responses', where='csat_relationship_responses > 0') }}

)

select * from indicators
