{#- One row per scorecard of seed scorecard_weights: its filters, specificity (the resolution
    order of int_scorecard__weights_resolved: date window 32, role 16, level 8, team_stage 4,
    market_type 2, entity_type 1, added up), the sum of its weights and, when it is unusable,
    the problem in words naming it (weights not summing to 1, rows with different filters).
    Data test assert_scorecard_weights_sum_to_one fails on any problem. -#}
with weights as (

    select * from {{ ref('scorecard_weights') }}

),

{%- set filters = ['entity_type', 'role', 'level', 'team_stage', 'market_type', 'valid_from', 'valid_to'] %}

summed as (

    select
        scorecard,
        {%- for filter in filters %}
        min({{ filter }}) as {{ filter }},
        {%- endfor %}
        sum(weight) as weight_sum,
        count(*) as indicators,
        count(
            distinct
            {%- for filter in filters %}
            coalesce(cast({{ filter }} as string), '-'){% if not loop.last %} || '|' ||{% endif %}
            {%- endfor %}
        ) as filter_sets
    from weights
    group by 1

),

final as (

    select
        scorecard,
        {%- for filter in filters %}
        {{ filter }},
        {%- endfor %}
        case when valid_from is not null or valid_to is not null then 32 else 0 end
        + case when role is not null then 16 else 0 end
        + case when level is not null then 8 else 0 end
        + case when team_stage is not null then 4 else 0 end
        + case when market_type is not null then 2 else 0 end
        + case when entity_type is not null then 1 else 0 end as specificity,
        weight_sum,
        indicators,
        case
            when filter_sets > 1
                then
                    'seeds/scorecard_weights.csv: scorecard ' || scorecard
                    || ' has rows with different filters (one filter set per scorecard)'
            when abs(weight_sum - 1) > 1e-9
                then
                    'seeds/scorecard_weights.csv: the weights of scorecard ' || scorecard
                    || ' sum to ' || cast(round(weight_sum, 6) as string) || ', not 1'
        end as problem
    from summed

)

select * from final
